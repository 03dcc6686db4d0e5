#!/usr/bin/env node
// Serves the built site (docs/.vitepress/dist) on 127.0.0.1 under the site's base path and drives
// Debian's chromium with playwright-core: opens every page, fails on console errors, page errors,
// failed same-origin requests, images that did not load, and internal links (and #anchors) that
// lead nowhere. Saves screenshots of the home and architecture pages in docs/test-results/.
// Prints a final line "N passed, N failed" and exits non-zero on any failure.
import { createServer } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const docs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(docs, '.vitepress', 'dist');
const results = path.join(docs, 'test-results');
const base = process.env.DOCS_BASE ?? '/cdk-proteomics-platform/';
const browserPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml',
  '.json': 'application/json', '.woff2': 'font/woff2', '.png': 'image/png', '.ico': 'image/x-icon', '.txt': 'text/plain' };

if (!existsSync(path.join(dist, 'index.html'))) {
  console.error('browser-test: docs/.vitepress/dist is missing; build first (npm run build)');
  process.exit(1);
}

/** Maps a URL path to a file in dist the way GitHub Pages does (clean URLs fall back to .html). */
function fileFor(urlPath) {
  if (!urlPath.startsWith(base)) return null;
  let rel = decodeURIComponent(urlPath.slice(base.length));
  if (rel === '' || rel.endsWith('/')) rel += 'index.html';
  const candidates = [rel, `${rel}.html`];
  for (const c of candidates) {
    const f = path.join(dist, c);
    if (f.startsWith(dist) && existsSync(f) && statSync(f).isFile()) return f;
  }
  return null;
}

const server = createServer((req, res) => {
  const file = fileFor(new URL(req.url, 'http://x').pathname);
  if (!file) { res.writeHead(404, { 'content-type': 'text/plain' }); res.end('not found'); return; }
  res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
  res.end(readFileSync(file));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

const pages = [];
const walk = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const f = path.join(dir, e.name);
    if (e.isDirectory()) { if (e.name !== 'assets') walk(f); } else if (e.name.endsWith('.html') && e.name !== '404.html') {
      const rel = path.relative(dist, f).split(path.sep).join('/');
      pages.push(base + rel.replace(/(^|\/)index\.html$/, '$1'));
    }
  }
};
walk(dist);
pages.sort();

let passed = 0; let failed = 0;
const report = (ok, name, detail = []) => {
  if (ok) { passed++; console.log(`  ok    ${name}`); } else { failed++; console.log(`  FAIL  ${name}\n        ${detail.join('\n        ')}`); }
};

const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'docs-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: browserPath,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  viewport: { width: 1440, height: 900 },
});
mkdirSync(results, { recursive: true });
const links = new Map(); // target URL (with hash) → first page that links it
const idsByPage = new Map();
try {
  const page = context.pages()[0] ?? await context.newPage();
  for (const p of pages) {
    const problems = [];
    const onConsole = (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()} (${m.location()?.url ?? ''})`); };
    const onPageError = (e) => problems.push(`page error: ${e.message}`);
    const onResponse = (r) => { if (r.url().startsWith(origin) && r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`); };
    // ERR_ABORTED: a link prefetch cancelled by the browser, not a missing file (404s are caught above).
    const onFailed = (r) => { if (r.url().startsWith(origin) && r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed ${r.url()} ${r.failure()?.errorText}`); };
    page.on('console', onConsole); page.on('pageerror', onPageError); page.on('response', onResponse); page.on('requestfailed', onFailed);
    const resp = await page.goto(origin + p, { waitUntil: 'networkidle' });
    if (!resp || resp.status() !== 200) problems.push(`status ${resp?.status()}`);
    const info = await page.evaluate(() => ({
      title: document.title,
      h1: document.querySelector('h1')?.textContent ?? '',
      brokenImages: [...document.images].filter((i) => !i.complete || i.naturalWidth === 0).map((i) => i.getAttribute('src')),
      links: [...document.querySelectorAll('a[href]')].map((a) => a.href),
      ids: [...document.querySelectorAll('[id]')].map((e) => e.id),
    }));
    for (const src of info.brokenImages) problems.push(`image did not load: ${src}`);
    if (!info.h1 && !p.endsWith(base)) problems.push('page has no <h1>');
    idsByPage.set(p, new Set(info.ids));
    for (const href of info.links) if (href.startsWith(origin) && !links.has(href)) links.set(href, p);
    const shot = p === base ? 'home' : p.endsWith('architecture.html') ? 'architecture' : null;
    if (shot) await page.screenshot({ path: path.join(results, `${shot}.png`), fullPage: true });
    page.off('console', onConsole); page.off('pageerror', onPageError); page.off('response', onResponse); page.off('requestfailed', onFailed);
    report(problems.length === 0, `page ${p} (${info.title})`, problems);
  }
  // Internal links: the target exists, and its #anchor is an id on that page.
  const broken = [];
  for (const [href, from] of links) {
    const u = new URL(href);
    const file = fileFor(u.pathname);
    if (!file) { broken.push(`${from} → ${u.pathname} (no such page or file)`); continue; }
    if (u.hash && file.endsWith('.html')) {
      const target = pages.find((p) => fileFor(p) === file);
      const ids = idsByPage.get(target);
      const id = decodeURIComponent(u.hash.slice(1));
      if (ids && !ids.has(id)) broken.push(`${from} → ${u.pathname}${u.hash} (no such anchor)`);
    }
  }
  report(broken.length === 0, `internal links and anchors (${links.size} checked)`, broken);
  report(existsSync(path.join(results, 'home.png')) && existsSync(path.join(results, 'architecture.png')), 'screenshots saved (home, architecture)');
} finally {
  await context.close();
  server.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
