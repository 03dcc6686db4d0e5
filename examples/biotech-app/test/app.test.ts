import * as fs from 'fs';
import * as path from 'path';
import { App, cx_api as cxapi, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ComplianceChecks, DeployChecks, PlatformStage } from 'cdk-proteomics-platform';
import { readRuntimeConfig } from '../services/web/src/lib/runtime-config';
import { buildLogoutUrl } from '../services/web/src/lib/sign-out';
import { adminRoleArns, apiSettings, buildApp, VALIDATION_CONTEXT } from '../src/app';
import { CDK_OWNED_FUNCTIONS } from '../src/checkov';
import { checkCompliance } from '../src/compliance';
import { costTableMarkdown, environmentCosts, README, withCostTable } from '../src/cost-table';

const context = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.context.json'), 'utf8'));

describe('biotech-app: CloudFormation validation findings fail the synth; no deprecated API', () => {
  test('an explicit context value still wins (-c @aws-cdk/core:strictCfnValidateErrors=false)', () => {
    const app = new App({ context: { ...context, [cxapi.STRICT_CFN_VALIDATE_ERRORS]: false } });
    buildApp(app);
    expect(app.node.tryGetContext(cxapi.STRICT_CFN_VALIDATE_ERRORS)).toBe(false);
  });

  test('every validator finding fails the synth, and building calls no deprecated API (JSII_DEPRECATED=fail)', () => {
    const before = process.env.JSII_DEPRECATED;
    process.env.JSII_DEPRECATED = 'fail';
    try {
      const app = new App({ context });
      expect(() => buildApp(app)).not.toThrow();
      // Errors (validateAgainstDefaultRules) and warnings such as W9003 (strictCfnValidateErrors).
      expect(app.node.tryGetContext(cxapi.VALIDATE_AGAINST_DEFAULT_RULES)).toBe(true);
      expect(app.node.tryGetContext(cxapi.STRICT_CFN_VALIDATE_ERRORS)).toBe(true);
      expect(Object.keys(VALIDATION_CONTEXT).sort()).toEqual([cxapi.STRICT_CFN_VALIDATE_ERRORS, cxapi.VALIDATE_AGAINST_DEFAULT_RULES].sort());
    } finally {
      if (before === undefined) delete process.env.JSII_DEPRECATED;
      else process.env.JSII_DEPRECATED = before;
    }
  });
});

describe('biotech-app', () => {
  const app = new App({ context });
  const [hml, prod] = buildApp(app);

  test('one stack per stage, named BiotechX-<stage>', () => {
    expect([hml.stackName, prod.stackName]).toEqual(['BiotechX-hml', 'BiotechX-prod']);
    expect(prod.terminationProtection).toBe(true);
  });

  test('hml has one NAT instance, prod 3 AZs with a NAT gateway each', () => {
    Template.fromStack(hml).resourceCountIs('AWS::EC2::NatGateway', 0);
    Template.fromStack(hml).resourceCountIs('AWS::EC2::Instance', 1);
    Template.fromStack(prod).resourceCountIs('AWS::EC2::NatGateway', 3);
  });

  test('each stage has a us-east-1 edge stack whose web ACL CloudFront uses', () => {
    const stacks = app.node.children.filter((c): c is Stack => Stack.isStack(c)).map((s) => `${s.stackName}@${s.region}`);
    expect(stacks).toEqual(['BiotechX-hml-edge@us-east-1', 'BiotechX-hml@sa-east-1', 'BiotechX-prod-edge@us-east-1', 'BiotechX-prod@sa-east-1']);
    Template.fromStack(prod).hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ WebACLId: Match.anyValue() }),
    });
  });

  test.each([['hml'], ['prod']])("%s: the web app's sign-out URL, built by its own code from the synthesized env, is one Cognito accepts", (stage) => {
    const stack = stage === 'hml' ? hml : prod;
    const { env, logoutUrls } = webEnvAndLogoutUrls(stack);
    // The Deployment's origin is the CloudFront URL it is served from; the env's own value wins anyway.
    const url = new URL(buildLogoutUrl(readRuntimeConfig(env), 'https://elsewhere.example')!);
    expect(url.pathname).toBe('/logout');
    expect(url.hostname).toMatch(/\.auth\.sa-east-1\.amazoncognito\.com$/);
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'logout_uri']);
    expect(logoutUrls).toContain(url.searchParams.get('logout_uri'));
    expect(url.toString()).not.toMatch(/id_token|token_hint/);
  });

  test.each([['hml'], ['prod']])('%s: the API runs with biotech-X\'s storage quota and samples cap, and the bucket\'s windows', (stage) => {
    const stack = stage === 'hml' ? hml : prod;
    const env = containerEnv(stack, 'api');
    const settings = apiSettings(stage === 'hml' ? PlatformStage.HML : PlatformStage.PROD);
    expect(env.MAX_STORAGE_BYTES_PER_USER).toBe(settings.MAX_STORAGE_BYTES_PER_USER);
    expect(env.MAX_SAMPLES_PER_USER).toBe(settings.MAX_SAMPLES_PER_USER);
    // At least one file of the API's largest size (MAX_UPLOAD_BYTES, 50 GiB) fits in the quota.
    expect(Number(env.MAX_STORAGE_BYTES_PER_USER)).toBeGreaterThanOrEqual(50 * 1024 ** 3);
    expect(env.UPLOADS_RETENTION_DAYS).toBe('365');
    expect(env.INCOMPLETE_UPLOAD_DAYS).toBe('3');
  });

  test('prod keeps its data: Object Lock on results, deletion protection on the database', () => {
    const t = Template.fromStack(prod);
    t.hasResourceProperties('AWS::S3::Bucket', { ObjectLockConfiguration: Match.objectLike({ ObjectLockEnabled: 'Enabled' }) });
    t.hasResourceProperties('AWS::RDS::DBCluster', { DeletionProtection: true });
    Template.fromStack(hml).resourcePropertiesCountIs('AWS::S3::Bucket', { ObjectLockEnabled: true }, 0);
  });

  test('every Lambda function is one of aws-cdk-lib\'s own deploy-time handlers (checkov soft-fails only those)', () => {
    const assembly = app.synth();
    for (const artifact of assembly.stacks) {
      const functions = Object.entries(artifact.template.Resources as Record<string, { Type: string }>)
        .filter(([, r]) => r.Type === 'AWS::Lambda::Function').map(([id]) => id);
      expect(functions.filter((id) => !CDK_OWNED_FUNCTIONS.test(id))).toEqual([]);
    }
  });

  test.each(['hml', 'prod'])('%s has zero open compliance findings', (stage) => {
    const stack = stage === 'hml' ? hml : prod;
    const result = checkCompliance(stack);
    expect(ComplianceChecks.format(result)).toMatch(/^0 open finding\(s\)/);
    expect(result.findings).toEqual([]);
  });

  test.each(['hml', 'prod'])('%s has no deploy traps', (stage) => {
    const stack = stage === 'hml' ? hml : prod;
    expect(DeployChecks.check(Template.fromStack(stack).toJSON())).toEqual([]);
  });

  test.each(['hml', 'prod'])('%s stays under 400 resources', (stage) => {
    const stack = stage === 'hml' ? hml : prod;
    expect(Object.keys(Template.fromStack(stack).toJSON().Resources).length).toBeLessThan(400);
  });

  test('the library is loaded by package name and shares this app\'s aws-cdk-lib', () => {
    const lib = require.resolve('cdk-proteomics-platform');
    expect(lib).not.toMatch(/examples/);
    expect(require.resolve('aws-cdk-lib', { paths: [path.dirname(lib)] })).toBe(require.resolve('aws-cdk-lib'));
  });
});

describe('cluster admins (the endpoint is private and the deploying role is no admin)', () => {
  const ADMIN = 'arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/sa-east-1/AWSReservedSSO_Admin_0123abcd';
  const accessEntries = (stack: Stack) => Object.values(Template.fromStack(stack).findResources('AWS::EKS::AccessEntry'))
    .map((r: any) => r.Properties)
    .filter((p) => (p.AccessPolicies ?? []).some((a: any) => /AmazonEKSClusterAdminPolicy/.test(JSON.stringify(a.PolicyArn))));

  test('roles from context get cluster-admin access entries in their stage only', () => {
    const app = new App({ context: { ...context, 'biotechx:prod:adminRoleArns': `${ADMIN}, arn:aws:iam::222222222222:role/oncall` } });
    const [hml, prod] = buildApp(app);
    const principals = accessEntries(prod).map((p) => p.PrincipalArn);
    expect(principals).toEqual(expect.arrayContaining([ADMIN, 'arn:aws:iam::222222222222:role/oncall']));
    expect(accessEntries(hml).map((p) => p.PrincipalArn)).not.toContain(ADMIN);
  });

  test('the environment works too, and context wins over it', () => {
    process.env.BIOTECHX_HML_ADMIN_ROLE_ARNS = 'arn:aws:iam::111111111111:role/dev-admin';
    try {
      expect(adminRoleArns(new App(), PlatformStage.HML)).toEqual(['arn:aws:iam::111111111111:role/dev-admin']);
      expect(adminRoleArns(new App({ context: { adminRoleArns: 'arn:aws:iam::111111111111:role/ctx' } }), PlatformStage.HML))
        .toEqual(['arn:aws:iam::111111111111:role/ctx']);
    } finally {
      delete process.env.BIOTECHX_HML_ADMIN_ROLE_ARNS;
    }
  });

  test('without any, no person is an admin (only the kubectl provider)', () => {
    const [hml] = buildApp(new App({ context }));
    expect(accessEntries(hml).map((p) => JSON.stringify(p.PrincipalArn))).toEqual([expect.stringMatching(/KubectlProvider|Kubectl/)]);
  });

  test('a value that is not a role ARN is a clear error naming its source', () => {
    expect(() => adminRoleArns(new App({ context: { 'biotechx:prod:adminRoleArns': 'ops-admin' } }), PlatformStage.PROD))
      .toThrow(/context biotechx:prod:adminRoleArns: 'ops-admin' is not an IAM role ARN: give comma-separated role ARNs/);
  });
});

/** CloudFormation value → string, with each Ref/GetAtt as a host-name-safe word (the same on both sides). */
function flat(value: any): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (value?.['Fn::Join']) return value['Fn::Join'][1].map(flat).join(value['Fn::Join'][0]);
  if (value?.Ref) return `tok-${String(value.Ref).toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  if (value?.['Fn::GetAtt']) return `tok-${value['Fn::GetAtt'].join('-').toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  if (typeof value?.['Fn::Sub'] === 'string') {
    return value['Fn::Sub'].replace(/\$\{([^}]*)\}/g, (_: string, t: string) => `tok-${t.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`);
  }
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

/** The web Deployment's env (from the synthesized manifest) and the web client's LogoutURLs. */
function containerEnv(stack: Stack, deployment: string): Record<string, string> {
  const objects = Object.values(Template.fromStack(stack).findResources('Custom::AWSCDK-EKS-KubernetesResource'))
    .filter((r: any) => r.Properties.Manifest !== undefined)
    .flatMap((r: any) => JSON.parse(flat(r.Properties.Manifest)) as any[]);
  const found = objects.filter((o) => o.kind === 'Deployment' && o.metadata.name === deployment);
  expect(found).toHaveLength(1);
  return Object.fromEntries(found[0].spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
}

function webEnvAndLogoutUrls(stack: Stack): { env: Record<string, string>; logoutUrls: string[] } {
  const t = Template.fromStack(stack);
  const objects = Object.values(t.findResources('Custom::AWSCDK-EKS-KubernetesResource'))
    .filter((r: any) => r.Properties.Manifest !== undefined)
    .flatMap((r: any) => JSON.parse(flat(r.Properties.Manifest)) as any[]);
  const web = objects.filter((o) => o.kind === 'Deployment' && o.metadata.name === 'web');
  expect(web).toHaveLength(1);
  const env: Record<string, string> = {};
  for (const e of web[0].spec.template.spec.containers[0].env) env[e.name] = e.value;
  const clients = Object.values(t.findResources('AWS::Cognito::UserPoolClient')) as any[];
  expect(clients).toHaveLength(1);
  return { env, logoutUrls: (clients[0].Properties.LogoutURLs ?? []).map(flat) };
}

describe("the README's cost table", () => {
  const app = new App({ context });
  buildApp(app);
  const stacks = app.node.children.filter((c): c is Stack => Stack.isStack(c));
  const costs = environmentCosts(stacks, (s) => Template.fromStack(s).toJSON());

  test('is the one the estimator computes from the synthesized stacks (npx projen cost-table rewrites it)', () => {
    const readme = fs.readFileSync(README, 'utf8');
    expect(withCostTable(readme, costTableMarkdown(costs))).toEqual(readme);
  });

  test('hml and prod at us-east-1 list prices, with sa-east-1 beside them', () => {
    const total = (stage: string, region: string) => costs.find((c) => c.stage === stage && c.region === region)!.monthlyUsd;
    expect(total('prod', 'us-east-1')).toBeLessThanOrEqual(500);
    expect(total('prod', 'sa-east-1')).toBeGreaterThan(total('prod', 'us-east-1'));
    expect(total('hml', 'us-east-1')).toBeLessThan(total('prod', 'us-east-1'));
  });
});
