/**
 * Reads the Kubernetes objects a synthesized template carries (the `Manifest` property of the
 * aws-eks-v2 `Custom::AWSCDK-EKS-KubernetesResource` resources) and returns what the node
 * estimate needs: each NodePool's requirements and the steady-state pods scheduled on it.
 */

/** A NodePool of EKS Auto Mode (Karpenter), reduced to what prices its nodes. */
export interface NodePoolShape {
  readonly name: string;
  /** `karpenter.sh/capacity-type` values; empty when the pool does not restrict them. */
  readonly capacityTypes: string[];
  /** `eks.amazonaws.com/instance-category` values; empty when unrestricted. */
  readonly instanceCategories: string[];
  /** `kubernetes.io/arch` values; empty when unrestricted. */
  readonly architectures: string[];
  /** Root/ephemeral volume of each node, GiB (the NodeClass' `ephemeralStorage.size`). */
  readonly volumeGib: number;
  /** Availability zones the NodeClass' subnets span (one subnet per AZ). */
  readonly zones: number;
}

/** The pods of one Deployment at its minimum scale. */
export interface WorkloadShape {
  readonly namespace: string;
  readonly name: string;
  readonly replicas: number;
  /** Requests of one pod, in vCPU and GiB. */
  readonly cpu: number;
  readonly memoryGib: number;
  /** The NodePool it selects (`karpenter.sh/nodepool`), if any. */
  readonly nodePool?: string;
  /** Whether replicas must spread over zones (`topology.kubernetes.io/zone`, DoNotSchedule). */
  readonly zoneSpreadRequired: boolean;
}

/** What the template's Kubernetes objects ask for. */
export interface KubernetesShape {
  readonly nodePools: NodePoolShape[];
  readonly workloads: WorkloadShape[];
  /** Manifests that could not be read (their logical ids). */
  readonly unreadable: string[];
}

const MANIFEST_TYPE = 'Custom::AWSCDK-EKS-KubernetesResource';

export function readKubernetes(resources: Record<string, any>): KubernetesShape {
  const objects: any[] = [];
  const unreadable: string[] = [];
  for (const [id, r] of Object.entries(resources)) {
    if (r?.Type !== MANIFEST_TYPE) continue;
    const parsed = parseManifest(r.Properties?.Manifest);
    if (parsed === undefined) unreadable.push(id);
    else objects.push(...parsed);
  }
  const nodeClasses = new Map<string, any>();
  for (const o of objects) if (o?.kind === 'NodeClass') nodeClasses.set(o.metadata?.name, o);

  const nodePools: NodePoolShape[] = objects.filter((o) => o?.kind === 'NodePool').map((o) => {
    const requirements: any[] = o.spec?.template?.spec?.requirements ?? [];
    const values = (key: string) => requirements.filter((q) => q.key === key && q.operator === 'In').flatMap((q) => q.values ?? []);
    const nodeClass = nodeClasses.get(o.spec?.template?.spec?.nodeClassRef?.name);
    const subnets = nodeClass?.spec?.subnetSelectorTerms?.length ?? 0;
    return {
      name: o.metadata?.name,
      capacityTypes: values('karpenter.sh/capacity-type'),
      instanceCategories: values('eks.amazonaws.com/instance-category'),
      architectures: values('kubernetes.io/arch'),
      volumeGib: parseQuantity(nodeClass?.spec?.ephemeralStorage?.size ?? '80Gi') / 2 ** 30,
      zones: subnets > 0 ? subnets : 2,
    };
  });

  const hpaMin = new Map<string, number>();
  for (const o of objects) {
    if (o?.kind === 'HorizontalPodAutoscaler' && o.spec?.scaleTargetRef?.kind === 'Deployment') {
      hpaMin.set(`${o.metadata?.namespace}/${o.spec.scaleTargetRef.name}`, o.spec.minReplicas ?? 1);
    }
  }
  const workloads: WorkloadShape[] = objects.filter((o) => o?.kind === 'Deployment').map((o) => {
    const pod = o.spec?.template?.spec ?? {};
    const containers: any[] = pod.containers ?? [];
    const sum = (f: (c: any) => string | undefined) => containers.reduce((n, c) => n + parseQuantity(f(c) ?? '0'), 0);
    const namespace = o.metadata?.namespace ?? 'default';
    const replicas = Math.max(o.spec?.replicas ?? 1, hpaMin.get(`${namespace}/${o.metadata?.name}`) ?? 0);
    const spread: any[] = pod.topologySpreadConstraints ?? [];
    return {
      namespace,
      name: o.metadata?.name,
      replicas,
      cpu: sum((c) => c.resources?.requests?.cpu),
      memoryGib: sum((c) => c.resources?.requests?.memory) / 2 ** 30,
      nodePool: pod.nodeSelector?.['karpenter.sh/nodepool'],
      zoneSpreadRequired: spread.some((s) => s.topologyKey === 'topology.kubernetes.io/zone' && s.whenUnsatisfiable === 'DoNotSchedule'),
    };
  });
  return { nodePools, workloads, unreadable };
}

/**
 * A manifest property as synthesized: a JSON string, or an `Fn::Join` of strings and intrinsic
 * functions (image URIs, role names). Intrinsics sit inside JSON strings, so each is replaced by
 * a placeholder that keeps the JSON valid.
 */
function parseManifest(value: unknown): any[] | undefined {
  let text: string | undefined;
  if (typeof value === 'string') {
    text = value;
  } else if (value && typeof value === 'object' && Array.isArray((value as any)['Fn::Join'])) {
    const [sep, parts] = (value as any)['Fn::Join'];
    if (typeof sep === 'string' && Array.isArray(parts)) {
      text = parts.map((p: unknown) => (typeof p === 'string' ? p : '0')).join(sep);
    }
  }
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text);
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    return undefined;
  }
}

const SUFFIXES: Record<string, number> = {
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** A Kubernetes quantity (`250m`, `512Mi`, `1`) as a number (cores, or bytes). */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') return q;
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return 0;
  const factor = m[2] === '' ? 1 : SUFFIXES[m[2]];
  return factor === undefined ? 0 : Number(m[1]) * factor;
}
