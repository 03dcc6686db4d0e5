import { aws_ec2 as ec2, aws_logs as logs, RemovalPolicy } from 'aws-cdk-lib';
import { PlatformStage } from '../stage/platform-stage';

/**
 * Props of `PlatformNetwork`.
 */
export interface PlatformNetworkProps {
  /**
   * The stage whose defaults apply.
   * @default PlatformStage.HML
   */
  readonly stage?: PlatformStage;
  /**
   * The VPC's IPv4 CIDR block, a /16 to /20.
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;
  /**
   * Availability zones to span (2 or 3; prod needs 3 for the database reader and EKS spread).
   * A stack without an explicit account and region can only see 2 AZs.
   * @default - 2 in hml, 3 in prod
   */
  readonly maxAzs?: number;
  /**
   * NAT gateways (1 to maxAzs). One per AZ keeps egress up when an AZ fails; one saves about
   * $33 a month per gateway removed.
   * @default - 1 in hml, one per AZ in prod
   */
  readonly natGateways?: number;
  /**
   * Interface endpoints for ECR (api, dkr), CloudWatch Logs, STS, Secrets Manager and Step
   * Functions, so that AWS API traffic stays off the NAT gateways. Each costs $0.01/h per AZ
   * plus $0.01/GB (us-east-1) against $0.045/GB through a NAT gateway: over 3 AZs one pays for
   * itself above about 626 GB a month of its service's traffic.
   * @default - false in both stages
   */
  readonly interfaceEndpoints?: boolean;
  /**
   * NAT instances (CDK's `NatProvider.instanceV2`: Amazon Linux 2023, IMDSv2 only, encrypted
   * gp3 root volume, a security group admitting only the VPC) instead of NAT gateways, one per
   * `natGateways`. About $7 a month each instead of about $36.50 (us-east-1, with the public
   * IPv4 address), for a self-managed instance: ~5 Gbps, no managed failover (EC2 automatic
   * recovery only), replaced when its AMI is updated.
   * @default - true in hml, false in prod
   */
  readonly natInstances?: boolean;
  /**
   * Instance type of the NAT instances (arm64 types get the arm64 AMI).
   * @default - t4g.nano
   */
  readonly natInstanceType?: ec2.InstanceType;
  /**
   * Retention of the VPC flow-log group.
   * @default - the stage's log retention (one month in hml, two years in prod)
   */
  readonly flowLogRetention?: logs.RetentionDays;
  /**
   * Removal policy of the flow-log group and its KMS key. DESTROY also needs the
   * `ALLOW_DESTROY_CONTEXT_KEY` context opt-in; without it they are retained.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}
