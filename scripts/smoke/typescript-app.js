// The reference synth for the language smoke tests: the same two stacks the Java and Go smoke apps
// build (ProteomicsPlatform in hml and prod, one account, us-east-1 with three AZs in context),
// synthesized from the compiled library (lib/) with Node. compare-counts.mjs holds every other
// language's cloud assembly to this one, stack by stack and resource type by resource type.
// Usage: node scripts/smoke/typescript-app.js <outdir>
const path = require('path');
const { App, Stack } = require('aws-cdk-lib');
const { PlatformStage, ProteomicsPlatform } = require(path.join(__dirname, '..', '..', 'lib'));

const outdir = process.argv[2];
if (!outdir) throw new Error('usage: node scripts/smoke/typescript-app.js <outdir>');
const env = { account: '123456789012', region: 'us-east-1' };
const app = new App({
  outdir,
  context: { 'availability-zones:account=123456789012:region=us-east-1': ['us-east-1a', 'us-east-1b', 'us-east-1c'] },
});
for (const [name, stage] of [['hml', PlatformStage.HML], ['prod', PlatformStage.PROD]]) {
  new ProteomicsPlatform(new Stack(app, `Smoke-${name}`, { env }), 'Platform', { stage });
}
app.synth();
console.log(`typescript: synthesized Smoke-hml and Smoke-prod into ${outdir}`);
