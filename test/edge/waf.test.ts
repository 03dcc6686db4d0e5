import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SIZE_RESTRICTIONS_BODY_LABEL as EVALUATOR_LABEL, WafRequest, WebAclEvaluator } from './waf-evaluator';
import { AppCluster } from '../../src/cluster/app-cluster';
import { LARGE_BODY_API_PATHS, nonNegativeIntegerAtMost, SIZE_RESTRICTIONS_BODY_LABEL } from '../../src/core/web-acl';
import { PlatformEdgeGlobal } from '../../src/edge/platform-edge-global';
import { PlatformNetwork } from '../../src/network/platform-network';

const ACCOUNT = '123456789012';
const API_DIR = path.join(__dirname, '..', '..', 'examples', 'biotech-app', 'services', 'api', 'biotech_api');
const KB = 1024;
const SAMPLE = 'smp-0123456789abcdef0123';
const FILE = 'fil-0123456789abcdef0123';

/** The `Properties` of the one web ACL of `scope` in `stack`. */
function webAclOf(stack: Stack, scope: 'CLOUDFRONT' | 'REGIONAL'): any {
  const acls = Object.values(Template.fromStack(stack).findResources('AWS::WAFv2::WebACL')).map((r: any) => r.Properties).filter((p) => p.Scope === scope);
  expect(acls).toHaveLength(1);
  return acls[0];
}

/** A request as it reaches WAF: JSON bodies from a browser carry Content-Length. */
function post(uriPath: string, bodyBytes: number, extra: Partial<WafRequest> = {}): WafRequest {
  return {
    method: 'POST',
    uriPath,
    headers: { 'content-type': 'application/json', 'content-length': String(bodyBytes), 'x-forwarded-for': '198.51.100.7' },
    bodyBytes,
    sourceIp: '10.0.128.15',
    ...extra,
  };
}

const COMPLETE = `/api/samples/${SAMPLE}/files/${FILE}/complete`;
const REGISTER = `/api/samples/${SAMPLE}/files`;

/** The web ACLs to check: CloudFront's (PlatformEdgeGlobal, us-east-1) and the ALB's regional one. */
function webAcls(): [string, any][] {
  const app = new App();
  const edge = new Stack(app, 'Edge', { env: { account: ACCOUNT, region: 'us-east-1' } });
  new PlatformEdgeGlobal(edge, 'EdgeGlobal');
  const platform = new Stack(app, 'Platform', { env: { account: ACCOUNT, region: 'sa-east-1' } });
  const network = new PlatformNetwork(platform, 'Network');
  new AppCluster(platform, 'App', { vpc: network.vpc, regionalWaf: true });
  return [['CloudFront (PlatformEdgeGlobal)', webAclOf(edge, 'CLOUDFRONT')], ['regional (AppCluster regionalWaf)', webAclOf(platform, 'REGIONAL')]];
}

describe.each(webAcls())('the %s web ACL on representative requests', (_name, acl) => {
  const verdict = (req: WafRequest) => new WebAclEvaluator(acl).evaluate(req);

  test('a 200 KB upload completion passes (about 3,100 parts, a 50 GiB file in 16 MiB parts)', () => {
    expect(verdict(post(COMPLETE, 200 * KB))).toMatchObject({ action: 'ALLOW', rule: 'DEFAULT' });
  });

  test('registering a file with a 5 MB FASTA sequence passes', () => {
    expect(verdict(post(REGISTER, 5_200_000))).toMatchObject({ action: 'ALLOW' });
  });

  test.each([
    ['creating a sample', '/api/samples'],
    ['presigning parts', `/api/samples/${SAMPLE}/files/${FILE}/parts`],
    ['starting an analysis', `/api/samples/${SAMPLE}/analyses`],
    ['a page', '/samples/new'],
    ['a look-alike path', `/api/samples/${SAMPLE}/files/${FILE}/complete/x`],
    ['a path with a traversal segment', `/api/samples/../files/${FILE}/complete`],
  ])('9 KB when %s is blocked', (_what, uriPath) => {
    expect(verdict(post(uriPath, 9 * KB))).toMatchObject({ action: 'BLOCK', rule: 'LargeBodyOutsideApiPaths' });
  });

  test('9 KB with another method on a scoped path is blocked', () => {
    expect(verdict(post(COMPLETE, 9 * KB, { method: 'PUT' }))).toMatchObject({ action: 'BLOCK' });
  });

  test('the scoped paths keep a limit: over it, or without Content-Length (chunked), they are blocked', () => {
    expect(verdict(post(COMPLETE, 2 * 1024 * KB))).toMatchObject({ action: 'BLOCK', rule: 'LargeBodyLimitCompleteUpload' });
    expect(verdict(post(REGISTER, 7 * 1024 * KB))).toMatchObject({ action: 'BLOCK', rule: 'LargeBodyLimitRegisterFile' });
    const chunked = post(COMPLETE, 200 * KB);
    const { ['content-length']: _, ...headers } = chunked.headers;
    expect(verdict({ ...chunked, headers: { ...headers, 'transfer-encoding': 'chunked' } })).toMatchObject({ action: 'BLOCK' });
  });

  test('small bodies pass everywhere', () => {
    expect(verdict(post('/api/samples', 300))).toMatchObject({ action: 'ALLOW' });
    expect(verdict(post(`/api/samples/${SAMPLE}/files/${FILE}/parts`, 2 * KB))).toMatchObject({ action: 'ALLOW' });
  });

  test('the count override keeps the label the blocking rules read', () => {
    expect(verdict(post(COMPLETE, 200 * KB)).labels).toContain(SIZE_RESTRICTIONS_BODY_LABEL);
  });
});

describe('the regional web ACL behind CloudFront counts requests per viewer', () => {
  const [, regional] = webAcls()[1];

  test('it keys on X-Forwarded-For, with a fallback', () => {
    const rate = regional.Rules.find((r: any) => r.Statement.RateBasedStatement).Statement.RateBasedStatement;
    expect(rate).toMatchObject({ AggregateKeyType: 'FORWARDED_IP', ForwardedIPConfig: { HeaderName: 'X-Forwarded-For', FallbackBehavior: 'MATCH' } });
  });

  test('three labs behind CloudFront\'s network interfaces, 1,500 requests each, are not blocked; one lab over 2,000 is', () => {
    const evaluator = new WebAclEvaluator(regional);
    const labs = ['198.51.100.7', '203.0.113.20', '192.0.2.33'];
    const blocked = [];
    for (let i = 0; i < 1500; i++) {
      for (const lab of labs) {
        const v = evaluator.evaluate({ ...post('/api/samples', 100), method: 'GET', headers: { 'x-forwarded-for': `${lab}, 130.176.0.1` }, sourceIp: '10.0.128.15' });
        if (v.action === 'BLOCK') blocked.push(lab);
      }
    }
    expect(blocked).toEqual([]);
    const verdicts = Array.from({ length: 501 }, () => evaluator.evaluate({ ...post('/api/samples', 100), headers: { 'x-forwarded-for': labs[0] } }));
    expect(verdicts.at(-2)!.action).toBe('ALLOW');
    expect(verdicts.at(-1)).toMatchObject({ action: 'BLOCK', rule: 'RateLimitPerIp' });
  });
});

describe('the scoped paths and limits agree with the reference API', () => {
  const api = fs.readFileSync(path.join(API_DIR, 'api.py'), 'utf8');
  const schemas = fs.readFileSync(path.join(API_DIR, 'schemas.py'), 'utf8');
  const prefix = /APIRouter\(prefix="([^"]+)"/.exec(api)![1];
  const posts = [...api.matchAll(/@router\.post\(\s*"([^"]+)"/g)].map((m) => prefix + m[1]);

  test('each scoped path is exactly one POST route of the API (ids as the contracts define them)', () => {
    expect(posts.length).toBeGreaterThan(5);
    const concrete = posts.map((p) => p.replace(/\{sampleId\}/g, SAMPLE).replace(/\{fileId\}/g, FILE).replace(/\{analysisId\}/g, 'ana-1'));
    for (const p of LARGE_BODY_API_PATHS) {
      expect(p.method).toBe('POST');
      expect(concrete.filter((c) => new RegExp(p.pathRegex).test(c))).toHaveLength(1);
    }
    expect(concrete.filter((c) => LARGE_BODY_API_PATHS.some((p) => new RegExp(p.pathRegex).test(c))).sort()).toEqual([COMPLETE, REGISTER].sort());
  });

  test('the largest bodies the API accepts fit the limits', () => {
    const maxParts = Number(/parts: Annotated\[list\[CompletedPart\], Field\([^)]*max_length=([\d_]+)\)/.exec(schemas)![1].replace(/_/g, ''));
    const maxSequence = Number(/sequence: Annotated\[str, StringConstraints\([^)]*max_length=([\d_]+)\)/.exec(schemas)![1].replace(/_/g, ''));
    const completion = JSON.stringify({ parts: Array.from({ length: maxParts }, (_, i) => ({ partNumber: i + 1, etag: '"0123456789abcdef0123456789abcdef-10000"' })) });
    // FASTA of the largest accepted length, a line break every 60 residues (JSON doubles them).
    const fasta = Array.from({ length: maxSequence }, (_, i) => (i % 61 === 60 ? '\n' : 'M')).join('');
    const registration = JSON.stringify({ fileName: 'x'.repeat(255), sizeBytes: 53687091200, proteinName: 'p'.repeat(255), sequence: fasta, sha256: 'a'.repeat(64) });
    const limit = (name: string) => LARGE_BODY_API_PATHS.find((p) => p.name === name)!.maxBodyBytes;
    expect(Buffer.byteLength(completion)).toBeLessThan(limit('CompleteUpload'));
    expect(Buffer.byteLength(registration)).toBeLessThan(limit('RegisterFile'));
  });
});

describe('nonNegativeIntegerAtMost (the Content-Length check)', () => {
  test.each([0, 7, 9, 10, 99, 100, 1000, 65536, 1048576, 6291456, 999999])('matches exactly 0..%i', (max) => {
    const re = new RegExp(nonNegativeIntegerAtMost(max));
    const probes = new Set<number>([0, 1, 9, 10, 11, max - 1, max, max + 1, max * 10, Math.floor(max / 2)]);
    for (let i = 0; i < 500; i++) probes.add(Math.floor(Math.random() * (max * 3 + 20)));
    for (const n of probes) {
      if (n < 0) continue;
      expect([n, re.test(String(n))]).toEqual([n, n <= max]);
    }
    expect(re.test('')).toBe(false);
    expect(re.test('-1')).toBe(false);
    expect(re.test('1e3')).toBe(false);
    expect(re.test('0'.repeat(String(max).length + 1))).toBe(false);
  });

  test('the expressions use only what WAF accepts: at most 512 characters, no capturing group, few branches', () => {
    // WAF's regex engine refuses capturing subexpressions, large repetition counts and many `|`
    // branches (AWS WAF developer guide, "Supported regular expression syntax").
    for (const p of LARGE_BODY_API_PATHS) {
      for (const re of [nonNegativeIntegerAtMost(p.maxBodyBytes), p.pathRegex]) {
        expect(re.length).toBeLessThan(512);
        expect(re).not.toMatch(/\((?!\?:)/);
        expect(re.split('|').length).toBeLessThanOrEqual(3);
        expect([...re.matchAll(/\{(\d+)(?:,(\d+))?\}/g)].map((m) => Number(m[2] ?? m[1])).filter((n) => n > 10)).toEqual([]);
      }
    }
  });

  test('the evaluator and the library agree on the label', () => {
    expect(EVALUATOR_LABEL).toBe(SIZE_RESTRICTIONS_BODY_LABEL);
  });
});

describe('the WAF evaluator itself', () => {
  const managedCrs = (priority: number, overrides?: any[], override: any = { None: {} }) => ({
    Name: 'CRS',
    Priority: priority,
    OverrideAction: override,
    Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet', RuleActionOverrides: overrides } },
  });
  const blockOnLabel = (priority: number) => ({
    Name: 'OnLabel',
    Priority: priority,
    Action: { Block: {} },
    Statement: { LabelMatchStatement: { Scope: 'LABEL', Key: EVALUATOR_LABEL } },
  });
  const acl = (rules: any[]) => new WebAclEvaluator({ Scope: 'REGIONAL', DefaultAction: { Allow: {} }, Rules: rules });
  const big = post('/x', 9 * KB);

  test('without an override the managed rule blocks bodies over 8 KB; Count on it or on the group lets them on', () => {
    expect(acl([managedCrs(1)]).evaluate(big)).toMatchObject({ action: 'BLOCK', rule: 'CRS:SizeRestrictions_BODY' });
    expect(acl([managedCrs(1, [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }])]).evaluate(big).action).toBe('ALLOW');
    expect(acl([managedCrs(1, undefined, { Count: {} })]).evaluate(big).action).toBe('ALLOW');
    expect(acl([managedCrs(1)]).evaluate(post('/x', 8192)).action).toBe('ALLOW');
  });

  test('a label is seen only by rules after the one that adds it', () => {
    const counted = [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }];
    expect(acl([managedCrs(1, counted), blockOnLabel(2)]).evaluate(big).action).toBe('BLOCK');
    expect(acl([blockOnLabel(0), managedCrs(1, counted)]).evaluate(big).action).toBe('ALLOW');
  });

  test('a statement it does not model is an error, not a silent pass', () => {
    expect(() => acl([{ Name: 'Geo', Priority: 0, Action: { Block: {} }, Statement: { GeoMatchStatement: { CountryCodes: ['XX'] } } }]).evaluate(big))
      .toThrow(/GeoMatchStatement is not modelled/);
  });
});
