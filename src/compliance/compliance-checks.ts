import { PolicyValidationPluginReport, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { NAG_PACK_PREFIXES } from './acknowledge';

/** One finding nobody acknowledged. */
export interface ComplianceFinding {
  /** The pack that reported it (`AwsSolutions`, `HIPAA.Security`, `NIST.800.53.R5`). */
  readonly pack: string;
  /** The rule id, with the finding in brackets where the rule has several (e.g. `AwsSolutions-IAM5[Action::s3:*]`). */
  readonly ruleId: string;
  /** The construct path of the resource. */
  readonly resourcePath: string;
  /** What the rule says. */
  readonly description: string;
}

/** One acknowledged finding, with the construct it was acknowledged on and why. */
export interface ComplianceAcknowledgement {
  /** The acknowledged rule id. */
  readonly ruleId: string;
  /** The construct path the acknowledgement was recorded on (it covers its descendants). */
  readonly path: string;
  /** Why it cannot be fixed. */
  readonly reason: string;
}

/** The result of checking a construct tree. */
export interface ComplianceResult {
  /** Findings nobody acknowledged: a compliant tree has none. */
  readonly findings: ComplianceFinding[];
  /** Acknowledgements of the three packs' rules recorded in the tree. */
  readonly acknowledged: ComplianceAcknowledgement[];
}

/**
 * Reads the results of the compliance packs this library is held to: cdk-nag 3's AwsSolutions,
 * HIPAA.Security and NIST.800.53.R5.
 *
 * The library does not depend on cdk-nag (it is not a peer dependency in any language): its
 * acknowledgements are core `Validations` metadata, which cdk-nag 3 reads. Register the packs in
 * your app, where cdk-nag is your own dependency, and synth then fails on any unacknowledged
 * finding:
 *
 * ```ts fixture=bare
 * import { App, Validations } from 'aws-cdk-lib';
 * import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
 *
 * const app = new App();
 * Validations.of(app).addPlugins(new AwsSolutionsChecks(), new HIPAASecurityChecks(), new NIST80053R5Checks());
 * ```
 *
 * To list findings without a synth, run each pack's `validateScope(scope)` and pass the reports to
 * `ComplianceChecks.summarize()`.
 *
 * @example
 * declare const reports: PolicyValidationPluginReport[]; // e.g. new AwsSolutionsChecks().validateScope(stack)
 * const result = ComplianceChecks.summarize(stack, reports);
 * console.log(ComplianceChecks.format(result));
 */
export class ComplianceChecks {
  /**
   * Turns the reports of policy-validation packs run over `scope` (cdk-nag 3:
   * `pack.validateScope(scope)`) into open findings, one per violating resource, with the
   * acknowledgements recorded under `scope`. Never throws on findings.
   *
   * @param scope the construct the packs were run over (its acknowledgements are listed)
   * @param reports one report per pack
   */
  public static summarize(scope: IConstruct, reports: PolicyValidationPluginReport[]): ComplianceResult {
    const findings: ComplianceFinding[] = [];
    for (const report of reports) {
      for (const violation of report.violations) {
        for (const resource of violation.violatingResources) {
          findings.push({
            pack: ComplianceChecks.packOf(violation.ruleName),
            ruleId: violation.ruleName,
            resourcePath: resource.constructPath ?? resource.resourceLogicalId ?? '(unknown)',
            description: violation.description,
          });
        }
      }
    }
    return { findings, acknowledged: ComplianceChecks.acknowledgements(scope) };
  }

  /** Every acknowledgement of the three packs' rules recorded on `scope` and below. */
  public static acknowledgements(scope: IConstruct): ComplianceAcknowledgement[] {
    const out: ComplianceAcknowledgement[] = [];
    for (const construct of scope.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
        for (const [key, reason] of Object.entries(entry.data as Record<string, string>)) {
          const ruleId = key.replace(/^annotation::/i, '');
          if (NAG_PACK_PREFIXES.some((p) => ruleId.startsWith(p))) {
            out.push({ ruleId, path: construct.node.path, reason });
          }
        }
      }
    }
    return out;
  }

  /** A readable report: each open finding on one line, then the count of acknowledgements. */
  public static format(result: ComplianceResult): string {
    const lines = result.findings.map((f) => `  OPEN ${f.ruleId}  ${f.resourcePath}\n       ${f.description}`);
    lines.push(`${result.findings.length} open finding(s), ${result.acknowledged.length} acknowledged.`);
    return lines.join('\n');
  }

  /** The pack a rule id belongs to, from its prefix (`AwsSolutions-S1` → `AwsSolutions`). */
  private static packOf(ruleId: string): string {
    const prefix = NAG_PACK_PREFIXES.find((p) => ruleId.startsWith(p));
    return prefix ? prefix.slice(0, -1) : ruleId.split('-')[0];
  }
}
