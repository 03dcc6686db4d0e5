import { App, CloudFormationValidatePlugin, cx_api as cxapi, Stack, Stage, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { ComplianceChecks, ComplianceResult, DeployChecks } from '../src';

/** An account and region with three AZs in context, so prod's 3-AZ layout can be tested. */
export const TEST_ENV = { account: '123456789012', region: 'eu-west-1' };
const AZ_CONTEXT = {
  [`availability-zones:account=${TEST_ENV.account}:region=${TEST_ENV.region}`]: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
};

/** A stack in a fresh app; with `env` it gets an explicit account/region and three AZs. */
export function newStack(options: { env?: boolean; context?: Record<string, unknown> } = {}): Stack {
  const app = new App({ context: { ...AZ_CONTEXT, ...options.context } });
  return new Stack(app, 'Test', options.env ? { env: TEST_ENV } : undefined);
}

/**
 * A fresh instance of each pack the library is held to. cdk-nag is a devDependency: the library
 * ships no cdk-nag code, users register the packs in their own app (see docs/security.md).
 */
export function compliancePacks(): NagPack[] {
  return [new AwsSolutionsChecks(), new HIPAASecurityChecks(), new NIST80053R5Checks()];
}

/** Runs the three packs over `scope` now (no synth) and reads their findings with the library. */
export function checkCompliance(scope: IConstruct): ComplianceResult {
  return ComplianceChecks.summarize(scope, compliancePacks().map((pack) => pack.validateScope(scope)));
}

/** Registers the three packs the way the README tells users to, so that synth fails on findings. */
export function registerCompliancePacks(stage: Stage): void {
  Validations.of(stage).addPlugins(...compliancePacks());
}

/** Fails with a readable report when the tree has an unacknowledged finding of the three packs. */
export function expectCompliant(scope: IConstruct): void {
  const result = checkCompliance(scope);
  if (result.findings.length > 0) {
    throw new Error(`Unacknowledged compliance findings:\n${ComplianceChecks.format(result)}`);
  }
  expect(result.findings).toEqual([]);
}

/**
 * Context that makes every finding of CloudFormation's built-in validator fail the synth, as the
 * example sets it: its errors (`@aws-cdk/core:validateAgainstDefaultRules`) and its warnings, such as
 * W9003 (a value of the wrong type) and W9009 (a deprecated property) (`@aws-cdk/core:strictCfnValidateErrors`,
 * which aws-cdk-lib sets in its own tests so that what it ships produces no warnings).
 */
export const VALIDATION_AS_ERRORS = { [cxapi.VALIDATE_AGAINST_DEFAULT_RULES]: true, [cxapi.STRICT_CFN_VALIDATE_ERRORS]: true };

/**
 * Synthesizes the stack's app with CloudFormation's built-in validator (schema and best-practice
 * rules, W9xxx/E...) on and its findings as errors, the way the example's synth runs it; unit
 * tests otherwise switch the validator off (CDK_VALIDATION=false in setup-env.ts). The stack must
 * come from `newStack({ context: VALIDATION_AS_ERRORS })`. The thrown error and the report on
 * stderr name each finding.
 */
export function expectValidTemplates(stack: Stack): void {
  const app = stack.node.root as App;
  expect(app.node.tryGetContext(cxapi.VALIDATE_AGAINST_DEFAULT_RULES)).toBe(true);
  expect(app.node.tryGetContext(cxapi.STRICT_CFN_VALIDATE_ERRORS)).toBe(true);
  // A plugin registered by the user runs even with CDK_VALIDATION=false.
  Validations.of(app).addPlugins(new CloudFormationValidatePlugin());
  expect(() => app.synth()).not.toThrow();
}

/** Fails when the stack has a deploy trap (key policies, access-log buckets). */
export function expectNoDeployTraps(stack: Stack): void {
  expect(DeployChecks.check(Template.fromStack(stack).toJSON())).toEqual([]);
}

/** Logical id → resource type, to snapshot logical-id drift (ids are public contract). */
export function logicalIds(stack: Stack): Record<string, string> {
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>;
  return Object.fromEntries(Object.entries(resources).map(([id, r]) => [id, r.Type]).sort());
}
