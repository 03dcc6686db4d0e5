import { Token } from 'aws-cdk-lib';

/**
 * The first minor version of each Aurora PostgreSQL major that can scale to 0 ACU and pause
 * (AWS documentation, "Aurora Serverless v2 capacity"). Every 17.x release supports it.
 */
const AUTO_PAUSE_MINIMUM: { [major: string]: number } = { 13: 15, 14: 12, 15: 7, 16: 3, 17: 0 };

/**
 * Whether an Aurora PostgreSQL version (e.g. `16.3`, `17.9`) can scale to 0 ACU.
 * Returns undefined when the version is a token or not in `major.minor` form.
 * @internal
 */
export function supportsAutoPause(fullVersion: string): boolean | undefined {
  if (Token.isUnresolved(fullVersion)) return undefined;
  const m = /^(\d+)\.(\d+)/.exec(fullVersion);
  if (!m) return undefined;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major > 17) return true;
  const minimum = AUTO_PAUSE_MINIMUM[String(major)];
  return minimum !== undefined && minor >= minimum;
}
