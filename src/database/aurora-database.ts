import {
  Annotations,
  ArnFormat,
  aws_backup as backup,
  aws_ec2 as ec2,
  aws_events as events,
  aws_iam as iam,
  aws_kms as kms,
  aws_logs as logs,
  aws_rds as rds,
  aws_secretsmanager as secretsmanager,
  Duration,
  RemovalPolicy,
  Stack,
  Token,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { resolveAuroraDatabaseProps } from './aurora-database-defaults';
import { AuroraDatabaseProps } from './aurora-database-props';
import { supportsAutoPause } from './auto-pause';
import { isValidClusterIdentifier, isValidPgIdentifier } from './identifiers';
import { Acknowledge } from '../compliance/acknowledge';
import { allowCloudWatchLogsToUseKey } from '../core/log-encryption-key';
import { resolveRemovalPolicy, retainExceptOnCreate } from '../core/removal';
import { PropsValidator } from '../core/validation';
import { PlatformStage } from '../stage/platform-stage';

const MONITORING_INTERVALS = [1, 5, 10, 15, 30, 60];
const RESERVED_DATABASE_NAMES = ['postgres', 'template0', 'template1', 'rdsadmin'];
/** Characters left out of generated passwords (the set aws-cdk-lib uses): they break connection strings. */
const PASSWORD_EXCLUDE_CHARACTERS = " %+~`#$&*()|[]{}:;<>?!'/@\"\\";
const RESERVED_USER_NAMES = ['rdsadmin', 'rdsrepladmin', 'rds_superuser', 'rds_replication', 'public'];

/**
 * Aurora PostgreSQL Serverless v2 for the platform's users, samples and analyses.
 *
 * - hml: one writer that scales to 0 ACU and pauses after 10 idle minutes (no open connection),
 *   7-day point-in-time restore, standard Database Insights.
 * - prod: a writer and a reader in another availability zone (promotion tier 1, so it scales
 *   with the writer and takes over at once), at least 0.5 ACU, deletion protection, 35-day
 *   point-in-time restore, an AWS Backup plan that keeps a monthly snapshot for 5 years in a
 *   KMS-encrypted vault (optionally copied to another region), advanced Database Insights.
 * - always: storage, Performance Insights and logs encrypted with a customer-managed key (rotated
 *   yearly); the master credentials in Secrets Manager under a second customer-managed key,
 *   rotated every 30 days; IAM database authentication; TLS forced; PostgreSQL logs exported to
 *   CloudWatch with the stage's retention; enhanced monitoring; isolated subnets; a security group
 *   that admits nothing until `allowConnectionsFrom()` is called.
 *
 * The secret rotation is a Secrets Manager application that AWS SAM expands: deploy with
 * `--capabilities CAPABILITY_AUTO_EXPAND` (the CDK CLI adds it for you; pipelines calling
 * CloudFormation directly must add it).
 *
 * @example
 * declare const apiRole: iam.Role;
 * declare const apiSecurityGroup: ec2.SecurityGroup;
 * const network = new PlatformNetwork(this, 'Network', { stage: PlatformStage.PROD });
 * const database = new AuroraDatabase(this, 'Database', { vpc: network.vpc, stage: PlatformStage.PROD });
 * database.grantConnect(apiRole, 'api');
 * database.allowConnectionsFrom(apiSecurityGroup);
 */
export class AuroraDatabase extends Construct implements ec2.IConnectable {
  /** The Aurora cluster. */
  public readonly cluster: rds.DatabaseCluster;
  /** The master user's credentials (JSON with `username`, `password`, `host`, `port`, `dbname`). */
  public readonly secret: secretsmanager.ISecret;
  /** The writer endpoint (host name and port). */
  public readonly endpoint: rds.Endpoint;
  /** The reader endpoint (the writer itself when the cluster has no reader). */
  public readonly readerEndpoint: rds.Endpoint;
  /** The cluster identifier (also in the PostgreSQL log group's name). */
  public readonly clusterIdentifier: string;
  /** The port PostgreSQL listens on. */
  public readonly port: number;
  /** The cluster's security group: it admits PostgreSQL only from the peers given to `allowConnectionsFrom()`. */
  public readonly securityGroup: ec2.SecurityGroup;
  /**
   * The cluster's network connections, with the PostgreSQL port as a literal number (so that
   * compliance rules can read the rules it adds). Prefer `allowConnectionsFrom()`.
   */
  public readonly connections: ec2.Connections;
  /** The database created in the cluster. */
  public readonly databaseName: string;
  /** The customer-managed key of the storage, snapshots, Performance Insights, logs and backup vault. */
  public readonly encryptionKey: kms.Key;
  /** The customer-managed key of the credentials secret. */
  public readonly secretEncryptionKey: kms.Key;
  /** The log group PostgreSQL logs are exported to. */
  public readonly logGroup: logs.LogGroup;
  /** The AWS Backup plan of monthly long-term snapshots, when `longTermBackups` is on. */
  public readonly backupPlan?: backup.BackupPlan;
  /** The vault of the long-term snapshots, when `longTermBackups` is on. */
  public readonly backupVault?: backup.BackupVault;
  /** The secret rotation schedule and its function. */
  public readonly secretRotation: secretsmanager.SecretRotation;
  /** The stage this database was built for. */
  public readonly stage: PlatformStage;

  constructor(scope: Construct, id: string, props: AuroraDatabaseProps) {
    super(scope, id);
    const resolved = resolveAuroraDatabaseProps(this, props);
    this.stage = resolved.stage;
    const stage = this.stage;
    const vpc = props.vpc;
    const { minCapacity, maxCapacity, reader, canPause, autoPauseAfter, engineVersion, port, databaseName, masterUsername } = resolved;
    const { clusterIdentifier, deletionProtection, backupRetention, longTermBackups, monitoringInterval, vpcSubnets } = resolved;
    const longTermRetention = resolved.longTermBackupRetention;
    const insightsMode = resolved.databaseInsightsMode;
    const rotationInterval = resolved.secretRotationInterval;
    let selected: ec2.SelectedSubnets | undefined;
    let selectionError: string | undefined;
    try {
      selected = vpc.selectSubnets(vpcSubnets);
    } catch (e) {
      selectionError = (e as Error).message;
    }

    const v = new PropsValidator(this, 'AuroraDatabase');
    v.checkNumber(minCapacity, 'minCapacity', (n) => n >= 0 && n <= 256 && n % 0.5 === 0,
      'use 0 to 256 ACUs in steps of 0.5 (0 lets the database pause).');
    v.checkNumber(maxCapacity, 'maxCapacity', (n) => n >= 1 && n <= 256 && n % 0.5 === 0,
      'use 1 to 256 ACUs in steps of 0.5.');
    if (!Token.isUnresolved(minCapacity) && !Token.isUnresolved(maxCapacity)) {
      v.check(minCapacity <= maxCapacity, 'minCapacity', minCapacity,
        `the minimum cannot exceed maxCapacity (${maxCapacity}): lower minCapacity or raise maxCapacity.`);
    }
    if (props.autoPauseAfter !== undefined && !props.autoPauseAfter.isUnresolved()) {
      if (canPause) {
        const seconds = props.autoPauseAfter.toSeconds({ integral: false });
        v.check(seconds >= 300 && seconds <= 86400, 'autoPauseAfter', props.autoPauseAfter,
          'use 5 minutes to 24 hours.');
      } else {
        v.check(false, 'autoPauseAfter', props.autoPauseAfter,
          `the database only pauses with minCapacity 0 (it is ${minCapacity}): remove autoPauseAfter or set minCapacity to 0.`);
      }
    }
    if (canPause) {
      v.check(!reader, 'reader', reader,
        'a reader is there to take over at once, but at 0 ACU it pauses with the writer and must resume first ' +
        '(about 15 s): use minCapacity 0.5 or more with a reader, or set reader to false.');
      v.check(supportsAutoPause(engineVersion.auroraPostgresFullVersion) !== false, 'engineVersion',
        engineVersion.auroraPostgresFullVersion,
        'this version cannot scale to 0 ACU: use 13.15+, 14.12+, 15.7+, 16.3+ or 17.x, or set minCapacity to 0.5.');
    }
    v.checkNumber(port, 'port', (n) => Number.isInteger(n) && n >= 1150 && n <= 65535,
      'use a whole port number from 1150 to 65535 (RDS reserves the ports below 1150).');
    if (!Token.isUnresolved(databaseName)) {
      v.check(isValidPgIdentifier(databaseName) && !RESERVED_DATABASE_NAMES.includes(databaseName.toLowerCase()),
        'databaseName', databaseName,
        `use a letter, then letters, digits or '_' (at most 63 characters), other than ${RESERVED_DATABASE_NAMES.join(', ')}.`);
    }
    if (!Token.isUnresolved(masterUsername)) {
      v.check(isValidPgIdentifier(masterUsername) && !RESERVED_USER_NAMES.includes(masterUsername.toLowerCase()),
        'masterUsername', masterUsername,
        `use a letter, then letters, digits or '_' (at most 63 characters), other than ${RESERVED_USER_NAMES.join(', ')}.`);
    }
    if (!Token.isUnresolved(clusterIdentifier)) {
      v.check(isValidClusterIdentifier(clusterIdentifier), 'clusterIdentifier', clusterIdentifier,
        'use lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen (at most 63 characters).');
    }
    v.check(!(stage.production && !deletionProtection && props.deletionProtection === undefined),
      'deletionProtection', deletionProtection,
      `stage '${stage.name}' is a production stage whose preset turns deletion protection off: ` +
      'set deletionProtection explicitly (true is recommended).');
    checkWholeDays(v, backupRetention, 'backupRetention', 1, 35,
      'use 1 to 35 whole days (Aurora keeps automated backups for at most 35 days; use longTermBackups beyond).');
    if (longTermBackups) {
      checkWholeDays(v, longTermRetention, 'longTermBackupRetention', 1, 36500, 'use a whole number of days, at least 1.');
    }
    if (props.backupCopyVault) {
      v.check(longTermBackups, 'backupCopyVault', props.backupCopyVault.backupVaultName,
        'a copy is made of the monthly snapshots: turn longTermBackups on, or remove backupCopyVault.');
      const copyRegion = props.backupCopyVault.env.region;
      const region = Stack.of(this).region;
      if (!Token.isUnresolved(copyRegion) && !Token.isUnresolved(region)) {
        v.check(copyRegion !== region, 'backupCopyVault', props.backupCopyVault.backupVaultName,
          `the vault is in this stack's region (${region}): a copy protects against a regional outage only in another region.`);
      }
    }
    if (!monitoringInterval.isUnresolved()) {
      v.check(MONITORING_INTERVALS.includes(monitoringInterval.toSeconds({ integral: false })), 'monitoringInterval',
        monitoringInterval, `use one of ${MONITORING_INTERVALS.join(', ')} seconds.`);
    }
    checkWholeDays(v, rotationInterval, 'secretRotationInterval', 1, 365, 'use 1 to 365 whole days.');
    if (selectionError) {
      v.check(false, 'vpcSubnets', describeSelection(vpcSubnets), `the VPC cannot provide these subnets (${selectionError}).`);
    } else if (selected && !selected.isPendingLookup) {
      v.check(!selected.hasPublic, 'vpcSubnets', describeSelection(vpcSubnets),
        'the database must not sit in public subnets: select isolated or private subnets.');
      const azs = new Set(selected.availabilityZones);
      v.check(selected.subnets.length > 0 && azs.size >= 2, 'vpcSubnets', describeSelection(vpcSubnets),
        `the selection spans ${azs.size} availability zone(s): Aurora needs subnets in at least 2.`);
    }
    v.throwIfInvalid();

    if (stage.production && canPause) {
      Annotations.of(this).addWarningV2('@cdk-proteomics-platform:databasePauses',
        `minCapacity 0 in production stage '${stage.name}': the first request after an idle period waits about 15 s while the database resumes.`);
    }

    const clusterPolicy = resolveRemovalPolicy(this, props.removalPolicy, stage, RemovalPolicy.SNAPSHOT);
    // Keys, secret and logs must outlive a final snapshot, which cannot be restored without its key.
    const retainedPolicy = clusterPolicy === RemovalPolicy.SNAPSHOT ? RemovalPolicy.RETAIN : clusterPolicy;

    this.port = port;
    this.clusterIdentifier = clusterIdentifier;
    this.databaseName = databaseName;

    this.encryptionKey = new kms.Key(this, 'EncryptionKey', {
      description: `Aurora storage, snapshots, Performance Insights and logs of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy: retainedPolicy,
    });
    const logGroupArn = Stack.of(this).formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: `/aws/rds/cluster/${clusterIdentifier}/postgresql`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    // The logs service encrypts the exported PostgreSQL logs with the key (only for this log group).
    allowCloudWatchLogsToUseKey(this.encryptionKey, { logGroupArn });
    this.secretEncryptionKey = new kms.Key(this, 'SecretKey', {
      description: `Aurora master credentials of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy: retainedPolicy,
    });

    // Created before the cluster, so that RDS finds it (encrypted, with retention) when it exports logs.
    this.logGroup = new logs.LogGroup(this, 'PostgresLogs', {
      logGroupName: `/aws/rds/cluster/${clusterIdentifier}/postgresql`,
      encryptionKey: this.encryptionKey,
      retention: props.logRetention ?? stage.logRetention,
      // A fixed name: kept like the rest, except when the stack's first create fails, so a retry
      // does not stop on "already exists".
      removalPolicy: retainExceptOnCreate(retainedPolicy),
    });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: `Aurora PostgreSQL ${this.node.path}: admits only the peers allowed by allowConnectionsFrom()`,
      allowAllOutbound: false,
    });

    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(port) });

    // Pin the writer and the reader to different zones of the cluster's subnets.
    const azs = [...new Set(selected!.availabilityZones)];
    const instanceOptions = {
      autoMinorVersionUpgrade: true,
      publiclyAccessible: false,
    };

    this.cluster = new rds.DatabaseCluster(this, 'Cluster', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: engineVersion }),
      clusterIdentifier,
      credentials: rds.Credentials.fromGeneratedSecret(masterUsername, {
        encryptionKey: this.secretEncryptionKey,
        excludeCharacters: PASSWORD_EXCLUDE_CHARACTERS,
      }),
      defaultDatabaseName: databaseName,
      port,
      vpc,
      vpcSubnets,
      securityGroups: [this.securityGroup],
      writer: rds.ClusterInstance.serverlessV2('Writer', { ...instanceOptions, availabilityZone: azs[0] }),
      readers: reader
        ? [rds.ClusterInstance.serverlessV2('Reader', { ...instanceOptions, scaleWithWriter: true, availabilityZone: azs[1] })]
        : [],
      serverlessV2MinCapacity: minCapacity,
      serverlessV2MaxCapacity: maxCapacity,
      serverlessV2AutoPauseDuration: canPause ? autoPauseAfter : undefined,
      storageEncryptionKey: this.encryptionKey,
      iamAuthentication: true,
      deletionProtection,
      removalPolicy: clusterPolicy,
      backup: { retention: backupRetention },
      copyTagsToSnapshot: true,
      cloudwatchLogsExports: ['postgresql'],
      monitoringInterval,
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: this.encryptionKey,
      performanceInsightRetention: insightsMode === rds.DatabaseInsightsMode.ADVANCED
        ? rds.PerformanceInsightRetention.MONTHS_15
        : rds.PerformanceInsightRetention.DEFAULT,
      databaseInsightsMode: insightsMode,
      parameters: {
        'rds.force_ssl': '1', // no plaintext connections
        'log_statement': 'ddl', // schema changes are audited
      },
      storageType: rds.DBClusterStorageType.AURORA,
    });
    this.cluster.node.addDependency(this.logGroup);
    this.secret = this.cluster.secret!;
    // The generated secret itself (not its attachment) outlives a final snapshot.
    (this.cluster.node.findChild('Secret') as secretsmanager.Secret).applyRemovalPolicy(retainedPolicy);
    this.endpoint = this.cluster.clusterEndpoint;
    this.readerEndpoint = this.cluster.clusterReadEndpoint;

    // Rotation as `addRotationSingleUser()` builds it (same construct ids), but opening the port
    // as a literal number: the cluster's own `connections` carry the port as a token, which
    // compliance rules cannot read.
    this.secretRotation = new secretsmanager.SecretRotation(this.cluster, 'RotationSingleUser', {
      application: this.cluster.singleUserRotationApplication,
      secret: this.secret,
      target: this,
      vpc,
      vpcSubnets: props.rotationSubnets ?? defaultRotationSubnets(vpc, vpcSubnets),
      automaticallyAfter: rotationInterval,
      excludeCharacters: PASSWORD_EXCLUDE_CHARACTERS,
    });

    if (longTermBackups) {
      this.backupVault = new backup.BackupVault(this, 'BackupVault', {
        encryptionKey: this.encryptionKey,
        // The vault name is derived from the construct path (fixed): kept, except after a failed first create.
        removalPolicy: retainedPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
        // Nobody (not even an administrator by mistake) deletes a long-term snapshot before it expires.
        blockRecoveryPointDeletion: resolved.blockRecoveryPointDeletion,
      });
      this.backupPlan = new backup.BackupPlan(this, 'BackupPlan', {
        backupPlanName: `${clusterIdentifier}-long-term`,
        backupVault: this.backupVault,
      });
      this.backupPlan.addRule(new backup.BackupPlanRule({
        ruleName: 'Monthly',
        scheduleExpression: events.Schedule.cron({ day: '1', hour: '5', minute: '0' }),
        startWindow: Duration.hours(1),
        completionWindow: Duration.hours(8),
        deleteAfter: longTermRetention,
        copyActions: props.backupCopyVault
          ? [{ destinationBackupVault: props.backupCopyVault, deleteAfter: longTermRetention }]
          : undefined,
      }));
      this.backupPlan.addSelection('Cluster', {
        resources: [backup.BackupResource.fromRdsDatabaseCluster(this.cluster)],
      });
    }

    // Checked at synth, once the whole app exists: an RDS Proxy holds connections open, so a
    // cluster at 0 ACU that a proxy targets never pauses.
    this.node.addValidation({
      validate: () => canPause && this.proxyTargetsCluster()
        ? [`AuroraDatabase at '${this.node.path}': an RDS Proxy targets this cluster and holds connections open, so ` +
          'with minCapacity 0 it never pauses: remove the proxy or set minCapacity to 0.5 or more.']
        : [],
    });

    this.acknowledgeFindings(deletionProtection);
  }

  /**
   * Lets `grantee` connect as the database user `dbUser` with IAM authentication:
   * `rds-db:connect` on `arn:<partition>:rds-db:<region>:<account>:dbuser:<cluster resource id>/<dbUser>`
   * and nothing else. The user must exist in PostgreSQL and hold the `rds_iam` role.
   */
  public grantConnect(grantee: iam.IGrantable, dbUser: string): iam.Grant {
    if (!Token.isUnresolved(dbUser) && !isValidPgIdentifier(dbUser)) {
      throw new Error(`AuroraDatabase at '${this.node.path}': grantConnect dbUser = '${dbUser}': use a letter, then letters, ` +
        "digits or '_' (at most 63 characters); wildcards would let the grantee connect as other users.");
    }
    return this.cluster.grantConnect(grantee, dbUser);
  }

  /**
   * Admits PostgreSQL connections (this database's port, TCP) from `peer`, and lets `peer`'s
   * security group send them when its egress is restricted.
   */
  public allowConnectionsFrom(peer: ec2.IConnectable): void {
    this.connections.allowDefaultPortFrom(peer, `PostgreSQL to ${this.node.path}`);
  }

  private proxyTargetsCluster(): boolean {
    const stack = Stack.of(this);
    const clusterId = stack.getLogicalId(this.cluster.node.defaultChild as rds.CfnDBCluster);
    return stack.node.findAll().some((c) => c instanceof rds.CfnDBProxyTargetGroup &&
      JSON.stringify(stack.resolve(c.dbClusterIdentifiers) ?? null).includes(`"${clusterId}"`));
  }

  private acknowledgeFindings(deletionProtection: boolean): void {
    const monitoringRole = this.cluster.node.tryFindChild('MonitoringRole');
    if (monitoringRole) {
      Acknowledge.rules(monitoringRole,
        'Enhanced monitoring needs the AWS-managed AmazonRDSEnhancedMonitoringRole policy, which AWS keeps in step with ' +
        'what the RDS monitoring agent writes (only to the RDSOSMetrics log group).',
        ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]']);
    }
    if (!deletionProtection) {
      Acknowledge.rules(this.cluster.node.defaultChild!,
        `Deletion protection is off by choice in stage '${this.stage.name}' (a disposable staging database that must be ` +
        'torn down with its stack); production stages keep it on and cannot turn it off without an explicit prop.',
        ['AwsSolutions-RDS10', 'HIPAA.Security-RDSInstanceDeletionProtectionEnabled', 'NIST.800.53.R5-RDSInstanceDeletionProtectionEnabled']);
    }
    const instanceReason = this.backupPlan
      ? 'AWS Backup backs up an Aurora cluster as a whole, never one of its instances: the cluster is in the ' +
        "plan's selection, and an instance ARN there would fail the backup job."
      : `No AWS Backup plan by choice in stage '${this.stage.name}': Aurora's automated backups give point-in-time ` +
        'restore for the backup retention period; longTermBackups adds the monthly plan (on in prod).';
    for (const id of ['Writer', 'Reader']) {
      const instance = this.cluster.node.tryFindChild(id);
      if (instance) {
        Acknowledge.rules(instance, instanceReason, ['HIPAA.Security-RDSInBackupPlan', 'NIST.800.53.R5-RDSInBackupPlan']);
      }
    }
    const backupRole = this.backupPlan?.node.tryFindChild('Cluster')?.node.tryFindChild('Role');
    if (backupRole) {
      Acknowledge.rules(backupRole,
        'AWS Backup assumes this role with the AWS-managed AWSBackupServiceRolePolicyForBackup policy, which AWS maintains ' +
        'for every resource type AWS Backup supports; a hand-written copy would drift from what the service calls.',
        ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]']);
    }
  }
}

function checkWholeDays(v: PropsValidator, d: Duration, prop: string, min: number, max: number, fix: string): void {
  if (d.isUnresolved()) return;
  const days = d.toHours({ integral: false }) / 24;
  v.check(Number.isInteger(days) && days >= min && days <= max, prop, d, fix);
}

function describeSelection(s: ec2.SubnetSelection): string {
  if (s.subnetType) return `{ subnetType: ${s.subnetType} }`;
  if (s.subnetGroupName) return `{ subnetGroupName: ${s.subnetGroupName} }`;
  if (s.subnets) return `{ subnets: ${s.subnets.length} }`;
  return '{}';
}

function defaultRotationSubnets(vpc: ec2.IVpc, clusterSubnets: ec2.SubnetSelection): ec2.SubnetSelection {
  return vpc.privateSubnets.length > 0 ? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } : clusterSubnets;
}
