/**
 * The README's main job: synthesize every stack into cdk.out with CloudFormation's built-in
 * validation on and the three cdk-nag packs registered, then print one line per stack.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { ComplianceChecks, CostEstimator } from 'cdk-proteomics-platform';
import { buildApp } from './app';
import { checkCompliance, registerCompliancePacks } from './compliance';
import { COST_REGIONS, environmentCosts } from './cost-table';

function main(): void {
  const started = Date.now();
  delete process.env.CDK_VALIDATION; // the built-in validator stays on here: it is a real check
  const outdir = path.join(__dirname, '..', 'cdk.out');
  fs.rmSync(outdir, { recursive: true, force: true });
  const app = new App({ outdir, context: JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.context.json'), 'utf8')) });
  buildApp(app);
  const reports = app.node.findAll().filter((c): c is Stack => Stack.isStack(c)).map((stack) => ({ stack, result: checkCompliance(stack) }));
  registerCompliancePacks(app);
  const assembly = app.synth(); // throws on any unacknowledged finding or CloudFormation validation error

  const rows = reports.map(({ stack, result }) => {
    const artifact = assembly.getStackByName(stack.stackName);
    const template = artifact.template as { Resources?: object; Outputs?: Record<string, unknown> };
    // Assets live in the stack's asset manifest (`<stack>.assets.json`): files and container images.
    const manifestFile = path.join(outdir, `${artifact.id}.assets.json`);
    const manifest = fs.existsSync(manifestFile) ? JSON.parse(fs.readFileSync(manifestFile, 'utf8')) : {};
    const assets = Object.keys(manifest.files ?? {}).filter((k) => !k.startsWith('current_account')).length
      + Object.keys(manifest.dockerImages ?? {}).length
      - 1; // the template itself is listed as a file asset
    return {
      stack: stack.stackName,
      env: `${stack.account}/${stack.region}`,
      resources: Object.keys(template.Resources ?? {}).length,
      assets,
      compliance: result.findings.length === 0 ? 'pass' : 'FAIL',
      open: result.findings.length,
      acknowledged: result.acknowledged.length,
      outputs: Object.keys(template.Outputs ?? {}).length,
      ...Object.fromEntries(COST_REGIONS.map((region) => [
        `USD/month ${region}`,
        Math.round(CostEstimator.estimate(template, { region }).monthlyUsd),
      ])),
    };
  });
  console.log(`Synthesized ${rows.length} stacks into ${path.relative(process.cwd(), outdir) || outdir} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.table(rows);

  // The estimated fixed monthly cost of each environment (platform + edge stack), line by line.
  const stacks = reports.map(({ stack }) => stack);
  const costs = environmentCosts(stacks, (stack) => assembly.getStackByName(stack.stackName).template);
  for (const env of costs) {
    console.log(`\n${env.stage} at ${env.region} list prices: about $${env.monthlyUsd.toFixed(2)} a month, fixed`);
    for (const { name, estimate } of env.stacks) console.log(`${name}\n${CostEstimator.format(estimate)}`);
  }
  const open = rows.reduce((n, r) => n + r.open, 0);
  if (open > 0) {
    for (const { result } of reports) console.log(ComplianceChecks.format(result));
    process.exitCode = 1;
  }
}

main();
