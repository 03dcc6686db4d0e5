import { ClusterModel, clusterDnsIp, egressAllowed, eksDefaultServiceCidr, inCidr, ModelPod } from './network-policy';

/**
 * The evaluator against the cases of the Kubernetes NetworkPolicy documentation
 * (kubernetes.io, "Network Policies": isolation, additive rules, the `to` peer forms, ports).
 */
const ns = (name: string, labels: Record<string, string> = {}) => ({ [name]: { 'kubernetes.io/metadata.name': name, ...labels } });
const client: ModelPod = { name: 'client', namespace: 'app', labels: { role: 'client' }, ip: '10.0.1.10' };
const db: ModelPod = { name: 'db', namespace: 'app', labels: { role: 'db' }, ip: '10.0.1.20' };
const other: ModelPod = { name: 'db-elsewhere', namespace: 'other', labels: { role: 'db' }, ip: '10.0.2.20' };
const model: ClusterModel = {
  namespaces: { ...ns('app'), ...ns('other', { team: 'data' }) },
  pods: [client, db, other],
  services: [{ name: 'db', namespace: 'app', clusterIp: '172.20.5.5', selector: { role: 'db' } }],
};
const policy = (egress: any[] | undefined, podSelector: any = {}, policyTypes = ['Egress']) => ({
  kind: 'NetworkPolicy',
  metadata: { name: 'p', namespace: 'app' },
  spec: { podSelector, policyTypes, ...(egress ? { egress } : {}) },
});
const tcp = (ip: string, port = 5432) => ({ ip, port, protocol: 'TCP' as const });

describe('NetworkPolicy egress evaluator', () => {
  test('a pod no egress policy selects may send anything; one that is selected is denied by default', () => {
    expect(egressAllowed(model, [], client, tcp('8.8.8.8', 53))).toBe(true);
    expect(egressAllowed(model, [policy(undefined, { matchLabels: { role: 'db' } })], client, tcp('8.8.8.8'))).toBe(true);
    expect(egressAllowed(model, [policy(undefined)], client, tcp('8.8.8.8'))).toBe(false);
    // An Ingress-only policy does not isolate egress.
    expect(egressAllowed(model, [policy(undefined, {}, ['Ingress'])], client, tcp('8.8.8.8'))).toBe(true);
  });

  test('policies are additive', () => {
    const toDb = policy([{ to: [{ podSelector: { matchLabels: { role: 'db' } } }] }]);
    expect(egressAllowed(model, [policy(undefined), toDb], client, tcp(db.ip))).toBe(true);
  });

  test('a podSelector peer alone means the policy\'s own namespace', () => {
    const p = policy([{ to: [{ podSelector: { matchLabels: { role: 'db' } } }] }]);
    expect(egressAllowed(model, [p], client, tcp(db.ip))).toBe(true);
    expect(egressAllowed(model, [p], client, tcp(other.ip))).toBe(false);
  });

  test('namespaceSelector and podSelector in one peer are ANDed; in two peers ORed', () => {
    const and = policy([{ to: [{ namespaceSelector: { matchLabels: { team: 'data' } }, podSelector: { matchLabels: { role: 'client' } } }] }]);
    expect(egressAllowed(model, [and], client, tcp(other.ip))).toBe(false);
    const or = policy([{ to: [{ namespaceSelector: { matchLabels: { team: 'data' } } }, { podSelector: { matchLabels: { role: 'client' } } }] }]);
    expect(egressAllowed(model, [or], client, tcp(other.ip))).toBe(true);
  });

  test('ipBlock with except, ports with protocol and endPort', () => {
    const p = policy([{ to: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.2.0/24'] } }], ports: [{ protocol: 'TCP', port: 5000, endPort: 5500 }] }]);
    expect(egressAllowed(model, [p], client, tcp(db.ip, 5432))).toBe(true);
    expect(egressAllowed(model, [p], client, tcp(other.ip, 5432))).toBe(false);
    expect(egressAllowed(model, [p], client, tcp(db.ip, 5501))).toBe(false);
    expect(egressAllowed(model, [p], client, { ip: db.ip, port: 5432, protocol: 'UDP' })).toBe(false);
  });

  test('a Service ClusterIP counts for a pod peer only while pods back it (the AWS controller)', () => {
    const p = policy([{ to: [{ podSelector: { matchLabels: { role: 'db' } } }] }]);
    expect(egressAllowed(model, [p], client, tcp('172.20.5.5'))).toBe(true);
    const noPods = { ...model, pods: [client] };
    expect(egressAllowed(noPods, [p], client, tcp('172.20.5.5'))).toBe(false);
  });

  test('matchExpressions', () => {
    const p = policy([{ to: [{ podSelector: { matchExpressions: [{ key: 'role', operator: 'In', values: ['db', 'cache'] }] } }] }]);
    expect(egressAllowed(model, [p], client, tcp(db.ip))).toBe(true);
    const notIn = policy([{ to: [{ podSelector: { matchExpressions: [{ key: 'role', operator: 'NotIn', values: ['db'] }] } }] }]);
    expect(egressAllowed(model, [notIn], client, tcp(db.ip))).toBe(false);
  });

  test('address helpers: CIDR membership, the cluster DNS address, the service CIDR EKS picks', () => {
    expect(inCidr('172.20.0.10', '172.20.0.10/32')).toBe(true);
    expect(inCidr('172.20.0.11', '172.20.0.10/32')).toBe(false);
    expect(inCidr('203.0.113.9', '0.0.0.0/0')).toBe(true);
    expect(clusterDnsIp('172.20.0.0/16')).toBe('172.20.0.10');
    expect(clusterDnsIp('10.100.0.0/16')).toBe('10.100.0.10');
    expect(eksDefaultServiceCidr('10.0.0.0/16')).toBe('172.20.0.0/16');
    expect(eksDefaultServiceCidr('192.168.0.0/16')).toBe('10.100.0.0/16');
  });
});
