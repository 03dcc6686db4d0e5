import * as path from 'path';
import {
  aws_ecr_assets as ecr_assets,
  Arn,
  ArnFormat,
  aws_batch as batch,
  aws_ec2 as ec2,
  aws_ecs as ecs,
  aws_events as events,
  aws_iam as iam,
  aws_kms as kms,
  aws_logs as logs,
  aws_sqs as sqs,
  aws_stepfunctions as sfn,
  Duration,
  Names,
  RemovalPolicy,
  Size,
  SizeRoundingBehavior,
  Stack,
  Token,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { resolveAnalysisPipelineProps, ResolvedAnalysisPipelineProps } from './analysis-pipeline-defaults';
import { AnalysisPipelineProps } from './analysis-pipeline-props';
import { buildDefinition, RollupCostRates, CHUNK_SIZE, CHUNKS_MAP_RUN_LABEL } from './definition';
import { fargatePairProblem } from './fargate-sizes';
import { Acknowledge } from '../compliance/acknowledge';
import { COMPLETION_EVENT_DETAIL_TYPE, COMPLETION_EVENT_SOURCE } from '../core/completion-event';
import { allowCloudWatchLogsToUseKey } from '../core/log-encryption-key';
import { resolveRemovalPolicy } from '../core/removal';
import { PropsValidator } from '../core/validation';
import { PriceTable } from '../cost/price-table';
import { PlatformStage } from '../stage/platform-stage';
import { RetentionBuckets } from '../storage/retention-buckets';

/** UID of the worker image's user (worker/Dockerfile: useradd --uid 10001, USER 10001). */
const WORKER_UID = '10001';

/**
 * The analysis pipeline: an AWS Step Functions state machine that runs each analysis as AWS Batch
 * array jobs of the worker image, on Spot capacity shared fairly between analysis owners.
 *
 * One execution per analysis, named `<analysisId>-<attempt>`, with the input
 * `{ schemaVersion: 1, analysisId, sampleId, ownerId, manifestKey, fileCount }` (optionally
 * `filesPerTask`, `attempt`). The state machine validates the input, runs one array job of
 * `ceil(fileCount / filesPerTask)` children (a plain job for one task; above 10,000 tasks, chunk
 * manifests and a Distributed Map of one array job per chunk), rolls the per-file results up,
 * and puts an `Analysis Completed` event on the default event bus. In prod it moves work that
 * Spot keeps reclaiming (or leaves waiting) to an on-demand queue.
 *
 * @example
 * declare const network: PlatformNetwork;
 * declare const buckets: RetentionBuckets;
 * declare const apiRole: iam.IRole;
 * const pipeline = new AnalysisPipeline(this, 'Pipeline', { vpc: network.vpc, buckets });
 * pipeline.grantStartAnalysis(apiRole);
 * new events.Rule(this, 'Done', { eventPattern: pipeline.completionEventPattern });
 */
export class AnalysisPipeline extends Construct {
  /** The state machine that runs one analysis per execution. */
  public readonly stateMachine: sfn.StateMachine;
  /** The Spot job queue every analysis starts on (fair-share scheduled by owner). */
  public readonly jobQueue: batch.JobQueue;
  /** The on-demand job queue analyses escalate to; only with `onDemandEscalation`. */
  public readonly onDemandJobQueue?: batch.JobQueue;
  /** The job definition of the worker (used for `batch`, `chunk` and `rollup`). */
  public readonly jobDefinition: batch.EcsJobDefinition;
  /** The Spot compute environment. */
  public readonly computeEnvironment: batch.IManagedComputeEnvironment;
  /** The on-demand compute environment; only with `onDemandEscalation`. */
  public readonly onDemandComputeEnvironment?: batch.IManagedComputeEnvironment;
  /** The fair-share scheduling policy of the queues (share identifier: the analysis owner). */
  public readonly schedulingPolicy: batch.FairshareSchedulingPolicy;
  /** The role the worker runs as: reads uploads and manifests, writes chunk manifests and results. */
  public readonly jobRole: iam.Role;
  /** The security group of the Batch jobs (HTTPS egress only). */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The log group of the state machine's executions (level ALL). */
  public readonly logGroup: logs.LogGroup;
  /** The log group of the worker's jobs. */
  public readonly jobLogGroup: logs.LogGroup;
  /** The customer-managed key of the state machine and both log groups. */
  public readonly key: kms.Key;
  /**
   * Matches this pipeline's completion events on the default event bus: source
   * `cdk-proteomics-platform`, detail-type `Analysis Completed`, resource this state machine.
   * The detail follows `contracts/schemas/completion-event.v1.schema.json`.
   */
  public readonly completionEventPattern: events.EventPattern;
  /**
   * The queue that receives this state machine's completion events (encrypted with `key`), for the
   * API to consume with `grantConsumeCompletions`. Polling Step Functions stays the fallback.
   */
  public readonly completionQueue: sqs.Queue;
  /** Where completion events go after 5 failed receives. */
  public readonly completionDeadLetterQueue: sqs.Queue;
  /** The EventBridge rule that sends completion events to `completionQueue`. */
  public readonly completionRule: events.Rule;
  /** The stage whose defaults applied. */
  public readonly stage: PlatformStage;
  /** Whether analyses escalate from Spot to the on-demand queue. */
  public readonly onDemandEscalation: boolean;

  private readonly buckets: RetentionBuckets;

  constructor(scope: Construct, id: string, props: AnalysisPipelineProps) {
    super(scope, id);
    const resolved = resolveAnalysisPipelineProps(props);
    validate(this, resolved);
    const { fargate, vcpus, memory, ephemeral, filesPerTask, attemptTimeout, retryAttempts, maxVcpus, onDemandMaxVcpus } = resolved;
    const { spotWaitTimeout, analysisTimeout, maxConcurrentChunks } = resolved;
    this.stage = resolved.stage;
    this.onDemandEscalation = resolved.escalation;
    this.buckets = props.buckets;
    const stack = Stack.of(this);
    const removalPolicy = resolveRemovalPolicy(this, props.removalPolicy, this.stage);

    // One key for the state machine and both log groups; the logs service needs it in its policy.
    this.key = new kms.Key(this, 'Key', {
      description: `Analysis pipeline ${this.node.path}: state machine data and logs`,
      enableKeyRotation: true,
      removalPolicy,
    });
    allowCloudWatchLogsToUseKey(this.key, { sid: 'AllowCloudWatchLogs' });
    this.jobLogGroup = new logs.LogGroup(this, 'JobLogs', {
      encryptionKey: this.key,
      retention: this.stage.logRetention,
      removalPolicy,
    });
    this.logGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      encryptionKey: this.key,
      retention: this.stage.logRetention,
      removalPolicy,
    });

    // Compute: private subnets, HTTPS out only (S3, ECR, CloudWatch Logs, STS).
    this.securityGroup = new ec2.SecurityGroup(this, 'JobSecurityGroup', {
      vpc: props.vpc,
      description: 'Analysis jobs: HTTPS egress only, no ingress',
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs (S3, ECR, Logs, STS)');
    const vpcSubnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    const newCompute = (cid: string, spot: boolean, max: number): batch.IManagedComputeEnvironment => fargate
      ? new batch.FargateComputeEnvironment(this, cid, {
        vpc: props.vpc, vpcSubnets, securityGroups: [this.securityGroup], spot, maxvCpus: max,
      })
      : new batch.ManagedEc2EcsComputeEnvironment(this, cid, {
        vpc: props.vpc,
        vpcSubnets,
        securityGroups: [this.securityGroup],
        spot,
        maxvCpus: max,
        minvCpus: 0,
        allocationStrategy: spot ? batch.AllocationStrategy.SPOT_PRICE_CAPACITY_OPTIMIZED : batch.AllocationStrategy.BEST_FIT_PROGRESSIVE,
      });
    this.computeEnvironment = newCompute('SpotCompute', true, maxVcpus);

    // Fair share by owner: one user's 100,000-file analysis cannot starve the others.
    this.schedulingPolicy = new batch.FairshareSchedulingPolicy(this, 'FairShare', {
      computeReservation: 20,
      shareDecay: Duration.minutes(15),
    });
    this.jobQueue = new batch.JobQueue(this, 'SpotQueue', {
      priority: 1,
      schedulingPolicy: this.schedulingPolicy,
      computeEnvironments: [{ computeEnvironment: this.computeEnvironment, order: 1 }],
      // Queue order only overflows: escalation to on-demand is the state machine's. This action is
      // a backstop on EC2 only: Batch reports CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY for EC2
      // compute environments, never for Fargate Spot, where the state machine's own Spot wait
      // watch (definition.ts, watchedJob) cancels the job and escalates.
      jobStateTimeLimitActions: this.onDemandEscalation ? [{
        action: batch.JobStateTimeLimitActionsAction.CANCEL,
        maxTime: spotWaitTimeout,
        reason: batch.JobStateTimeLimitActionsReason.INSUFFICIENT_INSTANCE_CAPACITY,
        state: batch.JobStateTimeLimitActionsState.RUNNABLE,
      }] : undefined,
    });
    if (this.onDemandEscalation) {
      this.onDemandComputeEnvironment = newCompute('OnDemandCompute', false, onDemandMaxVcpus);
      this.onDemandJobQueue = new batch.JobQueue(this, 'OnDemandQueue', {
        priority: 1,
        schedulingPolicy: this.schedulingPolicy,
        computeEnvironments: [{ computeEnvironment: this.onDemandComputeEnvironment, order: 1 }],
      });
    }

    // The worker: reads uploads/* and manifests/*, writes chunk manifests and analyses/*.
    this.jobRole = new iam.Role(this, 'JobRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `Analysis worker of ${this.node.path}`,
    });
    this.buckets.grantReadUploads(this.jobRole);
    this.buckets.grantWriteManifests(this.jobRole);
    this.buckets.grantWriteResults(this.jobRole);
    this.buckets.grantReadResults(this.jobRole);
    const executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `Pulls the worker image and writes its logs for ${this.node.path}`,
    });

    // linux/amd64: the worker's ms_deisotope has no arm64 wheel, and Fargate tasks here run x86_64.
    const image = props.analysisImage ?? ecs.ContainerImage.fromAsset(path.join(__dirname, '..', '..', 'worker'), {
      platform: ecr_assets.Platform.LINUX_AMD64,
    });
    const common = {
      image,
      cpu: vcpus,
      memory,
      command: ['--help'],
      jobRole: this.jobRole,
      executionRole,
      logging: ecs.LogDriver.awsLogs({ logGroup: this.jobLogGroup, streamPrefix: 'worker' }),
      readonlyRootFilesystem: true,
      // The worker image's non-root user (worker/Dockerfile USER 10001), stated so the job cannot run as
      // another user than the one that owns the image's /tmp VOLUME.
      user: WORKER_UID,
      // The only writable path: downloads, outputs and matplotlib's cache live on task storage. A bind
      // mount of task storage is root-owned unless the image declares the same path as a VOLUME owned
      // by its user: worker/Dockerfile does, and test/pipeline/worker-image.test.ts checks they agree.
      volumes: [batch.EcsVolume.host({ name: 'scratch', containerPath: '/tmp' })],
      environment: { TMPDIR: '/tmp', PROTEOMICS_WORK_DIR: '/tmp/work', MPLCONFIGDIR: '/tmp/matplotlib' },
    };
    const container = fargate
      ? new batch.EcsFargateContainerDefinition(this, 'Worker', {
        ...common,
        ephemeralStorageSize: ephemeral,
        assignPublicIp: false,
        fargateCpuArchitecture: ecs.CpuArchitecture.X86_64,
        fargateOperatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      })
      : new batch.EcsEc2ContainerDefinition(this, 'Worker', { ...common, privileged: false });

    this.jobDefinition = new batch.EcsJobDefinition(this, 'JobDefinition', {
      container,
      propagateTags: true,
      timeout: attemptTimeout,
      retryAttempts,
      retryStrategies: retryStrategies(),
    });

    // The state machine.
    const definition = buildDefinition({
      jobDefinitionArn: this.jobDefinition.jobDefinitionArn,
      spotQueueArn: this.jobQueue.jobQueueArn,
      onDemandQueueArn: this.onDemandJobQueue?.jobQueueArn,
      uploadsBucketName: this.buckets.uploadsBucket.bucketName,
      resultsBucketName: this.buckets.resultsBucket.bucketName,
      defaultFilesPerTask: filesPerTask,
      timeoutSeconds: analysisTimeout.toSeconds(),
      maxConcurrentChunks,
      spotWaitSeconds: spotWaitTimeout.toSeconds(),
      cost: rollupCostRates(stack, fargate, vcpus, memory),
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      // A known name: CDK's key-policy condition for a customer-managed key names the state
      // machine, and is empty (so never matches) when the name is generated by CloudFormation.
      stateMachineName: Names.uniqueResourceName(this, { maxLength: 80, separator: '-' }),
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(stack.toJsonString(definition)),
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
      encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(this.key, Duration.minutes(5)),
    });
    this.grantStateMachineActions();

    this.completionEventPattern = {
      source: [COMPLETION_EVENT_SOURCE],
      detailType: [COMPLETION_EVENT_DETAIL_TYPE],
      resources: [this.stateMachine.stateMachineArn],
    };
    const completions = this.buildCompletionQueue(removalPolicy);
    this.completionQueue = completions.queue;
    this.completionDeadLetterQueue = completions.deadLetterQueue;
    this.completionRule = completions.rule;

    this.acknowledgeFindings(executionRole, fargate);
  }

  /**
   * Lets `grantee` start analyses: write manifests, start executions of this state machine and
   * describe them.
   * @returns the grant of every statement added to the grantee's policy
   */
  public grantStartAnalysis(grantee: iam.IGrantable): iam.Grant {
    const manifests = this.buckets.grantWriteManifests(grantee);
    const start = this.stateMachine.grantStartExecution(grantee);
    const describe = this.stateMachine.grantExecution(grantee, 'states:DescribeExecution');
    // The state machine is encrypted with this pipeline's key: StartExecution encrypts the input
    // (GenerateDataKey) and DescribeExecution with the default includedData decrypts input, output,
    // error and cause (Decrypt). Scoped to this state machine's encryption context, through Step
    // Functions only.
    const key = iam.Grant.addToPrincipal({
      grantee,
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resourceArns: [this.key.keyArn],
      conditions: {
        StringEquals: {
          'kms:EncryptionContext:aws:states:stateMachineArn': this.stateMachine.stateMachineArn,
          'kms:ViaService': `states.${Stack.of(this).region}.amazonaws.com`,
        },
      },
    });
    return manifests.combine(start).combine(describe).combine(key);
  }

  /**
   * Lets `grantee` consume completion events: receive and delete messages of `completionQueue`,
   * and `kms:Decrypt` on `key` through SQS for this queue only.
   * @returns the grant of every statement added to the grantee's policy
   */
  public grantConsumeCompletions(grantee: iam.IGrantable): iam.Grant {
    const messages = iam.Grant.addToPrincipal({
      grantee,
      actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'],
      resourceArns: [this.completionQueue.queueArn],
    });
    const key = iam.Grant.addToPrincipal({
      grantee,
      actions: ['kms:Decrypt'],
      resourceArns: [this.key.keyArn],
      conditions: {
        StringEquals: {
          'kms:ViaService': `sqs.${Stack.of(this).region}.amazonaws.com`,
          'kms:EncryptionContext:aws:sqs:arn': this.completionQueue.queueArn,
        },
      },
    });
    return messages.combine(key);
  }

  /**
   * EventBridge rule → SQS queue (pipeline key, dead-letter queue after 5 receives).
   *
   * The queue policy lets only this rule send (`aws:SourceArn`). The key policy lets EventBridge
   * use the key only through SQS and only for this queue (`kms:ViaService` and the
   * `aws:sqs:arn` encryption context SQS always sends): it does not rely on `aws:SourceArn`,
   * which AWS does not document as present on the KMS calls SQS makes for an EventBridge target.
   * Rule and queue have known names so that both policies name their ARNs without a reference
   * (key → rule/queue → key would be a dependency cycle).
   */
  private buildCompletionQueue(removalPolicy: RemovalPolicy): { queue: sqs.Queue; deadLetterQueue: sqs.Queue; rule: events.Rule } {
    const stack = Stack.of(this);
    const scope = new Construct(this, 'Completions');
    const ruleName = Names.uniqueResourceName(scope, { maxLength: 64, separator: '-' });
    const ruleArn = stack.formatArn({ service: 'events', resource: 'rule', resourceName: ruleName });
    const queueName = Names.uniqueResourceName(this, { maxLength: 68, separator: '-' }) + '-completions';
    const queueArn = stack.formatArn({ service: 'sqs', resource: queueName, arnFormat: ArnFormat.NO_RESOURCE_NAME });
    const deadLetterQueue = new sqs.Queue(scope, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    const queue = new sqs.Queue(this, 'CompletionQueue', {
      queueName,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      dataKeyReuse: Duration.minutes(5),
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      visibilityTimeout: Duration.seconds(60),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 5 },
      removalPolicy,
    });
    queue.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [queue.queueArn],
      conditions: { ArnEquals: { 'aws:SourceArn': ruleArn } },
    }));
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCompletionRule',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: ['*'],
      conditions: {
        StringEquals: {
          'kms:ViaService': `sqs.${stack.region}.amazonaws.com`,
          'kms:EncryptionContext:aws:sqs:arn': queueArn,
        },
      },
    }));
    const rule = new events.Rule(scope, 'Rule', {
      ruleName,
      description: 'Analysis completion events of this pipeline, for the API',
      eventPattern: this.completionEventPattern,
    });
    rule.addTarget({ bind: () => ({ arn: queue.queueArn }) });
    return { queue, deadLetterQueue, rule };
  }

  private grantStateMachineActions(): void {
    const stack = Stack.of(this);
    const queues = [this.jobQueue, ...(this.onDemandJobQueue ? [this.onDemandJobQueue] : [])];
    const jobs = stack.formatArn({ service: 'batch', resource: 'job', resourceName: '*' });
    const batchRule = stack.formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForBatchJobsRule' });
    const sm = this.stateMachine;
    sm.addToRolePolicy(new iam.PolicyStatement({
      sid: 'SubmitAnalysisJobs',
      actions: ['batch:SubmitJob'],
      resources: [this.jobDefinition.jobDefinitionArn, ...queues.map((q) => q.jobQueueArn)],
    }));
    sm.addToRolePolicy(new iam.PolicyStatement({
      sid: 'TagAndStopAnalysisJobs',
      // CancelJob: the Spot wait watch cancels a job that found no Spot capacity.
      actions: ['batch:TagResource', 'batch:TerminateJob', 'batch:CancelJob'],
      resources: [jobs],
    }));
    sm.addToRolePolicy(new iam.PolicyStatement({
      sid: 'FollowAnalysisJobs',
      actions: ['batch:DescribeJobs', 'batch:ListJobs'],
      resources: ['*'],
    }));
    sm.addToRolePolicy(new iam.PolicyStatement({
      sid: 'BatchJobCompletionRule',
      actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
      resources: [batchRule],
    }));
    sm.addToRolePolicy(new iam.PolicyStatement({
      sid: 'PublishCompletionEvents',
      actions: ['events:PutEvents'],
      resources: [stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' })],
      conditions: { StringEquals: { 'events:source': COMPLETION_EVENT_SOURCE } },
    }));
    this.buckets.grantReadResults(sm.role, 'analyses/*/summary.json');

    // The Distributed Map starts child executions of this state machine: a separate policy, so
    // that the state machine does not depend on a policy that names it.
    const name = Arn.split(sm.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName;
    // Child executions are named execution:<state machine>/<map run label>:<id>: following,
    // stopping and redriving them all name that ARN (execution:<state machine>:* matches none).
    const mapRuns = stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${name}/${CHUNKS_MAP_RUN_LABEL}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const mapPolicy = new iam.Policy(sm, 'DistributedMapPolicy', {
      statements: [
        new iam.PolicyStatement({ sid: 'StartChunkExecutions', actions: ['states:StartExecution'], resources: [sm.stateMachineArn] }),
        new iam.PolicyStatement({ sid: 'FollowChunkExecutions', actions: ['states:DescribeExecution', 'states:StopExecution'], resources: [mapRuns] }),
        new iam.PolicyStatement({ sid: 'RedriveChunks', actions: ['states:RedriveExecution'], resources: [mapRuns] }),
      ],
    });
    sm.role.attachInlinePolicy(mapPolicy);
  }

  private acknowledgeFindings(executionRole: iam.Role, fargate: boolean): void {
    const stack = Stack.of(this);
    const sm = this.stateMachine;
    const name = Arn.split(sm.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName;
    Acknowledge.iamWildcards(sm.role,
      'Batch DescribeJobs/ListJobs, X-Ray and CloudWatch Logs delivery APIs have no resource-level permissions; ' +
      'job ARNs are generated by Batch, so tagging and stopping jobs is scoped to this account\'s jobs.', {
        resources: ['*', stack.formatArn({ service: 'batch', resource: 'job', resourceName: '*' })],
      });
    Acknowledge.iamWildcards(sm, 'The Distributed Map follows and redrives the child executions of this state machine only.', {
      resources: [
        stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${name}/${CHUNKS_MAP_RUN_LABEL}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      ],
    });
    const mapPolicy = sm.node.findChild('DistributedMapPolicy');
    for (const role of [sm.role, this.jobRole, executionRole, mapPolicy]) {
      Acknowledge.rules(role, 'Role policies are generated for exactly this pipeline\'s resources by its grants; they are not shared, so inline policies keep them with the role.', [
        'HIPAA.Security-IAMNoInlinePolicy',
        'NIST.800.53.R5-IAMNoInlinePolicy',
      ]);
    }
    Acknowledge.iamWildcards(executionRole,
      'ecr:GetAuthorizationToken has no resource-level permissions; log streams of the job log group are named by ECS.', {
        resources: ['*', `${this.jobLogGroup.logGroupArn}:*`],
      });
    if (!fargate) {
      Acknowledge.rules(this, 'Batch EC2 compute environments need the AWS managed AmazonEC2ContainerServiceforEC2Role instance policy.', [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role]',
      ]);
    }
  }
}

/**
 * The job retry rules, in order (AWS Batch uses the first that matches, and retries when none
 * does, so the list ends with an EXIT rule):
 * 1. EC2 Spot reclaim or instance failure (`Host EC2*`): retry;
 * 2. Fargate Spot interruption (`Your Spot Task was interrupted*`, the container then often exits
 *    143): retry — before any exit-code rule, so 143 is not taken for an application error;
 * 3. the image could not be pulled (`CannotPullContainerError*`): retry;
 * 4. Fargate could not set the task up (`ResourceInitializationError*`): retry;
 * 5. anything else, the application's own errors included: exit.
 */
function retryStrategies(): batch.RetryStrategy[] {
  return [
    batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.SPOT_INSTANCE_RECLAIMED),
    batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.custom({ onStatusReason: 'Your Spot Task was interrupted*' })),
    batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.custom({ onReason: 'CannotPullContainerError*' })),
    batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.custom({ onStatusReason: 'ResourceInitializationError*' })),
    batch.RetryStrategy.of(batch.Action.EXIT, batch.Reason.custom({ onReason: '*' })),
  ];
}

function validate(scope: Construct, r: ResolvedAnalysisPipelineProps): void {
  const v = new PropsValidator(scope, 'AnalysisPipeline');
  const memoryMiB = r.memory.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
  if (r.fargate && !Token.isUnresolved(r.vcpus) && !Token.isUnresolved(memoryMiB)) {
    const problem = fargatePairProblem(r.vcpus, memoryMiB);
    v.check(problem === undefined, 'vcpus/memory', `${r.vcpus} vCPU / ${memoryMiB} MiB`, problem ?? '');
  }
  if (!r.fargate) {
    v.checkNumber(r.vcpus, 'vcpus', (n) => Number.isInteger(n) && n >= 1, 'EC2 jobs take a whole number of vCPUs, at least 1.');
    v.checkNumber(memoryMiB, 'memory (MiB)', (n) => n >= 512, 'give EC2 jobs at least 512 MiB.');
  }
  v.checkNumber(r.maxVcpus, 'maxVcpus', (n) => n >= r.vcpus,
    `must be at least the ${r.vcpus} vCPU of one job, or no job could ever start.`);
  if (r.escalation) {
    v.checkNumber(r.onDemandMaxVcpus, 'onDemandMaxVcpus', (n) => n >= r.vcpus,
      `must be at least the ${r.vcpus} vCPU of one job, or escalated jobs could never start.`);
    v.checkNumber(r.spotWaitTimeout.toMinutes({ integral: false }), 'spotWaitTimeout (minutes)', (n) => n >= 10 && n <= 1440,
      'AWS Batch acts on jobs waiting from 10 minutes to 24 hours.');
  }
  if (r.fargate) {
    const ephemeralGiB = r.ephemeral.toMebibytes({ rounding: SizeRoundingBehavior.NONE }) / 1024;
    v.checkNumber(ephemeralGiB, r.ephemeralGiven ? 'ephemeralStorageSize (GiB)' : 'largestExpectedFileSize x 3 (GiB)',
      (n) => n >= 21 && n <= 200,
      r.ephemeralGiven
        ? 'Fargate ephemeral storage is 21 to 200 GiB.'
        : 'three times the largest file must fit in 200 GiB of Fargate ephemeral storage; use computeType EC2 for larger files.');
  }
  v.checkNumber(r.largestFile.toMebibytes({ rounding: SizeRoundingBehavior.NONE }), 'largestExpectedFileSize (MiB)', (n) => n > 0, 'give the size of the largest raw file you expect.');
  v.checkNumber(r.filesPerTask, 'filesPerTask', (n) => Number.isInteger(n) && n >= 1 && n <= 1000,
    'use a whole number from 1 to 1000 (the execution input schema allows the same).');
  v.checkNumber(r.attemptTimeout.toSeconds(), 'attemptTimeout (seconds)', (n) => n >= 60,
    'AWS Batch needs an attempt timeout of at least 60 seconds.');
  v.checkNumber(r.retryAttempts, 'retryAttempts', (n) => Number.isInteger(n) && n >= 1 && n <= 10,
    'AWS Batch allows 1 to 10 attempts.');
  v.checkNumber(r.analysisTimeout.toSeconds(), 'analysisTimeout (seconds)', (n) => n >= 300 && n <= 31536000,
    'use 5 minutes to 1 year (a standard workflow runs at most one year).');
  v.checkNumber(r.analysisTimeout.toSeconds(), 'analysisTimeout (seconds)', (n) => n > r.attemptTimeout.toSeconds(),
    'must be longer than attemptTimeout, or no analysis could finish one job attempt.');
  v.checkNumber(r.maxConcurrentChunks, 'maxConcurrentChunks', (n) => Number.isInteger(n) && n >= 1 && n <= 1000,
    `use 1 to 1000 chunks (of ${CHUNK_SIZE} files) at a time.`);
  v.throwIfInvalid();
}

/**
 * The rates the roll-up prices an analysis with: the job's Fargate task size at the price table's
 * Fargate (Spot) prices for the stack's region. None (the analysis' cost is then null) on EC2,
 * when the region is unknown at synth, or when the table has no prices for it.
 */
function rollupCostRates(stack: Stack, fargate: boolean, vcpus: number, memory: Size): RollupCostRates | undefined {
  const region = stack.region;
  const table = PriceTable.DEFAULT;
  const memoryMiB = memory.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
  if (!fargate || Token.isUnresolved(region) || Token.isUnresolved(vcpus) || Token.isUnresolved(memoryMiB)) return undefined;
  if (!table.has('FargateVcpuHour', region) || !table.has('FargateGbHour', region)) return undefined;
  const vcpuHour = table.price('FargateVcpuHour', region);
  const gbHour = table.price('FargateGbHour', region);
  const spot = table.price('FargateSpotRatio', region).usd;
  const round = (n: number) => Math.round(n * 1e8) / 1e8;
  return {
    vcpu: vcpus,
    memoryGib: memoryMiB / 1024,
    onDemandVcpuHourUsd: round(vcpuHour.usd),
    onDemandGbHourUsd: round(gbHour.usd),
    spotVcpuHourUsd: round(vcpuHour.usd * spot),
    spotGbHourUsd: round(gbHour.usd * spot),
    source: `cdk-proteomics-platform price table read ${vcpuHour.readOn}, ${region}`,
  };
}
