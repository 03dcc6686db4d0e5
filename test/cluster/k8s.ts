import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/** A Kubernetes object parsed from a manifest custom resource, with the logical id it came from. */
export interface ParsedObject {
  readonly logicalId: string;
  readonly object: any;
}

/**
 * Renders a CloudFormation value as a string: literals as they are, `Ref` / `Fn::GetAtt` as
 * `${Ref:Id}` / `${GetAtt:Id.Attr}` placeholders (no quotes, so the JSON stays parseable).
 */
export function flatten(value: any): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (value?.['Fn::Join']) {
    const [sep, parts] = value['Fn::Join'];
    return parts.map(flatten).join(sep);
  }
  if (value?.Ref) return `\${Ref:${value.Ref}}`;
  if (value?.['Fn::GetAtt']) return `\${GetAtt:${value['Fn::GetAtt'].join('.')}}`;
  if (value?.['Fn::Select']) return `\${Select:${JSON.stringify(value['Fn::Select']).replace(/"/g, '')}}`;
  return `\${${JSON.stringify(value).replace(/"/g, '')}}`;
}

/** Every Kubernetes object of every manifest custom resource in the stack. */
export function kubernetesObjects(stack: Stack): ParsedObject[] {
  const resources = Template.fromStack(stack).findResources('Custom::AWSCDK-EKS-KubernetesResource');
  const out: ParsedObject[] = [];
  for (const [logicalId, r] of Object.entries(resources)) {
    const manifest = (r as any).Properties.Manifest;
    if (manifest === undefined) continue;
    for (const object of JSON.parse(flatten(manifest))) out.push({ logicalId, object });
  }
  return out;
}

/** The one object of `kind` named `name` (and in `namespace`, when given). */
export function findObject(objects: ParsedObject[], kind: string, name: string): any {
  const found = objects.filter((o) => o.object.kind === kind && o.object.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0].object;
}

/** Writes each object to `dir/<prefix>-<logicalId>-<n>-<kind>-<name>.json` for the schema validator. */
export function dumpObjects(objects: ParsedObject[], dir: string, prefix: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  return objects.map((o, i) => {
    const file = path.join(dir, `${prefix}-${String(i).padStart(2, '0')}-${o.object.kind}-${o.object.metadata.name}.json`);
    fs.writeFileSync(file, JSON.stringify(o.object, null, 2) + '\n');
    return file;
  });
}

/**
 * The manifest custom resources that apply an object into namespace `ns` without depending,
 * directly or through other resources' DependsOn, on the manifest that creates `ns`. The
 * aws-eks-v2 kubectl handler retries only on `i/o timeout`, so such a manifest can fail the
 * deployment when CloudFormation applies it first. Returns `<logicalId>: <kind>/<name>` lines.
 */
export function manifestsNotWaitingForNamespace(stack: Stack, ns: string): string[] {
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; DependsOn?: string | string[] }>;
  const objects = kubernetesObjects(stack);
  const creators = [...new Set(objects.filter((o) => o.object.kind === 'Namespace' && o.object.metadata.name === ns).map((o) => o.logicalId))];
  if (creators.length !== 1) throw new Error(`expected one manifest creating namespace ${ns}, found ${creators.length}`);
  const dependsOn = (id: string): string[] => [].concat((resources[id]?.DependsOn ?? []) as any);
  const reaches = (from: string, target: string): boolean => {
    const seen = new Set<string>();
    const todo = [from];
    while (todo.length > 0) {
      const id = todo.pop()!;
      for (const d of dependsOn(id)) {
        if (d === target) return true;
        if (!seen.has(d)) {
          seen.add(d);
          todo.push(d);
        }
      }
    }
    return false;
  };
  return objects
    .filter((o) => o.object.metadata.namespace === ns && o.logicalId !== creators[0] && !reaches(o.logicalId, creators[0]))
    .map((o) => `${o.logicalId}: ${o.object.kind}/${o.object.metadata.name}`);
}
