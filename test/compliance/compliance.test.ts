import { App, aws_cloudwatch as cloudwatch, Duration, aws_iam as iam, aws_kms as kms, aws_logs as logs, aws_s3 as s3, aws_sns as sns, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Acknowledge, ComplianceChecks, DeployChecks } from '../../src';
import { checkCompliance, registerCompliancePacks } from '../helpers';

/** A deliberately non-compliant bucket: no encryption choice, no logging, no TLS policy. */
function insecureBucket(stack: Stack): s3.Bucket {
  return new s3.Bucket(stack, 'Insecure', { removalPolicy: RemovalPolicy.DESTROY });
}

describe('ComplianceChecks harness', () => {
  test('finds the findings of a non-compliant resource in all three packs', () => {
    const stack = new Stack(new App(), 'Bad');
    insecureBucket(stack);
    const result = checkCompliance(stack);
    const ids = result.findings.map((f) => f.ruleId);
    expect(ids).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10', 'HIPAA.Security-S3BucketLoggingEnabled', 'NIST.800.53.R5-S3BucketLoggingEnabled']));
    expect(result.findings.every((f) => f.resourcePath === 'Bad/Insecure/Resource')).toBe(true);
    expect(ComplianceChecks.format(result)).toMatch(/OPEN AwsSolutions-S1 {2}Bad\/Insecure\/Resource/);
    // summarize() names each finding's pack from the rule id, without importing cdk-nag.
    expect(result.findings.find((f) => f.ruleId === 'HIPAA.Security-S3BucketLoggingEnabled')?.pack).toBe('HIPAA.Security');
    expect(result.findings.find((f) => f.ruleId === 'NIST.800.53.R5-S3BucketLoggingEnabled')?.pack).toBe('NIST.800.53.R5');
    expect(result.findings.find((f) => f.ruleId === 'AwsSolutions-S1')?.pack).toBe('AwsSolutions');
  });

  test('an acknowledgement removes exactly that finding and is reported with its reason', () => {
    const stack = new Stack(new App(), 'Ack');
    const bucket = insecureBucket(stack);
    const before = checkCompliance(stack).findings.length;
    Acknowledge.rules(bucket, 'Test bucket: access logging is out of scope here.', ['AwsSolutions-S1']);
    const result = checkCompliance(stack);
    expect(result.findings.map((f) => f.ruleId)).not.toContain('AwsSolutions-S1');
    expect(result.findings).toHaveLength(before - 1);
    expect(result.acknowledged).toEqual([
      { ruleId: 'AwsSolutions-S1', path: 'Ack/Insecure', reason: 'Test bucket: access logging is out of scope here.' },
    ]);
  });

  test('an acknowledgement without a real reason is refused', () => {
    const stack = new Stack(new App(), 'NoReason');
    expect(() => Acknowledge.rules(insecureBucket(stack), 'ok', ['AwsSolutions-S1'])).toThrow(/give a real reason/);
  });

  test('the packs registered as the README shows make synth fail on an unacknowledged finding', () => {
    const app = new App();
    insecureBucket(new Stack(app, 'Registered'));
    registerCompliancePacks(app);
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
  });
});

describe('Acknowledge.iamWildcards', () => {
  test('computes the exact granular IAM5 ids cdk-nag reports, with this stack\'s logical ids', () => {
    const stack = new Stack(new App(), 'Grants');
    const bucket = new s3.Bucket(stack, 'Uploads');
    const role = new iam.Role(stack, 'Worker', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    bucket.grantRead(role, 'uploads/*');

    const reported = new AwsSolutionsChecks().validateScope(stack).violations.map((v) => v.ruleName).filter((id) => id.startsWith('AwsSolutions-IAM5'));
    expect(reported).toEqual(expect.arrayContaining([
      'AwsSolutions-IAM5[Action::s3:GetObject*]',
      'AwsSolutions-IAM5[Action::s3:List*]',
      `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket)}.Arn>/uploads/*]`,
    ]));

    Acknowledge.iamWildcards(role, 'The worker reads every object under the uploads/ prefix.', {
      actions: ['s3:GetObject*', 's3:GetBucket*', 's3:List*'],
      resources: [bucket.arnForObjects('uploads/*')],
    });
    const after = new AwsSolutionsChecks().validateScope(stack).violations.map((v) => v.ruleName);
    expect(after.filter((id) => id.startsWith('AwsSolutions-IAM5'))).toEqual([]);
  });

  test('acknowledges nothing broader than asked: another prefix stays open', () => {
    const stack = new Stack(new App(), 'Narrow');
    const bucket = new s3.Bucket(stack, 'Uploads');
    const role = new iam.Role(stack, 'Worker', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    bucket.grantRead(role, 'other/*');
    Acknowledge.iamWildcards(role, 'Only uploads/ is acknowledged in this test.', { resources: [bucket.arnForObjects('uploads/*')] });
    const open = new AwsSolutionsChecks().validateScope(stack).violations.map((v) => v.ruleName);
    expect(open.some((id) => id.includes('/other/*'))).toBe(true);
  });
});

describe('DeployChecks', () => {
  test('flags a KMS-encrypted log group whose key does not admit the logs service', () => {
    const stack = new Stack(new App(), 'Logs');
    new logs.LogGroup(stack, 'Group', { encryptionKey: new kms.Key(stack, 'Key') });
    const problems = DeployChecks.check(Template.fromStack(stack).toJSON());
    expect(problems).toHaveLength(1);
    expect(problems[0].problem).toMatch(/does not allow the service principal 'logs'/);
  });

  test('passes once the key policy admits logs.<region>.amazonaws.com', () => {
    const stack = new Stack(new App(), 'LogsOk');
    const key = new kms.Key(stack, 'Key');
    key.grantEncryptDecrypt(new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`));
    new logs.LogGroup(stack, 'Group', { encryptionKey: key });
    expect(DeployChecks.check(Template.fromStack(stack).toJSON())).toEqual([]);
  });

  test('flags an encrypted topic that alarms publish to without cloudwatch in the key policy', () => {
    const stack = new Stack(new App(), 'Topic');
    const topic = new sns.Topic(stack, 'Alarms', { masterKey: new kms.Key(stack, 'Key') });
    new cloudwatch.Alarm(stack, 'Alarm', {
      metric: new cloudwatch.Metric({ namespace: 'X', metricName: 'Y' }),
      threshold: 1,
      evaluationPeriods: 1,
    }).addAlarmAction({ bind: () => ({ alarmActionArn: topic.topicArn }) });
    const problems = DeployChecks.check(Template.fromStack(stack).toJSON());
    expect(problems.map((p) => p.problem)).toEqual([expect.stringMatching(/'cloudwatch'/)]);
  });

  test('flags an access-log target bucket that is SSE-KMS or has Object Lock retention', () => {
    const stack = new Stack(new App(), 'AccessLogs');
    const target = new s3.Bucket(stack, 'LogTarget', {
      encryption: s3.BucketEncryption.KMS,
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.governance(Duration.days(1)),
    });
    new s3.Bucket(stack, 'Data', { serverAccessLogsBucket: target });
    const problems = DeployChecks.check(Template.fromStack(stack).toJSON()).map((p) => p.problem);
    expect(problems).toEqual([expect.stringMatching(/not encrypted with SSE-S3/), expect.stringMatching(/Object Lock default retention/)]);
  });

  test('an SSE-S3 access-log target passes', () => {
    const stack = new Stack(new App(), 'AccessLogsOk');
    const target = new s3.Bucket(stack, 'LogTarget', { encryption: s3.BucketEncryption.S3_MANAGED });
    new s3.Bucket(stack, 'Data', { serverAccessLogsBucket: target });
    expect(DeployChecks.check(Template.fromStack(stack).toJSON())).toEqual([]);
  });
});
