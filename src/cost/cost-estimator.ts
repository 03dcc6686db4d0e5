import { CostEstimate, CostEstimateOptions, CostLineItem } from './cost-estimate';
import { readKubernetes } from './kubernetes-workloads';
import { planNodes } from './node-sizing';
import { PriceEntry, PriceTable } from './price-table';
import { HOURS_PER_MONTH, usd } from './units';

type Resources = Record<string, { Type: string; Properties?: Record<string, any> }>;

/** Default root volume of an EC2 instance whose template does not size it (Amazon Linux 2023: 8 GiB). */
const DEFAULT_INSTANCE_VOLUME_GB = 8;

/**
 * Estimates the fixed monthly cost of a synthesized CloudFormation template: what its resources
 * cost while the platform is idle, at list prices from a dated price table kept in this
 * repository. It reads only the template and the table (no AWS call).
 *
 * Priced: NAT gateways and NAT instances, public IPv4 addresses, interface endpoints × AZs, EKS
 * clusters, EKS Auto Mode nodes sized from the requests of the Deployments in the template's
 * Kubernetes manifests (instance, Auto Mode fee, node volume), Application Load Balancers, WAF
 * web ACLs and their rules, Aurora Serverless v2 minimum capacity and storage, KMS keys, Secrets
 * Manager secrets, Cognito Plus users, CloudWatch alarms and dashboards, and log ingestion.
 *
 * Left out (usage, not fixed cost): data processed by NAT gateways, endpoints and load balancers
 * (LCUs), WAF and API requests, S3 storage and requests, data transfer, analyses (Batch on Fargate),
 * Aurora above its minimum capacity and I/O, log storage over the retention, Container Insights
 * metrics, free tiers.
 *
 * @example
 * const estimate = CostEstimator.estimate(Template.fromStack(stack).toJSON(), { region: 'us-east-1' });
 * console.log(CostEstimator.format(estimate));
 */
export class CostEstimator {
  /** Hours in the month the estimate prices: 730 (24 × 365 / 12, AWS' own monthly convention). */
  public static readonly HOURS_PER_MONTH = HOURS_PER_MONTH;

  /**
   * @param template the synthesized template (e.g. `Template.fromStack(stack).toJSON()`, or the
   *   parsed `<stack>.template.json` of a cloud assembly)
   * @param options the region whose prices apply and the usage assumptions
   */
  public static estimate(template: any, options: CostEstimateOptions = {}): CostEstimate {
    const region = options.region ?? 'us-east-1';
    const table = options.priceTable ?? PriceTable.DEFAULT;
    validateOptions(options, table, region);
    const resources: Resources = template?.Resources ?? {};
    if (typeof resources !== 'object') {
      throw new Error('CostEstimator.estimate: the template has no Resources object; pass the synthesized template JSON.');
    }
    const b = new LineBuilder(table, region);
    const of = (type: string) => Object.entries(resources).filter(([, r]) => r?.Type === type);
    const notes: string[] = [];

    // ---- network ---------------------------------------------------------------------------
    b.hourly('NAT gateways', of('AWS::EC2::NatGateway').length, 'gateway', 'NatGateway');
    const instances = of('AWS::EC2::Instance');
    const natInstances = instances.filter(([, r]) => r.Properties?.SourceDestCheck === false || r.Properties?.SourceDestCheck === 'false');
    const byType = new Map<string, number>();
    for (const [, r] of natInstances) {
      const type = String(r.Properties?.InstanceType ?? 'unknown');
      byType.set(type, (byType.get(type) ?? 0) + 1);
    }
    for (const [type, n] of byType) b.hourly(`NAT instances (${type})`, n, 'instance', `Ec2Instance:${type}`);
    const publicInstances = instances.filter(([, r]) => hasPublicAddress(r.Properties));
    b.hourly('public IPv4 addresses', of('AWS::EC2::EIP').length + publicInstances.length, 'address', 'PublicIpv4Address');
    const instanceGb = instances.reduce((n, [, r]) => n + instanceVolumeGb(r.Properties), 0);
    b.monthly('EC2 instance volumes (gp3)', instanceGb, 'GB', 'EbsGp3Gb',
      instances.length > 0 ? `${instances.length} instance(s); ${DEFAULT_INSTANCE_VOLUME_GB} GB each unless the template sizes the volume` : '');
    const endpointAzs = of('AWS::EC2::VPCEndpoint')
      .filter(([, r]) => r.Properties?.VpcEndpointType === 'Interface')
      .reduce((n, [, r]) => n + (Array.isArray(r.Properties?.SubnetIds) ? r.Properties!.SubnetIds.length : 1), 0);
    const endpoints = of('AWS::EC2::VPCEndpoint').filter(([, r]) => r.Properties?.VpcEndpointType === 'Interface').length;
    b.hourly('interface endpoints × AZs', endpointAzs, 'endpoint-AZ', 'InterfaceEndpointAz',
      endpoints > 0 ? `${endpoints} endpoint(s) over ${endpointAzs / endpoints} AZ(s)` : '');

    // ---- cluster ---------------------------------------------------------------------------
    const clusters = of('AWS::EKS::Cluster');
    b.hourly('EKS control plane', clusters.length, 'cluster', 'EksCluster');
    const k8s = readKubernetes(resources);
    for (const id of k8s.unreadable) notes.push(`Kubernetes manifest ${id} could not be read: its pods are not priced.`);
    for (const pool of k8s.nodePools) {
      const workloads = k8s.workloads.filter((w) => w.nodePool === pool.name);
      const plan = planNodes(pool, workloads, table, region);
      if (!plan) continue;
      const podList = workloads.map((w) => `${w.name} ${w.replicas}×(${round(w.cpu)} vCPU, ${round(w.memoryGib)} GiB)`).join(', ');
      const what = `NodePool ${pool.name}: ${podList} → ${plan.nodes} × ${plan.instanceType}`;
      b.add({
        name: 'Auto Mode nodes',
        quantity: plan.nodes,
        unit: 'node',
        monthlyUsd: plan.nodes * plan.instanceHourUsd * HOURS_PER_MONTH,
        detail: `${what}${plan.spot ? ` at ${table.price('SpotPriceRatio', region).usd} × on-demand (Spot)` : ', on-demand'}`,
        prices: [table.price(`Ec2Instance:${plan.instanceType}`, region), ...(plan.spot ? [table.price('SpotPriceRatio', region)] : [])],
        assumed: plan.spot,
      });
      b.add({
        name: 'Auto Mode management fee',
        quantity: plan.nodes,
        unit: 'node',
        monthlyUsd: plan.nodes * plan.feeHourUsd * HOURS_PER_MONTH,
        detail: `${plan.nodes} × ${table.price('EksAutoModeFeeRatio', region).usd} × on-demand ${plan.instanceType}`,
        prices: [table.price(`Ec2Instance:${plan.instanceType}`, region), table.price('EksAutoModeFeeRatio', region)],
        assumed: false,
      });
      b.monthly('Auto Mode node volumes (gp3)', plan.nodes * pool.volumeGib, 'GB', 'EbsGp3Gb', `${plan.nodes} × ${pool.volumeGib} GiB (NodeClass ephemeralStorage)`);
    }
    const unpooled = k8s.workloads.filter((w) => !k8s.nodePools.some((p) => p.name === w.nodePool));
    for (const w of unpooled) notes.push(`Deployment ${w.namespace}/${w.name} selects no NodePool of the template: its nodes are not priced.`);

    // ---- edge ------------------------------------------------------------------------------
    const albs = of('AWS::ElasticLoadBalancingV2::LoadBalancer').filter(([, r]) => (r.Properties?.Type ?? 'application') === 'application');
    b.hourly('Application Load Balancers', albs.length, 'load balancer', 'ApplicationLoadBalancer');
    const acls = of('AWS::WAFv2::WebACL');
    b.monthly('WAF web ACLs', acls.length, 'web ACL', 'WafWebAcl');
    const rules = acls.reduce((n, [, r]) => n + (Array.isArray(r.Properties?.Rules) ? r.Properties!.Rules.length : 0), 0);
    b.monthly('WAF rules', rules, 'rule', 'WafRule', acls.length > 0 ? 'each managed rule group counts as one rule' : '');

    // ---- database --------------------------------------------------------------------------
    const dbClusters = of('AWS::RDS::DBCluster');
    let acuHours = 0;
    const acuDetail: string[] = [];
    for (const [id, c] of dbClusters) {
      const min = Number(c.Properties?.ServerlessV2ScalingConfiguration?.MinCapacity ?? 0);
      const members = of('AWS::RDS::DBInstance').filter(([, i]) => i.Properties?.DBInstanceClass === 'db.serverless' && refersTo(i.Properties?.DBClusterIdentifier, id));
      if (members.length === 0) continue;
      acuHours += members.length * min;
      acuDetail.push(`${members.length} instance(s) × ${min} ACU minimum`);
    }
    b.hourly('Aurora Serverless v2 minimum capacity', acuHours, 'ACU', 'AuroraServerlessV2Acu', acuDetail.join('; '));
    const storageGb = dbClusters.length * (options.databaseStorageGb ?? 10);
    b.monthly('Aurora storage', storageGb, 'GB', 'AuroraStorageGb',
      dbClusters.length > 0 ? `${dbClusters.length} cluster(s) × ${options.databaseStorageGb ?? 10} GB (assumed)` : '', true);

    // ---- security and identity -------------------------------------------------------------
    b.monthly('KMS keys', of('AWS::KMS::Key').length, 'key', 'KmsKey');
    b.monthly('Secrets Manager secrets', of('AWS::SecretsManager::Secret').length, 'secret', 'SecretsManagerSecret');
    const plusPools = of('AWS::Cognito::UserPool').filter(([, r]) => r.Properties?.UserPoolTier === 'PLUS').length;
    const users = options.activeUsers ?? 100;
    b.monthly('Cognito Plus active users', plusPools * users, 'user', 'CognitoPlusMau',
      plusPools > 0 ? `${plusPools} user pool(s) × ${users} monthly active users (assumed)` : '', true);

    // ---- monitoring ------------------------------------------------------------------------
    const alarms = of('AWS::CloudWatch::Alarm');
    const alarmMetrics = alarms.reduce((n, [, r]) => n + alarmMetricCount(r.Properties), 0);
    b.monthly('CloudWatch alarms', alarmMetrics, 'alarm metric', 'CloudWatchAlarmMetric',
      alarms.length > 0 ? `${alarms.length} alarm(s) evaluating ${alarmMetrics} metric(s)` : '');
    b.monthly('CloudWatch composite alarms', of('AWS::CloudWatch::CompositeAlarm').length, 'alarm', 'CloudWatchCompositeAlarm');
    b.monthly('CloudWatch dashboards', of('AWS::CloudWatch::Dashboard').length, 'dashboard', 'CloudWatchDashboard');
    const flowLogs = of('AWS::EC2::FlowLog').filter(([, r]) => (r.Properties?.LogDestinationType ?? 'cloud-watch-logs') === 'cloud-watch-logs');
    const flowLogGroups = new Set(flowLogs.map(([, r]) => referencedId(r.Properties?.LogGroupName)).filter((x): x is string => !!x));
    const otherGroups = of('AWS::Logs::LogGroup').filter(([id]) => !flowLogGroups.has(id)).length;
    const controlPlaneTypes = clusters.reduce((n, [, r]) => n + (r.Properties?.Logging?.ClusterLogging?.EnabledTypes?.length ?? 0), 0);
    const flowGb = options.flowLogIngestionGb ?? 3;
    const groupGb = options.logGroupIngestionGb ?? 0.5;
    const cpGb = options.controlPlaneLogIngestionGbPerType ?? 1;
    const logGb = flowLogs.length * flowGb + otherGroups * groupGb + controlPlaneTypes * cpGb;
    b.monthly('log ingestion (estimated)', logGb, 'GB', 'CloudWatchLogsIngestionGb',
      `${flowLogs.length} flow log(s) × ${flowGb} GB + ${otherGroups} log group(s) × ${groupGb} GB + ` +
        `${controlPlaneTypes} EKS control-plane log type(s) × ${cpGb} GB (assumed volumes)`, true);

    notes.push(
      'Usage is not included: data processed by NAT gateways, endpoints and load balancers, requests, S3, data transfer, ' +
        'analyses, Aurora above its minimum capacity and I/O, log storage, Container Insights metrics; free tiers are not deducted.',
    );
    const lineItems = b.items;
    return {
      region,
      monthlyUsd: lineItems.reduce((n, l) => n + l.monthlyUsd, 0),
      lineItems,
      pricesReadOn: b.readOn(),
      notes,
    };
  }

  /**
   * A plain-text report of an estimate: one line per item, the total, and the notes. Prices
   * marked `unverified` in the table are flagged with `*`.
   */
  public static format(estimate: CostEstimate): string {
    const rows = estimate.lineItems.map((l) =>
      `  ${(l.name + (l.verified ? '' : ' *')).padEnd(48)} ${usd(l.monthlyUsd).padStart(10)}  ${l.detail}`);
    return [
      `Estimated fixed monthly cost at ${estimate.region} list prices (read ${estimate.pricesReadOn}):`,
      ...rows,
      `  ${'total'.padEnd(48)} ${usd(estimate.monthlyUsd).padStart(10)}`,
      '  * at least one price is unverified in the price table',
      ...estimate.notes.map((n) => `  note: ${n}`),
    ].join('\n');
  }
}

class LineBuilder {
  public readonly items: CostLineItem[] = [];
  private readonly used: PriceEntry[] = [];

  constructor(private readonly table: PriceTable, private readonly region: string) {}

  /** `quantity` things priced per hour, for a whole month. */
  public hourly(name: string, quantity: number, unit: string, item: string, detail = ''): void {
    if (quantity === 0) return;
    const p = this.table.price(item, this.region);
    this.add({
      name,
      quantity,
      unit,
      monthlyUsd: quantity * p.usd * HOURS_PER_MONTH,
      detail: `${detail ? detail + '; ' : ''}${round(quantity)} × $${p.usd}/h × ${HOURS_PER_MONTH} h`,
      prices: [p],
      assumed: false,
    });
  }

  /** `quantity` things priced per month (or per GB, user, ...). */
  public monthly(name: string, quantity: number, unit: string, item: string, detail = '', assumed = false): void {
    if (quantity === 0) return;
    const p = this.table.price(item, this.region);
    this.add({
      name,
      quantity,
      unit,
      monthlyUsd: quantity * p.usd,
      detail: `${detail ? detail + '; ' : ''}${round(quantity)} × $${p.usd}/${p.unit}`,
      prices: [p],
      assumed,
    });
  }

  public add(l: { name: string; quantity: number; unit: string; monthlyUsd: number; detail: string; prices: PriceEntry[]; assumed: boolean }): void {
    this.used.push(...l.prices);
    this.items.push({
      name: l.name,
      quantity: l.quantity,
      unit: l.unit,
      monthlyUsd: l.monthlyUsd,
      detail: l.detail,
      priceItems: [...new Set(l.prices.map((p) => p.item))],
      verified: l.prices.every((p) => p.verified),
      assumed: l.assumed,
    });
  }

  public readOn(): string {
    return this.used.map((p) => p.readOn).sort().pop() ?? '';
  }
}

function validateOptions(o: CostEstimateOptions, table: PriceTable, region: string): void {
  const problems: string[] = [];
  if (!table.regions.includes(region)) {
    problems.push(`region '${region}' has no prices in the table (it has ${table.regions.join(', ')}): pick one of them, or add prices with PriceTable.fromEntries()`);
  }
  const nonNegative: [string, number | undefined][] = [
    ['activeUsers', o.activeUsers],
    ['databaseStorageGb', o.databaseStorageGb],
    ['logGroupIngestionGb', o.logGroupIngestionGb],
    ['flowLogIngestionGb', o.flowLogIngestionGb],
    ['controlPlaneLogIngestionGbPerType', o.controlPlaneLogIngestionGbPerType],
  ];
  for (const [name, value] of nonNegative) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      problems.push(`${name} is ${value}: use a finite number of 0 or more`);
    }
  }
  if (problems.length > 0) throw new Error(`CostEstimator.estimate: ${problems.join('; ')}.`);
}

function hasPublicAddress(p: Record<string, any> | undefined): boolean {
  const nics: any[] = p?.NetworkInterfaces ?? [];
  return nics.some((n) => n?.AssociatePublicIpAddress === true || n?.AssociatePublicIpAddress === 'true');
}

function instanceVolumeGb(p: Record<string, any> | undefined): number {
  const mappings: any[] = p?.BlockDeviceMappings ?? [];
  const sized = mappings.reduce((n, m) => n + Number(m?.Ebs?.VolumeSize ?? 0), 0);
  return sized > 0 ? sized : DEFAULT_INSTANCE_VOLUME_GB;
}

function alarmMetricCount(p: Record<string, any> | undefined): number {
  const metrics: any[] | undefined = p?.Metrics;
  if (!Array.isArray(metrics)) return 1;
  // Metric math: each metric the expression reads is billed; the expression itself is not.
  return Math.max(1, metrics.filter((m) => m?.MetricStat).length);
}

function referencedId(value: unknown): string | undefined {
  if (value && typeof value === 'object') {
    const v = value as Record<string, any>;
    if (typeof v.Ref === 'string') return v.Ref;
    if (Array.isArray(v['Fn::GetAtt'])) return v['Fn::GetAtt'][0];
  }
  return undefined;
}

function refersTo(value: unknown, id: string): boolean {
  return referencedId(value) === id;
}

function round(n: number): string {
  return String(Math.round(n * 100) / 100);
}

