import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { findObject, kubernetesObjects } from './k8s';
import { AppCluster } from '../../src/cluster/app-cluster';
import { ALLOW_DESTROY_CONTEXT_KEY } from '../../src/core/removal';
import { AuroraDatabase } from '../../src/database/aurora-database';
import { PlatformNetwork } from '../../src/network/platform-network';
import { AnalysisPipeline } from '../../src/pipeline/analysis-pipeline';
import { RetentionBuckets } from '../../src/storage/retention-buckets';
import { expectCompliant, expectNoDeployTraps, newStack } from '../helpers';

/** The statements of the role's policies, with tokens resolved to CloudFormation. */
function statementsOf(stack: Stack, roleLogicalId: string): any[] {
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((p: any) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleLogicalId }]))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

function actionsOf(statement: any): string[] {
  return ([] as string[]).concat(statement.Action);
}

function ref(stack: Stack, c: any): string {
  return stack.getLogicalId(c.node.defaultChild);
}

describe('AppCluster with the real RetentionBuckets, AuroraDatabase and AnalysisPipeline (hml, destroy opt-in)', () => {
  const stack = newStack({ context: { [ALLOW_DESTROY_CONTEXT_KEY]: true } });
  const network = new PlatformNetwork(stack, 'Network');
  const buckets = new RetentionBuckets(stack, 'Data');
  const database = new AuroraDatabase(stack, 'Database', { vpc: network.vpc });
  const pipeline = new AnalysisPipeline(stack, 'Pipeline', { vpc: network.vpc, buckets });
  const app = new AppCluster(stack, 'App', { vpc: network.vpc, buckets, database, pipeline, removalPolicy: RemovalPolicy.DESTROY });
  const template = Template.fromStack(stack);
  const roleId = ref(stack, app.apiServiceAccount.role);
  const statements = statementsOf(stack, roleId);
  const objects = kubernetesObjects(stack);

  const uploads = ref(stack, buckets.uploadsBucket);
  const results = ref(stack, buckets.resultsBucket);
  const objectsArn = (bucket: string, prefix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${prefix}`]] });

  test('the API role holds exactly the grants it needs, and nothing else', () => {
    const summary = statements.map((s) => ({ actions: actionsOf(s).sort(), resource: s.Resource }));
    const expected = [
      // presigned multipart uploads under uploads/, confirmed by listing the key (never reading it)
      { actions: ['s3:AbortMultipartUpload', 's3:ListMultipartUploadParts', 's3:PutObject'], resource: objectsArn(uploads, 'uploads/*') },
      { actions: ['s3:ListBucket'], resource: { 'Fn::GetAtt': [ref(stack, buckets.uploadsBucket), 'Arn'] } },
      // deleting the uploads of a deleted sample
      { actions: ['s3:DeleteObject'], resource: objectsArn(uploads, 'uploads/*') },
      // analysis manifests
      { actions: ['s3:GetObject', 's3:PutObject'], resource: objectsArn(uploads, 'manifests/*') },
      // results
      { actions: ['s3:GetObject'], resource: objectsArn(results, 'analyses/*') },
    ];
    for (const e of expected) expect(summary).toContainEqual(e);
    // Every action of every statement, grouped: nothing beyond this list is granted.
    const allActions = [...new Set(statements.flatMap((s) => actionsOf(s)))].sort();
    expect(allActions).toEqual([
      'kms:Decrypt',
      'kms:GenerateDataKey',
      'rds-db:connect',
      's3:AbortMultipartUpload',
      's3:DeleteObject',
      's3:GetObject',
      's3:ListBucket',
      's3:ListMultipartUploadParts',
      's3:PutObject',
      'sqs:DeleteMessage',
      'sqs:ReceiveMessage',
      'states:DescribeExecution',
      'states:StartExecution',
    ]);
  });

  test('KMS: the buckets\' keys through S3, the pipeline key through Step Functions and SQS, scoped by encryption context', () => {
    const kms = statements.filter((s) => actionsOf(s).some((a: string) => a.startsWith('kms:')));
    const key = (k: any) => ({ 'Fn::GetAtt': [ref(stack, k), 'Arn'] });
    const via = (service: string) => ({ StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', [`${service}.`, { Ref: 'AWS::Region' }, '.amazonaws.com']] } } });
    expect(kms.map((s) => ({ actions: actionsOf(s).sort(), resource: s.Resource, condition: s.Condition }))).toEqual([
      { actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resource: key(buckets.uploadsKey), condition: via('s3') },
      { actions: ['kms:Decrypt'], resource: key(buckets.resultsKey), condition: via('s3') },
      {
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resource: key(pipeline.key),
        condition: { StringEquals: { ...via('states').StringEquals, 'kms:EncryptionContext:aws:states:stateMachineArn': { Ref: ref(stack, pipeline.stateMachine) } } },
      },
      {
        actions: ['kms:Decrypt'],
        resource: key(pipeline.key),
        condition: { StringEquals: { ...via('sqs').StringEquals, 'kms:EncryptionContext:aws:sqs:arn': { 'Fn::GetAtt': [ref(stack, pipeline.completionQueue), 'Arn'] } } },
      },
    ]);
  });

  test('starts and describes executions of this state machine only', () => {
    const start = statements.find((s) => actionsOf(s).includes('states:StartExecution'));
    expect(start.Resource).toEqual({ Ref: ref(stack, pipeline.stateMachine) });
    const describe = statements.find((s) => actionsOf(s).includes('states:DescribeExecution'));
    expect(JSON.stringify(describe.Resource)).toContain(':execution:');
    expect(JSON.stringify(describe.Resource)).toContain(ref(stack, pipeline.stateMachine));
  });

  test('connects to the database as biotech_api with IAM auth and never reads the master secret', () => {
    const connect = statements.find((s) => actionsOf(s).includes('rds-db:connect'));
    expect(JSON.stringify(connect.Resource)).toMatch(/dbuser:.*\/biotech_api"/);
    expect(statements.filter((s) => actionsOf(s).some((a: string) => a.startsWith('secretsmanager:')))).toEqual([]);
  });

  test('the pods\' security group may reach the database port; the API policy allows it', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: database.port,
      GroupId: { 'Fn::GetAtt': [ref(stack, database.securityGroup), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AppCluster'), 'ClusterSecurityGroupId'] },
    });
    const api = findObject(objects, 'NetworkPolicy', 'api');
    expect(api.spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: expect.stringMatching(/GetAtt:NetworkVpc.*CidrBlock/) } }], ports: [{ protocol: 'TCP', port: database.port }] });
  });

  test('the API gets the resource names in its environment', () => {
    const env = findObject(objects, 'Deployment', 'api').spec.template.spec.containers[0].env.map((e: any) => e.name);
    expect(env).toEqual(['AWS_REGION', 'COMPLETION_QUEUE_URL', 'DB_HOST', 'DB_IAM_AUTH', 'DB_NAME', 'DB_PORT', 'DB_SSLMODE', 'DB_USER',
      'FORWARDED_ALLOW_IPS', 'INCOMPLETE_UPLOAD_DAYS', 'RESULTS_BUCKET', 'STATE_MACHINE_ARN', 'UPLOADS_BUCKET', 'UPLOADS_RETENTION_DAYS']);
  });

  test('the API trusts X-Forwarded-For only from the load balancer\'s subnets', () => {
    const env = findObject(objects, 'Deployment', 'api').spec.template.spec.containers[0].env;
    const trusted = env.find((e: any) => e.name === 'FORWARDED_ALLOW_IPS').value.split(',');
    const albSubnets = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'))
      .flatMap((lb: any) => lb.Properties.Subnets.map((s: any) => s.Ref));
    const cidrs = albSubnets.map((id: string) => template.toJSON().Resources[id].Properties.CidrBlock);
    expect(trusted.length).toBeGreaterThan(0);
    expect(trusted.sort()).toEqual([...cidrs].sort());
    expect(trusted).not.toContain('*');
  });

  test("the web app's CSP admits the buckets' own origins, not every S3 host", () => {
    const env = findObject(objects, 'Deployment', 'web').spec.template.spec.containers[0].env;
    const origins = env.find((e: any) => e.name === 'CSP_STORAGE_ORIGINS')?.value.split(' ');
    // Presigned URLs name the bucket's global host in us-east-1 and its regional host elsewhere.
    expect(origins).toEqual([
      `https://\${GetAtt:${uploads}.DomainName}`,
      `https://\${GetAtt:${uploads}.RegionalDomainName}`,
      `https://\${GetAtt:${results}.DomainName}`,
      `https://\${GetAtt:${results}.RegionalDomainName}`,
    ]);
  });

  test('the API consumes completion events from the pipeline\'s queue (polling stays the fallback)', () => {
    const env = findObject(objects, 'Deployment', 'api').spec.template.spec.containers[0].env;
    const url = env.find((e: any) => e.name === 'COMPLETION_QUEUE_URL');
    expect(url.value).toMatch(/Ref:PipelineCompletionQueue/);
    const consume = statements.find((s) => actionsOf(s).includes('sqs:ReceiveMessage'));
    expect(consume).toBeDefined();
    expect(actionsOf(consume)).toEqual(['sqs:ReceiveMessage', 'sqs:DeleteMessage']);
  });

  test('the web role stays empty', () => {
    expect(statementsOf(stack, ref(stack, app.webServiceAccount.role))).toEqual([]);
  });

  test('DESTROY with the opt-in in hml destroys the secrets key and the access-log bucket', () => {
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ Description: Match.stringLikeRegexp('Kubernetes secrets') }) });
    const logs = template.findResources('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    expect(Object.keys(logs).some((id) => id.startsWith('AppAccessLogs'))).toBe(true);
  });

  test('zero unacknowledged findings for the cluster, with the grants acknowledged by the granting constructs', () => {
    expectCompliant(app);
  });

  test('no deploy traps', () => {
    expectNoDeployTraps(stack);
  });
});
