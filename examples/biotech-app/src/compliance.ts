/**
 * The compliance packs this deployment is held to: cdk-nag 3's AwsSolutions, HIPAA.Security and
 * NIST.800.53.R5. cdk-nag is this app's own dependency, not the library's (the library's
 * acknowledgements are core `Validations` metadata that cdk-nag reads), so the packs are
 * registered here.
 */
import { Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks } from 'cdk-nag';
import { ComplianceChecks, ComplianceResult } from 'cdk-proteomics-platform';
import { IConstruct } from 'constructs';

/** A fresh instance of each of the three packs. */
export function compliancePacks(): NagPack[] {
  return [new AwsSolutionsChecks(), new HIPAASecurityChecks(), new NIST80053R5Checks()];
}

/** Registers the three packs on an app or stage: synth then fails on any unacknowledged finding. */
export function registerCompliancePacks(stage: Stage): void {
  Validations.of(stage).addPlugins(...compliancePacks());
}

/** Runs the three packs over `scope` now (no synth, never throws) and lists what they found. */
export function checkCompliance(scope: IConstruct): ComplianceResult {
  return ComplianceChecks.summarize(scope, compliancePacks().map((pack) => pack.validateScope(scope)));
}
