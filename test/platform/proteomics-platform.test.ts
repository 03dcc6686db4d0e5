import { App, aws_sns as sns, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { webSignOut } from './web-sign-out';
import { PlatformStage, ProteomicsPlatform, WorkloadImage } from '../../src';
import { kubernetesObjects, manifestsNotWaitingForNamespace } from '../cluster/k8s';
import { autoModeModel, egressAllowed } from '../cluster/network-policy';
import { expectCompliant, expectNoDeployTraps, expectValidTemplates, logicalIds, newStack, VALIDATION_AS_ERRORS } from '../helpers';

type Resources = Record<string, { Type: string; Properties?: any; DependsOn?: string[] }>;

/** Every Allow statement of the policies attached to the role whose logical id matches `rolePattern`. */
function statementsOf(template: Template, rolePattern: RegExp): any[] {
  const resources = template.toJSON().Resources as Resources;
  const roleIds = Object.keys(resources).filter((id) => resources[id].Type === 'AWS::IAM::Role' && rolePattern.test(id));
  expect(roleIds.length).toBeGreaterThan(0);
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles ?? []).some((ref: any) => roleIds.includes(ref.Ref)))
    .flatMap((r) => r.Properties.PolicyDocument.Statement);
}

function actionsOf(statements: any[]): string[] {
  return [...new Set(statements.flatMap((s) => [].concat(s.Action)))].sort();
}

describe('ProteomicsPlatform with no props (hml)', () => {
  const stack = newStack();
  const platform = new ProteomicsPlatform(stack, 'Platform');
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Resources;

  test('every part is present and reachable', () => {
    expect(platform.stage).toBe(PlatformStage.HML);
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::RDS::DBCluster', 1);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.resourceCountIs('AWS::EKS::Cluster', 1);
    template.resourceCountIs('AWS::CloudFront::Distribution', 1);
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(platform.buckets.uploadsBucket).toBeDefined();
    expect(platform.pipeline.jobQueue).toBeDefined();
    expect(platform.database.cluster).toBeDefined();
    expect(platform.cluster.cluster).toBeDefined();
    expect(platform.network.vpc).toBeDefined();
  });

  test("the ALB admits only CloudFront's VPC-origin security group, not the VPC's subnets", () => {
    const albSg = Object.entries(resources).find(
      ([, r]) => r.Type === 'AWS::EC2::SecurityGroup' && String(r.Properties?.GroupDescription).startsWith('Internal ALB'),
    )!;
    expect(albSg[1].Properties.SecurityGroupIngress).toBeUndefined();
    const rules = Object.values(resources).filter(
      (r) => r.Type === 'AWS::EC2::SecurityGroupIngress' && r.Properties.GroupId?.['Fn::GetAtt']?.[0] === albSg[0],
    );
    expect(rules).toHaveLength(1);
    const source = rules[0].Properties.SourceSecurityGroupId['Fn::GetAtt'];
    expect(resources[source[0]].Type).toBe('Custom::VpcOriginSecurityGroup');
  });

  test('placeholders, and so no database bootstrap, without an API image', () => {
    expect(platform.databaseBootstrap).toBeUndefined();
  });

  test('the web client calls back to the CloudFront URL', () => {
    const client = Object.values(resources).find((r) => r.Type === 'AWS::Cognito::UserPoolClient')!;
    expect(JSON.stringify(client.Properties.CallbackURLs)).toMatch(/EdgeDistribution.*DomainName.*\/auth\/callback/);
    template.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'OPTIONAL' });
  });

  test('browsers may upload to the uploads bucket from the app\'s origin only', () => {
    const uploads = Object.values(resources).filter((r) => r.Type === 'AWS::S3::Bucket' && r.Properties?.CorsConfiguration);
    expect(uploads).toHaveLength(1);
    const origins = JSON.stringify(uploads[0].Properties.CorsConfiguration.CorsRules[0].AllowedOrigins);
    expect(origins).toMatch(/EdgeDistribution/);
  });

  test('the API may presign uploads, read results, start and describe analyses and connect to the database, and nothing more', () => {
    const statements = statementsOf(template, /ClusterApiServiceAccountRole/);
    const actions = actionsOf(statements);
    expect(actions).toEqual(expect.arrayContaining(['s3:PutObject', 's3:AbortMultipartUpload', 'states:StartExecution', 'states:DescribeExecution', 'rds-db:connect', 'kms:GenerateDataKey']));
    expect(actions.filter((a) => /^s3:(DeleteBucket|PutBucket|BypassGovernanceRetention|PutObjectRetention)/.test(a))).toEqual([]);
    expect(actions.some((a) => a === '*' || a.endsWith(':*') || a.startsWith('secretsmanager:'))).toBe(false);
    const connect = statements.find((s) => [].concat(s.Action).includes('rds-db:connect'));
    expect(JSON.stringify(connect.Resource)).toMatch(/dbuser:.*\/biotech_api/);
  });

  test('the worker reads inputs and writes results, and nothing more', () => {
    const statements = statementsOf(template, /PipelineJobRole/);
    const s3Resources = JSON.stringify(statements.filter((s) => [].concat(s.Action).some((a: string) => a.startsWith('s3:'))).map((s) => s.Resource));
    expect(s3Resources).toMatch(/\/uploads\/\*/);
    expect(s3Resources).toMatch(/\/analyses\/\*/);
    expect(actionsOf(statements).filter((a) => /^(states|rds-db|eks|iam):/.test(a))).toEqual([]);
  });

  test('every taggable resource carries project, stage and component', () => {
    const untagged: string[] = [];
    for (const [id, r] of Object.entries(resources)) {
      const tags = r.Properties?.Tags;
      if (tags === undefined) continue;
      const keys = Array.isArray(tags) ? tags.map((t: any) => t.Key) : Object.keys(tags);
      if (!['project', 'stage', 'component'].every((k) => keys.includes(k))) untagged.push(`${id} (${r.Type})`);
    }
    expect(untagged).toEqual([]);
  });

  test('outputs the app and API URLs, buckets, state machine, cluster, dashboard, database and user pool', () => {
    const outputs = Object.keys(template.toJSON().Outputs);
    for (const name of ['AppUrl', 'ApiUrl', 'UploadsBucketName', 'ResultsBucketName', 'StateMachineArn', 'ClusterName', 'DashboardUrl', 'DatabaseEndpoint', 'DatabaseSecretArn', 'UserPoolId', 'UserPoolClientId']) {
      expect(outputs.some((o) => o.startsWith(`Platform${name}`))).toBe(true);
    }
  });

  test('well under 500 resources', () => {
    expect(Object.keys(resources).length).toBeLessThan(500);
  });

  test('zero unacknowledged compliance findings', () => {
    expectCompliant(stack);
  });

  test('no deploy traps', () => {
    expectNoDeployTraps(stack);
  });

  test('logical ids are stable', () => {
    expect(logicalIds(stack)).toMatchSnapshot();
  });
});

describe('ProteomicsPlatform in prod with images', () => {
  const stack = newStack({ env: true });
  const platform = new ProteomicsPlatform(stack, 'Platform', {
    stage: PlatformStage.PROD,
    apiImage: WorkloadImage.fromRegistry('123456789012.dkr.ecr.eu-west-1.amazonaws.com/biotech-api:1.0.0'),
    webImage: WorkloadImage.fromRegistry('123456789012.dkr.ecr.eu-west-1.amazonaws.com/biotech-web:1.0.0'),
    edge: { webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/biotech/abc' },
    alarmEmail: 'oncall@biotech-x.example',
    tags: { 'cost-center': 'research' },
  });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Resources;

  test('MFA is required', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'ON' });
  });

  test('the database bootstrap job runs the API image and is applied before the API', () => {
    expect(platform.databaseBootstrap).toBeDefined();
    const manifests = Object.entries(resources).filter(([, r]) => r.Type === 'Custom::AWSCDK-EKS-KubernetesResource');
    const job = manifests.find(([id]) => /DatabaseBootstrapJob/.test(id))!;
    const manifestText = JSON.stringify(job[1].Properties.Manifest);
    expect(manifestText).toContain('biotech-api:1.0.0');
    expect(manifestText).toContain('biotech_api.bootstrap');
    const [waitId] = Object.entries(resources).find(([id, r]) => r.Type === 'Custom::AWSCDK-EKS-KubernetesObjectValue' && /DatabaseBootstrap/.test(id))!;
    const [, api] = manifests.find(([id]) => /ClusterApiWorkload/.test(id))!;
    expect(api.DependsOn).toEqual(expect.arrayContaining([waitId]));
  });

  test('every manifest applied into the app namespace (the bootstrap job included) waits for the namespace', () => {
    const ns = platform.cluster.namespace;
    expect(manifestsNotWaitingForNamespace(stack, ns)).toEqual([]);
    // The check sees the job's objects, so it would report them.
    const job = kubernetesObjects(stack).find((o) => o.object.kind === 'Job')!;
    expect(job.object.metadata.namespace).toBe(ns);
  });

  test('on EKS Auto Mode the bootstrap job and the API resolve names and reach the database port', () => {
    const objects = kubernetesObjects(stack);
    const policies = objects.map((o) => o.object).filter((o) => o.kind === 'NetworkPolicy');
    const { model, dnsIp, appPods } = autoModeModel(template, objects, platform.cluster.namespace, false);
    const pods = ['db-bootstrap', 'api'].map((name) => appPods.find((p) => p.labels['app.kubernetes.io/name'] === name)!);
    for (const pod of pods) {
      expect(egressAllowed(model, policies, pod, { ip: dnsIp, port: 53, protocol: 'UDP' })).toBe(true);
      expect(egressAllowed(model, policies, pod, { ip: '10.0.130.20', port: platform.database.port, protocol: 'TCP' })).toBe(true);
    }
  });

  test('only the bootstrap job may read the master secret; the API connects with IAM auth', () => {
    const bootstrap = actionsOf(statementsOf(template, /DatabaseBootstrapServiceAccountRole/));
    expect(bootstrap).toEqual(expect.arrayContaining(['secretsmanager:GetSecretValue', 'kms:Decrypt']));
    const api = JSON.stringify(Object.values(resources).find((r) => r.Type === 'Custom::AWSCDK-EKS-KubernetesResource' && JSON.stringify(r.Properties.Manifest).includes('DB_IAM_AUTH')));
    expect(api).toMatch(/DB_IAM_AUTH.{0,40}true/);
    expect(actionsOf(statementsOf(template, /ClusterApiServiceAccountRole/)).filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
  });

  test('managed login v2 has a branding for the web client (or the hosted pages say "Login pages unavailable")', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { ManagedLoginVersion: 2 });
    const [clientId] = Object.keys(template.findResources('AWS::Cognito::UserPoolClient'));
    template.hasResourceProperties('AWS::Cognito::ManagedLoginBranding', {
      ClientId: { Ref: clientId },
      UseCognitoProvidedValues: true,
    });
  });

  test("the web app's sign-out URL (built by the web's own code from its synthesized env) is one Cognito accepts", () => {
    const { signOutUrl, logoutUrls, origin } = webSignOut(stack, platform.url);
    expect(signOutUrl.pathname).toBe('/logout');
    expect(signOutUrl.hostname).toMatch(/\.auth\.eu-west-1\.amazoncognito\.com$/);
    expect([...signOutUrl.searchParams.keys()].sort()).toEqual(['client_id', 'logout_uri']);
    expect(signOutUrl.searchParams.get('client_id')).toMatch(/^tok-ref-platformidentityuserpoolwebclient/);
    // Cognito redirects only to a logout_uri that equals one of the client's LogoutURLs.
    expect(logoutUrls).toContain(signOutUrl.searchParams.get('logout_uri'));
    expect(signOutUrl.searchParams.get('logout_uri')).toBe(`${origin}/`);
    // The callback URL is for sign-in only.
    expect(logoutUrls.filter((u) => u.endsWith('/auth/callback'))).toEqual([]);
  });

  test('extra tags are applied', () => {
    template.hasResourceProperties('AWS::EC2::VPC', { Tags: Match.arrayWith([{ Key: 'cost-center', Value: 'research' }, { Key: 'stage', Value: 'prod' }]) });
  });

  test('alarms page by e-mail', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@biotech-x.example' });
  });

  test('well under 500 resources', () => {
    expect(Object.keys(resources).length).toBeLessThan(500);
  });

  test('zero unacknowledged compliance findings', () => {
    expectCompliant(stack);
  });

  test('no deploy traps', () => {
    expectNoDeployTraps(stack);
  });
});

describe('ProteomicsPlatform validation', () => {
  test('reserved and AWS tag keys are refused, and so are an e-mail and a topic together', () => {
    const stack = new Stack(new App(), 'Bad');
    expect(() => new ProteomicsPlatform(stack, 'Platform', {
      tags: { 'stage': 'x', 'aws:foo': 'y' },
      alarmEmail: 'a@b.example',
      alarmTopic: new sns.Topic(stack, 'Topic'),
    })).toThrow(/tags\.stage = 'x': 'stage' is set by the platform.*\n.*tags\.aws:foo = 'y': keys starting with "aws:".*\n.*alarmEmail = 'a@b\.example': give either alarmEmail/s);
  });
});

describe('ProteomicsPlatform with a CloudTrail trail', () => {
  const stack = newStack({ env: true });
  const platform = new ProteomicsPlatform(stack, 'Platform', { cloudTrail: true, edge: { webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/biotech/abc' } });
  const template = Template.fromStack(stack);

  test('a multi-region, validated, KMS-encrypted trail that also writes to CloudWatch Logs', () => {
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      KMSKeyId: Match.anyValue(),
      CloudWatchLogsLogGroupArn: Match.anyValue(),
    });
  });

  test('object-level events of the results bucket are recorded', () => {
    const trail = Object.values(template.findResources('AWS::CloudTrail::Trail'))[0] as any;
    const selectors = JSON.stringify(trail.Properties.EventSelectors);
    const resultsId = stack.getLogicalId(platform.buckets.resultsBucket.node.defaultChild as any);
    expect(selectors).toContain('AWS::S3::Object');
    expect(selectors).toContain(resultsId);
  });

  test('the trail\'s bucket and key are retained', () => {
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ BucketEncryption: Match.anyValue() }) });
    expect(platform.auditTrail).toBeDefined();
  });

  test('zero unacknowledged compliance findings and no deploy traps', () => {
    expectCompliant(stack);
    expectNoDeployTraps(stack);
  });
});

describe('ProteomicsPlatform templates pass CloudFormation validation as errors', () => {
  // Errors and warnings of the built-in validator fail the synth here, as in the example.
  test.each([['hml', PlatformStage.HML], ['prod', PlatformStage.PROD]])('%s', (_name, stage) => {
    const stack = newStack({ env: true, context: VALIDATION_AS_ERRORS });
    new ProteomicsPlatform(stack, 'Platform', { stage });
    expectValidTemplates(stack);
  });
});
