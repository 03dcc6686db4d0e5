// The front proxy's WAF decisions, with the rules read from the synthesized hml-edge template.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { wafDecision } from './front-proxy.mjs';

const require = createRequire(import.meta.url);
const { loadWiring } = require('../wiring/wiring.cjs');
const { waf } = loadWiring().edge;
const fresh = () => ({ hits: new Map() });
const BIG = 50_000;

test('bodies over 8 KB are blocked outside the scoped API paths', () => {
  assert.equal(wafDecision(waf, { method: 'POST', path: '/api/samples', contentLength: String(BIG), ip: 'a' }, fresh()), 'LargeBodyOutsideApiPaths');
  assert.equal(wafDecision(waf, { method: 'POST', path: '/api/samples', contentLength: '8000', ip: 'a' }, fresh()), undefined);
  assert.equal(wafDecision(waf, { method: 'GET', path: '/', ip: 'a' }, fresh()), undefined);
});

test('on a scoped path a large body passes up to its Content-Length limit', () => {
  const p = waf.body.paths[0];
  const path = p.pathRegex.includes('complete') ? '/api/samples/s-1/files/f-1/complete' : '/api/samples/s-1/files';
  assert.equal(wafDecision(waf, { method: p.method, path, contentLength: String(BIG), ip: 'a' }, fresh()), undefined);
  assert.match(wafDecision(waf, { method: p.method, path, contentLength: String(50_000_000), ip: 'a' }, fresh()), /^LargeBodyLimit/);
  assert.match(wafDecision(waf, { method: p.method, path, ip: 'a' }, { ...fresh(), chunked: true }), /^LargeBodyLimit/);
});

test('the rate rule blocks an IP past the limit within its window, not another IP', () => {
  const state = fresh();
  const now = 1_000_000;
  for (let i = 0; i < waf.rate.limit; i++) assert.equal(wafDecision(waf, { method: 'GET', path: '/', ip: 'a', now }, state), undefined);
  assert.equal(wafDecision(waf, { method: 'GET', path: '/', ip: 'a', now }, state), 'RateLimitPerIp');
  assert.equal(wafDecision(waf, { method: 'GET', path: '/', ip: 'b', now }, state), undefined);
  assert.equal(wafDecision(waf, { method: 'GET', path: '/', ip: 'a', now: now + waf.rate.windowSeconds * 1000 + 1 }, state), undefined);
});
