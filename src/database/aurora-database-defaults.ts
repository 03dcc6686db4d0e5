import { aws_ec2 as ec2, aws_rds as rds, Duration } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { AuroraDatabaseProps } from './aurora-database-props';
import { defaultClusterIdentifier } from './identifiers';
import { PlatformStage } from '../stage/platform-stage';

/** The default engine: the newest Aurora PostgreSQL in aws-cdk-lib 2.271.0; every 17.x can pause at 0 ACU. */
const DEFAULT_ENGINE_VERSION = rds.AuroraPostgresEngineVersion.VER_17_9;
const DEFAULT_PORT = 5433;
const DEFAULT_AUTO_PAUSE = Duration.minutes(10);
/** 5 years, plus the two leap days five consecutive years can hold. */
const DEFAULT_LONG_TERM_RETENTION = Duration.days(5 * 365 + 2);

/**
 * What `AuroraDatabase` picks by kind of stage, beyond the values a `PlatformStage` carries itself.
 * @internal
 */
export interface DatabaseStageDefaults {
  /** Database Insights mode (advanced keeps 15 months of Performance Insights). */
  readonly databaseInsightsMode: rds.DatabaseInsightsMode;
  /** Whether nobody may delete a long-term snapshot before it expires. */
  readonly blockRecoveryPointDeletion: boolean;
}

const PRODUCTION: DatabaseStageDefaults = {
  databaseInsightsMode: rds.DatabaseInsightsMode.ADVANCED,
  blockRecoveryPointDeletion: true,
};

const STAGING: DatabaseStageDefaults = {
  databaseInsightsMode: rds.DatabaseInsightsMode.STANDARD,
  blockRecoveryPointDeletion: false,
};

/** The database defaults of a stage: production ones for production stages, staging ones otherwise. @internal */
export function databaseDefaultsFor(stage: PlatformStage): DatabaseStageDefaults {
  return stage.production ? PRODUCTION : STAGING;
}

/**
 * `AuroraDatabaseProps` with every default applied: what the database validates and builds from.
 * @internal
 */
export interface ResolvedAuroraDatabaseProps {
  readonly stage: PlatformStage;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly reader: boolean;
  /** Whether the writer scales to 0 ACU and pauses (minCapacity 0). */
  readonly canPause: boolean;
  /** Idle time before pausing; only when the database can pause. */
  readonly autoPauseAfter?: Duration;
  readonly engineVersion: rds.AuroraPostgresEngineVersion;
  readonly port: number;
  readonly databaseName: string;
  readonly masterUsername: string;
  readonly clusterIdentifier: string;
  readonly deletionProtection: boolean;
  readonly backupRetention: Duration;
  readonly longTermBackups: boolean;
  readonly longTermBackupRetention: Duration;
  readonly databaseInsightsMode: rds.DatabaseInsightsMode;
  readonly blockRecoveryPointDeletion: boolean;
  readonly monitoringInterval: Duration;
  readonly secretRotationInterval: Duration;
  readonly vpcSubnets: ec2.SubnetSelection;
}

/**
 * Applies the documented defaults of `AuroraDatabaseProps`: the stage's own values, then the
 * stage table above, then the fixed defaults. `scope` names the default cluster identifier.
 * @internal
 */
export function resolveAuroraDatabaseProps(scope: IConstruct, props: AuroraDatabaseProps): ResolvedAuroraDatabaseProps {
  const stage = props.stage ?? PlatformStage.HML;
  const stageDefaults = databaseDefaultsFor(stage);
  const minCapacity = props.minCapacity ?? stage.databaseMinCapacity;
  const canPause = minCapacity === 0;
  return {
    stage,
    minCapacity,
    maxCapacity: props.maxCapacity ?? stage.databaseMaxCapacity,
    reader: props.reader ?? stage.databaseReader,
    canPause,
    autoPauseAfter: props.autoPauseAfter ?? (canPause ? DEFAULT_AUTO_PAUSE : undefined),
    engineVersion: props.engineVersion ?? DEFAULT_ENGINE_VERSION,
    port: props.port ?? DEFAULT_PORT,
    databaseName: props.databaseName ?? 'proteomics',
    masterUsername: props.masterUsername ?? 'dbadmin',
    clusterIdentifier: props.clusterIdentifier ?? defaultClusterIdentifier(scope),
    deletionProtection: props.deletionProtection ?? stage.deletionProtection,
    backupRetention: props.backupRetention ?? Duration.days(stage.databaseBackupRetentionDays),
    longTermBackups: props.longTermBackups ?? stage.longTermDatabaseBackups,
    longTermBackupRetention: props.longTermBackupRetention ?? DEFAULT_LONG_TERM_RETENTION,
    databaseInsightsMode: props.databaseInsightsMode ?? stageDefaults.databaseInsightsMode,
    blockRecoveryPointDeletion: stageDefaults.blockRecoveryPointDeletion,
    monitoringInterval: props.monitoringInterval ?? Duration.seconds(60),
    secretRotationInterval: props.secretRotationInterval ?? Duration.days(30),
    vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  };
}
