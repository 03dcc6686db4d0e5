#!/usr/bin/env node
// The browser test of the local platform (local/platform/start.mjs): the real web app's
// production build in Debian's Chromium (playwright-core), the real API, the real state machine
// definition in the local executor, the real worker CLI, moto and PostgreSQL. Every check is on
// what the page shows; screenshots are kept in local/.run/e2e/ as artifacts only.
//
//   node local/e2e/run.mjs     (exits non-zero on failure; closing line "N passed, N failed")
//
// The platform runs with its chunk threshold lowered to 2 tasks, so the 3-file analysis takes the
// Distributed Map path (chunk manifests, one array job per chunk); the rerun does too.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPlatform } from '../platform/start.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const webDir = path.join(repo, 'examples', 'biotech-app', 'services', 'web');
const require = createRequire(path.join(webDir, 'package.json'));
const { chromium } = require('playwright-core');
const testData = process.env.PROTEOMICS_TESTDATA ?? path.join(repo, 'testdata', 'ms');
const outDir = path.join(repo, 'local', '.run', 'e2e');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ANALYSIS_TIMEOUT_MS = Number(process.env.E2E_ANALYSIS_TIMEOUT_MS ?? 420_000);

const steps = [];
let page;
let shot = 0;
const screenshot = async (name) => page.screenshot({ path: path.join(outDir, `${String(++shot).padStart(2, '0')}-${name}.png`), fullPage: true });
const expect = (ok, message) => { if (!ok) throw new Error(message); };

async function step(name, fn) {
  if (steps.some((s) => s.status === 'failed')) {
    steps.push({ name, status: 'skipped' });
    console.log(`- SKIP ${name}`);
    return;
  }
  const t0 = Date.now();
  try {
    await fn();
    steps.push({ name, status: 'passed', ms: Date.now() - t0 });
    console.log(`✔ PASS ${name} (${Date.now() - t0} ms)`);
  } catch (error) {
    steps.push({ name, status: 'failed', error: String(error?.stack ?? error) });
    console.log(`✘ FAIL ${name}: ${error?.message ?? error}`);
    await screenshot(`failure-${name.replace(/\W+/g, '-').toLowerCase()}`).catch(() => {});
  }
}

async function main() {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const corrupt = path.join(outDir, 'corrupt_run.mzML');
  // An mzML file cut off in the middle of its spectrum list: not readable.
  writeFileSync(corrupt, '<?xml version="1.0" encoding="utf-8"?>\n<mzML xmlns="http://psi.hupo.org/ms/mzml" version="1.1.0">\n<run id="r"><spectrumList count="3"><spectrum index="0" id="scan=1" defaultArrayLength="2">\x00\x00garbage');
  const files = [
    { path: path.join(testData, 'BSA1.mzML.gz'), name: 'BSA1.mzML.gz', protein: 'Serum albumin', sequence: (await import('node:fs')).readFileSync(path.join(testData, 'P02769_BSA.fasta'), 'utf8') },
    { path: path.join(testData, 'ms_deisotope_small.mgf'), name: 'ms_deisotope_small.mgf', protein: 'Test protein B', sequence: 'MKWVTFISLLLLFSSAYSRGVFRR' },
    { path: corrupt, name: 'corrupt_run.mzML', protein: 'Broken run', sequence: '' },
  ];

  const t0 = Date.now();
  const platform = await startPlatform({ chunkSize: 2, runDir: path.join(outDir, 'platform') });
  const { url } = platform.info;
  console.log(`platform up in ${Date.now() - t0} ms at ${url} (run dir ${platform.info.runDir})`);
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'local-e2e-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  const timings = {};
  try {
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(30_000);
    // Traffic only to localhost.
    await context.route('**/*', (route) => {
      const host = new URL(route.request().url()).hostname;
      return host === '127.0.0.1' || host === 'localhost' ? route.continue() : route.abort();
    });
    let firstAnalysisUrl = '';

    await step('the front door sends the template\'s CloudFront security headers', async () => {
      const response = await page.goto(url);
      const h = response.headers();
      expect(h['x-frame-options'] === 'DENY', `X-Frame-Options: ${h['x-frame-options']}`);
      expect(h['strict-transport-security']?.startsWith('max-age=63072000'), `HSTS: ${h['strict-transport-security']}`);
      expect(!h['x-powered-by'], 'X-Powered-By is removed by the policy');
      // Override: false in the policy: the app's nonce CSP reaches the browser, not the edge's fallback.
      expect(/script-src [^;]*'nonce-/.test(h['content-security-policy'] ?? ''), `CSP: ${h['content-security-policy']}`);
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
    });

    await step('sign in at the local OIDC issuer', async () => {
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((u) => u.origin === platform.info.oidcIssuer);
      await page.locator('input[name="login"]').fill('scientist@biotech-x.test');
      await page.locator('input[name="password"]').fill('any-password');
      await page.locator('button[type="submit"]').click();
      await page.waitForURL((u) => u.origin === url || u.pathname.includes('/interaction/'));
      if (new URL(page.url()).origin === platform.info.oidcIssuer) await page.locator('button[type="submit"]').click();
      await page.waitForURL((u) => u.origin === url && !u.pathname.startsWith('/auth/callback'));
      await page.getByRole('heading', { name: 'Samples' }).waitFor();
      await screenshot('signed-in');
    });

    await step('create a sample and upload BSA1 (pasted FASTA), an MGF (bare sequence) and a corrupt file, with progress', async () => {
      await page.getByRole('link', { name: 'New sample' }).first().click();
      await page.getByLabel('Sample name').fill('Local BSA digest');
      await page.locator('input[type="file"]').setInputFiles(files.map((f) => f.path));
      const items = page.getByTestId('upload-item');
      await items.nth(2).waitFor();
      for (let i = 0; i < files.length; i++) {
        await items.nth(i).getByLabel('Protein name').fill(files[i].protein);
        if (files[i].sequence) await items.nth(i).getByLabel(/Protein sequence/).fill(files[i].sequence);
      }
      await page.getByRole('button', { name: 'Create sample and upload' }).click();
      const seen = new Set();
      const deadline = Date.now() + 120_000;
      for (;;) {
        (await items.locator('progress').evaluateAll((els) => els.map((e) => e.value))).forEach((v) => seen.add(v));
        const summary = (await page.getByTestId('upload-summary').textContent()) ?? '';
        if (summary.includes('All files uploaded') || summary.includes('did not upload') || Date.now() > deadline) break;
        await page.waitForTimeout(100);
      }
      const summary = await page.getByTestId('upload-summary').textContent();
      expect(summary.includes('All files uploaded'), `upload summary: ${summary}`);
      expect(seen.has(100) && [...seen].some((v) => v > 0 && v < 100 || v === 0), `progress values seen: ${[...seen]}`);
      await screenshot('uploaded');
    });

    await step('start the analysis: it ends PARTIAL, with the corrupt file\'s reason shown', async () => {
      const started = Date.now();
      await page.getByRole('button', { name: 'Start analysis' }).click();
      await page.waitForURL(/\/analyses\//);
      firstAnalysisUrl = page.url();
      const status = page.getByTestId('analysis-status');
      await status.getByText(/RUNNING/).waitFor();
      await screenshot('running');
      await status.getByText('PARTIAL').waitFor({ timeout: ANALYSIS_TIMEOUT_MS });
      timings.threeFileAnalysisMs = Date.now() - started;
      const card = page.getByTestId('result-card').filter({ hasText: 'Broken run' });
      await card.waitFor();
      const reason = await card.locator('.error-text').textContent();
      expect(reason && reason.length > 5, `no reason shown for the corrupt file: ${reason}`);
      console.log(`  corrupt file reason: ${reason}`);
      await screenshot('partial');
    });

    await step('results: two proteins with coverage, and a file downloads', async () => {
      const cards = page.getByTestId('result-card');
      expect((await cards.count()) === 3, `expected 3 result cards, got ${await cards.count()}`);
      for (const p of ['Serum albumin', 'Test protein B']) await page.getByRole('heading', { name: p }).waitFor();
      const bsa = cards.filter({ hasText: 'Serum albumin' });
      const coverage = await bsa.getByTestId('coverage').textContent();
      expect(/\d+(\.\d)? %/.test(coverage) && parseFloat(coverage) > 0, `BSA coverage: ${coverage}`);
      const link = bsa.getByRole('link').first();
      const href = await link.getAttribute('href');
      const download = await fetch(new URL(href, url));
      expect(download.ok && (await download.arrayBuffer()).byteLength > 0, `download answered ${download.status}`);
      await screenshot('results');
    });

    await step('rerun: a new analysis with its own results, the first one stays', async () => {
      await page.getByRole('button', { name: 'Run again' }).click();
      await page.waitForURL((u) => u.href !== firstAnalysisUrl && /\/analyses\//.test(u.pathname));
      const status = page.getByTestId('analysis-status');
      await page.getByText(/Rerun of/).waitFor();
      await status.getByText('PARTIAL').waitFor({ timeout: ANALYSIS_TIMEOUT_MS });
      const rerunUrl = page.url();
      await page.getByTestId('result-card').nth(2).waitFor();
      expect((await page.getByTestId('result-card').count()) === 3, 'the rerun has its own 3 results');
      await page.getByTestId('result-card').filter({ hasText: 'Broken run' }).locator('.error-text').waitFor();
      await screenshot('rerun');
      await page.goto(firstAnalysisUrl);
      await page.getByTestId('analysis-status').getByText('PARTIAL').waitFor();
      await page.getByTestId('result-card').nth(2).waitFor();
      expect((await page.getByTestId('result-card').count()) === 3, 'the first analysis keeps its results');
      expect((await page.getByText(/Rerun of/).count()) === 0, 'the first analysis is not a rerun');
      expect(rerunUrl !== firstAnalysisUrl, 'the rerun has its own analysis id');
    });

    await step('a second user, signed in at the same time, sees none of the first user\'s samples or results', async () => {
      const otherDir = mkdtempSync(path.join(os.tmpdir(), 'local-e2e-other-'));
      const other = await chromium.launchPersistentContext(otherDir, {
        executablePath: chromiumPath, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'], viewport: { width: 1280, height: 900 },
      });
      try {
        await other.route('**/*', (route) => (['127.0.0.1', 'localhost'].includes(new URL(route.request().url()).hostname) ? route.continue() : route.abort()));
        const p2 = other.pages()[0] ?? (await other.newPage());
        p2.setDefaultTimeout(30_000);
        await p2.goto(url);
        await p2.getByRole('button', { name: 'Sign in' }).click();
        await p2.waitForURL((u) => u.origin === platform.info.oidcIssuer);
        await p2.locator('input[name="login"]').fill('other.scientist@biotech-x.test');
        await p2.locator('input[name="password"]').fill('any-password');
        await p2.locator('button[type="submit"]').click();
        await p2.waitForURL((u) => u.origin === url || u.pathname.includes('/interaction/'));
        if (new URL(p2.url()).origin === platform.info.oidcIssuer) await p2.locator('button[type="submit"]').click();
        await p2.getByRole('heading', { name: 'Samples' }).waitFor();
        await p2.waitForLoadState('networkidle');
        expect((await p2.getByText('Local BSA digest').count()) === 0, 'the other user sees the first user\'s sample');
        await p2.goto(firstAnalysisUrl);
        // The API answers 404 for another user's analysis: the page says so.
        await p2.getByText(/analysis not found/i).first().waitFor();
        expect((await p2.getByTestId('result-card').count()) === 0, 'the other user sees the first user\'s results');
        expect((await p2.getByText('PARTIAL').count()) === 0, 'the other user sees the first user\'s analysis status');
        await p2.screenshot({ path: path.join(outDir, `${String(++shot).padStart(2, '0')}-other-user.png`), fullPage: true });
        // The first user still sees their own, at the same time.
        await page.goto(firstAnalysisUrl);
        await page.getByTestId('result-card').nth(2).waitFor();
      } finally {
        await other.close().catch(() => {});
        rmSync(otherDir, { recursive: true, force: true });
      }
    });

    await step('PostgreSQL restarted and moto unreachable for 30 s mid-analysis: the API recovers, the analysis ends', async () => {
      await page.goto(firstAnalysisUrl);
      await page.getByRole('button', { name: 'Run again' }).click();
      await page.waitForURL((u) => u.href !== firstAnalysisUrl && /\/analyses\//.test(u.pathname));
      const status = page.getByTestId('analysis-status');
      await status.getByText(/RUNNING/).waitFor();
      const t = Date.now();
      await platform.faults.restartPostgres();
      await platform.faults.pauseMoto(30);
      console.log(`  faults injected in ${Date.now() - t} ms; waiting for the analysis to end`);
      // Nothing stays RUNNING: the page shows an end state (files may have failed while moto was away).
      await status.getByText(/PARTIAL|FAILED|SUCCEEDED/).waitFor({ timeout: ANALYSIS_TIMEOUT_MS });
      const shown = await status.textContent();
      console.log(`  after the faults: ${shown}`);
      await screenshot('after-faults');
      // The API answers again for the first analysis too.
      await page.goto(firstAnalysisUrl);
      await page.getByTestId('result-card').nth(2).waitFor();
    });

    await step('the Distributed Map path ran, and every AWS call passed the IAM evaluator', async () => {
      await platform.sfn.settle();
      const all = [...platform.sfn.executions.values()].map((e) => e.result);
      // The first two (the analysis and its rerun) ran undisturbed; the third went through the faults.
      const runs = all.slice(0, 2);
      expect(all.length === 3 && all.every((r) => r && r.status !== 'RUNNING'), `executions: ${all.map((r) => r?.status)}`);
      expect(runs.every((r) => r.status === 'SUCCEEDED'), `executions: ${runs.map((r) => r?.status)}`);
      expect(runs.every((r) => r.mapRuns.length === 1 && r.mapRuns[0].items === 2), `map runs: ${JSON.stringify(runs.map((r) => r.mapRuns))}`);
      const report = platform.audit();
      expect(report.evaluated > 0, 'no recorded API or worker call was evaluated');
      expect(report.denied.length === 0, `IAM denials: ${JSON.stringify(report.denied, null, 1)}`);
      console.log(`  IAM: ${report.evaluated} distinct recorded requests and ${platform.guard.log.length} state machine requests allowed`);
    });
  } finally {
    await context.close().catch(() => {});
    rmSync(userDataDir, { recursive: true, force: true });
    await platform.stop();
  }
  return timings;
}

let fatal = null;
let timings = {};
const started = Date.now();
try {
  timings = await main();
} catch (error) {
  fatal = error;
  console.error(`e2e setup failed: ${error?.stack ?? error}`);
}
const passed = steps.filter((s) => s.status === 'passed').length;
const failed = steps.filter((s) => s.status === 'failed').length + (fatal ? 1 : 0);
writeFileSync(path.join(outDir, 'report.json'), JSON.stringify({ steps, timings, totalMs: Date.now() - started, fatal: fatal ? String(fatal) : null }, null, 1));
for (const s of steps.filter((x) => x.status === 'failed')) console.log(`\n--- ${s.name}\n${s.error}`);
console.log(`e2e took ${Math.round((Date.now() - started) / 1000)} s; screenshots in ${outDir}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
