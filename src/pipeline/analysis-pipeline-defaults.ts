import { Duration, Size, SizeRoundingBehavior } from 'aws-cdk-lib';
import { AnalysisPipelineProps, PipelineComputeType } from './analysis-pipeline-props';
import { PlatformStage } from '../stage/platform-stage';

/**
 * `AnalysisPipelineProps` with every default applied: what the pipeline validates and builds from.
 * @internal
 */
export interface ResolvedAnalysisPipelineProps {
  readonly stage: PlatformStage;
  readonly fargate: boolean;
  readonly vcpus: number;
  readonly memory: Size;
  readonly ephemeral: Size;
  /** Whether `ephemeral` was given (not derived from `largestFile`): validation names the prop then. */
  readonly ephemeralGiven: boolean;
  readonly largestFile: Size;
  readonly filesPerTask: number;
  readonly attemptTimeout: Duration;
  readonly retryAttempts: number;
  readonly maxVcpus: number;
  readonly onDemandMaxVcpus: number;
  readonly escalation: boolean;
  readonly spotWaitTimeout: Duration;
  readonly analysisTimeout: Duration;
  readonly maxConcurrentChunks: number;
}

/** Applies the documented defaults of `AnalysisPipelineProps`. @internal */
export function resolveAnalysisPipelineProps(props: AnalysisPipelineProps): ResolvedAnalysisPipelineProps {
  const stage = props.stage ?? PlatformStage.HML;
  const largestFile = props.largestExpectedFileSize ?? Size.gibibytes(10);
  return {
    stage,
    fargate: (props.computeType ?? PipelineComputeType.FARGATE) === PipelineComputeType.FARGATE,
    vcpus: props.vcpus ?? 2,
    memory: props.memory ?? Size.gibibytes(8),
    // Room for the download, its conversion and the outputs: three times the largest file.
    ephemeral: props.ephemeralStorageSize
      ?? Size.gibibytes(Math.max(21, Math.ceil(largestFile.toMebibytes({ rounding: SizeRoundingBehavior.NONE }) * 3 / 1024))),
    ephemeralGiven: props.ephemeralStorageSize !== undefined,
    largestFile,
    filesPerTask: props.filesPerTask ?? 1,
    attemptTimeout: props.attemptTimeout ?? Duration.hours(2),
    retryAttempts: props.retryAttempts ?? 3,
    maxVcpus: props.maxVcpus ?? 256,
    onDemandMaxVcpus: props.onDemandMaxVcpus ?? 64,
    escalation: props.onDemandEscalation ?? stage.onDemandEscalation,
    spotWaitTimeout: props.spotWaitTimeout ?? Duration.minutes(30),
    analysisTimeout: props.analysisTimeout ?? Duration.days(2),
    maxConcurrentChunks: props.maxConcurrentChunks ?? 10,
  };
}
