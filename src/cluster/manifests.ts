/**
 * Small typed builders for the Kubernetes objects AppCluster generates.
 *
 * Why not cdk8s-plus: it is published up to `cdk8s-plus-33` only (our clusters run 1.35), and it
 * would become a peer dependency of this library in every jsii language. The handful of objects we
 * need fit in plain TypeScript interfaces that mirror the Kubernetes API fields we use, so the
 * compiler catches misspelt fields, and `test/cluster/validate_manifests.py` checks every generated
 * object against the real Kubernetes 1.35 schemas. Nothing here is part of the public API.
 */

/** Object metadata (the fields we set). */
export interface K8sMetadata {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/** Any Kubernetes object. */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: K8sMetadata;
}

export interface LabelSelector {
  readonly matchLabels?: Record<string, string>;
}

export interface HttpProbe {
  readonly httpGet: { readonly path: string; readonly port: number | string };
  readonly initialDelaySeconds?: number;
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly failureThreshold?: number;
}

export interface ResourceRequirements {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu?: string; readonly memory: string };
}

export interface ContainerSecurityContext {
  readonly runAsNonRoot: boolean;
  readonly runAsUser?: number;
  readonly runAsGroup?: number;
  readonly readOnlyRootFilesystem: boolean;
  readonly allowPrivilegeEscalation: boolean;
  readonly privileged: boolean;
  readonly capabilities: { readonly drop: string[] };
  readonly seccompProfile: { readonly type: 'RuntimeDefault' };
}

export interface Container {
  readonly name: string;
  readonly image: string;
  readonly imagePullPolicy?: 'Always' | 'IfNotPresent';
  readonly ports: { readonly name: string; readonly containerPort: number; readonly protocol: 'TCP' }[];
  readonly env?: { readonly name: string; readonly value: string }[];
  readonly resources: ResourceRequirements;
  readonly securityContext: ContainerSecurityContext;
  readonly startupProbe: HttpProbe;
  readonly readinessProbe: HttpProbe;
  readonly livenessProbe: HttpProbe;
  readonly volumeMounts?: { readonly name: string; readonly mountPath: string; readonly readOnly?: boolean }[];
}

export interface Volume {
  readonly name: string;
  readonly emptyDir?: { readonly medium?: string; readonly sizeLimit?: string };
  readonly configMap?: { readonly name: string; readonly items?: { readonly key: string; readonly path: string }[] };
}

export interface TopologySpreadConstraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
  readonly labelSelector: LabelSelector;
}

export interface PodSpec {
  readonly serviceAccountName: string;
  readonly automountServiceAccountToken: boolean;
  readonly securityContext: {
    readonly runAsNonRoot: boolean;
    readonly runAsUser?: number;
    readonly runAsGroup?: number;
    readonly fsGroup?: number;
    readonly seccompProfile: { readonly type: 'RuntimeDefault' };
  };
  readonly nodeSelector?: Record<string, string>;
  readonly topologySpreadConstraints: TopologySpreadConstraint[];
  readonly terminationGracePeriodSeconds: number;
  readonly containers: Container[];
  readonly volumes?: Volume[];
}

export interface Deployment extends K8sObject {
  readonly spec: {
    readonly replicas: number;
    readonly revisionHistoryLimit: number;
    readonly selector: LabelSelector;
    readonly strategy: { readonly type: 'RollingUpdate'; readonly rollingUpdate: { readonly maxSurge: number | string; readonly maxUnavailable: number | string } };
    readonly template: { readonly metadata: { readonly labels: Record<string, string> }; readonly spec: PodSpec };
  };
}

export interface Service extends K8sObject {
  readonly spec: {
    readonly type: 'ClusterIP';
    readonly selector: Record<string, string>;
    readonly ports: { readonly name: string; readonly port: number; readonly targetPort: number | string; readonly protocol: 'TCP' }[];
  };
}

export interface HorizontalPodAutoscaler extends K8sObject {
  readonly spec: {
    readonly scaleTargetRef: { readonly apiVersion: string; readonly kind: string; readonly name: string };
    readonly minReplicas: number;
    readonly maxReplicas: number;
    readonly metrics: {
      readonly type: 'Resource';
      readonly resource: { readonly name: 'cpu' | 'memory'; readonly target: { readonly type: 'Utilization'; readonly averageUtilization: number } };
    }[];
  };
}

export interface PodDisruptionBudget extends K8sObject {
  readonly spec: { readonly maxUnavailable: number; readonly selector: LabelSelector };
}

export interface NetworkPolicyPort {
  readonly protocol: 'TCP' | 'UDP';
  readonly port: number;
}

export interface NetworkPolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: { readonly cidr: string; readonly except?: string[] };
}

export interface NetworkPolicyRule {
  readonly from?: NetworkPolicyPeer[];
  readonly to?: NetworkPolicyPeer[];
  readonly ports?: NetworkPolicyPort[];
}

export interface NetworkPolicy extends K8sObject {
  readonly spec: {
    readonly podSelector: LabelSelector;
    readonly policyTypes: ('Ingress' | 'Egress')[];
    readonly ingress?: NetworkPolicyRule[];
    readonly egress?: NetworkPolicyRule[];
  };
}

export interface ConfigMap extends K8sObject {
  readonly data: Record<string, string>;
}

export interface TargetGroupBinding extends K8sObject {
  readonly spec: {
    readonly serviceRef: { readonly name: string; readonly port: number };
    readonly targetGroupARN: string;
    readonly targetType: 'ip';
  };
}

export interface NodeClass extends K8sObject {
  readonly spec: {
    readonly role: string;
    readonly subnetSelectorTerms: { readonly id: string }[];
    readonly securityGroupSelectorTerms: { readonly id: string }[];
    readonly networkPolicy: 'DefaultAllow' | 'DefaultDeny';
    readonly networkPolicyEventLogs: 'Enabled' | 'Disabled';
    readonly ephemeralStorage: { readonly size: string };
  };
}

export interface NodePoolRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists';
  readonly values: string[];
}

export interface NodePool extends K8sObject {
  readonly spec: {
    readonly template: {
      readonly metadata: { readonly labels: Record<string, string> };
      readonly spec: {
        readonly nodeClassRef: { readonly group: string; readonly kind: string; readonly name: string };
        readonly requirements: NodePoolRequirement[];
        readonly expireAfter: string;
      };
    };
    readonly disruption: { readonly consolidationPolicy: 'WhenEmpty' | 'WhenEmptyOrUnderutilized'; readonly consolidateAfter: string };
    readonly limits: { readonly cpu: string; readonly memory: string };
  };
}

/** The label every object of a workload carries, and that selectors match. */
export const APP_LABEL = 'app.kubernetes.io/name';
/** Labels every generated object carries. */
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'cdk-proteomics-platform' };

export function namespace(name: string): K8sObject & { metadata: K8sMetadata } {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: {
        ...MANAGED_BY,
        // Pod Security Admission: reject pods that do not meet the "restricted" profile.
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
      },
    },
  };
}

export function serviceAccount(name: string, ns: string, labels: Record<string, string>): K8sObject & { automountServiceAccountToken: boolean } {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, namespace: ns, labels: { ...MANAGED_BY, ...labels } },
    // Pod Identity needs no projected Kubernetes token in the app container.
    automountServiceAccountToken: false,
  };
}
