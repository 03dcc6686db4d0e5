import * as fs from 'fs';
import * as path from 'path';
import { PlatformStage, ProteomicsPlatform, WorkloadImage } from '../../src';
import { kubernetesObjects } from '../cluster/k8s';
import { newStack } from '../helpers';

const RUNBOOK = path.join(__dirname, '..', '..', 'docs', 'operations', 'runbook.md');

/**
 * The SRE runbook's commands must name what the platform really deploys: every environment
 * variable, label selector, Deployment and NetworkPolicy it mentions is looked up in the
 * synthesized manifests of a platform with images (so the database bootstrap job exists).
 */
describe('the SRE runbook names what the synthesized manifests contain', () => {
  const text = fs.readFileSync(RUNBOOK, 'utf8');
  const stack = newStack({ env: true });
  const platform = new ProteomicsPlatform(stack, 'Platform', {
    stage: PlatformStage.PROD,
    apiImage: WorkloadImage.fromRegistry('123456789012.dkr.ecr.eu-west-1.amazonaws.com/biotech-api:1.0.0'),
    webImage: WorkloadImage.fromRegistry('123456789012.dkr.ecr.eu-west-1.amazonaws.com/biotech-web:1.0.0'),
    edge: { webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/biotech/abc' },
  });
  const ns = platform.cluster.namespace;
  const objects = kubernetesObjects(stack).map((o) => o.object).filter((o) => o.metadata.namespace === ns);
  const api = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'api');
  const apiEnv: Record<string, string> = Object.fromEntries(api.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
  const podLabels: Record<string, string>[] = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job').map((o) => o.spec.template.metadata.labels);
  // Upper-case words that are not environment variables: the worker's error codes (contracts/).
  const errorCodes = new Set<string>(JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'contracts', 'schemas', 'file-error.v2.schema.json'), 'utf8'))
    .properties.errorCode.enum);
  const shellVars = new Set([...text.matchAll(/\bexport ([^#\n]+)/g)].flatMap((m) => [...m[1].matchAll(/([A-Z][A-Z0-9_]*)=/g)].map((v) => v[1])));

  test('the runbook works in the platform\'s namespace', () => {
    expect(/export NS=([a-z0-9-]+)/.exec(text)![1]).toBe(ns);
  });

  test('every environment variable it names is in the API container, with the value it states', () => {
    const named = new Map<string, string | undefined>();
    for (const m of text.matchAll(/os\.environ\['([A-Z0-9_]+)'\]/g)) named.set(m[1], undefined);
    for (const m of text.matchAll(/`([^`\n]+)`/g)) {
      for (const part of m[1].split(':')) {
        const kv = /^([A-Z][A-Z0-9]*_[A-Z0-9_]+)(?:=(\S+))?$/.exec(part);
        if (kv && !shellVars.has(kv[1]) && !errorCodes.has(kv[1])) named.set(kv[1], kv[2]);
      }
    }
    expect(named.size).toBeGreaterThan(0);
    const problems = [...named].filter(([name, value]) => !(name in apiEnv) || (value !== undefined && apiEnv[name] !== value))
      .map(([name, value]) => `${name}${value !== undefined ? `=${value}` : ''} (the API has ${name in apiEnv ? `${name}=${apiEnv[name]}` : 'no such variable'})`);
    expect(problems).toEqual([]);
  });

  test('every prefix it greps the pod environment for matches a variable', () => {
    const prefixes = [...text.matchAll(/-- env \| grep -E '([^']+)'/g)].flatMap((m) => m[1].split('|')).map((p) => p.replace(/^\^/, ''));
    expect(prefixes.length).toBeGreaterThan(0);
    expect(prefixes.filter((p) => !Object.keys(apiEnv).some((k) => k.startsWith(p)))).toEqual([]);
  });

  test('every label selector it uses selects pods the platform deploys', () => {
    const selectors = [...text.matchAll(/ -l ([^\s]+)/g)].map((m) => m[1]);
    expect(selectors.length).toBeGreaterThan(0);
    const unmatched = selectors.filter((sel) => !podLabels.some((labels) => sel.split(',').every((kv) => {
      const [k, v] = kv.split('=');
      return labels[k] === v;
    })));
    expect(unmatched).toEqual([]);
  });

  test('every Deployment and NetworkPolicy it names exists', () => {
    const named = [
      ...[...text.matchAll(/\bdeploy\/([a-z0-9-]+)/g)].map((m) => ['Deployment', m[1]]),
      ...[...text.matchAll(/get networkpolicy ([a-z0-9-]+)/g)].map((m) => ['NetworkPolicy', m[1]]),
    ];
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter(([kind, name]) => !objects.some((o) => o.kind === kind && o.metadata.name === name))).toEqual([]);
  });
});
