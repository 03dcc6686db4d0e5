import * as path from 'path';
import { App, Aspects, aws_ecr_assets as ecrAssets, aws_iam as iam, cx_api as cxapi, Stack, StackProps } from 'aws-cdk-lib';
import { PlatformEdgeGlobal, PlatformStage, ProteomicsPlatform, WorkloadImage } from 'cdk-proteomics-platform';
import { Construct } from 'constructs';
import { CheckovSkips } from './checkov';

/** Where a stage deploys: account and region from context or environment, with placeholders that synthesize offline. */
export interface StageTarget {
  readonly stage: PlatformStage;
  readonly account: string;
  readonly region: string;
}

/** Placeholder accounts: `cdk.context.json` holds their AZs so synth works without credentials. */
const PLACEHOLDER_ACCOUNTS: Record<string, string> = { hml: '111111111111', prod: '222222222222' };
const DEFAULT_REGION = 'sa-east-1';

/**
 * Reads a stage's target: context `biotechx:<stage>:account` / `biotechx:<stage>:region`, then
 * environment `BIOTECHX_<STAGE>_ACCOUNT` / `BIOTECHX_<STAGE>_REGION`, then the placeholders.
 */
export function stageTarget(scope: Construct, stage: PlatformStage): StageTarget {
  const upper = stage.name.toUpperCase();
  const account = scope.node.tryGetContext(`biotechx:${stage.name}:account`) ?? process.env[`BIOTECHX_${upper}_ACCOUNT`] ?? PLACEHOLDER_ACCOUNTS[stage.name];
  const region = scope.node.tryGetContext(`biotechx:${stage.name}:region`) ?? process.env[`BIOTECHX_${upper}_REGION`] ?? DEFAULT_REGION;
  return { stage, account, region };
}

/**
 * The IAM roles given cluster admin in a stage (EKS access entries): context
 * `biotechx:<stage>:adminRoleArns`, then context `adminRoleArns` (every stage), then environment
 * `BIOTECHX_<STAGE>_ADMIN_ROLE_ARNS`; comma-separated role ARNs. None by default: the cluster's
 * endpoint is private and nobody, the deploying role included, can use kubectl until one is given.
 */
export function adminRoleArns(scope: Construct, stage: PlatformStage): string[] {
  const upper = stage.name.toUpperCase();
  const sources: [string, unknown][] = [
    [`context biotechx:${stage.name}:adminRoleArns`, scope.node.tryGetContext(`biotechx:${stage.name}:adminRoleArns`)],
    ['context adminRoleArns', scope.node.tryGetContext('adminRoleArns')],
    [`environment BIOTECHX_${upper}_ADMIN_ROLE_ARNS`, process.env[`BIOTECHX_${upper}_ADMIN_ROLE_ARNS`]],
  ];
  const found = sources.find(([, value]) => value !== undefined && value !== '');
  if (!found) return [];
  const [source, value] = found;
  const arns = (Array.isArray(value) ? value.map(String) : String(value).split(',')).map((a) => a.trim()).filter((a) => a !== '');
  const bad = arns.filter((a) => !/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/.test(a));
  if (bad.length > 0) {
    throw new Error(`${source}: ${bad.map((a) => `'${a}'`).join(', ')} ${bad.length === 1 ? 'is not an IAM role ARN' : 'are not IAM role ARNs'}: ` +
      'give comma-separated role ARNs such as arn:aws:iam::123456789012:role/ops-admin (SSO roles are under role/aws-reserved/sso.amazonaws.com/).');
  }
  return arns;
}

/** CloudFront's web ACL must live in us-east-1: one small edge stack per stage. */
export class BiotechXEdgeStack extends Stack {
  public readonly edge: PlatformEdgeGlobal;

  constructor(scope: Construct, id: string, stage: PlatformStage, props: StackProps = {}) {
    super(scope, id, props);
    this.edge = new PlatformEdgeGlobal(this, 'Edge', { stage });
  }
}

const GIB = 1024 ** 3;

/**
 * biotech-X's own API settings per stage (the API's README lists them). Each scientist may hold
 * uploads in flight plus stored up to the storage quota (about twenty 50 GiB files in prod);
 * hml is for trying things, so its quota is smaller.
 */
export function apiSettings(stage: PlatformStage): { [key: string]: string } {
  return {
    MAX_STORAGE_BYTES_PER_USER: String((stage.production ? 1024 : 200) * GIB),
    MAX_SAMPLES_PER_USER: stage.production ? '1000' : '200',
  };
}

/** One biotech-X environment: the whole platform in one construct call. */
export class BiotechXStack extends Stack {
  public readonly platform: ProteomicsPlatform;

  constructor(scope: Construct, id: string, stage: PlatformStage, edge: PlatformEdgeGlobal | undefined, props: StackProps = {}) {
    super(scope, id, props);
    // biotech-X's own services, built by `cdk deploy` as content-hashed image assets.
    const image = (service: string) => WorkloadImage.fromAsset(path.join(__dirname, '..', 'services', service), {
      platform: ecrAssets.Platform.LINUX_AMD64,
    });
    const adminRoles = adminRoleArns(this, stage).map((arn, i) => iam.Role.fromRoleArn(this, `AdminRole${i + 1}`, arn, { mutable: false }));
    this.platform = new ProteomicsPlatform(this, 'Platform', {
      stage,
      apiImage: image('api'),
      apiEnvironment: apiSettings(stage),
      webImage: image('web'),
      edge: edge ? { webAclArn: edge.webAclArn } : undefined,
      adminRoles,
    });
  }
}

/**
 * CloudFormation's built-in validator runs on every synth of this app (since aws-cdk-lib 2.262);
 * these make its findings fail the synth instead of scrolling by: its errors
 * (`@aws-cdk/core:validateAgainstDefaultRules`) and its warnings, such as W9003 (a value of the
 * wrong type) (`@aws-cdk/core:strictCfnValidateErrors`). A finding that cannot be fixed is
 * acknowledged with `Validations.of(construct).acknowledge()`, on the resource, with a reason.
 */
export const VALIDATION_CONTEXT: Record<string, boolean> = {
  [cxapi.VALIDATE_AGAINST_DEFAULT_RULES]: true,
  [cxapi.STRICT_CFN_VALIDATE_ERRORS]: true,
};

/**
 * Builds the biotech-X app: `BiotechX-hml` and `BiotechX-prod`, each with its us-east-1 edge
 * stack (`BiotechX-hml-edge`, `BiotechX-prod-edge`) when the platform's region is elsewhere.
 */
export function buildApp(app: App): BiotechXStack[] {
  // Context can only be set before the first construct; an explicit value (-c key=false) wins.
  for (const [key, value] of Object.entries(VALIDATION_CONTEXT)) {
    if (app.node.tryGetContext(key) === undefined) app.node.setContext(key, value);
  }
  Aspects.of(app).add(new CheckovSkips());
  return [PlatformStage.HML, PlatformStage.PROD].map((stage) => {
    const target = stageTarget(app, stage);
    const crossRegion = target.region !== 'us-east-1';
    const edgeStack = crossRegion
      ? new BiotechXEdgeStack(app, `BiotechX-${stage.name}-edge`, stage, {
        env: { account: target.account, region: 'us-east-1' },
        description: `biotech-X CloudFront web ACL (${stage.name}); CloudFront-scope resources live in us-east-1`,
        crossRegionReferences: true,
        terminationProtection: stage.production,
      })
      : undefined;
    const stack = new BiotechXStack(app, `BiotechX-${stage.name}`, stage, edgeStack?.edge, {
      env: { account: target.account, region: target.region },
      description: `biotech-X proteomics platform (${stage.name}), deployed with cdk-proteomics-platform`,
      crossRegionReferences: crossRegion,
      terminationProtection: stage.production,
    });
    if (edgeStack) stack.addStackDependency(edgeStack);
    return stack;
  });
}
