import { ArnFormat, aws_ecs as ecs, aws_iam as iam, Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { batchDecision } from './support/aws-fake';
import { build, definitionOf, resourcesOfType, TEST_IMAGE } from './support/fixture';
import { ALLOW_DESTROY_CONTEXT_KEY } from '../../src/core/removal';
import { PlatformNetwork } from '../../src/network/platform-network';
import { AnalysisPipeline } from '../../src/pipeline/analysis-pipeline';
import { PipelineComputeType } from '../../src/pipeline/analysis-pipeline-props';
import { PlatformStage } from '../../src/stage/platform-stage';
import { RetentionBuckets } from '../../src/storage/retention-buckets';
import { expectCompliant, expectNoDeployTraps, logicalIds, newStack } from '../helpers';

const SPOT = /SpotQueue/;

/** The Task that submits a job: the state itself, or, beside the Spot wait watch, the Parallel's first branch. */
function jobTask(st: any): any {
  return st.Type === 'Parallel' ? st.Branches[0].States[st.Branches[0].StartAt] : st;
}

describe('AnalysisPipeline in prod', () => {
  const { stack, pipeline, template, json } = build(PlatformStage.PROD);
  const definition = definitionOf(json);
  const states = definition.States;

  test('Fargate Spot and Fargate on-demand compute environments in private subnets', () => {
    template.resourceCountIs('AWS::Batch::ComputeEnvironment', 2);
    template.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      Type: 'managed',
      ComputeResources: Match.objectLike({ Type: 'FARGATE_SPOT', MaxvCpus: 256, Subnets: Match.arrayWith([{ Ref: Match.stringLikeRegexp('privateSubnet1') }]) }),
    });
    template.hasResourceProperties('AWS::Batch::ComputeEnvironment', { ComputeResources: Match.objectLike({ Type: 'FARGATE', MaxvCpus: 64 }) });
  });

  test('the Spot queue holds only the Spot environment; its EC2-only stuck-job cancel stays as a backstop', () => {
    const [[, spot]] = resourcesOfType(json, 'AWS::Batch::JobQueue').filter(([id]) => SPOT.test(id) && !/OnDemand/.test(id));
    expect(spot.Properties.ComputeEnvironmentOrder).toEqual([{
      ComputeEnvironment: { 'Fn::GetAtt': [resourcesOfType(json, 'AWS::Batch::ComputeEnvironment').find(([id]) => /SpotCompute/.test(id))![0], 'ComputeEnvironmentArn'] }, Order: 1,
    }]);
    expect(spot.Properties.JobStateTimeLimitActions).toEqual([{
      Action: 'CANCEL', MaxTimeSeconds: 1800, Reason: 'CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY', State: 'RUNNABLE',
    }]);
  });

  test('the on-demand queue holds only the on-demand environment (escalation is done by the state machine)', () => {
    const [[, onDemand]] = resourcesOfType(json, 'AWS::Batch::JobQueue').filter(([id]) => /OnDemandQueue/.test(id));
    expect(onDemand.Properties.ComputeEnvironmentOrder).toEqual([{
      ComputeEnvironment: { 'Fn::GetAtt': [resourcesOfType(json, 'AWS::Batch::ComputeEnvironment').find(([id]) => /OnDemandCompute/.test(id))![0], 'ComputeEnvironmentArn'] }, Order: 1,
    }]);
    expect(onDemand.Properties.JobStateTimeLimitActions).toBeUndefined();
    expect(pipeline.onDemandJobQueue).toBeDefined();
  });

  test('both queues use one fair-share scheduling policy', () => {
    template.resourceCountIs('AWS::Batch::SchedulingPolicy', 1);
    template.hasResourceProperties('AWS::Batch::SchedulingPolicy', { FairsharePolicy: { ComputeReservation: 20, ShareDecaySeconds: 900 } });
    for (const [, q] of resourcesOfType(json, 'AWS::Batch::JobQueue')) {
      expect(JSON.stringify(q.Properties.SchedulingPolicyArn)).toMatch(/PipelineFairShare/);
    }
  });

  test('the job definition: Fargate, not privileged, read-only root with a /tmp scratch volume, tags propagated', () => {
    template.hasResourceProperties('AWS::Batch::JobDefinition', {
      PlatformCapabilities: ['FARGATE'],
      PropagateTags: true,
      Timeout: { AttemptDurationSeconds: 7200 },
      ContainerProperties: Match.objectLike({
        ReadonlyRootFilesystem: true,
        MountPoints: [{ ContainerPath: '/tmp', SourceVolume: 'scratch' }],
        Volumes: [{ Host: {}, Name: 'scratch' }],
        EphemeralStorage: { SizeInGiB: 30 },
        ResourceRequirements: [{ Type: 'MEMORY', Value: '8192' }, { Type: 'VCPU', Value: '2' }],
        NetworkConfiguration: { AssignPublicIp: 'DISABLED' },
        LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
      }),
    });
    const [[, jobDef]] = resourcesOfType(json, 'AWS::Batch::JobDefinition');
    expect(JSON.stringify(jobDef)).not.toMatch(/Privileged/);
  });

  test('retry rules: Spot reclaims (EC2 and Fargate) and host failures retried, ending with EXIT, at most 5', () => {
    const [[, jobDef]] = resourcesOfType(json, 'AWS::Batch::JobDefinition');
    const rules = jobDef.Properties.RetryStrategy.EvaluateOnExit;
    expect(jobDef.Properties.RetryStrategy.Attempts).toBe(3);
    expect(rules.length).toBeLessThanOrEqual(5);
    expect(rules).toEqual([
      { Action: 'RETRY', OnStatusReason: 'Host EC2*' },
      { Action: 'RETRY', OnStatusReason: 'Your Spot Task was interrupted*' },
      { Action: 'RETRY', OnReason: 'CannotPullContainerError*' },
      { Action: 'RETRY', OnStatusReason: 'ResourceInitializationError*' },
      { Action: 'EXIT', OnReason: '*' },
    ]);
    // What Batch decides with these rules (first match wins; no match would mean RETRY).
    expect(batchDecision(rules, { statusReason: 'Your Spot Task was interrupted.', reason: 'Essential container in task exited', exitCode: 143 })).toBe('RETRY');
    expect(batchDecision(rules, { statusReason: 'Host EC2 (instance i-0abc) terminated.', reason: '' })).toBe('RETRY');
    expect(batchDecision(rules, { statusReason: 'Essential container in task exited', reason: '', exitCode: 1 })).toBe('EXIT');
    expect(batchDecision(rules, { statusReason: 'Essential container in task exited', reason: '', exitCode: 143 })).toBe('EXIT');
    expect(batchDecision(rules, { statusReason: 'Job attempt duration exceeded timeout', reason: '' })).toBe('EXIT');
  });

  test('job logs and execution logs: KMS-encrypted with the pipeline key, kept two years', () => {
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', {
      RetentionInDays: 731, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipelineKey'), 'Arn'] },
    }, 2);
  });

  test('the job role reads uploads/* and manifests/*, writes manifests/* (chunks) and analyses/*, and nothing else', () => {
    const [[, policy]] = resourcesOfType(json, 'AWS::IAM::Policy').filter(([id]) => /PipelineJobRoleDefaultPolicy/.test(id));
    const grants = policy.Properties.PolicyDocument.Statement.map((s: any) => [([] as string[]).concat(s.Action).join(','), JSON.stringify(s.Resource)]);
    const objectGrants = grants.filter(([a]: string[]) => /s3:(Get|Put)Object/.test(a)).map(([a, r]: string[]) => `${a} ${r.match(/"\/([a-z]+\/\*)"/)![1]}`);
    expect(objectGrants.sort()).toEqual(['s3:GetObject analyses/*', 's3:GetObject uploads/*', 's3:PutObject,s3:AbortMultipartUpload analyses/*', 's3:PutObject,s3:GetObject manifests/*'].sort());
    for (const [actions] of grants) expect(actions).toMatch(/^(s3:GetObject|s3:PutObject|s3:AbortMultipartUpload|s3:ListBucket|kms:Decrypt|kms:GenerateDataKey)(,|$)/);
    expect(JSON.stringify(policy)).not.toMatch(/"Resource":"\*"/);
  });

  test('the state machine: standard, logging ALL with execution data, X-Ray, encrypted with the pipeline key', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
      TracingConfiguration: { Enabled: true },
      EncryptionConfiguration: Match.objectLike({
        Type: 'CUSTOMER_MANAGED_KMS_KEY', KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipelineKey'), 'Arn'] },
      }),
    });
    expect(definition.QueryLanguage).toBe('JSONata');
    expect(definition.TimeoutSeconds).toBe(2 * 24 * 3600);
  });

  test('the key-policy condition names the state machine (a generated name would leave it empty)', () => {
    const [[, policy]] = resourcesOfType(json, 'AWS::IAM::Policy').filter(([id]) => /StateMachineRoleDefaultPolicy/.test(id));
    const kms = policy.Properties.PolicyDocument.Statement.find((s: any) => s.Condition?.StringEquals?.['kms:EncryptionContext:aws:states:stateMachineArn']);
    const arn = JSON.stringify(kms.Condition.StringEquals['kms:EncryptionContext:aws:states:stateMachineArn']);
    const [[, sm]] = resourcesOfType(json, 'AWS::StepFunctions::StateMachine');
    expect(arn).toContain(`stateMachine:${sm.Properties.StateMachineName}`);
  });

  test('states in order: validate, prepare, fan out, array job, roll-up, summary, event, end', () => {
    expect(definition.StartAt).toBe('CheckInput');
    const next = (s: string) => states[s].Next;
    expect([next('CheckInput'), states.ValidateInput.Default, next('Prepare')]).toEqual(['ValidateInput', 'Prepare', 'ChooseFanOut']);
    expect(states.ChooseFanOut.Choices.map((c: any) => [c.Condition, c.Next])).toEqual([
      ['{% $taskCount = 1 %}', 'AnalyseOneTask'], ['{% $taskCount <= 10000 %}', 'AnalyseArray'],
    ]);
    expect(states.ChooseFanOut.Default).toBe('WriteChunkManifests');
    expect([next('AnalyseArray'), next('AnalyseOneTask'), next('RollUp'), next('ReadSummary'), states.CheckSummary.Choices[0].Next, next('PublishCompletion')])
      .toEqual(['RollUp', 'RollUp', 'ReadSummary', 'CheckSummary', 'PublishCompletion', 'Finish']);
    expect(states.AnalysisCompleted.Type).toBe('Succeed');
    expect(states.AnalysisFailed.Type).toBe('Fail');
    expect(states.InputRejected).toMatchObject({ Type: 'Fail', Error: 'InvalidInput' });
  });

  test('array size wiring: ceil(fileCount / filesPerTask) on the array job, none on the single job', () => {
    expect(states.Prepare.Assign.taskCount).toBe('{% $ceil($states.input.fileCount / ($exists($states.input.filesPerTask) ? $states.input.filesPerTask : 1)) %}');
    expect(jobTask(states.AnalyseArray).Arguments.ArrayProperties).toEqual({ Size: '{% $taskCount %}' });
    expect(jobTask(states.AnalyseOneTask).Arguments.ArrayProperties).toBeUndefined();
    for (const s of ['AnalyseArray', 'AnalyseOneTask', 'RollUp', 'WriteChunkManifests']) {
      expect(jobTask(states[s]).Resource).toBe('arn:aws:states:::batch:submitJob.sync');
      expect(jobTask(states[s]).Arguments).toMatchObject({
        ShareIdentifier: '{% $shareId %}', PropagateTags: true, Tags: { analysisId: '{% $analysisId %}', sampleId: '{% $sampleId %}' },
      });
    }
  });

  test('retries with backoff on throttling, and catches that record the cause', () => {
    for (const s of ['AnalyseArray', 'AnalyseOneTask', 'RollUp', 'WriteChunkManifests', 'ReadSummary', 'PublishCompletion', 'FindSpotLosses']) {
      expect(jobTask(states[s]).Retry).toEqual([expect.objectContaining({ BackoffRate: 2, JitterStrategy: 'FULL', MaxAttempts: 6 })]);
      expect(states[s].Catch.at(-1)).toEqual(expect.objectContaining({ ErrorEquals: ['States.ALL'] }));
    }
    expect(jobTask(states.AnalyseArray).Retry[0].ErrorEquals).not.toContain('States.TaskFailed'); // a failed job is Batch's to retry
    expect(states.AnalyseArray.Catch.at(-1)).toMatchObject({ Next: 'FindSpotLosses', Assign: { cause: expect.stringContaining('$states.errorOutput') } });
    expect(states.AnalyseOneTask.Catch.at(-1).Next).toBe('ClassifyFailure');
    expect(states.RollUp.Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'RecordFailure' })]);
  });

  test('escalation: spot losses found, escalate once to the on-demand queue, back to the fan-out', () => {
    expect(states.ClassifyFailure.Choices).toEqual([{ Condition: '{% $spotLost and $not($escalated) %}', Next: 'EscalateToOnDemand' }]);
    expect(states.EscalateToOnDemand.Assign).toMatchObject({ escalated: true, queueArn: expect.stringMatching(/OnDemandQueue/) });
    expect(states.EscalateToOnDemand.Next).toBe('ChooseFanOut');
    expect(states.FindSpotLosses.Resource).toBe('arn:aws:states:::aws-sdk:batch:listJobs');
  });

  test('above 10,000 tasks: chunk manifests, then a Distributed Map over chunk indexes', () => {
    expect(states.WriteChunkManifests.Arguments.ContainerOverrides.Command).toContain("'chunk'");
    expect(states.WriteChunkManifests.Next).toBe('AnalyseChunks');
    const map = states.AnalyseChunks;
    expect(map.Type).toBe('Map');
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(map.Items).toBe('{% [0..($ceil($fileCount / 10000) - 1)] %}');
    expect(map.MaxConcurrency).toBe(10);
    expect(jobTask(map.ItemProcessor.States.AnalyseChunk).Arguments.ArrayProperties.Size).toBe('{% $chunk.arraySize %}');
    expect(map.ItemSelector.manifestUrl).toMatch(/manifests\/' & \$analysisId & '\/chunk-'/);
    // Items are integers: 1,000 chunks (10 million files) are a few kilobytes, far below 256 KiB.
    expect(JSON.stringify([...Array(1000).keys()]).length).toBeLessThan(256 * 1024 / 20);
  });

  test('the Distributed Map may describe and stop its child executions (execution:<state machine>/<map run label>:<id>)', () => {
    const label = states.AnalyseChunks.Label;
    expect(label).toBe('Chunks');
    const follow = resourcesOfType(json, 'AWS::IAM::Policy')
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
      .find((st: any) => st.Sid === 'FollowChunkExecutions');
    expect(follow.Action).toEqual(['states:DescribeExecution', 'states:StopExecution']);
    // The ARN of a child execution: the state machine's name, '/', the map run label, ':', the id.
    const resource = follow.Resource['Fn::Join'][1];
    expect(resource[resource.length - 1]).toBe(`/${label}:*`);
  });

  test('Fargate Spot escalation: each analysis job runs beside a Spot wait watch that cancels, then escalates', () => {
    for (const [st, finished, failed] of [
      [states.AnalyseArray, 'RollUp', 'FindSpotLosses'],
      [states.AnalyseOneTask, 'RollUp', 'ClassifyFailure'],
      [states.AnalyseChunks.ItemProcessor.States.AnalyseChunk, 'ChunkDone', 'ChunkFindSpotLosses'],
    ]) {
      expect(st.Type).toBe('Parallel');
      // A finished job stops the watch; a watch that cancelled escalates; anything else is a job failure.
      expect(st.Catch.map((c: any) => [c.ErrorEquals, c.Next])).toEqual([
        [['Pipeline.JobFinished'], finished],
        [['Pipeline.SpotCapacityWait'], failed === 'ChunkFindSpotLosses' ? 'ChunkClassifyFailure' : 'ClassifyFailure'],
        [['States.ALL'], failed],
      ]);
      expect(st.Catch[1].Assign.spotLost).toBe(true);
      const watch = st.Branches[1].States;
      const prefix = st.Branches[1].StartAt.replace(/WatchStart$/, '');
      expect(watch[`${prefix}WatchWait`]).toEqual({ Type: 'Wait', Seconds: 1800, Next: `${prefix}WatchFind` });
      expect(watch[`${prefix}WatchCancel`]).toMatchObject({
        Resource: 'arn:aws:states:::aws-sdk:batch:cancelJob',
        Arguments: { Reason: 'Spot capacity wait exceeded: cancelled by the analysis state machine' },
      });
      // At most analysisTimeout / spotWaitTimeout looks (2 days / 30 minutes).
      expect(watch[`${prefix}WatchMore`].Choices[0].Condition).toMatch(/< 96 %\}$/);
    }
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'TagAndStopAnalysisJobs',
          Action: ['batch:TagResource', 'batch:TerminateJob', 'batch:CancelJob'],
          Resource: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':job/\\*$')])] },
        })]),
      },
    });
  });

  test('the completion event goes to the default bus with the contract\'s source and detail-type', () => {
    const entry = states.PublishCompletion.Arguments.Entries[0];
    expect(entry).toMatchObject({ Source: 'cdk-proteomics-platform', DetailType: 'Analysis Completed' });
    expect(entry.EventBusName).toBeUndefined();
    expect(stack.resolve(pipeline.completionEventPattern)).toEqual({
      source: ['cdk-proteomics-platform'], detailType: ['Analysis Completed'], resources: [stack.resolve(pipeline.stateMachine.stateMachineArn)],
    });
    expect(entry.Resources).toEqual(['{% $states.context.StateMachine.Id %}']);
  });

  test('the state machine role: submit to its queues and job definition only, events scoped by source', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'SubmitAnalysisJobs', Action: 'batch:SubmitJob', Resource: Match.arrayWith([{ Ref: Match.stringLikeRegexp('PipelineJobDefinition') }]) }),
          Match.objectLike({ Sid: 'PublishCompletionEvents', Condition: { StringEquals: { 'events:source': 'cdk-proteomics-platform' } } }),
          Match.objectLike({ Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('DataResults'), 'Arn'] }, '/analyses/*/summary.json']] } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'StartChunkExecutions', Action: 'states:StartExecution' })]) },
    });
  });

  test('grantStartAnalysis: start and describe executions, write manifests', () => {
    const other = newStack();
    const network = new PlatformNetwork(other, 'Network');
    const pipelineHere = new AnalysisPipeline(other, 'Pipeline', { vpc: network.vpc, buckets: new RetentionBuckets(other, 'Data'), analysisImage: TEST_IMAGE });
    const role = new iam.Role(other, 'ApiRole', { assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com') });
    const grant = pipelineHere.grantStartAnalysis(role);
    const t = Template.fromStack(other).toJSON();
    const [[, policy]] = resourcesOfType(t, 'AWS::IAM::Policy').filter(([id]) => /ApiRoleDefaultPolicy/.test(id));
    // The returned grant holds every statement it added: manifests, executions and the key.
    expect(grant.success).toBe(true);
    expect(other.resolve(grant.principalStatements.map((st) => st.toStatementJson()))).toEqual(policy.Properties.PolicyDocument.Statement);
    const actions = policy.Properties.PolicyDocument.Statement.flatMap((s: any) => [].concat(s.Action));
    expect(actions).toEqual(expect.arrayContaining(['states:StartExecution', 'states:DescribeExecution', 's3:PutObject']));
    expect(actions).not.toContain('states:StopExecution');
    // The state machine is encrypted with the pipeline's key: StartExecution encrypts the input and
    // DescribeExecution (default includedData) decrypts input, output, error and cause.
    const keyId = other.getLogicalId(pipelineHere.key.node.defaultChild as any);
    const smId = other.getLogicalId(pipelineHere.stateMachine.node.defaultChild as any);
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual({
      Effect: 'Allow',
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
      Condition: {
        StringEquals: {
          'kms:EncryptionContext:aws:states:stateMachineArn': { Ref: smId },
          'kms:ViaService': { 'Fn::Join': ['', ['states.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
        },
      },
    });
  });

  test('zero unacknowledged findings in AwsSolutions, HIPAA.Security and NIST.800.53.R5', () => {
    expectCompliant(pipeline);
  });

  test('no deploy traps (the logs service may use the pipeline key)', () => {
    expectNoDeployTraps(stack);
  });
});

describe('AnalysisPipeline in hml (default)', () => {
  const { stack, pipeline, template, json } = build(PlatformStage.HML);
  const states = definitionOf(json).States;

  test('completion events reach an encrypted SQS queue with a dead-letter queue, scoped to this rule', () => {
    const queues = resourcesOfType(json, 'AWS::SQS::Queue');
    const queueId = stack.getLogicalId(pipeline.completionQueue.node.defaultChild as any);
    const dlqId = stack.getLogicalId(pipeline.completionDeadLetterQueue.node.defaultChild as any);
    const keyId = stack.getLogicalId(pipeline.key.node.defaultChild as any);
    expect(queues.map(([id]) => id).sort()).toEqual([dlqId, queueId].sort());
    for (const [, q] of queues) expect(q.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(json.Resources[queueId].Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5,
    });
    // The rule: the platform's completion events of this state machine, to the queue.
    const rules = resourcesOfType(json, 'AWS::Events::Rule');
    expect(rules).toHaveLength(1);
    const [[, rule]] = rules;
    expect(rule.Properties.EventPattern).toEqual({
      'source': ['cdk-proteomics-platform'],
      'detail-type': ['Analysis Completed'],
      'resources': [{ Ref: stack.getLogicalId(pipeline.stateMachine.node.defaultChild as any) }],
    });
    expect(rule.Properties.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } })]);
    // The rule's ARN from its known name (a reference would close a key → rule → queue → key cycle).
    const ruleArn = stack.resolve(stack.formatArn({ service: 'events', resource: 'rule', resourceName: rule.Properties.Name }));
    // Only this rule may send, and only this rule may use the key through EventBridge.
    const [[, queuePolicy]] = resourcesOfType(json, 'AWS::SQS::QueuePolicy')
      .filter(([, p]) => JSON.stringify(p.Properties.Queues) === JSON.stringify([{ Ref: queueId }]));
    expect(queuePolicy.Properties.PolicyDocument.Statement).toContainEqual({
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
      Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
    });
    // The key: EventBridge through SQS, for this queue's encryption context only (named, not referenced).
    const queueName = json.Resources[queueId].Properties.QueueName;
    expect(queueName).toMatch(/-completions$/);
    expect(json.Resources[keyId].Properties.KeyPolicy.Statement).toContainEqual({
      Sid: 'AllowCompletionRule',
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: '*',
      Condition: {
        StringEquals: {
          'kms:ViaService': 'sqs.eu-west-1.amazonaws.com',
          'kms:EncryptionContext:aws:sqs:arn': stack.resolve(stack.formatArn({ service: 'sqs', resource: queueName, arnFormat: ArnFormat.NO_RESOURCE_NAME })),
        },
      },
    });
    expect(stack.resolve(pipeline.completionQueue.queueArn)).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
  });

  test('grantConsumeCompletions: receive and delete on the queue, Decrypt through SQS for this queue only', () => {
    const ownStack = newStack({ env: true });
    const own = {
      stack: ownStack,
      pipeline: new AnalysisPipeline(ownStack, 'Pipeline', {
        vpc: new PlatformNetwork(ownStack, 'Network').vpc, buckets: new RetentionBuckets(ownStack, 'Data'), analysisImage: TEST_IMAGE,
      }),
    };
    const role = new iam.Role(own.stack, 'Consumer', { assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com') });
    const grant = own.pipeline.grantConsumeCompletions(role);
    const t = Template.fromStack(own.stack).toJSON();
    const [[, policy]] = resourcesOfType(t, 'AWS::IAM::Policy').filter(([id]) => /ConsumerDefaultPolicy/.test(id));
    expect(grant.success).toBe(true);
    expect(own.stack.resolve(grant.principalStatements.map((st) => st.toStatementJson()))).toEqual(policy.Properties.PolicyDocument.Statement);
    const queueArn = own.stack.resolve(own.pipeline.completionQueue.queueArn);
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], Resource: queueArn },
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: own.stack.resolve(own.pipeline.key.keyArn),
        Condition: { StringEquals: { 'kms:ViaService': own.stack.resolve(`sqs.${own.stack.region}.amazonaws.com`), 'kms:EncryptionContext:aws:sqs:arn': queueArn } },
      },
    ]);
  });

  test('Spot only: one compute environment, one queue, no escalation states', () => {
    template.resourceCountIs('AWS::Batch::ComputeEnvironment', 1);
    template.resourceCountIs('AWS::Batch::JobQueue', 1);
    template.hasResourceProperties('AWS::Batch::ComputeEnvironment', { ComputeResources: Match.objectLike({ Type: 'FARGATE_SPOT' }) });
    expect(pipeline.onDemandJobQueue).toBeUndefined();
    expect(states.EscalateToOnDemand).toBeUndefined();
    expect(states.AnalyseArray.Catch[0].Next).toBe('RollUp');
    const [[, queue]] = resourcesOfType(json, 'AWS::Batch::JobQueue');
    expect(queue.Properties.JobStateTimeLimitActions).toBeUndefined();
  });

  test('logs kept one month, retained by default', () => {
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, 2 + 1 /* network flow logs */);
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ Description: Match.stringLikeRegexp('Analysis pipeline') }) });
  });

  test('zero unacknowledged findings', () => {
    expectCompliant(pipeline);
  });

  test('no deploy traps', () => {
    expectNoDeployTraps(stack);
  });

  test('logical ids are stable', () => {
    expect(Object.fromEntries(Object.entries(logicalIds(stack)).filter(([id]) => id.startsWith('Pipeline')))).toMatchSnapshot();
  });
});

describe('AnalysisPipeline options', () => {
  test('the default image is built from worker/ (an image asset)', () => {
    const stack = newStack();
    const network = new PlatformNetwork(stack, 'Network');
    const buckets = new RetentionBuckets(stack, 'Data');
    new AnalysisPipeline(stack, 'Pipeline', { vpc: network.vpc, buckets });
    const [[, jobDef]] = resourcesOfType(Template.fromStack(stack).toJSON(), 'AWS::Batch::JobDefinition');
    expect(JSON.stringify(jobDef.Properties.ContainerProperties.Image)).toMatch(/cdk-hnb659fds-container-assets/);
  });

  test('EC2 compute: EC2 Spot with price-capacity-optimized allocation, an EC2 job definition, still compliant', () => {
    const { pipeline, template } = build(PlatformStage.PROD, {
      computeType: PipelineComputeType.EC2,
      vcpus: 32,
      memory: Size.gibibytes(240),
      maxVcpus: 512,
      onDemandMaxVcpus: 128,
    });
    template.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
      ComputeResources: Match.objectLike({ Type: 'SPOT', AllocationStrategy: 'SPOT_PRICE_CAPACITY_OPTIMIZED', MinvCpus: 0, MaxvCpus: 512 }),
    });
    template.hasResourceProperties('AWS::Batch::ComputeEnvironment', { ComputeResources: Match.objectLike({ Type: 'EC2', MaxvCpus: 128 }) });
    template.hasResourceProperties('AWS::Batch::JobDefinition', {
      PlatformCapabilities: ['EC2'],
      ContainerProperties: Match.objectLike({ ReadonlyRootFilesystem: true, Privileged: false }),
    });
    expectCompliant(pipeline);
  });

  test('props override the stage: escalation off in prod, custom sizes and filesPerTask', () => {
    const { template, json } = build(PlatformStage.PROD, {
      onDemandEscalation: false,
      vcpus: 4,
      memory: Size.gibibytes(16),
      filesPerTask: 20,
      ephemeralStorageSize: Size.gibibytes(100),
      attemptTimeout: Duration.minutes(30),
      retryAttempts: 5,
    });
    template.resourceCountIs('AWS::Batch::JobQueue', 1);
    template.hasResourceProperties('AWS::Batch::JobDefinition', {
      Timeout: { AttemptDurationSeconds: 1800 },
      RetryStrategy: Match.objectLike({ Attempts: 5 }),
      ContainerProperties: Match.objectLike({ EphemeralStorage: { SizeInGiB: 100 }, ResourceRequirements: [{ Type: 'MEMORY', Value: '16384' }, { Type: 'VCPU', Value: '4' }] }),
    });
    expect(definitionOf(json).States.Prepare.Assign.filesPerTask).toBe('{% $exists($states.input.filesPerTask) ? $states.input.filesPerTask : 20 %}');
  });

  test('escalation can be turned on in hml', () => {
    const { template } = build(PlatformStage.HML, { onDemandEscalation: true, spotWaitTimeout: Duration.hours(2) });
    template.resourceCountIs('AWS::Batch::JobQueue', 2);
    template.hasResourceProperties('AWS::Batch::JobQueue', { JobStateTimeLimitActions: [Match.objectLike({ MaxTimeSeconds: 7200 })] });
  });

  test('every invalid prop is reported at once, with the path, the value and the fix', () => {
    expect(() => build(PlatformStage.HML, { vcpus: 2, memory: Size.gibibytes(3), attemptTimeout: Duration.seconds(30), filesPerTask: 0 })).toThrow(
      /AnalysisPipeline at 'Test\/Pipeline' has invalid props:\n {2}- vcpus\/memory = '2 vCPU \/ 3072 MiB': with 2 vCPU, Fargate allows 4 GiB to 16 GiB.*\n {2}- filesPerTask = 0: use a whole number from 1 to 1000.*\n {2}- attemptTimeout \(seconds\) = 30: AWS Batch needs an attempt timeout of at least 60 seconds/s,
    );
  });

  test.each<[string, any, RegExp]>([
    ['a vCPU count Fargate does not offer', { vcpus: 3, memory: Size.gibibytes(8) }, /vcpus\/memory = '3 vCPU \/ 8192 MiB': Fargate allows 0.25, 0.5, 1, 2, 4, 8, 16 vCPU/],
    ['1.5 GiB with 0.25 vCPU', { vcpus: 0.25, memory: Size.mebibytes(1536) }, /with 0.25 vCPU, Fargate allows .*\(0.5, 1 or 2 GiB\)/],
    ['8 vCPU with 18 GiB (4 GiB steps)', { vcpus: 8, memory: Size.gibibytes(18) }, /with 8 vCPU, Fargate allows 16 GiB to 60 GiB of memory in steps of 4 GiB/],
    ['maxVcpus below one job', { vcpus: 4, memory: Size.gibibytes(8), maxVcpus: 2 }, /maxVcpus = 2: must be at least the 4 vCPU of one job/],
    ['onDemandMaxVcpus below one job', { onDemandEscalation: true, onDemandMaxVcpus: 1 }, /onDemandMaxVcpus = 1: must be at least the 2 vCPU/],
    ['a Spot wait under 10 minutes', { onDemandEscalation: true, spotWaitTimeout: Duration.minutes(5) }, /spotWaitTimeout \(minutes\) = 5: AWS Batch acts on jobs waiting from 10 minutes to 24 hours/],
    ['ephemeral storage above 200 GiB', { ephemeralStorageSize: Size.gibibytes(300) }, /ephemeralStorageSize \(GiB\) = 300: Fargate ephemeral storage is 21 to 200 GiB/],
    ['files too large for Fargate storage', { largestExpectedFileSize: Size.gibibytes(80) }, /largestExpectedFileSize x 3 \(GiB\) = 240: .*use computeType EC2/],
    ['filesPerTask above 1000', { filesPerTask: 1001 }, /filesPerTask = 1001/],
    ['an attempt timeout under 60 s', { attemptTimeout: Duration.seconds(59) }, /attemptTimeout \(seconds\) = 59/],
    ['11 attempts', { retryAttempts: 11 }, /retryAttempts = 11: AWS Batch allows 1 to 10 attempts/],
    ['an analysis timeout under 5 minutes', { analysisTimeout: Duration.minutes(4), attemptTimeout: Duration.minutes(1) }, /analysisTimeout \(seconds\) = 240: use 5 minutes to 1 year/],
    ['an analysis timeout shorter than one attempt', { analysisTimeout: Duration.hours(1) }, /analysisTimeout \(seconds\) = 3600: must be longer than attemptTimeout/],
    ['0 concurrent chunks', { maxConcurrentChunks: 0 }, /maxConcurrentChunks = 0: use 1 to 1000 chunks/],
    ['fractional EC2 vCPUs', { computeType: PipelineComputeType.EC2, vcpus: 0.5 }, /vcpus = 0.5: EC2 jobs take a whole number of vCPUs/],
    ['tiny EC2 memory', { computeType: PipelineComputeType.EC2, memory: Size.mebibytes(256) }, /memory \(MiB\) = 256: give EC2 jobs at least 512 MiB/],
  ])('rejects %s', (_name, props, message) => {
    expect(() => build(PlatformStage.HML, props)).toThrow(message);
  });

  test('DESTROY without the context opt-in keeps the key and log groups', () => {
    const { template } = build(PlatformStage.HML, { removalPolicy: RemovalPolicy.DESTROY });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ Description: Match.stringLikeRegexp('Analysis pipeline') }) });
  });

  test('DESTROY with the context opt-in destroys them in hml', () => {
    const { template, json } = build(PlatformStage.HML, { removalPolicy: RemovalPolicy.DESTROY }, { [ALLOW_DESTROY_CONTEXT_KEY]: true });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ Description: Match.stringLikeRegexp('Analysis pipeline') }) });
    for (const [id, r] of resourcesOfType(json, 'AWS::Logs::LogGroup')) if (id.startsWith('Pipeline')) expect(r.DeletionPolicy).toBe('Delete');
  });

  test('a custom image is used as given', () => {
    const { template } = build(PlatformStage.HML, { analysisImage: ecs.ContainerImage.fromRegistry('example.org/my-worker:2') });
    template.hasResourceProperties('AWS::Batch::JobDefinition', { ContainerProperties: Match.objectLike({ Image: 'example.org/my-worker:2' }) });
    expect(TEST_IMAGE).toBeDefined();
  });
});
