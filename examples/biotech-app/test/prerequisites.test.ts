import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ComplianceChecks } from 'cdk-proteomics-platform';
import { checkCompliance } from '../src/compliance';
import { BiotechXPrerequisitesStack } from '../src/prerequisites';

const PROVIDER_ARN = 'arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com';

function synth(context: Record<string, string> = {}, props = {}) {
  const app = new App({ context });
  const stack = new BiotechXPrerequisitesStack(app, 'BiotechX-prerequisites', props);
  return { stack, template: Template.fromStack(stack) };
}

/** The role whose name ends with the environment, as it stands in the template. */
function role(template: Template, environment: string): { Properties: any } {
  const roles = template.findResources('AWS::IAM::Role', { Properties: { RoleName: `biotechx-github-deploy-${environment}` } });
  expect(Object.keys(roles)).toHaveLength(1);
  return Object.values(roles)[0] as { Properties: any };
}

describe('BiotechXPrerequisitesStack', () => {
  test('creates the GitHub OIDC provider natively (no custom-resource Lambda)', () => {
    const { template } = synth();
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.resourceCountIs('AWS::CloudFormation::CustomResource', 0);
    expect(Object.keys(template.toJSON().Resources).filter((id) => template.toJSON().Resources[id].Type.startsWith('Custom::'))).toEqual([]);
  });

  test.each(['hml', 'prod'])('the %s role trusts exactly that environment of the default repository', (environment) => {
    const { template } = synth();
    const props = role(template, environment).Properties;
    expect(props.MaxSessionDuration).toBe(3600);
    expect(props.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRoleWithWebIdentity',
      Effect: 'Allow',
      Principal: { Federated: { 'Fn::GetAtt': [expect.stringMatching(/^GithubOidcProvider/), 'Arn'] } },
      Condition: {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub': `repo:biotech-x/biotech-app:environment:${environment}`,
        },
      },
    }]);
  });

  test('the repository and environments come from context', () => {
    const { template } = synth({ 'biotechx:github:repo': 'acme/lab-app', 'biotechx:prerequisites:environments': 'prod' });
    template.resourceCountIs('AWS::IAM::Role', 1);
    expect(role(template, 'prod').Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringEquals['token.actions.githubusercontent.com:sub'])
      .toBe('repo:acme/lab-app:environment:prod');
  });

  test('each role may only assume the four CDK bootstrap roles of its account, nothing else', () => {
    const { template } = synth();
    // No inline policies, no AWS-managed policies, no permissions boundary tricks: one managed policy per role.
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 2);
    for (const environment of ['hml', 'prod']) {
      const props = role(template, environment).Properties;
      expect(props.Policies).toBeUndefined();
      expect(props.ManagedPolicyArns).toBeUndefined();
    }
    const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy')) as { Properties: any }[];
    for (const policy of policies) {
      expect(policy.Properties.Roles).toHaveLength(1);
      const statements = policy.Properties.PolicyDocument.Statement;
      expect(statements).toHaveLength(1);
      expect(statements[0].Effect).toBe('Allow');
      expect(statements[0].Action).toBe('sts:AssumeRole');
      const resources = statements[0].Resource.map((r: any) => r['Fn::Join'][1].map((p: any) => (typeof p === 'string' ? p : `<${p.Ref}>`)).join(''));
      expect(resources).toEqual(['deploy', 'file-publishing', 'image-publishing', 'lookup'].map(
        (type) => `arn:<AWS::Partition>:iam::<AWS::AccountId>:role/cdk-hnb659fds-${type}-role-<AWS::AccountId>-*`));
    }
  });

  test('a custom bootstrap qualifier is honoured', () => {
    const { template } = synth({}, { bootstrapQualifier: 'biotechx' });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Resource: Match.arrayWith([Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':role/cdk-biotechx-deploy-role-'])] })]) })] },
    });
  });

  test.each([
    ['context', { existingGithubOidcProviderArn: PROVIDER_ARN }, {}],
    ['prop', {}, { existingGithubOidcProviderArn: PROVIDER_ARN }],
  ])('an existing provider given by %s is imported, not created', (_how, context, props) => {
    const { template } = synth(context, props);
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    for (const environment of ['hml', 'prod']) {
      const statement = role(template, environment).Properties.AssumeRolePolicyDocument.Statement[0];
      expect(statement.Principal).toEqual({ Federated: PROVIDER_ARN });
      expect(statement.Condition.StringEquals['token.actions.githubusercontent.com:sub']).toBe(`repo:biotech-x/biotech-app:environment:${environment}`);
    }
    template.hasOutput('GithubOidcProviderArn', { Value: PROVIDER_ARN });
  });

  test('rejects inputs that would widen the trust', () => {
    expect(() => synth({ 'biotechx:github:repo': 'biotech-x/*' })).toThrow(/githubRepo/);
    expect(() => synth({}, { environments: ['prod:*'] })).toThrow(/environment 'prod:\*'/);
    expect(() => synth({}, { environments: [] })).toThrow(/at least one/);
    expect(() => synth({ existingGithubOidcProviderArn: 'arn:aws:iam::111111111111:oidc-provider/example.com' })).toThrow(/existingGithubOidcProviderArn/);
  });

  test('outputs each role ARN for the GitHub environment variable AWS_DEPLOY_ROLE_ARN', () => {
    const { template } = synth();
    const outputs = template.findOutputs('*');
    expect(Object.values(outputs).filter((o: any) => /AWS_DEPLOY_ROLE_ARN/.test(o.Description))).toHaveLength(2);
  });

  test.each([
    ['a new provider', {}],
    ['an existing provider', { existingGithubOidcProviderArn: PROVIDER_ARN }],
  ])('zero open compliance findings with %s, the bootstrap-role wildcards acknowledged on each policy', (_how, context) => {
    const { stack } = synth(context);
    const result = checkCompliance(stack);
    expect(ComplianceChecks.format(result)).toMatch(/^0 open finding\(s\)/);
    expect(result.findings).toEqual([]);
    // Only the wildcard findings are acknowledged: 4 bootstrap-role ARNs x 2 policies, each on its own policy.
    expect(result.acknowledged).toHaveLength(8);
    for (const ack of result.acknowledged) {
      expect(ack.ruleId).toMatch(/^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role\/cdk-hnb659fds-(deploy|file-publishing|image-publishing|lookup)-role-<AWS::AccountId>-\*\]$/);
      expect(ack.path).toMatch(/^BiotechX-prerequisites\/AssumeBootstrapRoles-(hml|prod)$/);
    }
  });
});

test('scans every CDK asset image on push in the account', () => {
  const stack = new BiotechXPrerequisitesStack(new App(), 'ScanCheck');
  Template.fromStack(stack).hasResourceProperties('AWS::ECR::RegistryScanningConfiguration', {
    ScanType: 'BASIC',
    Rules: [{ ScanFrequency: 'SCAN_ON_PUSH', RepositoryFilters: [{ Filter: 'cdk-*-container-assets-*', FilterType: 'WILDCARD' }] }],
  });
});
