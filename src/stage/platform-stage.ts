import { aws_logs as logs } from 'aws-cdk-lib';

/**
 * How the results bucket is locked (S3 Object Lock default retention).
 */
export enum ResultsLockMode {
  /** No Object Lock: the bucket can be emptied and torn down (staging). */
  NONE = 'NONE',
  /**
   * GOVERNANCE: objects cannot be deleted or overwritten during the retention period except by a
   * principal holding `s3:BypassGovernanceRetention` (no role of this library holds it).
   */
  GOVERNANCE = 'GOVERNANCE',
  /**
   * COMPLIANCE: nobody, not even the account root, can delete objects before retention ends.
   * For regulated users only: the bucket and its contents then cost money for the whole period.
   */
  COMPLIANCE = 'COMPLIANCE',
}

/**
 * The defaults a stage picks. Every field is optional in `PlatformStage.of()`: what is not given
 * comes from the stage it is based on (HML unless said otherwise).
 */
export interface PlatformStageOptions {
  /**
   * The stage this one starts from.
   * @default PlatformStage.HML
   */
  readonly basedOn?: PlatformStage;
  /** Whether this is a production stage (stricter defaults, no destroy). @default - from basedOn */
  readonly production?: boolean;
  /** Availability zones the VPC spans. @default - from basedOn */
  readonly maxAzs?: number;
  /** NAT gateways (one per AZ for HA, one to save cost). @default - from basedOn */
  readonly natGateways?: number;
  /**
   * NAT instances (`NatProvider.instanceV2`, t4g.nano) instead of NAT gateways: about $7 instead
   * of $36.50 a month each at us-east-1, for a self-managed instance without managed failover.
   * @default - from basedOn
   */
  readonly natInstances?: boolean;
  /**
   * Interface VPC endpoints for ECR, Logs, STS, Secrets Manager and Step Functions. Each costs
   * $0.01/h per AZ plus $0.01/GB (us-east-1), against $0.045/GB through a NAT gateway: over 3 AZs
   * one endpoint pays for itself above about 626 GB a month of its service's traffic. Off in both
   * presets (ECR image layers come from S3 through the free gateway endpoint); turn on when the
   * AWS API traffic must not use the NAT gateways.
   * @default - from basedOn
   */
  readonly interfaceEndpoints?: boolean;
  /** Retention of CloudWatch log groups. @default - from basedOn */
  readonly logRetention?: logs.RetentionDays;
  /** Aurora Serverless v2 minimum ACU (0 lets the database pause). @default - from basedOn */
  readonly databaseMinCapacity?: number;
  /** Aurora Serverless v2 maximum ACU. @default - from basedOn */
  readonly databaseMaxCapacity?: number;
  /** A reader instance in another AZ for failover. @default - from basedOn */
  readonly databaseReader?: boolean;
  /** Aurora automated backup retention in days (1-35). @default - from basedOn */
  readonly databaseBackupRetentionDays?: number;
  /** Monthly AWS Backup snapshots kept as long as the results. @default - from basedOn */
  readonly longTermDatabaseBackups?: boolean;
  /** Deletion protection on the database. @default - from basedOn */
  readonly deletionProtection?: boolean;
  /** Object Lock mode of the results bucket. @default - from basedOn */
  readonly resultsLockMode?: ResultsLockMode;
  /** Escalate analyses from Spot to an on-demand queue when Spot keeps failing or waiting. @default - from basedOn */
  readonly onDemandEscalation?: boolean;
  /** Whether stateful resources may be destroyed when the destroy opt-in is given. @default - from basedOn */
  readonly allowDestroy?: boolean;
}

/**
 * A deployment stage and the defaults it picks.
 *
 * A stage only picks defaults: every construct prop overrides it. Use `PlatformStage.HML` for
 * staging, `PlatformStage.PROD` for production, or `PlatformStage.of()` for your own.
 *
 * @example
 * const qa = PlatformStage.of('qa', { basedOn: PlatformStage.HML, maxAzs: 3 });
 */
export class PlatformStage {
  /**
   * Staging ("homologação"): cheap and disposable. 2 AZs with one NAT instance, no interface
   * endpoints, a database that pauses at 0 ACU, Spot only, no Object Lock, one-month logs.
   */
  public static readonly HML = new PlatformStage('hml', {
    production: false,
    maxAzs: 2,
    natGateways: 1,
    natInstances: true,
    interfaceEndpoints: false,
    logRetention: logs.RetentionDays.ONE_MONTH,
    databaseMinCapacity: 0,
    databaseMaxCapacity: 4,
    databaseReader: false,
    databaseBackupRetentionDays: 7,
    longTermDatabaseBackups: false,
    deletionProtection: false,
    resultsLockMode: ResultsLockMode.NONE,
    onDemandEscalation: false,
    allowDestroy: true,
  });

  /**
   * Production: highly available and retained. 3 AZs with a NAT gateway each (no interface
   * endpoints: below about 626 GB a month per service they cost more than the NAT traffic they
   * save), a writer and a reader at 0.5 ACU minimum with deletion protection, 35-day backups
   * plus monthly snapshots for 5 years, GOVERNANCE Object Lock on results, escalation from Spot
   * to on-demand, logs kept for two years, nothing ever destroyed.
   */
  public static readonly PROD = new PlatformStage('prod', {
    production: true,
    maxAzs: 3,
    natGateways: 3,
    natInstances: false,
    interfaceEndpoints: false,
    logRetention: logs.RetentionDays.TWO_YEARS,
    databaseMinCapacity: 0.5,
    databaseMaxCapacity: 16,
    databaseReader: true,
    databaseBackupRetentionDays: 35,
    longTermDatabaseBackups: true,
    deletionProtection: true,
    resultsLockMode: ResultsLockMode.GOVERNANCE,
    onDemandEscalation: true,
    allowDestroy: false,
  });

  /**
   * A custom stage, starting from `options.basedOn` (HML by default).
   * @param name a short lowercase name, used in resource names and tags (e.g. `qa`)
   */
  public static of(name: string, options: PlatformStageOptions = {}): PlatformStage {
    if (!/^[a-z][a-z0-9-]{0,15}$/.test(name)) {
      throw new Error(
        `PlatformStage.of('${name}'): a stage name must be 1-16 lowercase letters, digits or '-', starting with a letter (e.g. 'qa').`,
      );
    }
    const base = options.basedOn ?? PlatformStage.HML;
    const merged: Required<Omit<PlatformStageOptions, 'basedOn'>> = {
      production: options.production ?? base.production,
      maxAzs: options.maxAzs ?? base.maxAzs,
      natGateways: options.natGateways ?? base.natGateways,
      natInstances: options.natInstances ?? base.natInstances,
      interfaceEndpoints: options.interfaceEndpoints ?? base.interfaceEndpoints,
      logRetention: options.logRetention ?? base.logRetention,
      databaseMinCapacity: options.databaseMinCapacity ?? base.databaseMinCapacity,
      databaseMaxCapacity: options.databaseMaxCapacity ?? base.databaseMaxCapacity,
      databaseReader: options.databaseReader ?? base.databaseReader,
      databaseBackupRetentionDays: options.databaseBackupRetentionDays ?? base.databaseBackupRetentionDays,
      longTermDatabaseBackups: options.longTermDatabaseBackups ?? base.longTermDatabaseBackups,
      deletionProtection: options.deletionProtection ?? base.deletionProtection,
      resultsLockMode: options.resultsLockMode ?? base.resultsLockMode,
      onDemandEscalation: options.onDemandEscalation ?? base.onDemandEscalation,
      allowDestroy: options.allowDestroy ?? base.allowDestroy,
    };
    return new PlatformStage(name, merged);
  }

  /** The stage's name (`hml`, `prod`, or a custom one). */
  public readonly name: string;
  /** Whether this is a production stage. */
  public readonly production: boolean;
  /** Availability zones the VPC spans. */
  public readonly maxAzs: number;
  /** NAT gateways (or NAT instances). */
  public readonly natGateways: number;
  /** Whether NAT instances replace the NAT gateways. */
  public readonly natInstances: boolean;
  /** Whether interface VPC endpoints are created. */
  public readonly interfaceEndpoints: boolean;
  /** Retention of CloudWatch log groups. */
  public readonly logRetention: logs.RetentionDays;
  /** Aurora Serverless v2 minimum ACU. */
  public readonly databaseMinCapacity: number;
  /** Aurora Serverless v2 maximum ACU. */
  public readonly databaseMaxCapacity: number;
  /** Whether a reader instance is created. */
  public readonly databaseReader: boolean;
  /** Aurora automated backup retention in days. */
  public readonly databaseBackupRetentionDays: number;
  /** Whether monthly snapshots are kept for the results retention. */
  public readonly longTermDatabaseBackups: boolean;
  /** Whether the database has deletion protection. */
  public readonly deletionProtection: boolean;
  /** Object Lock mode of the results bucket. */
  public readonly resultsLockMode: ResultsLockMode;
  /** Whether analyses escalate from Spot to on-demand. */
  public readonly onDemandEscalation: boolean;
  /** Whether stateful resources may be destroyed when the destroy opt-in is given. */
  public readonly allowDestroy: boolean;

  private constructor(name: string, o: Required<Omit<PlatformStageOptions, 'basedOn'>>) {
    this.name = name;
    this.production = o.production;
    this.maxAzs = o.maxAzs;
    this.natGateways = o.natGateways;
    this.natInstances = o.natInstances;
    this.interfaceEndpoints = o.interfaceEndpoints;
    this.logRetention = o.logRetention;
    this.databaseMinCapacity = o.databaseMinCapacity;
    this.databaseMaxCapacity = o.databaseMaxCapacity;
    this.databaseReader = o.databaseReader;
    this.databaseBackupRetentionDays = o.databaseBackupRetentionDays;
    this.longTermDatabaseBackups = o.longTermDatabaseBackups;
    this.deletionProtection = o.deletionProtection;
    this.resultsLockMode = o.resultsLockMode;
    this.onDemandEscalation = o.onDemandEscalation;
    this.allowDestroy = o.allowDestroy;
  }
}
