import { Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks } from 'cdk-nag';
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
 * The compliance packs this library is held to: AwsSolutions, HIPAA.Security and NIST.800.53.R5
 * (cdk-nag 3).
 *
 * @example
 * const app = new App();
 * ComplianceChecks.register(app); // synth fails on any unacknowledged finding
 */
export class ComplianceChecks {
  /** A fresh instance of each of the three packs. */
  public static packs(): NagPack[] {
    return [new AwsSolutionsChecks(), new HIPAASecurityChecks(), new NIST80053R5Checks()];
  }

  /** Registers the three packs on an app or stage, so that synth fails on unacknowledged findings. */
  public static register(stage: Stage): void {
    Validations.of(stage).addPlugins(...ComplianceChecks.packs());
  }

  /**
   * Runs the three packs over `scope` now and returns what they found and what was acknowledged.
   * Unlike `register()`, this does not need a synth and never throws on findings.
   */
  public static check(scope: IConstruct): ComplianceResult {
    const findings: ComplianceFinding[] = [];
    for (const pack of ComplianceChecks.packs()) {
      for (const violation of pack.validateScope(scope).violations) {
        for (const resource of violation.violatingResources) {
          findings.push({
            pack: pack.name,
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
}
