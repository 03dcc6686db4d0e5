/**
 * A small evaluator of Kubernetes NetworkPolicy egress semantics (networking.k8s.io/v1), to run
 * the policies AppCluster synthesizes against a model of the cluster they will meet.
 *
 * What it implements (https://kubernetes.io/docs/concepts/services-networking/network-policies/):
 * - a pod is isolated for egress when at least one policy in its namespace selects it (podSelector)
 *   and lists `Egress` in policyTypes; a pod no such policy selects may send anything;
 * - policies are additive: traffic from an isolated pod is allowed when any egress rule of any
 *   selecting policy allows it (default deny otherwise);
 * - a rule with no `ports` allows every port; a port entry matches its protocol (TCP when not
 *   given) and its port, or the range `port`..`endPort`;
 * - a rule with no `to` allows every destination; a peer matches as
 *   - `ipBlock`: the destination address is in `cidr` and in none of `except`,
 *   - `podSelector` alone: a pod of the policy's own namespace matching the selector,
 *   - `namespaceSelector` alone: any pod of a namespace matching the selector,
 *   - both in one peer: a pod matching `podSelector` in a namespace matching `namespaceSelector`;
 * - label selectors: `matchLabels` and `matchExpressions` (In, NotIn, Exists, DoesNotExist); an
 *   empty selector matches everything.
 *
 * How the AWS network-policy controller (EKS, Auto Mode included) treats Services: it resolves a
 * pod-selecting peer to the IPs of the pods it selects, plus the ClusterIP of a Service whose
 * selector picks those pods. A Service with no backing pods therefore adds nothing: on EKS Auto
 * Mode, where CoreDNS runs as a system service on each node and no `k8s-app: kube-dns` pods exist
 * (EKS user guide, "Learn about VPC Networking and Load Balancing in EKS Auto Mode": "Auto Mode
 * nodes utilize CoreDNS running as a system service directly on each node"; user reports in
 * aws/containers-roadmap #2546 and #2552), a kube-dns pod selector matches no destination, while
 * an `ipBlock` on the cluster DNS ClusterIP does.
 */
import { Template } from 'aws-cdk-lib/assertions';
import type { ParsedObject } from './k8s';

export interface LabelSelector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

export interface ModelPod {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly ip: string;
}

export interface ModelService {
  readonly name: string;
  readonly namespace: string;
  readonly clusterIp: string;
  readonly selector: Record<string, string>;
}

/** The cluster the policies run in: namespaces with their labels, pods and Services. */
export interface ClusterModel {
  readonly namespaces: Record<string, Record<string, string>>;
  readonly pods: ModelPod[];
  readonly services: ModelService[];
  /** Literal values of CIDR placeholders (`${GetAtt:Vpc.CidrBlock}`) in the synthesized policies. */
  readonly cidrTokens?: Record<string, string>;
}

export interface Destination {
  readonly ip: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
}

export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case 'In': if (!has || !(e.values ?? []).includes(labels[e.key])) return false; break;
      case 'NotIn': if (has && (e.values ?? []).includes(labels[e.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: throw new Error(`unknown selector operator ${(e as any).operator}`);
    }
  }
  return true;
}

function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

function intToIp(n: number): string {
  return [Math.floor(n / 2 ** 24), Math.floor(n / 2 ** 16) % 256, Math.floor(n / 256) % 256, n % 256].join('.');
}

export function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const size = 2 ** (32 - bits);
  return Math.floor(ipToInt(ip) / size) === Math.floor(ipToInt(base) / size);
}

/** The pods a pod-selecting peer of a policy in `policyNamespace` selects. */
function peerPods(model: ClusterModel, peer: any, policyNamespace: string): ModelPod[] {
  return model.pods.filter((p) => {
    if (peer.namespaceSelector) {
      if (!selects(peer.namespaceSelector, model.namespaces[p.namespace] ?? {})) return false;
    } else if (p.namespace !== policyNamespace) {
      return false;
    }
    return selects(peer.podSelector, p.labels);
  });
}

/** The addresses a peer stands for: ipBlock ranges are handled apart; pod peers resolve to IPs. */
function peerMatches(model: ClusterModel, peer: any, policyNamespace: string, ip: string): boolean {
  if (peer.ipBlock) {
    const literal = (c: string) => model.cidrTokens?.[c] ?? c;
    return inCidr(ip, literal(peer.ipBlock.cidr)) && !(peer.ipBlock.except ?? []).some((c: string) => inCidr(ip, literal(c)));
  }
  if (!peer.podSelector && !peer.namespaceSelector) throw new Error(`empty NetworkPolicy peer: ${JSON.stringify(peer)}`);
  const pods = peerPods(model, peer, policyNamespace);
  if (pods.some((p) => p.ip === ip)) return true;
  // The controller also admits the ClusterIP of a Service backed by the selected pods.
  return model.services.some((s) => s.clusterIp === ip
    && pods.some((p) => p.namespace === s.namespace && selects({ matchLabels: s.selector }, p.labels)));
}

function portMatches(rulePort: any, d: Destination): boolean {
  if ((rulePort.protocol ?? 'TCP') !== d.protocol) return false;
  if (rulePort.port === undefined) return true;
  if (typeof rulePort.port !== 'number') throw new Error(`named ports are not modelled: ${JSON.stringify(rulePort)}`);
  const end = rulePort.endPort ?? rulePort.port;
  return d.port >= rulePort.port && d.port <= end;
}

/** Whether `pod` may send to `d` under `policies` (NetworkPolicy objects of any namespace). */
export function egressAllowed(model: ClusterModel, policies: any[], pod: ModelPod, d: Destination): boolean {
  const selecting = policies.filter((np) => np.kind === 'NetworkPolicy'
    && np.metadata.namespace === pod.namespace
    && (np.spec.policyTypes ?? ['Ingress']).includes('Egress')
    && selects(np.spec.podSelector, pod.labels));
  if (selecting.length === 0) return true;
  return selecting.some((np) => (np.spec.egress ?? []).some((rule: any) => {
    const portOk = !rule.ports || rule.ports.length === 0 || rule.ports.some((p: any) => portMatches(p, d));
    const peerOk = !rule.to || rule.to.length === 0 || rule.to.some((peer: any) => peerMatches(model, peer, np.metadata.namespace, d.ip));
    return portOk && peerOk;
  }));
}

/** The cluster DNS address EKS uses: the 10th address of the service CIDR. */
export function clusterDnsIp(serviceCidr: string): string {
  const [base, bits] = serviceCidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return intToIp(Math.floor(ipToInt(base) / size) * size + 10);
}

/**
 * The service CIDR EKS picks when the cluster does not set one: 172.20.0.0/16 when the VPC is in
 * 10.0.0.0/8, otherwise 10.100.0.0/16 (EKS API reference, KubernetesNetworkConfigRequest).
 */
export function eksDefaultServiceCidr(vpcCidr: string): string {
  return inCidr(vpcCidr.split('/')[0], '10.0.0.0/8') ? '172.20.0.0/16' : '10.100.0.0/16';
}

/**
 * The cluster the synthesized policies meet: kube-system and the app namespace with their
 * `kubernetes.io/metadata.name` labels, one pod per workload of the synthesized Deployments and
 * Jobs (labels from their pod templates), and the kube-dns Service on the cluster DNS ClusterIP
 * (the service CIDR of the synthesized cluster, or the one EKS would pick). On Auto Mode there are
 * no kube-dns pods; `withDnsPods` adds them, as on a cluster running the CoreDNS add-on.
 */
export function autoModeModel(template: Template, objects: ParsedObject[], ns: string, withDnsPods: boolean):
{ model: ClusterModel; dnsIp: string; appPods: ModelPod[] } {
  const cluster = Object.values(template.findResources('AWS::EKS::Cluster'))[0] as any;
  const [vpcId, vpc] = Object.entries(template.findResources('AWS::EC2::VPC'))[0] as [string, any];
  const serviceCidr = cluster.Properties.KubernetesNetworkConfig?.ServiceIpv4Cidr ?? eksDefaultServiceCidr(vpc.Properties.CidrBlock);
  const dnsIp = clusterDnsIp(serviceCidr);
  let n = 10;
  const appPods: ModelPod[] = objects.map((o) => o.object)
    .filter((o) => (o.kind === 'Deployment' || o.kind === 'Job') && o.metadata.namespace === ns)
    .map((o) => ({ name: o.metadata.name, namespace: ns, labels: o.spec.template.metadata.labels, ip: `10.0.100.${n++}` }));
  const dnsPods: ModelPod[] = withDnsPods
    ? [{ name: 'coredns-1', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, ip: '10.0.200.7' }]
    : [];
  return {
    dnsIp,
    appPods,
    model: {
      namespaces: { 'kube-system': { 'kubernetes.io/metadata.name': 'kube-system' }, [ns]: { 'kubernetes.io/metadata.name': ns } },
      pods: [...appPods, ...dnsPods],
      services: [{ name: 'kube-dns', namespace: 'kube-system', clusterIp: dnsIp, selector: { 'k8s-app': 'kube-dns' } }],
      cidrTokens: { [`\${GetAtt:${vpcId}.CidrBlock}`]: vpc.Properties.CidrBlock },
    },
  };
}
