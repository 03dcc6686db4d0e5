import { aws_ec2 as ec2, aws_ecs as ecs, Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import { PlatformStage } from '../stage/platform-stage';
import { RetentionBuckets } from '../storage/retention-buckets';

/**
 * Where the analysis jobs run.
 */
export enum PipelineComputeType {
  /**
   * AWS Fargate: Fargate Spot for analyses, Fargate on-demand for escalation. No instances to
   * manage; up to 16 vCPU, 120 GiB memory and 200 GiB ephemeral storage per job.
   */
  FARGATE = 'FARGATE',
  /**
   * Amazon EC2 managed by AWS Batch: EC2 Spot for analyses, EC2 on-demand for escalation. For
   * jobs larger than Fargate allows (more memory or vCPUs per file).
   */
  EC2 = 'EC2',
}

/**
 * Props of `AnalysisPipeline`.
 */
export interface AnalysisPipelineProps {
  /** The VPC whose private subnets (with egress) run the Batch jobs. */
  readonly vpc: ec2.IVpc;

  /** The buckets holding uploads, manifests and results. */
  readonly buckets: RetentionBuckets;

  /**
   * The stage whose defaults apply (log retention, escalation to on-demand).
   * @default PlatformStage.HML
   */
  readonly stage?: PlatformStage;

  /**
   * The worker image. It must provide the `batch`, `chunk` and `rollup` commands of
   * `proteomics_worker` (see `docs/constructs/analysis-pipeline.md`).
   * @default - built from the `worker/` folder shipped with this package (an image asset)
   */
  readonly analysisImage?: ecs.ContainerImage;

  /**
   * Fargate (default) or EC2 compute environments.
   * @default PipelineComputeType.FARGATE
   */
  readonly computeType?: PipelineComputeType;

  /**
   * vCPUs of one analysis job. On Fargate it must form an allowed pair with `memory`
   * (0.25, 0.5, 1, 2, 4, 8 or 16 vCPU).
   * @default 2
   */
  readonly vcpus?: number;

  /**
   * Memory of one analysis job. On Fargate it must be allowed for `vcpus` (e.g. 2 vCPU: 4-16 GiB
   * in 1 GiB steps).
   * @default Size.gibibytes(8)
   */
  readonly memory?: Size;

  /**
   * The largest raw file you expect. The default ephemeral storage is three times this (the
   * download, its decompressed copy and the outputs), at least 21 GiB.
   * @default Size.gibibytes(10)
   */
  readonly largestExpectedFileSize?: Size;

  /**
   * Ephemeral storage of one Fargate job (21-200 GiB). Ignored on EC2, where the instance's
   * volume is used.
   * @default - three times `largestExpectedFileSize`, at least 21 GiB
   */
  readonly ephemeralStorageSize?: Size;

  /**
   * Consecutive manifest entries one array child processes, one after the other. Raise it for
   * many small files so that the per-task start-up cost is shared. An execution input may
   * override it per analysis.
   * @default 1
   */
  readonly filesPerTask?: number;

  /**
   * Timeout of one job attempt (all `filesPerTask` files of a child), at least 60 seconds.
   * @default Duration.hours(2)
   */
  readonly attemptTimeout?: Duration;

  /**
   * Attempts per job (1-10). Spot reclaims and host failures are retried up to this many
   * attempts; application errors are never retried.
   * @default 3
   */
  readonly retryAttempts?: number;

  /**
   * Maximum vCPUs of the Spot compute environment (bounds the cost and the parallelism of all
   * analyses together). Must be at least `vcpus`.
   * @default 256
   */
  readonly maxVcpus?: number;

  /**
   * Maximum vCPUs of the on-demand compute environment used for escalation. Must be at least
   * `vcpus`.
   * @default 64
   */
  readonly onDemandMaxVcpus?: number;

  /**
   * Move an analysis's unfinished work to an on-demand queue when Spot reclaims it until its
   * retries run out, or leaves it waiting for capacity longer than `spotWaitTimeout`.
   * @default - the stage's `onDemandEscalation` (off in hml, on in prod)
   */
  readonly onDemandEscalation?: boolean;

  /**
   * How long analysis work may wait on the Spot queue with none of it running before it is
   * cancelled and resubmitted to the on-demand queue (10 minutes to 24 hours). Only with
   * `onDemandEscalation`. On Fargate Spot the state machine's own watch does this (Batch reports
   * no capacity reason for Fargate); on EC2 the queue's stuck-job action also cancels after it.
   * @default Duration.minutes(30)
   */
  readonly spotWaitTimeout?: Duration;

  /**
   * Overall timeout of one analysis execution (5 minutes to 1 year).
   * @default Duration.days(2)
   */
  readonly analysisTimeout?: Duration;

  /**
   * Chunks (of 10,000 files) analysed at the same time in an analysis above 10,000 tasks
   * (1-1000). Fair-share scheduling already shares capacity between owners.
   * @default 10
   */
  readonly maxConcurrentChunks?: number;

  /**
   * Removal policy of the log groups and the pipeline's KMS key.
   * DESTROY also needs the context opt-in (`ALLOW_DESTROY_CONTEXT_KEY`) and a stage that allows it.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}
