import { Annotations, aws_ec2 as ec2, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AppClusterProps, WorkloadOptions } from './app-cluster-props';
import { PLACEHOLDER_IMAGE } from './workload-image';
import { PropsValidator } from '../core/validation';
import { PlatformStage } from '../stage/platform-stage';

/** The service CIDR when none is given (the one EKS itself picks for a VPC in 10.0.0.0/8). */
const DEFAULT_SERVICE_CIDR = '172.20.0.0/16';

/** What `AppCluster` does differently per stage. */
export interface AppClusterStageDefaults {
  /** Replicas of each workload when `minReplicas` is not given. */
  readonly minReplicas: number;
  /** The autoscaler's maximum when `maxReplicas` is not given (at least `minReplicas`). */
  readonly maxReplicas: number;
  /** The capacity types the app NodePool may buy. */
  readonly capacityTypes: string[];
  /** The instance categories the app NodePool may use. */
  readonly instanceCategories: string[];
  /** The app NodePool's total CPU and memory. */
  readonly nodePoolLimits: { readonly cpu: string; readonly memory: string };
  /** How strictly replicas spread over zones. */
  readonly zoneSpread: 'DoNotSchedule' | 'ScheduleAnyway';
  /** Whether the load balancer has deletion protection. */
  readonly loadBalancerDeletionProtection: boolean;
}

// Production: 2 replicas, in 2 zones (strict zone spread), survive the loss of a zone or a
// node; the HPA adds replicas under load. Each minimum replica beyond what the zones need is
// paid for all month on on-demand nodes (one more c6a.large-class node, about $62/month).
const PRODUCTION: AppClusterStageDefaults = {
  minReplicas: 2,
  maxReplicas: 12,
  capacityTypes: ['on-demand'],
  // c, m and r, whose CPU is not rationed by credits.
  instanceCategories: ['c', 'm', 'r'],
  nodePoolLimits: { cpu: '256', memory: '1024Gi' },
  // Production refuses to stack replicas in one zone.
  zoneSpread: 'DoNotSchedule',
  loadBalancerDeletionProtection: true,
};

const STAGING: AppClusterStageDefaults = {
  minReplicas: 1,
  maxReplicas: 3,
  capacityTypes: ['spot', 'on-demand'],
  // Burstable t instances too (Auto Mode takes medium and larger: a t3a.medium is half the
  // price of a c6a.large).
  instanceCategories: ['c', 'm', 'r', 't'],
  nodePoolLimits: { cpu: '32', memory: '128Gi' },
  // Staging prefers spreading.
  zoneSpread: 'ScheduleAnyway',
  loadBalancerDeletionProtection: false,
};

/** The stage defaults of `AppCluster` for `stage`. */
export function appClusterDefaultsFor(stage: PlatformStage): AppClusterStageDefaults {
  return stage.production ? PRODUCTION : STAGING;
}

/** A workload's settings with the defaults applied. */
export interface ResolvedWorkload {
  readonly name: 'api' | 'web';
  readonly placeholder: boolean;
  readonly image: string;
  readonly port: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetCpuUtilization: number;
  readonly cpuRequest: string;
  readonly cpuLimit?: string;
  readonly memoryRequest: string;
  readonly memoryLimit: string;
  readonly environment: { [key: string]: string };
  readonly healthPath: string;
  readonly readinessPath: string;
  readonly runAsUser: number;
}

/** `AppClusterProps` with the defaults applied. */
export interface ResolvedAppClusterProps {
  readonly stage: PlatformStage;
  readonly namespace: string;
  readonly publicCidrs: string[];
  readonly serviceCidr: string;
  readonly api: ResolvedWorkload;
  readonly web: ResolvedWorkload;
  /** The stage's defaults (node pool, zone spread, load balancer). */
  readonly defaults: AppClusterStageDefaults;
}

/** Applies the defaults to `props` (validate the result with `validateAppClusterProps`). */
export function resolveAppClusterProps(props: AppClusterProps): ResolvedAppClusterProps {
  const stage = props.stage ?? PlatformStage.HML;
  return {
    stage,
    namespace: props.namespace ?? 'proteomics',
    publicCidrs: props.endpointPublicAccessCidrs ?? [],
    serviceCidr: props.serviceIpv4Cidr ?? DEFAULT_SERVICE_CIDR,
    api: resolveWorkload('api', props.api, stage),
    web: resolveWorkload('web', props.web, stage),
    defaults: appClusterDefaultsFor(stage),
  };
}

/** The settings of workload `name` with the defaults of `stage` applied. */
export function resolveWorkload(name: 'api' | 'web', o: WorkloadOptions = {}, stage: PlatformStage): ResolvedWorkload {
  const defaults = appClusterDefaultsFor(stage);
  const placeholder = o.image === undefined;
  // Defaults follow the reference services (examples/biotech-app/services): API on 8080 with
  // /api/healthz (liveness) and /api/readyz (readiness), web on 3000 with /healthz.
  const healthPath = o.healthPath ?? (name === 'api' ? '/api/healthz' : '/healthz');
  const minReplicas = o.minReplicas ?? defaults.minReplicas;
  return {
    name,
    placeholder,
    // The image is resolved later, in the workload's scope (assets are created there).
    image: placeholder ? PLACEHOLDER_IMAGE : '',
    port: o.port ?? (placeholder || name === 'api' ? 8080 : 3000),
    minReplicas,
    maxReplicas: o.maxReplicas ?? Math.max(minReplicas, defaults.maxReplicas),
    targetCpuUtilization: o.targetCpuUtilization ?? 70,
    cpuRequest: o.cpuRequest ?? '250m',
    cpuLimit: o.cpuLimit,
    memoryRequest: o.memoryRequest ?? '512Mi',
    memoryLimit: o.memoryLimit ?? '1Gi',
    environment: o.environment ?? {},
    healthPath,
    readinessPath: o.readinessPath ?? (name === 'api' && !placeholder ? '/api/readyz' : healthPath),
    runAsUser: o.runAsUser ?? (placeholder ? 101 : 10001),
  };
}

/** Checks the props and the resolved workloads; throws every problem at once. */
export function validateAppClusterProps(
  scope: Construct,
  props: AppClusterProps,
  stage: PlatformStage,
  ns: string,
  publicCidrs: string[],
  serviceCidr: string,
  workloads: ResolvedWorkload[],
): void {
  const v = new PropsValidator(scope, 'AppCluster');
  // A VPC built in this app knows its CIDR at synth time (its L1's CidrBlock); an imported one may not.
  const cfnVpc = props.vpc.node.defaultChild;
  const vpcCidr = cfnVpc instanceof ec2.CfnVPC && cfnVpc.cidrBlock ? cfnVpc.cidrBlock : props.vpc.vpcCidrBlock;
  validateServiceCidr(v, serviceCidr, vpcCidr);
  for (const cidr of publicCidrs) {
    if (Token.isUnresolved(cidr)) continue;
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    const ok = !!m && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
    v.check(ok, 'endpointPublicAccessCidrs', cidr, 'use IPv4 CIDR blocks such as 203.0.113.0/24.');
    if (ok && Number(m![5]) === 0) {
      if (stage.production) {
        v.check(false, 'endpointPublicAccessCidrs', cidr,
          'a production cluster\'s API endpoint must not be open to the internet: list your office or CI CIDRs, or none for a private endpoint.');
      } else {
        Annotations.of(scope).addWarningV2('@cdk-proteomics-platform:publicEndpoint',
          `endpointPublicAccessCidrs contains ${cidr}: the Kubernetes API endpoint is reachable from the whole internet.`);
      }
    }
  }
  v.checkNumber(props.regionalWafRateLimit, 'regionalWafRateLimit', (n) => Number.isInteger(n) && n >= 10 && n <= 2_000_000_000,
    'use a whole number of requests per 5 minutes from 10 to 2,000,000,000.');
  v.check(props.regionalWafRateLimit === undefined || props.regionalWaf === true, 'regionalWafRateLimit', props.regionalWafRateLimit,
    'a rate limit needs the regional web ACL: set regionalWaf: true too, or drop regionalWafRateLimit.');
  v.check(Token.isUnresolved(ns) || (/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(ns) && !['default', 'kube-system', 'kube-public', 'kube-node-lease'].includes(ns)),
    'namespace', ns, 'use a lowercase DNS label (a-z, 0-9, -; at most 63 characters) other than default and the kube-* namespaces.');
  if (props.databaseUser !== undefined) {
    v.check(/^[a-z_][a-z0-9_]{0,62}$/.test(props.databaseUser), 'databaseUser', props.databaseUser,
      'use a lowercase PostgreSQL identifier (a-z, 0-9, _), e.g. biotech_api.');
  }
  if (props.certificateArn !== undefined && !Token.isUnresolved(props.certificateArn)) {
    v.check(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/.+$/.test(props.certificateArn), 'certificateArn', props.certificateArn,
      'give the ARN of an ACM certificate in the stack\'s region (arn:aws:acm:<region>:<account>:certificate/<id>).');
  }
  const quantity = /^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/;
  for (const w of workloads) {
    const p = w.name;
    v.checkNumber(w.port, `${p}.port`, (n) => Number.isInteger(n) && n >= 1024 && n <= 65535,
      'use an unprivileged port from 1024 to 65535 (the container runs as non-root).');
    v.checkNumber(w.minReplicas, `${p}.minReplicas`, (n) => Number.isInteger(n) && n >= 1, 'use at least 1 replica.');
    v.checkNumber(w.maxReplicas, `${p}.maxReplicas`, (n) => Number.isInteger(n) && n >= w.minReplicas,
      `use a maximum at least equal to minReplicas (${w.minReplicas}).`);
    v.checkNumber(w.targetCpuUtilization, `${p}.targetCpuUtilization`, (n) => n >= 10 && n <= 100, 'use a percentage from 10 to 100.');
    v.checkNumber(w.runAsUser, `${p}.runAsUser`, (n) => Number.isInteger(n) && n > 0, 'use a non-zero numeric user id (root is refused by the restricted profile).');
    for (const [field, value] of [['healthPath', w.healthPath], ['readinessPath', w.readinessPath]] as const) {
      v.check(/^\/[A-Za-z0-9._~\/-]*$/.test(value), `${p}.${field}`, value, 'use an absolute URL path such as /healthz.');
    }
    for (const [field, value] of [['cpuRequest', w.cpuRequest], ['cpuLimit', w.cpuLimit], ['memoryRequest', w.memoryRequest], ['memoryLimit', w.memoryLimit]] as const) {
      if (value !== undefined) v.check(quantity.test(value), `${p}.${field}`, value, 'use a Kubernetes quantity such as 250m, 1, 512Mi or 2Gi.');
    }
    for (const key of Object.keys(w.environment)) {
      v.check(/^[A-Za-z_][A-Za-z0-9_]*$/.test(key), `${p}.environment`, key, 'use environment variable names of letters, digits and _.');
    }
  }
  v.throwIfInvalid();
}

function parseCidr(cidr: string): { base: number; bits: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) return undefined;
  const base = m.slice(1, 5).reduce((acc, o) => acc * 256 + Number(o), 0);
  return { base, bits: Number(m[5]) };
}

function cidrRange(c: { base: number; bits: number }): [number, number] {
  const size = 2 ** (32 - c.bits);
  const start = Math.floor(c.base / size) * size;
  return [start, start + size - 1];
}

/** The 10th address of a CIDR block: where EKS puts the cluster DNS Service. */
export function tenthAddress(cidr: string): string {
  const [start] = cidrRange(parseCidr(cidr)!);
  const n = start + 10;
  return [Math.floor(n / 2 ** 24), Math.floor(n / 2 ** 16) % 256, Math.floor(n / 256) % 256, n % 256].join('.');
}

function validateServiceCidr(v: PropsValidator, serviceCidr: string, vpcCidr: string): void {
  const fix = 'use a literal private block from /12 to /24 (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16) that does not overlap the VPC, e.g. 172.20.0.0/16.';
  const c = Token.isUnresolved(serviceCidr) ? undefined : parseCidr(serviceCidr);
  if (!c || c.bits < 12 || c.bits > 24) {
    v.check(false, 'serviceIpv4Cidr', serviceCidr, fix);
    return;
  }
  const [start, end] = cidrRange(c);
  const within = (block: string) => {
    const [s, e] = cidrRange(parseCidr(block)!);
    return start >= s && end <= e;
  };
  v.check(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].some(within), 'serviceIpv4Cidr', serviceCidr, fix);
  const vpc = Token.isUnresolved(vpcCidr) ? undefined : parseCidr(vpcCidr);
  if (vpc) {
    const [vs, ve] = cidrRange(vpc);
    v.check(end < vs || start > ve, 'serviceIpv4Cidr', serviceCidr, `it overlaps the VPC (${vpcCidr}): ${fix}`);
  }
}
