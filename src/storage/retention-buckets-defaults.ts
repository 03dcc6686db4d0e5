import { Duration } from 'aws-cdk-lib';
import { InstantAccessTiering, RetentionBucketsProps } from './retention-buckets-props';
import { RetentionSettings } from './retention-validation';
import { PlatformStage } from '../stage/platform-stage';

/**
 * `RetentionBucketsProps` with every default applied: what the buckets validate and build from.
 * @internal
 */
export interface ResolvedRetentionBucketsProps extends Omit<RetentionSettings, 'requestedRemovalPolicy'> {
  readonly stage: PlatformStage;
  readonly malwareScanning: boolean;
}

/** Applies the documented defaults of `RetentionBucketsProps`. @internal */
export function resolveRetentionBucketsProps(props: RetentionBucketsProps): ResolvedRetentionBucketsProps {
  const stage = props.stage ?? PlatformStage.HML;
  // RetentionDays.INFINITE (9999) means "keep": no expiration rule for the logs then.
  const stageLogDays = stage.logRetention as number;
  return {
    stage,
    resultsLockMode: props.resultsLockMode ?? stage.resultsLockMode,
    uploadsRetention: props.uploadsRetention ?? Duration.days(365),
    resultsRetention: props.resultsRetention ?? Duration.days(1827),
    uploadsTiering: props.uploadsTiering ?? InstantAccessTiering.GLACIER_INSTANT_RETRIEVAL,
    uploadsTransitionAfter: props.uploadsTransitionAfter ?? Duration.days(30),
    uploadsNoncurrentRetention: props.uploadsNoncurrentRetention ?? Duration.days(7),
    resultsTiering: props.resultsTiering ?? InstantAccessTiering.GLACIER_INSTANT_RETRIEVAL,
    resultsTransitionAfter: props.resultsTransitionAfter ?? Duration.days(90),
    resultsExpiration: props.resultsExpiration,
    abortIncompleteUploadsAfter: props.abortIncompleteUploadsAfter ?? Duration.days(3),
    accessLogsRetention: props.accessLogsRetention ?? (stageLogDays > 0 && stageLogDays < 9999 ? Duration.days(stageLogDays) : undefined),
    corsAllowedOrigins: props.corsAllowedOrigins ?? [],
    autoDeleteObjects: props.autoDeleteObjects ?? false,
    malwareScanning: props.malwareScanning ?? false,
  };
}
