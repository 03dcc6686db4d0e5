import { App, Stack, StackProps } from 'aws-cdk-lib';
import { PlatformNetwork, PlatformStage } from 'cdk-proteomics-platform';
import { Construct } from 'constructs';

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

/** One biotech-X environment. */
export class BiotechXStack extends Stack {
  public readonly network: PlatformNetwork;

  constructor(scope: Construct, id: string, stage: PlatformStage, props: StackProps = {}) {
    super(scope, id, props);
    this.network = new PlatformNetwork(this, 'Network', { stage });
  }
}

/** Builds the biotech-X app: `BiotechX-hml` and `BiotechX-prod`. */
export function buildApp(app: App): BiotechXStack[] {
  return [PlatformStage.HML, PlatformStage.PROD].map((stage) => {
    const target = stageTarget(app, stage);
    return new BiotechXStack(app, `BiotechX-${stage.name}`, stage, {
      env: { account: target.account, region: target.region },
      description: `biotech-X proteomics platform (${stage.name}), deployed with cdk-proteomics-platform`,
      terminationProtection: stage.production,
    });
  });
}
