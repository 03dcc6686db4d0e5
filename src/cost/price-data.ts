/**
 * The price table's data: AWS list prices in USD, per region, with the page each one comes from
 * and the date it was read. The library calls no price API: every figure was read by hand from
 * the cited page. `verified: true` means the figure was found, for that region, on the
 * cited page (an AWS page, or a page that transcribes it) on `readOn`; `verified: false` means it
 * is the best figure known to the authors and still has to be checked against the AWS page cited.
 *
 * To update: change the figure, its source and its date, and rerun the tests (the README's cost
 * table is generated from these figures and a test keeps it equal).
 */

/** One price of the table, as stored. */
export interface PriceRecord {
  readonly item: string;
  readonly unit: string;
  readonly description: string;
  readonly prices: Record<string, { readonly usd: number; readonly verified: boolean; readonly source?: string }>;
  readonly source: string;
  readonly readOn: string;
}

const READ_ON = '2026-12-04';
const VPC = 'https://aws.amazon.com/vpc/pricing/';
const PRIVATELINK = 'https://aws.amazon.com/privatelink/pricing/';
const EKS = 'https://aws.amazon.com/eks/pricing/';
const EC2 = 'https://aws.amazon.com/ec2/pricing/on-demand/';
const EBS = 'https://aws.amazon.com/ebs/pricing/';
const ELB = 'https://aws.amazon.com/elasticloadbalancing/pricing/';
const WAF = 'https://aws.amazon.com/waf/pricing/';
const AURORA = 'https://aws.amazon.com/rds/aurora/pricing/';
const KMS = 'https://aws.amazon.com/kms/pricing/';
const SECRETS = 'https://aws.amazon.com/secrets-manager/pricing/';
const COGNITO = 'https://aws.amazon.com/cognito/pricing/';
const CLOUDWATCH = 'https://aws.amazon.com/cloudwatch/pricing/';
const FARGATE = 'https://aws.amazon.com/fargate/pricing/';

/**
 * An EC2 instance type's on-demand Linux price per hour. All unverified: the cited pages
 * quote these figures without naming the region.
 */
function ec2(type: string, useast1: number, saeast1: number): PriceRecord {
  return {
    item: `Ec2Instance:${type}`,
    unit: 'hour',
    description: `EC2 ${type} on-demand, Linux`,
    prices: { 'us-east-1': { usd: useast1, verified: false }, 'sa-east-1': { usd: saeast1, verified: false } },
    source: EC2,
    readOn: READ_ON,
  };
}

/** Every price the estimator knows. */
export const PRICE_RECORDS: PriceRecord[] = [
  {
    item: 'NatGateway',
    unit: 'hour',
    description: 'NAT gateway, per hour provisioned (data processed is usage, priced separately)',
    prices: {
      // The VPC pricing page's worked example (US East, Ohio) states $0.045 per NAT gateway-hour;
      // the page cited here gives the same figure for us-east-1 by name.
      'us-east-1': { usd: 0.045, verified: true, source: 'https://basavytix.com/blog/aws-nat-gateway-pricing' },
      'sa-east-1': { usd: 0.093, verified: false },
    },
    source: VPC,
    readOn: READ_ON,
  },
  {
    item: 'NatGatewayDataGb',
    unit: 'GB',
    description: 'NAT gateway data processed',
    prices: {
      'us-east-1': { usd: 0.045, verified: true, source: 'https://basavytix.com/blog/aws-nat-gateway-pricing' },
      'sa-east-1': { usd: 0.093, verified: false },
    },
    source: VPC,
    readOn: READ_ON,
  },
  {
    item: 'PublicIpv4Address',
    unit: 'hour',
    description: 'Public IPv4 address (an Elastic IP, or the public address of a NAT instance)',
    prices: {
      'us-east-1': { usd: 0.005, verified: true, source: 'https://cloudburn.io/blog/aws-nat-gateway-pricing' },
      'sa-east-1': { usd: 0.005, verified: false },
    },
    source: VPC,
    readOn: READ_ON,
  },
  {
    item: 'InterfaceEndpointAz',
    unit: 'hour',
    description: 'Interface VPC endpoint, per AZ it has a network interface in',
    prices: { 'us-east-1': { usd: 0.01, verified: false }, 'sa-east-1': { usd: 0.0175, verified: false } },
    source: PRIVATELINK,
    readOn: READ_ON,
  },
  {
    item: 'InterfaceEndpointDataGb',
    unit: 'GB',
    description: 'Interface VPC endpoint data processed (first PB of the month)',
    prices: {
      // The PrivateLink pricing page's tier table: $0.01 per GB for the first PB.
      'us-east-1': { usd: 0.01, verified: true },
      'sa-east-1': { usd: 0.01, verified: false },
    },
    source: PRIVATELINK,
    readOn: READ_ON,
  },
  {
    item: 'EksCluster',
    unit: 'hour',
    description: 'EKS cluster on a Kubernetes version in standard support',
    prices: {
      'us-east-1': { usd: 0.10, verified: true, source: 'https://raw.githubusercontent.com/aws/agent-toolkit-for-aws/main/plugins/aws-startup-advisor/skills/architect-for-startups/references/eks.md' },
      'sa-east-1': { usd: 0.10, verified: false },
    },
    source: EKS,
    readOn: READ_ON,
  },
  {
    item: 'EksAutoModeFeeRatio',
    unit: 'fraction of the on-demand price',
    description: 'EKS Auto Mode management fee per managed instance, as a fraction of its on-demand price (the fee is per instance type; about 12 %)',
    prices: {
      'us-east-1': { usd: 0.12, verified: false, source: 'https://www.factualminds.com/blog/amazon-eks-pricing-control-plane-addons-auto-mode/' },
      'sa-east-1': { usd: 0.12, verified: false },
    },
    source: EKS,
    readOn: READ_ON,
  },
  {
    item: 'SpotPriceRatio',
    unit: 'fraction of the on-demand price',
    description: 'Assumed Spot price of a node, as a fraction of its on-demand price (Spot prices move; check the Spot pricing history of your region)',
    prices: { 'us-east-1': { usd: 0.4, verified: false }, 'sa-east-1': { usd: 0.4, verified: false } },
    source: 'https://aws.amazon.com/ec2/spot/pricing/',
    readOn: READ_ON,
  },
  ec2('c6a.large', 0.0765, 0.1224),
  ec2('c5a.large', 0.077, 0.123),
  ec2('c5.large', 0.085, 0.131),
  ec2('m6a.large', 0.0864, 0.1382),
  ec2('m5.large', 0.096, 0.153),
  ec2('r6a.large', 0.1134, 0.1814),
  ec2('c6a.xlarge', 0.153, 0.2448),
  ec2('m6a.xlarge', 0.1728, 0.2765),
  ec2('t3a.medium', 0.0376, 0.0605),
  ec2('t3.medium', 0.0416, 0.0672),
  ec2('t4g.nano', 0.0042, 0.0067),
  ec2('t3.nano', 0.0052, 0.0084),
  ec2('t3.micro', 0.0104, 0.0168),
  {
    item: 'EbsGp3Gb',
    unit: 'GB-month',
    description: 'EBS gp3 storage (node and NAT instance volumes)',
    prices: { 'us-east-1': { usd: 0.08, verified: false }, 'sa-east-1': { usd: 0.152, verified: false } },
    source: EBS,
    readOn: READ_ON,
  },
  {
    item: 'ApplicationLoadBalancer',
    unit: 'hour',
    description: 'Application Load Balancer, per hour (LCUs are usage)',
    prices: {
      // The ELB pricing page's example: "$0.0225 hourly charge" in US East (N. Virginia).
      'us-east-1': { usd: 0.0225, verified: true, source: 'https://raw.githubusercontent.com/api-evangelist/amazon-elastic-load-balancing/refs/heads/main/plans/amazon-elastic-load-balancing-plans-pricing.yml' },
      'sa-east-1': { usd: 0.034, verified: false },
    },
    source: ELB,
    readOn: READ_ON,
  },
  {
    item: 'WafWebAcl',
    unit: 'month',
    description: 'WAF web ACL',
    prices: { 'us-east-1': { usd: 5, verified: false }, 'sa-east-1': { usd: 5, verified: false } },
    source: WAF,
    readOn: READ_ON,
  },
  {
    item: 'WafRule',
    unit: 'month',
    description: 'WAF rule; a managed rule group counts as one rule',
    prices: { 'us-east-1': { usd: 1, verified: false }, 'sa-east-1': { usd: 1, verified: false } },
    source: 'https://aws.github.io/aws-security-services-best-practices/guides/waf/waf-cost/docs/',
    readOn: READ_ON,
  },
  {
    item: 'AuroraServerlessV2Acu',
    unit: 'ACU-hour',
    description: 'Aurora Serverless v2 capacity, Aurora Standard storage configuration',
    prices: {
      'us-east-1': { usd: 0.12, verified: true, source: 'https://raw.githubusercontent.com/aws/agent-toolkit-for-aws/main/skills/specialized-skills/database-skills/amazon-aurora-mysql/scripts/acu_calculator.py' },
      'sa-east-1': { usd: 0.20, verified: false },
    },
    source: AURORA,
    readOn: READ_ON,
  },
  {
    item: 'AuroraStorageGb',
    unit: 'GB-month',
    description: 'Aurora Standard storage',
    prices: {
      'us-east-1': { usd: 0.10, verified: true, source: 'https://raw.githubusercontent.com/aws/agent-toolkit-for-aws/main/skills/specialized-skills/database-skills/amazon-aurora-mysql/scripts/acu_calculator.py' },
      'sa-east-1': { usd: 0.19, verified: false },
    },
    source: AURORA,
    readOn: READ_ON,
  },
  {
    item: 'KmsKey',
    unit: 'month',
    description: 'KMS customer managed key (rotation keeps one monthly charge per key here: rotated material of a key created before 2024 is billed too)',
    prices: { 'us-east-1': { usd: 1, verified: false }, 'sa-east-1': { usd: 1, verified: false } },
    source: KMS,
    readOn: READ_ON,
  },
  {
    item: 'SecretsManagerSecret',
    unit: 'month',
    description: 'Secrets Manager secret',
    prices: {
      // The Secrets Manager pricing page's example: "$0.40 / secret / month".
      'us-east-1': { usd: 0.40, verified: true, source: 'https://raw.githubusercontent.com/api-evangelist/amazon-secrets-manager/refs/heads/main/plans/amazon-secrets-manager-plans-pricing.yml' },
      'sa-east-1': { usd: 0.40, verified: false },
    },
    source: SECRETS,
    readOn: READ_ON,
  },
  {
    item: 'CognitoPlusMau',
    unit: 'monthly active user',
    description: 'Cognito user pool, Plus feature plan (no free tier)',
    prices: {
      'us-east-1': { usd: 0.02, verified: true, source: 'https://raw.githubusercontent.com/api-evangelist/amazon-cognito/refs/heads/main/plans/amazon-cognito-plans-pricing.yml' },
      'sa-east-1': { usd: 0.02, verified: false },
    },
    source: COGNITO,
    readOn: READ_ON,
  },
  {
    item: 'CloudWatchAlarmMetric',
    unit: 'alarm metric-month',
    description: 'CloudWatch standard-resolution alarm, per metric it evaluates',
    prices: { 'us-east-1': { usd: 0.10, verified: false }, 'sa-east-1': { usd: 0.15, verified: false } },
    source: CLOUDWATCH,
    readOn: READ_ON,
  },
  {
    item: 'CloudWatchCompositeAlarm',
    unit: 'month',
    description: 'CloudWatch composite alarm',
    prices: { 'us-east-1': { usd: 0.50, verified: false }, 'sa-east-1': { usd: 0.75, verified: false } },
    source: CLOUDWATCH,
    readOn: READ_ON,
  },
  {
    item: 'CloudWatchDashboard',
    unit: 'month',
    description: 'CloudWatch dashboard (the account\'s first three are free; not counted here)',
    prices: { 'us-east-1': { usd: 3, verified: false }, 'sa-east-1': { usd: 3, verified: false } },
    source: CLOUDWATCH,
    readOn: READ_ON,
  },
  {
    item: 'CloudWatchLogsIngestionGb',
    unit: 'GB',
    description: 'CloudWatch Logs ingestion, standard class (vended logs such as flow logs start at the same rate)',
    prices: { 'us-east-1': { usd: 0.50, verified: false }, 'sa-east-1': { usd: 0.90, verified: false } },
    source: CLOUDWATCH,
    readOn: READ_ON,
  },
  {
    item: 'FargateVcpuHour',
    unit: 'vCPU-hour',
    description: 'Fargate, Linux/x86, per vCPU-hour',
    prices: {
      // The ECS pricing page's example: "$0.000011244 per vCPU second" (US East, N. Virginia).
      'us-east-1': { usd: 0.000011244 * 3600, verified: true, source: 'https://raw.githubusercontent.com/api-evangelist/amazon-ecs/refs/heads/main/plans/amazon-ecs-plans-pricing.yml' },
      'sa-east-1': { usd: 0.0696, verified: false },
    },
    source: FARGATE,
    readOn: READ_ON,
  },
  {
    item: 'FargateGbHour',
    unit: 'GB-hour',
    description: 'Fargate, Linux/x86, per GB of memory per hour',
    prices: { 'us-east-1': { usd: 0.004445, verified: false }, 'sa-east-1': { usd: 0.0076, verified: false } },
    source: FARGATE,
    readOn: READ_ON,
  },
  {
    item: 'FargateSpotRatio',
    unit: 'fraction of the on-demand price',
    description: 'Fargate Spot price as a fraction of Fargate on-demand (up to 70 % off; it moves)',
    prices: { 'us-east-1': { usd: 0.3, verified: false }, 'sa-east-1': { usd: 0.3, verified: false } },
    source: FARGATE,
    readOn: READ_ON,
  },
];
