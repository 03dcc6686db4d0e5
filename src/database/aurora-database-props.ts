import {
  aws_backup as backup,
  aws_ec2 as ec2,
  aws_logs as logs,
  aws_rds as rds,
  Duration,
  RemovalPolicy,
} from 'aws-cdk-lib';
import { PlatformStage } from '../stage/platform-stage';

/**
 * Props of `AuroraDatabase`.
 *
 * Every prop is optional except `vpc`: the stage picks the defaults, and a prop you set always
 * wins over the stage.
 */
export interface AuroraDatabaseProps {
  /**
   * The VPC to place the cluster in. It needs at least two availability zones with isolated (or
   * private) subnets.
   */
  readonly vpc: ec2.IVpc;

  /**
   * The stage whose defaults apply.
   * @default PlatformStage.HML
   */
  readonly stage?: PlatformStage;

  /**
   * The subnets of the cluster. Only isolated or private subnets are accepted: a selection that
   * contains a public subnet is rejected. They must span at least two availability zones.
   * @default - the VPC's isolated subnets (`SubnetType.PRIVATE_ISOLATED`)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The subnets of the secret-rotation Lambda function. It must reach both the database and the
   * Secrets Manager API: through a NAT gateway (private subnets) or a Secrets Manager interface
   * endpoint.
   * @default - the VPC's private subnets with egress when it has any, otherwise the cluster's subnets
   */
  readonly rotationSubnets?: ec2.SubnetSelection;

  /**
   * The Aurora PostgreSQL engine version. With `minCapacity: 0` it must support auto-pause
   * (13.15+, 14.12+, 15.7+, 16.3+ or any 17.x).
   * @default rds.AuroraPostgresEngineVersion.VER_17_9
   */
  readonly engineVersion?: rds.AuroraPostgresEngineVersion;

  /**
   * Minimum Aurora Serverless v2 capacity in ACUs (0 to 256 in steps of 0.5). 0 lets the writer
   * pause when no connection is open.
   * @default - the stage's `databaseMinCapacity` (0 in hml, 0.5 in prod)
   */
  readonly minCapacity?: number;

  /**
   * Maximum Aurora Serverless v2 capacity in ACUs (1 to 256 in steps of 0.5).
   * @default - the stage's `databaseMaxCapacity` (4 in hml, 16 in prod)
   */
  readonly maxCapacity?: number;

  /**
   * How long the database must be idle (no connection open) before it pauses, from 5 minutes to
   * 24 hours. Only valid with `minCapacity: 0`.
   * @default - 10 minutes when `minCapacity` is 0
   */
  readonly autoPauseAfter?: Duration;

  /**
   * A reader instance in another availability zone, in promotion tier 1 so that it scales with
   * the writer and can take over at once. Not allowed with `minCapacity: 0`.
   * @default - the stage's `databaseReader` (false in hml, true in prod)
   */
  readonly reader?: boolean;

  /**
   * The TCP port PostgreSQL listens on (1150-65535). A non-default port keeps the cluster out of
   * the scans for 5432.
   * @default 5433
   */
  readonly port?: number;

  /**
   * The database created in the cluster (a PostgreSQL identifier: a letter, then letters,
   * digits or `_`, at most 63 characters). Changing it replaces the cluster.
   * @default 'proteomics'
   */
  readonly databaseName?: string;

  /**
   * The master user name (a letter, then letters, digits or `_`, at most 63 characters).
   * Changing it replaces the cluster.
   * @default 'dbadmin'
   */
  readonly masterUsername?: string;

  /**
   * The cluster identifier (lowercase letters, digits and hyphens, starting with a letter, at most
   * 63 characters, unique in the account and region). The PostgreSQL log group is named after it.
   * Changing it replaces the cluster.
   * @default - derived from the stack name and this construct's path
   */
  readonly clusterIdentifier?: string;

  /**
   * Deletion protection on the cluster. A production stage whose preset turns it off must set
   * this prop explicitly.
   * @default - the stage's `deletionProtection` (false in hml, true in prod)
   */
  readonly deletionProtection?: boolean;

  /**
   * Retention of Aurora's automated backups (point-in-time restore), 1 to 35 whole days.
   * @default - the stage's `databaseBackupRetentionDays` (7 days in hml, 35 in prod)
   */
  readonly backupRetention?: Duration;

  /**
   * An AWS Backup plan that takes a snapshot on the 1st of every month and keeps it for
   * `longTermBackupRetention`, so that the rows describing results live as long as the results.
   * @default - the stage's `longTermDatabaseBackups` (false in hml, true in prod)
   */
  readonly longTermBackups?: boolean;

  /**
   * How long each monthly snapshot is kept (whole days).
   * @default Duration.days(1827) - 5 years, counting the two leap days five years can hold
   */
  readonly longTermBackupRetention?: Duration;

  /**
   * A backup vault in another region that receives a copy of every monthly snapshot (kept as
   * long as the original). Needs `longTermBackups`. Import it with
   * `backup.BackupVault.fromBackupVaultArn()`; the vault's key policy must let this account's
   * AWS Backup role use its KMS key.
   * @default - no copy
   */
  readonly backupCopyVault?: backup.IBackupVault;

  /**
   * Retention of the PostgreSQL log group.
   * @default - the stage's `logRetention` (one month in hml, two years in prod)
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * CloudWatch Database Insights mode. ADVANCED keeps Performance Insights data for 15 months and
   * costs per ACU-hour; STANDARD keeps 7 days for free.
   * @default - ADVANCED in a production stage, STANDARD otherwise
   */
  readonly databaseInsightsMode?: rds.DatabaseInsightsMode;

  /**
   * Enhanced monitoring interval: 1, 5, 10, 15, 30 or 60 seconds.
   * @default Duration.seconds(60)
   */
  readonly monitoringInterval?: Duration;

  /**
   * How often the master password is rotated (1 to 365 whole days).
   * @default Duration.days(30)
   */
  readonly secretRotationInterval?: Duration;

  /**
   * Removal policy of the cluster and its keys, secret and log group. The cluster is SNAPSHOT
   * (a final snapshot is kept) and the rest RETAIN unless DESTROY is asked for; DESTROY also needs
   * the `ALLOW_DESTROY_CONTEXT_KEY` context opt-in and a stage that allows destroying (never prod).
   * @default RemovalPolicy.SNAPSHOT
   */
  readonly removalPolicy?: RemovalPolicy;
}
