import { Aws, aws_ecr as ecr, CfnOutput, Duration, Stack, StackProps, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Acknowledge } from 'cdk-proteomics-platform';
import { Construct } from 'constructs';

/** GitHub Actions' OIDC issuer, and the audience `aws-actions/configure-aws-credentials` asks for. */
export const GITHUB_OIDC_ISSUER = 'token.actions.githubusercontent.com';
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

/** The CDK bootstrap roles a deploy from a synthesized assembly assumes (the bootstrap template's names). */
export const CDK_BOOTSTRAP_ROLE_TYPES = ['deploy', 'file-publishing', 'image-publishing', 'lookup'];

/** Context keys read by `main.ts` when `biotechx:prerequisites=true`. */
export const PREREQUISITES_CONTEXT = {
  enabled: 'biotechx:prerequisites',
  githubRepo: 'biotechx:github:repo',
  environments: 'biotechx:prerequisites:environments',
  existingProviderArn: 'existingGithubOidcProviderArn',
} as const;

const DEFAULT_GITHUB_REPO = 'biotech-x/biotech-app';
const DEFAULT_ENVIRONMENTS = ['hml', 'prod'];

export interface BiotechXPrerequisitesStackProps extends StackProps {
  /**
   * The GitHub repository that deploys, as `<org>/<repo>`.
   * @default - context `biotechx:github:repo`, else `biotech-x/biotech-app`
   */
  readonly githubRepo?: string;
  /**
   * The GitHub environments that deploy into this account: one role each.
   * @default - context `biotechx:prerequisites:environments` (comma-separated), else `hml` and `prod`
   */
  readonly environments?: string[];
  /**
   * The ARN of the account's existing GitHub OIDC provider. An account holds at most one
   * provider per issuer URL, so when another stack or team already created it, import it.
   * @default - context `existingGithubOidcProviderArn`, else a new provider is created
   */
  readonly existingGithubOidcProviderArn?: string;
  /**
   * The qualifier given to `cdk bootstrap` (`--qualifier`).
   * @default 'hnb659fds' (CDK's default)
   */
  readonly bootstrapQualifier?: string;
}

/**
 * What an administrator deploys once per AWS account, before the first pipeline run: the GitHub
 * OIDC provider and one deploy role per GitHub environment. No access keys exist anywhere.
 *
 * Each role trusts exactly one GitHub environment of one repository (`repo:<org>/<repo>:environment:<name>`),
 * so a workflow on another branch, a pull request or a fork cannot obtain it, and prod's role is
 * only reachable by jobs that passed prod's required reviewers.
 */
export class BiotechXPrerequisitesStack extends Stack {
  /** The provider's ARN (created here or imported). */
  public readonly githubOidcProviderArn: string;
  /** The deploy role of each environment, by environment name. */
  public readonly deployRoles: Record<string, iam.Role> = {};

  constructor(scope: Construct, id: string, props: BiotechXPrerequisitesStackProps = {}) {
    super(scope, id, {
      description: 'biotech-X prerequisites: GitHub OIDC provider and least-privilege deploy roles (deployed once per account by an administrator)',
      ...props,
    });
    const ctx = (key: string): string | undefined => {
      const value = this.node.tryGetContext(key);
      return value === undefined || value === null || value === '' ? undefined : String(value);
    };
    const repo = props.githubRepo ?? ctx(PREREQUISITES_CONTEXT.githubRepo) ?? DEFAULT_GITHUB_REPO;
    const environments = props.environments
      ?? ctx(PREREQUISITES_CONTEXT.environments)?.split(',').map((e) => e.trim()).filter((e) => e.length > 0)
      ?? DEFAULT_ENVIRONMENTS;
    const existingArn = props.existingGithubOidcProviderArn ?? ctx(PREREQUISITES_CONTEXT.existingProviderArn);
    const qualifier = props.bootstrapQualifier ?? 'hnb659fds';
    validate(repo, environments, existingArn, qualifier);

    if (existingArn) {
      this.githubOidcProviderArn = existingArn;
    } else {
      // The native resource: no custom-resource Lambda. AWS validates GitHub's certificate
      // against its own trusted CAs, so no thumbprint is pinned here.
      const provider = new iam.CfnOIDCProvider(this, 'GithubOidcProvider', {
        url: `https://${GITHUB_OIDC_ISSUER}`,
        clientIdList: [GITHUB_OIDC_AUDIENCE],
      });
      this.githubOidcProviderArn = provider.attrArn;
    }

    // The bootstrap roles, by type, in any region of this account (the platform stack's region
    // and us-east-1 for the edge stack). Only the four roles the CLI assumes: the CloudFormation
    // execution role (`cfn-exec-role`) is deliberately not in the list.
    const bootstrapRoleArns = CDK_BOOTSTRAP_ROLE_TYPES.map(
      (type) => `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/cdk-${qualifier}-${type}-role-${Aws.ACCOUNT_ID}-*`);

    for (const environment of environments) {
      const role = new iam.Role(this, `DeployRole-${environment}`, {
        roleName: `biotechx-github-deploy-${environment}`,
        description: `GitHub Actions deploys of ${repo}, environment ${environment}: may only assume the CDK bootstrap roles`,
        maxSessionDuration: Duration.hours(1),
        assumedBy: new iam.WebIdentityPrincipal(this.githubOidcProviderArn, {
          StringEquals: {
            [`${GITHUB_OIDC_ISSUER}:aud`]: GITHUB_OIDC_AUDIENCE,
            [`${GITHUB_OIDC_ISSUER}:sub`]: `repo:${repo}:environment:${environment}`,
          },
        }),
      });
      // Least privilege: this role deploys nothing itself. `cdk deploy` uses it only to assume
      // the bootstrap roles: the file- and image-publishing roles upload assets to the bootstrap
      // bucket and ECR repository, the lookup role reads context, and the deploy role hands the
      // template to CloudFormation, which creates the resources with the bootstrap *execution*
      // role (whose policy the administrator chose at `cdk bootstrap --cloudformation-execution-policies`).
      // A stolen GitHub token therefore gets no direct access to data, IAM or any service API.
      // A customer-managed policy rather than an inline one (HIPAA/NIST IAMNoInlinePolicy).
      const policy = new iam.ManagedPolicy(this, `AssumeBootstrapRoles-${environment}`, {
        description: `Lets the ${environment} GitHub deploy role assume this account's CDK bootstrap roles, nothing else`,
        statements: [new iam.PolicyStatement({
          sid: 'AssumeCdkBootstrapRoles',
          actions: ['sts:AssumeRole'],
          resources: bootstrapRoleArns,
        })],
        roles: [role],
      });
      Acknowledge.iamWildcards(policy,
        'The CDK bootstrap roles are named cdk-<qualifier>-<type>-role-<account>-<region>; only the region is wildcarded, '
        + 'as one account hosts the platform region and us-east-1 (edge stack). The role names are fixed by `cdk bootstrap`.',
        { resources: bootstrapRoleArns });
      this.deployRoles[environment] = role;
      new CfnOutput(this, `DeployRoleArn-${environment}`, {
        value: role.roleArn,
        description: `Set as the variable AWS_DEPLOY_ROLE_ARN of the GitHub environment '${environment}'`,
      });
    }
    new CfnOutput(this, 'GithubOidcProviderArn', { value: this.githubOidcProviderArn, description: 'The account\'s GitHub Actions OIDC provider' });

    // The images (API, web, worker) are CDK assets in the bootstrap repository, whose tags are
    // content hashes (immutable). The bootstrap template does not scan them: scan every image
    // on push in the CDK asset repositories of this account and region.
    new ecr.CfnRegistryScanningConfiguration(this, 'ScanOnPush', {
      scanType: 'BASIC',
      rules: [{
        scanFrequency: 'SCAN_ON_PUSH',
        repositoryFilters: [{ filter: 'cdk-*-container-assets-*', filterType: 'WILDCARD' }],
      }],
    });
  }
}

function validate(repo: string, environments: string[], existingArn: string | undefined, qualifier: string): void {
  const errors: string[] = [];
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repo)) {
    errors.push(`githubRepo '${repo}' must be '<org>/<repo>' (no wildcards).`);
  }
  if (environments.length === 0) errors.push('give at least one GitHub environment.');
  if (new Set(environments).size !== environments.length) errors.push(`environments repeat: ${environments.join(', ')}.`);
  for (const e of environments) {
    if (!/^[A-Za-z0-9_-]{1,40}$/.test(e)) errors.push(`environment '${e}' must be letters, digits, '-' or '_' (it becomes part of a role name and of the trusted subject).`);
  }
  if (existingArn && !Token.isUnresolved(existingArn)
    && !/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/.test(existingArn)) {
    errors.push(`existingGithubOidcProviderArn '${existingArn}' is not an ARN of the ${GITHUB_OIDC_ISSUER} provider.`);
  }
  if (!/^[a-z0-9]{1,10}$/.test(qualifier)) errors.push(`bootstrapQualifier '${qualifier}' is not a cdk bootstrap qualifier.`);
  if (errors.length > 0) throw new Error(`BiotechXPrerequisitesStack: ${errors.join(' ')}`);
}
