import { App } from 'aws-cdk-lib';
import { buildApp } from './app';
import { registerCompliancePacks } from './compliance';
import { BiotechXPrerequisitesStack, PREREQUISITES_CONTEXT } from './prerequisites';

// `cdk synth` / `cdk deploy` entry point: the three compliance packs are registered, so any
// unacknowledged finding stops the synth.
const app = new App();
buildApp(app);
// The one-time per-account stack (OIDC provider + deploy roles) exists only when asked for, so the
// normal synth, the summary and the pipeline never see it: `-c biotechx:prerequisites=true`.
if (String(app.node.tryGetContext(PREREQUISITES_CONTEXT.enabled)) === 'true') {
  new BiotechXPrerequisitesStack(app, 'BiotechX-prerequisites', { terminationProtection: true });
}
registerCompliancePacks(app);
app.synth();
