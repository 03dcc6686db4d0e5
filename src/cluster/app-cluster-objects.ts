import { aws_elasticloadbalancingv2 as elbv2 } from 'aws-cdk-lib';
import { AppClusterStageDefaults, ResolvedWorkload } from './app-cluster-defaults';
import * as k8s from './manifests';
import { WorkloadServiceAccount } from './workload-service-account';

/** The Pod Identity agent's link-local address on every Auto Mode node. */
const POD_IDENTITY_AGENT_CIDR = '169.254.170.23/32';

/** One workload and what it is deployed with. */
export interface WorkloadDeployment {
  /** The workload's settings (with its image resolved). */
  readonly settings: ResolvedWorkload;
  readonly serviceAccount: WorkloadServiceAccount;
  /** The target group its TargetGroupBinding registers the pods in. */
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly networkPolicy: k8s.NetworkPolicy;
  /** The id of the manifest that applies its objects. */
  readonly manifestId: string;
}

/** Where a workload's pods run. */
export interface WorkloadPlacement {
  /** The NodePool the pods select. */
  readonly nodePoolName: string;
  /** How strictly the replicas spread over zones. */
  readonly zoneSpread: 'DoNotSchedule' | 'ScheduleAnyway';
}

/**
 * The `amazon-vpc-cni` ConfigMap that turns on the network-policy controller. Network policies
 * are only enforced when the controller is on and the nodes' NodeClass sets `networkPolicy`.
 */
export function networkPolicyControllerConfig(): k8s.ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'amazon-vpc-cni', namespace: 'kube-system', labels: { ...k8s.MANAGED_BY } },
    data: { 'enable-network-policy-controller': 'true' },
  };
}

/** What the app NodeClass and NodePool are built from. */
export interface AppNodePoolOptions {
  /** The name of both the NodeClass and the NodePool. */
  readonly name: string;
  readonly nodeRoleName: string;
  readonly subnetIds: string[];
  readonly clusterSecurityGroupId: string;
  readonly defaults: AppClusterStageDefaults;
}

/** The NodeClass (NetworkPolicies enforced) and the NodePool the workloads run on. */
export function appNodePoolObjects(o: AppNodePoolOptions): k8s.K8sObject[] {
  const nodeClass: k8s.NodeClass = {
    apiVersion: 'eks.amazonaws.com/v1',
    kind: 'NodeClass',
    metadata: { name: o.name, labels: { ...k8s.MANAGED_BY } },
    spec: {
      role: o.nodeRoleName,
      subnetSelectorTerms: o.subnetIds.map((id) => ({ id })),
      securityGroupSelectorTerms: [{ id: o.clusterSecurityGroupId }],
      networkPolicy: 'DefaultAllow',
      networkPolicyEventLogs: 'Disabled',
      // The API and web images are small: 20 GiB (the EKS AMI's default root size) instead of
      // Auto Mode's 80 GiB default saves 60 GiB of gp3 per node (about $4.80/month at us-east-1).
      ephemeralStorage: { size: '20Gi' },
    },
  };
  const nodePoolObject: k8s.NodePool = {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name: o.name, labels: { ...k8s.MANAGED_BY } },
    spec: {
      template: {
        metadata: { labels: { 'proteomics.biotech-x/node-pool': o.name } },
        spec: {
          nodeClassRef: { group: 'eks.amazonaws.com', kind: 'NodeClass', name: o.name },
          requirements: [
            { key: 'karpenter.sh/capacity-type', operator: 'In', values: [...o.defaults.capacityTypes] },
            { key: 'eks.amazonaws.com/instance-category', operator: 'In', values: [...o.defaults.instanceCategories] },
            { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
          ],
          expireAfter: '336h',
        },
      },
      disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '5m' },
      limits: { ...o.defaults.nodePoolLimits },
    },
  };
  return [nodeClass, nodePoolObject];
}

/** The namespace-wide policies: deny everything, then allow DNS. */
export function namespacePolicies(ns: string, clusterDnsIp: string): k8s.NetworkPolicy[] {
  return [
    networkPolicy(ns, 'default-deny-all', {}, ['Ingress', 'Egress'], undefined, undefined),
    networkPolicy(ns, 'allow-dns', {}, ['Egress'], undefined, [
      {
        to: [
          // EKS Auto Mode runs CoreDNS as a system service on each node ("Auto Mode nodes
          // utilize CoreDNS running as a system service directly on each node", EKS user guide,
          // Auto Mode networking; aws/containers-roadmap #2546 and #2552): there are no
          // kube-dns pods, and pods resolve through the cluster DNS ClusterIP. The AWS
          // network-policy controller resolves pod-selector peers to pod IPs, so only an
          // ipBlock on that address allows DNS there.
          { ipBlock: { cidr: `${clusterDnsIp}/32` } },
          // Clusters that run CoreDNS as pods (the add-on) answer from these.
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
            podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
          },
        ],
        ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
      },
    ]),
  ];
}

/** What the workloads' NetworkPolicies admit. */
export interface WorkloadPolicyOptions {
  /** The load balancer's subnets, whence its requests come. */
  readonly albCidrs: string[];
  readonly apiPort: number;
  readonly webPort: number;
  /** The database's port and the VPC CIDR it is in, when the API uses one. */
  readonly database?: { readonly port: number; readonly vpcCidr: string };
}

/** The NetworkPolicies of the API and of the web app. */
export function workloadPolicies(ns: string, o: WorkloadPolicyOptions): { api: k8s.NetworkPolicy; web: k8s.NetworkPolicy } {
  const fromAlb: k8s.NetworkPolicyPeer[] = o.albCidrs.map((cidr) => ({ ipBlock: { cidr } }));
  const apiEgress: k8s.NetworkPolicyRule[] = [
    // AWS APIs (S3, Step Functions, Secrets Manager, STS...) through NAT or interface endpoints.
    { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] },
    // Pod Identity credentials come from the agent on the node's link-local address.
    { to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT_CIDR } }], ports: [{ protocol: 'TCP', port: 80 }] },
  ];
  if (o.database) {
    apiEgress.push({ to: [{ ipBlock: { cidr: o.database.vpcCidr } }], ports: [{ protocol: 'TCP', port: o.database.port }] });
  }
  return {
    api: networkPolicy(ns, 'api', { [k8s.APP_LABEL]: 'api' }, ['Ingress', 'Egress'], [
      { from: [...fromAlb, { podSelector: { matchLabels: { [k8s.APP_LABEL]: 'web' } } }], ports: [{ protocol: 'TCP', port: o.apiPort }] },
    ], apiEgress),
    web: networkPolicy(ns, 'web', { [k8s.APP_LABEL]: 'web' }, ['Ingress', 'Egress'], [
      { from: fromAlb, ports: [{ protocol: 'TCP', port: o.webPort }] },
    ], [
      // Server-side rendering calls the API inside the cluster.
      { to: [{ podSelector: { matchLabels: { [k8s.APP_LABEL]: 'api' } } }], ports: [{ protocol: 'TCP', port: o.apiPort }] },
    ]),
  };
}

function networkPolicy(
  ns: string,
  name: string,
  matchLabels: Record<string, string>,
  policyTypes: ('Ingress' | 'Egress')[],
  ingress: k8s.NetworkPolicyRule[] | undefined,
  egress: k8s.NetworkPolicyRule[] | undefined,
): k8s.NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: ns, labels: { ...k8s.MANAGED_BY } },
    spec: {
      podSelector: { matchLabels },
      policyTypes,
      ...(ingress ? { ingress } : {}),
      ...(egress ? { egress } : {}),
    },
  };
}

/**
 * The objects of one workload: its ServiceAccount, (placeholder ConfigMap,) Deployment, Service,
 * HorizontalPodAutoscaler, PodDisruptionBudget, NetworkPolicy and TargetGroupBinding.
 */
export function workloadObjects(ns: string, workload: WorkloadDeployment, placement: WorkloadPlacement): k8s.K8sObject[] {
  const { settings: w, serviceAccount: sa, targetGroup: tg, networkPolicy: policy } = workload;
  const labels = { [k8s.APP_LABEL]: w.name, 'app.kubernetes.io/part-of': 'proteomics-platform', ...k8s.MANAGED_BY };
  const selector = { matchLabels: { [k8s.APP_LABEL]: w.name } };
  const meta = (name: string) => ({ name, namespace: ns, labels });
  const objects: k8s.K8sObject[] = [k8s.serviceAccount(sa.serviceAccountName, ns, labels)];
  const volumes: k8s.Volume[] = [{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }];
  const mounts: { name: string; mountPath: string; readOnly?: boolean }[] = [{ name: 'tmp', mountPath: '/tmp' }];
  if (w.placeholder) {
    const configMapName = `${w.name}-placeholder`;
    const placeholderConfig: k8s.ConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { ...meta(configMapName), labels: { ...labels, 'proteomics.biotech-x/placeholder': 'true' } },
      data: {
        'index.html': `<!doctype html><html><head><title>placeholder: ${w.name}</title></head><body>` +
          `<h1>Placeholder ${w.name}</h1><p>This is a placeholder deployed by cdk-proteomics-platform. ` +
          `Set the ${w.name} workload's image to deploy the real service.</p></body></html>\n`,
        'health': 'ok\n',
      },
    };
    objects.push(placeholderConfig);
    const healthFiles = [...new Set([w.healthPath, w.readinessPath])].map((p) => ({ key: 'health', path: p.replace(/^\/+/, '') }));
    volumes.push({ name: 'placeholder', configMap: { name: configMapName, items: [{ key: 'index.html', path: 'index.html' }, ...healthFiles] } });
    mounts.push({ name: 'placeholder', mountPath: '/usr/share/nginx/html', readOnly: true });
  }
  const env = Object.keys(w.environment).sort().map((name) => ({ name, value: w.environment[name] }));
  const probe = (path: string, failureThreshold: number, periodSeconds: number): k8s.HttpProbe => ({
    httpGet: { path, port: 'http' },
    periodSeconds,
    timeoutSeconds: 3,
    failureThreshold,
  });
  const spread = (topologyKey: string, whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway'): k8s.TopologySpreadConstraint => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable,
    labelSelector: selector,
  });
  const deployment: k8s.Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(w.name),
    spec: {
      replicas: w.minReplicas,
      revisionHistoryLimit: 5,
      selector,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: sa.serviceAccountName,
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: w.runAsUser,
            runAsGroup: w.runAsUser,
            fsGroup: w.runAsUser,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          nodeSelector: { 'karpenter.sh/nodepool': placement.nodePoolName },
          topologySpreadConstraints: [
            spread('topology.kubernetes.io/zone', placement.zoneSpread),
            spread('kubernetes.io/hostname', 'ScheduleAnyway'),
          ],
          terminationGracePeriodSeconds: 30,
          containers: [
            {
              name: w.name,
              image: w.image,
              imagePullPolicy: 'IfNotPresent',
              ports: [{ name: 'http', containerPort: w.port, protocol: 'TCP' }],
              ...(env.length > 0 ? { env } : {}),
              resources: {
                requests: { cpu: w.cpuRequest, memory: w.memoryRequest },
                limits: { ...(w.cpuLimit ? { cpu: w.cpuLimit } : {}), memory: w.memoryLimit },
              },
              securityContext: {
                runAsNonRoot: true,
                runAsUser: w.runAsUser,
                runAsGroup: w.runAsUser,
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                privileged: false,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
              // Up to 150 s to start (migrations, cold caches) before liveness applies.
              startupProbe: probe(w.healthPath, 30, 5),
              readinessProbe: probe(w.readinessPath, 3, 10),
              livenessProbe: probe(w.healthPath, 3, 20),
              volumeMounts: mounts,
            },
          ],
          volumes,
        },
      },
    },
  };
  const service: k8s.Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(w.name),
    spec: { type: 'ClusterIP', selector: selector.matchLabels, ports: [{ name: 'http', port: w.port, targetPort: 'http', protocol: 'TCP' }] },
  };
  const hpa: k8s.HorizontalPodAutoscaler = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: meta(w.name),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: w.name },
      minReplicas: w.minReplicas,
      maxReplicas: w.maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: w.targetCpuUtilization } } }],
    },
  };
  // maxUnavailable (not minAvailable) so that a single replica never blocks node replacement.
  const pdb: k8s.PodDisruptionBudget = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: meta(w.name),
    spec: { maxUnavailable: 1, selector },
  };
  const binding: k8s.TargetGroupBinding = {
    apiVersion: 'eks.amazonaws.com/v1',
    kind: 'TargetGroupBinding',
    metadata: meta(w.name),
    spec: { serviceRef: { name: w.name, port: w.port }, targetGroupARN: tg.targetGroupArn, targetType: 'ip' },
  };
  objects.push(deployment, service, hpa, pdb, policy, binding);
  return objects;
}
