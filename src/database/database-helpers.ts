import { createHash } from 'crypto';
import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

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

/**
 * A stable cluster identifier: the construct id (sanitized) plus a hash of the stack name and the
 * construct path, at most 63 characters. Two stacks with the same construct paths but different
 * stack names get different identifiers.
 * @internal
 */
export function defaultClusterIdentifier(scope: IConstruct): string {
  const stack = Stack.of(scope);
  const stackName = Token.isUnresolved(stack.stackName) ? stack.node.path : stack.stackName;
  const hash = createHash('sha256').update(`${stackName}/${scope.node.path}`).digest('hex').slice(0, 8);
  const base = `${stackName}-${scope.node.id}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
    .slice(0, 63 - hash.length - 1)
    .replace(/-+$/, '');
  return `${base || 'db'}-${hash}`;
}

/** True for a valid RDS cluster identifier. @internal */
export function isValidClusterIdentifier(id: string): boolean {
  return /^[a-z](?!.*--)[a-z0-9-]{0,62}$/.test(id) && !id.endsWith('-');
}

/** True for a PostgreSQL identifier the way RDS accepts it for names. @internal */
export function isValidPgIdentifier(name: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(name);
}
