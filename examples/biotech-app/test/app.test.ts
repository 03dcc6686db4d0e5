import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ComplianceChecks, DeployChecks } from 'cdk-proteomics-platform';
import { buildApp } from '../src/app';

const context = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.context.json'), 'utf8'));

describe('biotech-app', () => {
  const app = new App({ context });
  const [hml, prod] = buildApp(app);

  test('one stack per stage, named BiotechX-<stage>', () => {
    expect([hml.stackName, prod.stackName]).toEqual(['BiotechX-hml', 'BiotechX-prod']);
    expect(prod.terminationProtection).toBe(true);
  });

  test('hml spans 2 AZs, prod 3 with a NAT gateway each', () => {
    Template.fromStack(hml).resourceCountIs('AWS::EC2::NatGateway', 1);
    Template.fromStack(prod).resourceCountIs('AWS::EC2::NatGateway', 3);
  });

  test.each(['hml', 'prod'])('%s has zero open compliance findings', (stage) => {
    const stack = stage === 'hml' ? hml : prod;
    const result = ComplianceChecks.check(stack);
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
