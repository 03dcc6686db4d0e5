import { NodePoolShape, WorkloadShape } from './kubernetes-workloads';
import { PriceTable } from './price-table';

/**
 * What each node keeps for itself before pods are placed: the kubelet and system reservation
 * and the per-node agents Auto Mode and the observability add-on run (a DaemonSet on every
 * node). An assumption, sized for 2-vCPU nodes: 0.3 vCPU and 1 GiB.
 */
export const NODE_OVERHEAD_CPU = 0.3;
export const NODE_OVERHEAD_GIB = 1.0;

/** Shapes of the instance types the table prices, by name. */
const SHAPES: Record<string, { vcpu: number; gib: number; arch: string }> = {
  'c6a.large': { vcpu: 2, gib: 4, arch: 'amd64' },
  'c5a.large': { vcpu: 2, gib: 4, arch: 'amd64' },
  'c5.large': { vcpu: 2, gib: 4, arch: 'amd64' },
  'm6a.large': { vcpu: 2, gib: 8, arch: 'amd64' },
  'm5.large': { vcpu: 2, gib: 8, arch: 'amd64' },
  'r6a.large': { vcpu: 2, gib: 16, arch: 'amd64' },
  'c6a.xlarge': { vcpu: 4, gib: 8, arch: 'amd64' },
  'm6a.xlarge': { vcpu: 4, gib: 16, arch: 'amd64' },
  't3a.medium': { vcpu: 2, gib: 4, arch: 'amd64' },
  't3.medium': { vcpu: 2, gib: 4, arch: 'amd64' },
  't4g.nano': { vcpu: 2, gib: 0.5, arch: 'arm64' },
  't3.nano': { vcpu: 2, gib: 0.5, arch: 'amd64' },
  't3.micro': { vcpu: 2, gib: 1, arch: 'amd64' },
};

/** The nodes one NodePool needs for its workloads, on the cheapest instance type it allows. */
export interface NodePlan {
  readonly pool: NodePoolShape;
  readonly instanceType: string;
  readonly nodes: number;
  readonly spot: boolean;
  readonly cpu: number;
  readonly memoryGib: number;
  readonly pods: number;
  /** USD per node-hour: instance (at Spot when allowed) and Auto Mode fee. */
  readonly instanceHourUsd: number;
  readonly feeHourUsd: number;
}

/**
 * Sizes the nodes of a NodePool from its pods' requests, as Karpenter would: the cheapest
 * instance type the pool's requirements allow (category, architecture), at Spot when the pool
 * allows Spot, enough nodes for the summed requests after each node's overhead, at least one
 * per zone when a workload requires zone spreading, and every pod fitting on one node.
 */
export function planNodes(pool: NodePoolShape, workloads: WorkloadShape[], table: PriceTable, region: string): NodePlan | undefined {
  const pods = workloads.reduce((n, w) => n + w.replicas, 0);
  if (pods === 0) return undefined;
  const cpu = workloads.reduce((n, w) => n + w.replicas * w.cpu, 0);
  const memoryGib = workloads.reduce((n, w) => n + w.replicas * w.memoryGib, 0);
  const biggestCpu = Math.max(...workloads.map((w) => w.cpu));
  const biggestGib = Math.max(...workloads.map((w) => w.memoryGib));
  const zonesNeeded = Math.max(1, ...workloads.filter((w) => w.zoneSpreadRequired).map((w) => Math.min(w.replicas, pool.zones)));
  const spot = pool.capacityTypes.length === 0 || pool.capacityTypes.includes('spot');
  const spotRatio = spot ? table.price('SpotPriceRatio', region).usd : 1;
  const feeRatio = table.price('EksAutoModeFeeRatio', region).usd;

  let best: NodePlan | undefined;
  for (const [type, shape] of Object.entries(SHAPES)) {
    const category = type.replace(/[0-9].*$/, '');
    if (pool.instanceCategories.length > 0 && !pool.instanceCategories.includes(category)) continue;
    if (pool.architectures.length > 0 && !pool.architectures.includes(shape.arch)) continue;
    if (!table.has(`Ec2Instance:${type}`, region)) continue;
    // Auto Mode launches only types with more than one vCPU, never nano, micro or small (EKS
    // team, aws/containers-roadmap#2516).
    if (shape.vcpu <= 1 || /\.(nano|micro|small)$/.test(type)) continue;
    const allocCpu = shape.vcpu - NODE_OVERHEAD_CPU;
    const allocGib = shape.gib - NODE_OVERHEAD_GIB;
    if (allocCpu < biggestCpu || allocGib < biggestGib) continue;
    const nodes = Math.max(zonesNeeded, Math.ceil(cpu / allocCpu - 1e-9), Math.ceil(memoryGib / allocGib - 1e-9));
    const onDemand = table.price(`Ec2Instance:${type}`, region).usd;
    const plan: NodePlan = {
      pool,
      instanceType: type,
      nodes,
      spot,
      cpu,
      memoryGib,
      pods,
      instanceHourUsd: onDemand * spotRatio,
      feeHourUsd: onDemand * feeRatio,
    };
    const cost = (p: NodePlan) => p.nodes * (p.instanceHourUsd + p.feeHourUsd);
    if (!best || cost(plan) < cost(best)) best = plan;
  }
  return best;
}
