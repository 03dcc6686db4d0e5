import { aws_logs as logs, RemovalPolicy } from 'aws-cdk-lib';
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
   * Functions, so that image pulls, logs and credentials stay off the NAT gateways.
   * @default - true in prod, false in hml
   */
  readonly interfaceEndpoints?: boolean;
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
