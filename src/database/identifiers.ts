import { createHash } from 'crypto';
import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

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
