// End-to-end test of the built web app (Next.js standalone server) in a real
// headless Chromium (playwright-core + Debian's chromium), on the local
// platform (local/platform/start.mjs at the repository root): signing in at
// its OIDC issuer, behind its front proxy (CloudFront's response headers and
// the WAF's rules from the synthesized template), with the real API, the real
// state machine definition in the local executor and the real worker.
//
//   node tests/e2e/run-e2e.mjs      (after `bash local/platform/setup.sh`)
// env: PROTEOMICS_TESTDATA (folder with the MS test files),
//      CHROMIUM_PATH (default /usr/bin/chromium).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium } from 'playwright-core';
import { E2E_STORAGE_QUOTA_BYTES, stopAll } from './procs.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const appDir = path.resolve(here, '..', '..');
const repoRoot = path.resolve(appDir, '..', '..', '..', '..');
const resultsDir = path.join(appDir, 'test-results', 'e2e');
const logDir = path.join(resultsDir, 'logs');
const testData = process.env.PROTEOMICS_TESTDATA ?? path.resolve(repoRoot, 'testdata', 'ms');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TEST_FILES = [
  { name: 'pyteomics_test.mzML', protein: 'Test protein A', sequence: 'MKWVTFISLLLLFSSAYSRGVFRR' },
  { name: 'ms_deisotope_only_ms2_mzml.mzML', protein: 'Test protein B', sequence: '' },
  // A real BSA digest (gzipped mzML, uploaded as is) searched against its FASTA: the results page
  // gets real identifications (testdata/ms/README.md: about 137 accepted PSMs, 21 peptides, 35.3 %).
  { name: 'BSA1.mzML.gz', protein: 'Bovine serum albumin', sequenceFile: 'P02769_BSA.fasta' },
];
const BSA = 'Bovine serum albumin';

const steps = [];
let page;
let shotIndex = 0;

async function screenshot(name, options = {}) {
  const file = path.join(resultsDir, `${String(++shotIndex).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true, ...options });
  return file;
}

async function step(name, fn) {
  if (steps.some((s) => s.status === 'failed')) {
    steps.push({ name, status: 'skipped' });
    console.log(`- SKIP ${name}`);
    return;
  }
  const t0 = Date.now();
  try {
    await fn();
    steps.push({ name, status: 'passed' });
    console.log(`✔ PASS ${name} (${Date.now() - t0} ms)`);
  } catch (error) {
    steps.push({ name, status: 'failed', error: String(error?.stack ?? error) });
    console.log(`✘ FAIL ${name}: ${error?.message ?? error}`);
    try {
      await screenshot(`failure-${name.replace(/\W+/g, '-').toLowerCase()}`);
    } catch {
      // no page to capture
    }
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

// axe-core on a screen whose data has loaded: fails on any serious or critical violation and
// keeps the counts per screen for the summary at the end.
const axeCounts = [];
async function axeCheck(screen) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const severe = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const nodes = (list) => list.reduce((n, v) => n + v.nodes.length, 0);
  axeCounts.push({ screen, seriousOrCritical: severe.length, other: violations.length - severe.length, rules: violations.map((v) => `${v.id}:${v.impact}`) });
  console.log(`  axe ${screen}: ${severe.length} serious/critical (${nodes(severe)} nodes), ${violations.length - severe.length} minor/moderate`);
  expect(
    severe.length === 0,
    `axe on ${screen}: ${severe.map((v) => `${v.id} (${v.impact}) ${v.help}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`).join('; ')}`,
  );
}

/** Polls `fn(element, arg)` in the page on the locator's element until it returns true. */
async function until(locator, fn, arg, { timeout = 20_000, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await locator.evaluate(fn, arg).catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main() {
  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  for (const f of TEST_FILES) {
    const p = path.join(testData, f.name);
    if (!existsSync(p)) throw new Error(`test file missing: ${p} (set PROTEOMICS_TESTDATA)`);
    f.path = p;
    f.size = statSync(p).size;
    if (f.sequenceFile) f.sequence = readFileSync(path.join(testData, f.sequenceFile), 'utf8');
  }
  // The whole platform, wired from the example's synthesized hml templates.
  const { startPlatform } = await import(path.join(repoRoot, 'local', 'platform', 'start.mjs'));
  const platform = await startPlatform({
    runDir: path.join(resultsDir, 'platform'),
    // Smallest S3 part size, so the resume step gets a 3-part upload.
    // A small storage quota, so the quota step can be refused without uploading gigabytes.
    apiEnv: { DEFAULT_PART_SIZE_BYTES: String(5 * 1024 * 1024), MAX_STORAGE_BYTES_PER_USER: String(E2E_STORAGE_QUOTA_BYTES) },
  });
  const appOrigin = platform.info.url;
  const oidcIssuer = platform.info.oidcIssuer;
  const backend = { storageOrigins: [platform.info.moto], completeAnalysis: async () => {} };
  console.log(`local platform at ${appOrigin} (logs in ${platform.info.logDir})`);

  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'biotech-web-e2e-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
  });
  const consoleErrors = [];
  const injectedFailures = new Set();
  // Answers a step provokes on purpose (e.g. a 409 quota refusal), which the browser logs as errors.
  const expectedRefusals = [];
  try {
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(20_000);
    // Only the app's own pages count: the provider's login page tries to
    // load web fonts from the internet, which the route below blocks.
    const onApp = () => page.url().startsWith(appOrigin);
    page.on('console', (msg) => {
      if (msg.type() !== 'error' || !onApp()) return;
      if (injectedFailures.has(msg.location()?.url)) return;
      if (expectedRefusals.some((r) => r.url.test(msg.location()?.url ?? '') && msg.text().includes(`status of ${r.status}`))) return;
      consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(`pageerror: ${err.message}`));
    page.on('requestfailed', (req) => {
      const reason = req.failure()?.errorText ?? '';
      // Router prefetches cancelled by a navigation are aborted on purpose.
      if (injectedFailures.has(req.url())) return;
      if (onApp() && reason !== 'net::ERR_ABORTED') consoleErrors.push(`request failed: ${req.method()} ${req.url()} ${reason}`);
    });
    // Traffic only to localhost.
    await context.route('**/*', (route) => {
      const host = new URL(route.request().url()).hostname;
      return host === '127.0.0.1' || host === 'localhost' ? route.continue() : route.abort();
    });

    let analysisUrl = '';

    await step('signed-out start page offers sign-in, with security headers', async () => {
      const response = await page.goto(appOrigin);
      const headers = response.headers();
      // CloudFront's response-headers policy keeps the app's own nonce-based CSP and Referrer-Policy
      // (Override: false); it only fills them in where the origin sends none.
      const csp = headers['content-security-policy'] ?? '';
      expect(/script-src [^;]*'nonce-/.test(csp), `CSP is not the app's own nonce policy: ${csp}`);
      expect(headers['referrer-policy'] === 'no-referrer', `Referrer-Policy: ${headers['referrer-policy']}`);
      expect(headers['x-frame-options'] === 'DENY', 'X-Frame-Options missing');
      expect(headers['x-content-type-options'] === 'nosniff', 'X-Content-Type-Options missing');
      expect(!headers['x-powered-by'], 'X-Powered-By should be hidden');
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      await screenshot('signed-out');
    });

    await step('sign in at the OIDC provider (authorization code + PKCE)', async () => {
      const authRequest = page.waitForRequest((r) => r.url().startsWith(`${oidcIssuer}/auth?`));
      await page.getByRole('button', { name: 'Sign in' }).click();
      const authUrl = new URL((await authRequest).url());
      expect(authUrl.searchParams.get('code_challenge_method') === 'S256', 'authorization request without PKCE');
      expect(authUrl.searchParams.get('response_type') === 'code', 'not the authorization code flow');
      await page.waitForURL((u) => u.origin === oidcIssuer);
      await page.locator('input[name="login"]').fill('scientist@biotech-x.test');
      await page.locator('input[name="password"]').fill('any-password');
      await screenshot('oidc-login');
      await page.locator('button[type="submit"]').click();
      // Consent screen of the provider's development interactions.
      const consent = page.locator('button[type="submit"]');
      await page.waitForURL((u) => u.origin === appOrigin || u.pathname.includes('/interaction/'));
      if (new URL(page.url()).origin === oidcIssuer) await consent.click();
      await page.waitForURL((u) => u.origin === appOrigin && !u.pathname.startsWith('/auth/callback'));
      await page.getByTestId('user-name').waitFor();
      const who = await page.getByTestId('user-name').textContent();
      expect(who.includes('Test Scientist'), `unexpected user name: ${who}`);
      await page.getByRole('heading', { name: 'Samples' }).waitFor();
      await page.getByText('No samples yet.').waitFor();
      await axeCheck('samples list (empty)');
      await screenshot('samples-empty');
    });

    await step('create a sample with three files (protein names, sequences)', async () => {
      await page.getByRole('link', { name: 'New sample' }).first().click();
      await page.getByRole('heading', { name: 'New sample' }).waitFor();
      await page.getByLabel('Sample name').fill('E2E BSA digest');
      await page.getByLabel('Description').fill('Three MS runs uploaded by the end-to-end test');
      await page.locator('input[type="file"]').setInputFiles(TEST_FILES.map((f) => f.path));
      const items = page.getByTestId('upload-item');
      await items.nth(1).waitFor();
      expect((await items.count()) === TEST_FILES.length, `expected ${TEST_FILES.length} files in the list`);
      for (let i = 0; i < TEST_FILES.length; i++) {
        await items.nth(i).getByLabel('Protein name').fill(TEST_FILES[i].protein);
        if (TEST_FILES[i].sequence) await items.nth(i).getByLabel(/Protein sequence/).fill(TEST_FILES[i].sequence);
      }
      await axeCheck('new sample');
      await screenshot('new-sample-files');
    });

    await step('upload the files straight to storage with progress (a network failure, then a 403: presigned again)', async () => {
      const progressSeen = new Set();
      const putUrls = [];
      // Every request, in order: part PUTs to storage and presign calls to the API.
      const traffic = [];
      page.on('request', (req) => {
        if (req.method() === 'PUT') putUrls.push(req.url());
        if (req.method() === 'PUT' && backend.storageOrigins.some((o) => req.url().startsWith(o))) {
          traffic.push({ kind: 'put', url: req.url() });
        } else if (req.method() === 'POST' && /\/api\/samples\/[^/]+\/files\/[^/]+\/parts$/.test(new URL(req.url()).pathname)) {
          traffic.push({ kind: 'presign', path: new URL(req.url()).pathname, parts: JSON.parse(req.postData() ?? '{}').partNumbers });
        }
      });
      // The very first part upload fails at the network level (retry with
      // backoff); the second is answered 403 by "storage", as when a URL's
      // signing session ended: the app must presign again, not reuse URLs.
      let failedOnce = false;
      let forbiddenUrl = null;
      await page.route(
        (url) => backend.storageOrigins.some((o) => url.href.startsWith(o)),
        (route) => {
          if (route.request().method() !== 'PUT') return route.fallback();
          if (!failedOnce) {
            failedOnce = true;
            injectedFailures.add(route.request().url());
            return route.abort('connectionfailed');
          }
          if (forbiddenUrl === null) {
            forbiddenUrl = route.request().url();
            injectedFailures.add(forbiddenUrl);
            return route.fulfill({
              status: 403,
              headers: { 'Access-Control-Allow-Origin': appOrigin, 'Content-Type': 'application/xml' },
              body: '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>',
            });
          }
          return route.fallback();
        },
      );
      await page.getByRole('button', { name: 'Create sample and upload' }).click();
      const items = page.getByTestId('upload-item');
      // Watch the progress bars while the upload runs.
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const values = await items.locator('progress').evaluateAll((els) => els.map((e) => e.value));
        values.forEach((v) => progressSeen.add(v));
        const summary = (await page.getByTestId('upload-summary').textContent()) ?? '';
        if (summary.includes('All files uploaded') || summary.includes('did not upload')) break;
        await page.waitForTimeout(50);
      }
      const summary = await page.getByTestId('upload-summary').textContent();
      expect(summary.includes('All files uploaded'), `upload summary: ${summary}`);
      expect((await items.locator('progress').count()) === TEST_FILES.length, 'a progress bar per file');
      const finals = await items.locator('progress').evaluateAll((els) => els.map((e) => e.value));
      expect(finals.every((v) => v === 100), `progress not at 100: ${finals}`);
      expect(progressSeen.has(100), 'progress never reached 100');
      for (const f of TEST_FILES) await page.getByText(f.name).first().waitFor();
      expect(
        putUrls.length >= 4 && putUrls.every((u) => backend.storageOrigins.some((o) => u.startsWith(o))),
        `expected 2 part PUTs plus 2 retries to storage, saw: ${putUrls.join(', ')}`,
      );
      expect(failedOnce, 'the injected network failure did not happen');
      expect(forbiddenUrl !== null, 'the injected 403 did not happen');
      // After the 403, the part was presigned again before it was sent again.
      const partOf = (url) => {
        const u = new URL(url);
        return Number(u.searchParams.get('partNumber') ?? u.pathname.split('/').pop());
      };
      const at403 = traffic.findIndex((t) => t.kind === 'put' && t.url === forbiddenUrl);
      const later = traffic.slice(at403 + 1);
      const represign = later.findIndex((t) => t.kind === 'presign' && t.parts.includes(partOf(forbiddenUrl)));
      const resend = later.findIndex((t) => t.kind === 'put' && partOf(t.url) === partOf(forbiddenUrl));
      expect(represign >= 0 && resend > represign, `no presign between the 403 and the resend: ${JSON.stringify(traffic)}`);
      // Part URLs are signed for the part's length (content-length in the signed headers).
      const signed = new URL(traffic.find((t) => t.kind === 'put').url).searchParams;
      expect(
        (signed.get('X-Amz-SignedHeaders') ?? '').split(';').includes('content-length') || signed.has('len'),
        `part URL does not sign its length: ${signed}`,
      );
      await screenshot('files-uploaded');
    });

    await step('parameters form: a value out of range is tied to its field, nothing is sent; an API 422 lands on its field', async () => {
      const form = page.getByTestId('parameters-form');
      await form.waitFor();
      await axeCheck('parameters form');
      await screenshot('parameters-form');
      let posted = 0;
      const onRequest = (r) => {
        if (r.method() === 'POST' && /\/api\/samples\/[^/]+\/analyses$/.test(new URL(r.url()).pathname)) posted++;
      };
      page.on('request', onRequest);
      const missed = form.getByLabel('Missed cleavages');
      await missed.fill('9');
      await form.getByRole('button', { name: 'Start analysis' }).click();
      await form.getByText('Missed cleavages must be at most 5.').waitFor();
      expect((await missed.getAttribute('aria-invalid')) === 'true', 'the field is not aria-invalid');
      const describedBy = ((await missed.getAttribute('aria-describedby')) ?? '').split(' ').filter(Boolean);
      const described = await Promise.all(describedBy.map((id) => page.locator(`[id="${id}"]`).textContent()));
      expect(described.some((t) => t.includes('at most 5')), `aria-describedby does not reach the error: ${described}`);
      expect(await missed.evaluate((el) => el === document.activeElement), 'focus did not move to the invalid field');
      await axeCheck('parameters form (with an error)');
      await screenshot('parameters-form-error');
      expect(posted === 0, `a start was sent with an invalid value (${posted} requests)`);
      page.off('request', onRequest);
      // The API's 422 names the JSON path and lands on that field. The form refuses the same values
      // before sending, so this one answer is made up here.
      const startPath = /\/api\/samples\/[^/]+\/analyses$/;
      expectedRefusals.push({ url: startPath, status: 422 });
      await page.route(
        (url) => startPath.test(url.pathname),
        (route) =>
          route.request().method() === 'POST'
            ? route.fulfill({
                status: 422,
                contentType: 'application/json',
                body: JSON.stringify({
                  error: { code: 'validation_error', message: '$.parameters.precursorTolerancePpm: 2000 is greater than the maximum of 1000' },
                }),
              })
            : route.fallback(),
        { times: 1 },
      );
      await missed.fill('1');
      await form.getByRole('button', { name: 'Start analysis' }).click();
      await form.getByText('Precursor tolerance (ppm): 2000 is greater than the maximum of 1000').waitFor();
      const ppm = form.getByLabel('Precursor tolerance (ppm)');
      expect((await ppm.getAttribute('aria-invalid')) === 'true', 'the 422 did not mark the precursor tolerance field');
      expect((await missed.getAttribute('aria-invalid')) === null, 'missed cleavages still marked invalid');
    });

    await step('start the analysis with the form parameters and watch it run', async () => {
      const form = page.getByTestId('parameters-form');
      await form.getByLabel('Missed cleavages').fill('1');
      await form.getByRole('group', { name: 'Variable modifications' }).getByRole('checkbox', { name: 'Oxidation:M' }).check();
      const startRequest = page.waitForRequest(
        (r) => r.method() === 'POST' && /\/api\/samples\/[^/]+\/analyses$/.test(new URL(r.url()).pathname),
      );
      await page.getByRole('button', { name: 'Start analysis' }).click();
      const sent = JSON.parse((await startRequest).postData() ?? '{}').parameters ?? {};
      expect(sent.missedCleavages === 1, `missedCleavages sent: ${JSON.stringify(sent)}`);
      expect(JSON.stringify(sent.variableModifications) === '["Oxidation:M"]', `variable modifications sent: ${JSON.stringify(sent)}`);
      expect(sent.fdrThreshold === 0.01 && sent.enzyme === 'trypsin', `defaults not sent: ${JSON.stringify(sent)}`);
      await page.waitForURL(/\/analyses\//);
      analysisUrl = page.url();
      const status = page.getByTestId('analysis-status');
      await status.getByText(/RUNNING|SUCCEEDED/).waitFor();
      await screenshot('analysis-running');
      const analysisId = decodeURIComponent(new URL(analysisUrl).pathname.split('/').pop());
      await backend.completeAnalysis(analysisId);
      // The real worker searches the files: allow for a loaded 2-core machine.
      await status.getByText('SUCCEEDED').waitFor({ timeout: 300_000 });
    });

    await step('results per protein: coverage, class counts, plots, downloads', async () => {
      const cards = page.getByTestId('result-card');
      await cards.first().waitFor();
      expect((await cards.count()) === TEST_FILES.length, `expected ${TEST_FILES.length} result cards, got ${await cards.count()}`);
      for (const f of TEST_FILES) await page.getByRole('heading', { name: f.protein }).waitFor();
      // The real worker maps coverage only for a file given a sequence; the other shows '–'.
      for (const f of TEST_FILES) {
        const c = await cards.filter({ hasText: f.protein }).getByTestId('coverage').textContent();
        expect(f.sequence ? /\d+(\.\d)? %/.test(c) : c.trim() === '–', `coverage of ${f.protein}: ${c}`);
      }
      expect((await page.getByRole('table', { name: /Class counts/ }).count()) === TEST_FILES.length, 'class-count tables missing');
      const images = cards.locator('.plots img');
      expect((await images.count()) >= 2, 'plots missing');
      // The plots load lazily: bring each into view.
      for (const img of await images.all()) await img.scrollIntoViewIfNeeded();
      await page.waitForFunction(
        () => [...document.querySelectorAll('.plots img')].every((img) => img.complete && img.naturalWidth > 0),
        undefined,
        { timeout: 20_000 },
      );
      const links = cards.getByRole('link');
      expect((await links.count()) >= 2, 'download links missing');
      const href = await links.first().getAttribute('href');
      const download = await fetch(href);
      expect(download.ok, `download link answered ${download.status}`);
      // The parameters it ran with, as the API stored them in the manifest.
      const summary = page.getByTestId('parameters-summary');
      await summary.getByText('Missed cleavages').waitFor();
      const params = await summary.locator('dd').allTextContents();
      expect(params.includes('1') && params.includes('Oxidation:M'), `parameters summary: ${params.join(' | ')}`);
      await axeCheck('results page');
      await screenshot('results');
    });

    await step('results summary table: one row per file with its figures', async () => {
      const table = page.getByTestId('summary-table');
      await table.waitFor();
      const rows = table.getByTestId('summary-row');
      expect((await rows.count()) === TEST_FILES.length, `summary rows: ${await rows.count()}`);
      const cell = async (protein, id) => ((await rows.filter({ hasText: protein }).getByTestId(id).textContent()) ?? '').trim();
      // BSA1 against its sequence (testdata/ms/README.md: 35.3 %, 137 PSMs, 21 BSA peptides, about
      // 1 ppm). The accepted peptides of the file also count modified forms and contaminant hits.
      const coverage = parseFloat(await cell(BSA, 'summary-coverage'));
      expect(coverage >= 25 && coverage <= 45, `BSA coverage ${coverage}`);
      const psms = Number(await cell(BSA, 'summary-psms'));
      const peptides = Number(await cell(BSA, 'summary-peptides'));
      expect(psms >= 80 && psms <= 250, `BSA accepted PSMs ${psms}`);
      expect(peptides >= 15 && peptides <= 100 && peptides <= psms, `BSA accepted peptides ${peptides}`);
      expect(/^\d+(\.\d)? %$/.test(await cell(BSA, 'summary-id-rate')), `identification rate: ${await cell(BSA, 'summary-id-rate')}`);
      const ppm = parseFloat(await cell(BSA, 'summary-ppm'));
      expect(ppm >= 0 && ppm < 5, `median |ppm| ${ppm}`);
      // The file searched without a sequence has no coverage.
      expect((await cell('Test protein B', 'summary-coverage')) === '–', 'coverage of the file without a sequence');
      for (const f of TEST_FILES) {
        expect((await rows.filter({ hasText: f.protein }).getByText('SUCCEEDED').count()) === 1, `status of ${f.protein}`);
      }
    });

    await step('plots load lazily and open full size in a dialog (Escape closes, focus returns)', async () => {
      const thumbs = page.locator('.plots img');
      const attrs = await thumbs.evaluateAll((els) => els.map((e) => [e.getAttribute('loading'), e.getAttribute('width'), e.getAttribute('height')]));
      expect(attrs.length >= 2 && attrs.every(([l, w, h]) => l === 'lazy' && Number(w) > 0 && Number(h) > 0), `plot attributes: ${JSON.stringify(attrs)}`);
      const card = page.getByTestId('result-card').filter({ hasText: BSA });
      const opener = card.locator('.plot-open').first();
      await opener.click();
      const dialog = card.getByTestId('plot-dialog');
      await dialog.waitFor({ state: 'visible' });
      expect(await dialog.evaluate((d) => d.open && d.matches(':modal')), 'the plot dialog is not modal');
      await page.waitForFunction(() => {
        const img = document.querySelector('dialog[open] img');
        return img && img.complete && img.naturalWidth > 0;
      });
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      expect(await opener.evaluate((b) => document.activeElement === b), 'focus did not return to the plot');
    });

    await step('coverage map: peptide bars focusable, details on focus and hover, click filters the tables', async () => {
      const card = page.getByTestId('result-card').filter({ hasText: BSA });
      const map = card.getByTestId('coverage-map');
      await map.waitFor();
      const bars = map.getByTestId('peptide-bar');
      const count = await bars.count();
      expect(count >= 10, `peptide bars: ${count}`);
      const residues = await map.locator('.cm-seq .cm-res').count();
      expect(residues === 607, `the BSA sequence is drawn: ${residues} residues, not 607`);
      // Keyboard: the bars are buttons in tab order; focus shows the peptide's details with its q-value.
      await bars.first().focus();
      expect(await bars.first().evaluate((b) => document.activeElement === b && b.tabIndex >= 0), 'bar not focusable');
      const info = map.getByTestId('peptide-info').first();
      const firstPeptide = await bars.first().getAttribute('data-peptide');
      let text = (await info.textContent()) ?? '';
      expect(text.startsWith(`${firstPeptide}:`) && /best q-value [\d.e-]+/.test(text), `focus details: ${text}`);
      await page.keyboard.press('Tab');
      const second = await page.evaluate(() => document.activeElement?.getAttribute('data-peptide'));
      expect(second && second !== '', 'Tab does not move to the next bar');
      // Hover.
      const hovered = bars.nth(Math.min(3, count - 1));
      await hovered.hover();
      const hoveredPeptide = await hovered.getAttribute('data-peptide');
      text = (await info.textContent()) ?? '';
      expect(text.startsWith(`${hoveredPeptide}:`) && text.includes('q-value'), `hover details: ${text}`);
      // Text alternative.
      await card.locator('.cm-ranges summary').click();
      expect((await card.getByTestId('covered-ranges').locator('li').count()) >= 1, 'covered ranges missing');
      // Click filters the tables to that peptide: the peptide table then lists just it.
      const accepted = map.locator('[data-testid="peptide-bar"].cm-bar-accepted').first();
      const peptide = await accepted.getAttribute('data-peptide');
      await accepted.press('Enter');
      expect((await accepted.getAttribute('aria-pressed')) === 'true', 'bar not pressed after Enter');
      const tables = card.getByTestId('result-tables');
      await tables.getByTestId('table-selection').getByText(peptide).waitFor();
      await tables.getByRole('tab', { name: 'Peptides' }).click();
      const peptideTable = tables.getByTestId('table-peptides');
      await peptideTable.waitFor();
      await until(
        peptideTable,
        (t, p) => {
          if (t.getAttribute('aria-busy') === 'true') return false;
          const rows = [...t.querySelectorAll('tbody tr')];
          return rows.length > 0 && rows.every((r) => r.querySelector('td')?.textContent === p);
        },
        peptide,
        { what: `the peptide table filtered to ${peptide}` },
      );
      const range = (await tables.getByTestId('table-range').textContent()) ?? '';
      expect(/^rows 1–1 of 1/.test(range), `peptide table after the click: ${range}`);
      await map.scrollIntoViewIfNeeded();
      await screenshot('coverage-map', { fullPage: false });
      // Back to every row.
      await tables.getByRole('button', { name: 'Show all' }).click();
      await tables.getByTestId('table-selection').waitFor({ state: 'detached' });
    });

    await step('tables: sort by a column, page through, filter, accepted only, export CSV', async () => {
      const card = page.getByTestId('result-card').filter({ hasText: BSA });
      const tables = card.getByTestId('result-tables');
      await tables.getByRole('tab', { name: 'PSMs' }).click();
      const table = tables.getByTestId('table-psms');
      await table.waitFor();
      const range = tables.getByTestId('table-range');
      const settled = () => until(table, (t) => t.getAttribute('aria-busy') === 'false', undefined, { what: 'the PSM table' });
      await settled();
      const total = Number(/of (\d+)/.exec((await range.textContent()) ?? '')?.[1]);
      expect(total > 25, `PSM rows: ${total}`);
      expect(((await range.textContent()) ?? '').startsWith(`rows 1–25 of ${total}`), `range: ${await range.textContent()}`);
      const header = table.getByRole('columnheader', { name: /^q-value/ });
      const qColumn = await table.locator('thead th').evaluateAll((ths) => ths.findIndex((th) => /^q-value/.test(th.textContent ?? '')));
      const qValues = () =>
        table.locator('tbody tr').evaluateAll((trs, i) => trs.map((tr) => Number(tr.querySelectorAll('td')[i]?.textContent)), qColumn);
      await header.getByRole('button').click();
      await until(table, (t) => !!t.querySelector('th[aria-sort="ascending"]'), undefined, { what: 'ascending sort' });
      await settled();
      let q = await qValues();
      expect(q.every((v, i) => i === 0 || q[i - 1] <= v), `not ascending: ${q}`);
      await header.getByRole('button').click();
      await until(table, (t) => !!t.querySelector('th[aria-sort="descending"]'), undefined, { what: 'descending sort' });
      await settled();
      q = await qValues();
      expect(q.every((v, i) => i === 0 || q[i - 1] >= v), `not descending: ${q}`);
      expect((await header.getAttribute('aria-sort')) === 'descending', 'aria-sort not descending');
      await tables.getByRole('button', { name: 'Next page' }).click();
      await range.getByText(`rows 26–${Math.min(50, total)} of ${total}`).waitFor();
      const q2 = await qValues();
      expect(q2[0] <= q[q.length - 1], 'page 2 does not continue the sort order');
      // Accepted only: fewer rows, every one accepted.
      await tables.getByLabel('Accepted only').check();
      await range.getByText(/^rows 1–/).waitFor();
      await settled();
      const acceptedTotal = Number(/of (\d+)/.exec((await range.textContent()) ?? '')?.[1]);
      expect(acceptedTotal > 0 && acceptedTotal < total, `accepted PSMs ${acceptedTotal} of ${total}`);
      const acceptedColumn = await table.locator('thead th').evaluateAll((ths) => ths.findIndex((th) => /^Accepted/.test(th.textContent ?? '')));
      const flags = await table.locator('tbody tr').evaluateAll((trs, i) => trs.map((tr) => tr.querySelectorAll('td')[i]?.textContent), acceptedColumn);
      expect(flags.every((f) => f === 'yes'), `accepted column: ${flags}`);
      // The filter box (debounced), with a peptide of the table.
      const peptideColumn = await table.locator('thead th').evaluateAll((ths) => ths.findIndex((th) => /^Peptide/.test(th.textContent ?? '')));
      const wanted = await table.locator('tbody tr').first().evaluate((tr, i) => tr.querySelectorAll('td')[i].textContent, peptideColumn);
      await tables.getByTestId('table-filter').fill(wanted);
      await until(
        table,
        (t, p) => {
          const rows = [...t.querySelectorAll('tbody tr')];
          return t.getAttribute('aria-busy') === 'false' && rows.length > 0 && rows.every((r) => r.textContent.includes(p));
        },
        wanted,
        { what: 'the filtered PSM table' },
      );
      // Export: the whole filtered table as CSV under the stable name.
      const csvAnswer = page.waitForResponse((r) => /\/tables\/psms\.csv(\?|$)/.test(r.url()));
      const downloadEvent = page.waitForEvent('download', { timeout: 60_000 });
      downloadEvent.catch(() => {});
      await tables.getByRole('button', { name: 'Export CSV' }).click();
      const answer = await csvAnswer;
      expect(answer.status() === 200, `CSV export answered ${answer.status()}`);
      expect(/attachment; filename="[^"]+_psms\.csv"/.test(answer.headers()['content-disposition'] ?? ''), 'CSV without its name');
      const download = await downloadEvent;
      expect(/_psms\.csv$/.test(download.suggestedFilename()), `CSV name: ${download.suggestedFilename()}`);
      const csvPath = path.join(resultsDir, download.suggestedFilename());
      await download.saveAs(csvPath);
      const lines = readFileSync(csvPath, 'utf8').trim().split(/\r?\n/);
      expect(lines.length >= 2 && lines.slice(1).every((l) => l.includes(wanted)), `CSV rows: ${lines.length}`);
      // After the clicks: a full-page capture right before a click made that click go nowhere here.
      await tables.scrollIntoViewIfNeeded();
      await screenshot('tables', { fullPage: false });
      await tables.getByTestId('table-filter').fill('');
      await tables.getByLabel('Accepted only').uncheck();
    });

    await step('downloads: stable names, a fresh link per click', async () => {
      const card = page.getByTestId('result-card').filter({ hasText: BSA });
      const link = card.getByTestId('downloads').locator('a[data-output="peptides.csv"]');
      const name = ((await link.textContent()) ?? '').trim();
      expect(/^E2E-BSA-digest_Bovine-serum-albumin_BSA1_peptides\.csv$/.test(name), `stable name: ${name}`);
      const fresh = page.waitForResponse((r) => /\/files\/[^/]+\/downloads\/peptides\.csv$/.test(new URL(r.url()).pathname));
      const downloadEvent = page.waitForEvent('download');
      await link.click();
      const answer = await (await fresh).json();
      expect(answer.name === name && answer.kind === 'table' && answer.url, `fresh link: ${JSON.stringify(answer)}`);
      const got = await fetch(answer.url);
      expect(got.status === 200, `presigned URL answered ${got.status}`);
      expect((await got.text()).startsWith('peptide,'), 'not the peptides table');
      const download = await downloadEvent;
      expect(download.suggestedFilename() === name, `saved as ${download.suggestedFilename()}`);
    });

    await step('download all: every output of the analysis in one zip', async () => {
      const name = 'E2E-BSA-digest_Bovine-serum-albumin_BSA1_peptides.csv';
      const zipEvent = page.waitForEvent('download', { timeout: 60_000 });
      await page.getByRole('button', { name: 'Download all (zip)' }).click();
      const zip = await zipEvent;
      const zipPath = path.join(resultsDir, zip.suggestedFilename());
      await zip.saveAs(zipPath);
      const bytes = readFileSync(zipPath);
      expect(zip.suggestedFilename().endsWith('.zip') && bytes.subarray(0, 2).toString() === 'PK', `zip: ${zip.suggestedFilename()}`);
      expect(bytes.includes(Buffer.from(name)), 'the zip does not hold the stable names');
    });

    await step('sample list and sample page show the new sample', async () => {
      await page.getByRole('link', { name: 'Samples' }).first().click();
      await page.getByRole('link', { name: 'E2E BSA digest', exact: true }).waitFor();
      const row = page.getByRole('row', { name: /E2E BSA digest/ });
      expect((await row.getByRole('cell').nth(2).textContent()).trim() === String(TEST_FILES.length), `file count should be ${TEST_FILES.length}`);
      await row.getByText('SUCCEEDED').waitFor();
      await axeCheck('samples list');
      await screenshot('samples-list');
      // Search (debounced, on the API) and the status filter of the latest analysis.
      const search = page.getByRole('searchbox', { name: /Search/ });
      await search.fill('no such sample zzz');
      await page.getByText('No sample matches').waitFor();
      await search.fill('bsa DIGEST');
      await page.getByRole('link', { name: 'E2E BSA digest', exact: true }).waitFor();
      await page.getByRole('combobox', { name: 'Status of the latest analysis' }).selectOption('FAILED');
      await page.getByText('No sample matches').waitFor();
      await page.getByRole('combobox', { name: 'Status of the latest analysis' }).selectOption('SUCCEEDED');
      await page.getByRole('link', { name: 'E2E BSA digest', exact: true }).waitFor();
      expect(/Samples 1–1 of 1/.test(await page.getByTestId('samples-count').textContent()), 'count line');
      await search.fill('');
      await page.getByRole('combobox', { name: 'Status of the latest analysis' }).selectOption('');
      await page.getByRole('link', { name: 'E2E BSA digest', exact: true }).click();
      await page.getByRole('heading', { name: 'Files', exact: true }).waitFor();
      expect((await page.getByText('UPLOADED', { exact: true }).count()) === TEST_FILES.length, 'every file UPLOADED');
      await page.getByText('SUCCEEDED').first().waitFor();
      await axeCheck('sample page');
      await screenshot('sample-detail');
    });

    await step('rerun with changes: a new linked analysis; then compare the two side by side', async () => {
      await page.goto(analysisUrl);
      await page.getByTestId('result-card').first().waitFor();
      await page.getByRole('button', { name: 'Rerun with changes' }).click();
      const form = page.getByTestId('parameters-form');
      const missed = form.getByLabel('Missed cleavages');
      expect((await missed.inputValue()) === '1', `the form is not prefilled: missed cleavages ${await missed.inputValue()}`);
      expect(await form.getByRole('group', { name: 'Variable modifications' }).getByRole('checkbox', { name: 'Oxidation:M' }).isChecked(), 'Oxidation:M not prefilled');
      await missed.fill('2');
      const rerunRequest = page.waitForRequest((r) => r.method() === 'POST' && /\/rerun$/.test(new URL(r.url()).pathname));
      await form.getByRole('button', { name: 'Start rerun' }).click();
      const body = JSON.parse((await rerunRequest).postData() ?? '{}');
      expect(body.parameters?.missedCleavages === 2, `rerun body: ${JSON.stringify(body)}`);
      await page.waitForURL((u) => u.href !== analysisUrl && /\/analyses\//.test(u.pathname));
      const rerunUrl = page.url();
      const oldId = decodeURIComponent(new URL(analysisUrl).pathname.split('/').pop());
      const newId = decodeURIComponent(new URL(rerunUrl).pathname.split('/').pop());
      await page.getByRole('link', { name: oldId }).waitFor();
      await page.getByTestId('analysis-status').getByText('SUCCEEDED').waitFor({ timeout: 300_000 });
      const params = await page.getByTestId('parameters-summary').locator('dd').allTextContents();
      expect(params.includes('2'), `rerun parameters: ${params.join(' | ')}`);
      // The earlier analysis is kept, and links to its rerun.
      await page.goto(analysisUrl);
      await page.getByRole('list', { name: 'Reruns of this analysis' }).getByRole('link').first().waitFor();
      const rerunHref = await page.getByRole('list', { name: 'Reruns of this analysis' }).getByRole('link').first().getAttribute('href');
      expect(rerunHref.endsWith(encodeURIComponent(newId)), `link to the rerun: ${rerunHref}`);
      // Compare: tick both on the sample page.
      await page.getByRole('link', { name: 'Sample', exact: true }).click();
      await page.getByRole('heading', { name: 'Analyses', exact: true }).waitFor();
      const boxes = page.getByRole('checkbox', { name: /Compare the analysis of/ });
      await boxes.nth(1).waitFor();
      await boxes.nth(0).check();
      await boxes.nth(1).check();
      await page.getByRole('link', { name: 'Compare 2 analyses' }).click();
      await page.waitForURL(/\/compare\?analysisIds=/);
      const table = page.getByTestId('compare-table');
      await table.waitFor();
      const groups = await table.locator('thead th[scope="colgroup"]').count();
      expect(groups === 2, `expected a column group per analysis, got ${groups}`);
      const columns = await table.locator('thead th[scope="col"]').allTextContents();
      expect(columns.filter((c) => c.trim() === 'Coverage').length === 2 && columns.filter((c) => c.trim() === 'PSMs').length === 2, `headers: ${columns}`);
      expect((await table.locator('tbody tr').count()) >= 1, 'no protein rows');
      await axeCheck('compare');
      await screenshot('compare');
    });

    await step('results page on a phone-sized screen', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(analysisUrl);
      await page.getByTestId('result-card').first().waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      // Name the innermost elements reaching past the right edge, so a failure says what to fix.
      const offenders = await page.evaluate(() => {
        const past = (e) => e.getBoundingClientRect().right > window.innerWidth + 1;
        return [...document.querySelectorAll('body *')]
          .filter((e) => past(e) && ![...e.children].some(past))
          .slice(0, 5)
          .map((e) => `${e.tagName.toLowerCase()}${[...e.classList].map((c) => `.${c}`).join('')} "${(e.textContent ?? '').trim().slice(0, 60)}"`);
      });
      expect(overflow <= 1, `page scrolls sideways by ${overflow}px; past the edge: ${offenders.join(', ')}`);
      await screenshot('results-mobile');
    });

    await step('a dropped file whose upload is interrupted resumes, skipping stored parts', async () => {
      // 11 MiB in 5 MiB parts: 3 parts. Parts 2 and 3 fail until "released".
      // The file is made in the page and dropped on the drop zone (drag and drop).
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${appOrigin}/samples/new`);
      await page.getByLabel('Sample name').fill('E2E resume');
      const dataTransfer = await page.evaluateHandle((size) => {
        const block = 'BEGIN IONS\nTITLE=synthetic\nPEPMASS=500.25\nCHARGE=2+\n100.1 10\n200.2 20\nEND IONS\n';
        const dt = new DataTransfer();
        dt.items.add(new File([block.repeat(Math.ceil(size / block.length))], 'resume-test.mgf'));
        return dt;
      }, 11 * 1024 * 1024);
      await page.getByTestId('dropzone').dispatchEvent('dragover', { dataTransfer });
      await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer });
      await page.getByTestId('upload-item').locator('.file-name', { hasText: 'resume-test.mgf' }).waitFor();
      let blocking = true;
      const puts = [];
      const presigns = [];
      page.on('request', (req) => {
        if (req.method() === 'POST' && /\/files\/[^/]+\/parts$/.test(new URL(req.url()).pathname)) {
          presigns.push(JSON.parse(req.postData() ?? '{}').partNumbers);
        }
      });
      const partOf = (url) => {
        const u = new URL(url);
        return Number(u.searchParams.get('partNumber') ?? u.pathname.split('/').pop());
      };
      await page.route(
        (url) => backend.storageOrigins.some((o) => url.href.startsWith(o)),
        (route) => {
          if (route.request().method() !== 'PUT') return route.fallback();
          const part = partOf(route.request().url());
          puts.push(part);
          if (blocking && part >= 2) {
            injectedFailures.add(route.request().url());
            return route.abort('connectionfailed');
          }
          return route.fallback();
        },
      );
      await page.getByRole('button', { name: 'Create sample and upload' }).click();
      const item = page.getByTestId('upload-item');
      await item.getByRole('button', { name: /Retry/ }).waitFor({ timeout: 90_000 });
      expect(puts.includes(1), 'part 1 was never sent');
      // One call presigned the window (all three parts), not one call per part.
      expect(JSON.stringify(presigns[0]) === '[1,2,3]', `first presign call asked for ${JSON.stringify(presigns[0])}`);
      expect(puts.filter((p) => p === 2).length >= 2, `part 2 was not retried: ${puts}`);
      await screenshot('upload-failed');
      blocking = false;
      const before = puts.length;
      await item.getByRole('button', { name: /Retry/ }).click();
      await item.locator('.badge', { hasText: 'Uploaded' }).waitFor({ timeout: 60_000 });
      await page.getByTestId('upload-summary').getByText('All files uploaded').waitFor();
      const resent = puts.slice(before).sort();
      expect(JSON.stringify(resent) === '[2,3]', `after resume expected parts [2,3] to be sent, got ${resent}`);
      await screenshot('upload-resumed');
    });

    await step('a file over the storage quota is refused, and the page says why', async () => {
      await page.goto(`${appOrigin}/samples/new`);
      await page.getByLabel('Sample name').fill('E2E quota');
      // Larger than the whole quota the backend runs with: refused whatever is stored.
      const size = E2E_STORAGE_QUOTA_BYTES + 1024 * 1024;
      const dataTransfer = await page.evaluateHandle((n) => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(n)], 'too-big.mgf'));
        return dt;
      }, size);
      await page.getByTestId('dropzone').dispatchEvent('dragover', { dataTransfer });
      await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer });
      await page.getByTestId('upload-item').locator('.file-name', { hasText: 'too-big.mgf' }).waitFor();
      expectedRefusals.push({ url: /\/api\/samples\/[^/]+\/files$/, status: 409 });
      await page.getByRole('button', { name: 'Create sample and upload' }).click();
      const refusal = page.getByTestId('quota-refusal');
      await refusal.waitFor({ timeout: 30_000 });
      const text = (await refusal.textContent()) ?? '';
      expect(/Storage quota reached/.test(text), `refusal text: ${text}`);
      expect(text.includes(`quota of ${(E2E_STORAGE_QUOTA_BYTES / 1048576).toFixed(1)} MiB`), `refusal does not name the quota: ${text}`);
      const item = page.getByTestId('upload-item');
      expect((await item.getByRole('button', { name: /Retry/ }).count()) === 0, 'a retry is offered for a quota refusal');
      const summary = (await page.getByTestId('upload-summary').textContent()) ?? '';
      expect(/storage quota is full/.test(summary), `summary under the list: ${summary}`);
      await screenshot('quota-refused');
    });

    await step('no errors in the browser console', async () => {
      const relevant = consoleErrors.filter((e) => !/favicon/.test(e));
      expect(relevant.length === 0, `console errors:\n${relevant.join('\n')}`);
    });
  } finally {
    await context.close().catch(() => {});
    rmSync(userDataDir, { recursive: true, force: true });
    await platform.stop();
  }
}

let fatal = null;
const onSignal = async () => {
  await stopAll();
  process.exit(130);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
try {
  await main();
} catch (error) {
  fatal = error;
  console.error(`e2e setup failed: ${error?.stack ?? error}`);
} finally {
  await stopAll();
}
const passed = steps.filter((s) => s.status === 'passed').length;
const failed = steps.filter((s) => s.status === 'failed').length + (fatal ? 1 : 0);
const skipped = steps.filter((s) => s.status === 'skipped').length;
writeFileSync(path.join(resultsDir, 'report.json'), JSON.stringify({ steps, axe: axeCounts, fatal: fatal ? String(fatal) : null }, null, 2));
console.log('\naxe (serious or critical / other violations) per screen:');
for (const a of axeCounts) console.log(`  ${a.screen}: ${a.seriousOrCritical} / ${a.other}${a.rules.length ? ` [${a.rules.join(', ')}]` : ''}`);
for (const s of steps.filter((x) => x.status === 'failed')) console.log(`\n--- ${s.name}\n${s.error}`);
if (failed > 0) console.log(`\nlogs: ${logDir}`);
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
