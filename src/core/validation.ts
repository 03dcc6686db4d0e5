import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Collects every problem with a construct's props, then throws once.
 *
 * Each message names the construct path, the prop, the value and the fix, so a user sees
 * all mistakes in one synth rather than one per run. Values that are unresolved tokens are
 * skipped: they are only known at deploy time.
 *
 * @internal
 */
export class PropsValidator {
  private readonly problems: string[] = [];

  constructor(private readonly scope: IConstruct, private readonly constructName: string) {}

  /** Records `message` for `prop` when `ok` is false. */
  public check(ok: boolean, prop: string, value: unknown, fix: string): void {
    if (!ok) {
      this.problems.push(`${prop} = ${describe(value)}: ${fix}`);
    }
  }

  /** Checks a number unless it is a token. */
  public checkNumber(value: number | undefined, prop: string, ok: (v: number) => boolean, fix: string): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    this.check(ok(value), prop, value, fix);
  }

  /** Throws one error listing every problem, if there is any. */
  public throwIfInvalid(): void {
    if (this.problems.length === 0) return;
    const list = this.problems.map((p) => `  - ${p}`).join('\n');
    throw new Error(`${this.constructName} at '${this.scope.node.path}' has invalid props:\n${list}`);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (value && typeof value === 'object' && 'toHumanString' in value) {
    return (value as { toHumanString(): string }).toHumanString();
  }
  return String(value);
}
