#!/usr/bin/env node
// Runs analyses on the local platform without a browser: puts files and a contracts v2 analysis
// manifest (validated against contracts/schemas) in the uploads bucket, starts executions on the
// local Step Functions endpoint as the API does, and waits for them. For the figures:
//
//   node local/platform/pipeline-run.mjs --files 3            one 3-file analysis, wall time
//   node local/platform/pipeline-run.mjs --files 10 --for 300 10-file analyses completed in 300 s
//   options: --workers N, --chunk-size N, --corrupt (the last file is corrupt),
//            --kill-child (kill -9 the first array child's worker process a second after it starts)
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPlatform } from './start.mjs';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const { MotoHttp } = require('./moto-http.cjs');
const Ajv2020 = require('ajv/dist/2020').default;

const arg = (n, d) => { const i = process.argv.indexOf(`--${n}`); return i > 0 ? process.argv[i + 1] : d; };
const flag = (n) => process.argv.includes(`--${n}`);
const testData = path.join(repo, 'testdata', 'ms');
// Small real files, round robin: BSA1 is the slow one (a real search over 1,120 MS2 spectra).
const SOURCES = [
  ['BSA1.mzML.gz', 'mzML.gz', { fasta: readFileSync(path.join(testData, 'P02769_BSA.fasta'), 'utf8') }],
  ['ms_deisotope_small.mgf', 'mgf', { fasta: '>Test protein B\nMKWVTFISLLLLFSSAYSRGVFRR\n' }],
  ['pyteomics_test.mzML', 'mzML', undefined],
  ['ms_deisotope_only_ms2_mzml.mzML', 'mzML', undefined],
];

function manifestValidator() {
  const ajv = new Ajv2020({ allErrors: true, strict: false, formats: { 'date-time': true } });
  const fn = ajv.compile(JSON.parse(readFileSync(path.join(repo, 'contracts', 'schemas', 'analysis-manifest.v2.schema.json'), 'utf8')));
  return (doc) => { if (!fn(doc)) throw new Error(`manifest breaks contracts v2: ${ajv.errorsText(fn.errors)}`); };
}

async function submit(platform, moto, n, fileCount, corrupt, sources) {
  const w = platform.wiring;
  const analysisId = `an-local-${n}`;
  const files = [];
  for (let i = 0; i < fileCount; i++) {
    const bad = corrupt && i === fileCount - 1;
    const [name, format, sequence] = bad ? ['corrupt.mzML', 'mzML', undefined] : sources[i % sources.length];
    const key = `uploads/user-local/sample-${n}/${String(i).padStart(3, '0')}-${name}`;
    await moto.putObject(w.uploads.name, key, bad ? '<?xml version="1.0"?><mzML><run><spectrumList count="2"><spectrum' : readFileSync(path.join(testData, name)));
    files.push({ fileId: `f${String(i + 1).padStart(4, '0')}`, key, format, name, proteinName: `Protein ${i}`, ...(sequence ? { sequence } : {}) });
  }
  // The analysis parameters of the contract's own v2 example (the API writes the same fields).
  const { parameters } = JSON.parse(readFileSync(path.join(repo, 'contracts', 'examples', 'analysis-manifest.v2.example.json'), 'utf8'));
  const manifest = { schemaVersion: 2, analysisId, sampleId: `sample-${n}`, ownerId: 'user-local', createdAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), parameters, files };
  submit.validate(manifest);
  await moto.putObject(w.uploads.name, `manifests/${analysisId}.json`, JSON.stringify(manifest));
  const input = { schemaVersion: 2, analysisId, sampleId: manifest.sampleId, ownerId: manifest.ownerId, manifestKey: `manifests/${analysisId}.json`, fileCount };
  const res = await fetch(platform.info.stepFunctions, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.StartExecution' },
    body: JSON.stringify({ stateMachineArn: w.stateMachine.arn, name: `${analysisId}-1`, input: JSON.stringify(input) }),
  });
  if (!res.ok) throw new Error(`StartExecution: ${await res.text()}`);
  return (await res.json()).executionArn;
}

const fileCount = Number(arg('files', '3'));
const forSeconds = arg('for') ? Number(arg('for')) : undefined;
submit.validate = manifestValidator();
const killed = [];
const onWorkerSpawn = flag('kill-child') ? (child, info) => {
  if (info.index !== 0 || killed.length) return;
  killed.push(info);
  setTimeout(() => child.kill('SIGKILL'), 1000);
} : undefined;
const platform = await startPlatform({ web: false, workers: arg('workers') && Number(arg('workers')), chunkSize: arg('chunk-size'), onWorkerSpawn });
const moto = new MotoHttp({ endpoint: platform.info.moto, region: platform.wiring.region, account: platform.wiring.account });
try {
  const t0 = Date.now();
  if (!forSeconds) {
    const arn = await submit(platform, moto, 1, fileCount, flag('corrupt'), SOURCES);
    const e = platform.sfn.executions.get(arn);
    await e.done;
    console.log(JSON.stringify({ files: fileCount, status: e.status, output: e.output, error: e.error, cause: e.cause?.slice(0, 500), wallSeconds: (Date.now() - t0) / 1000, workers: platform.info.workers, mapRuns: e.result?.mapRuns, peakParallel: platform.batch.peakParallel, killed, summary: e.status === 'SUCCEEDED' ? JSON.parse((await moto.getObject({ Bucket: platform.wiring.results.name, Key: e.output.summaryKey })).Body).files.map((f) => [f.fileId, f.status, f.reason ?? f.errorCode ?? '']) : undefined, jobs: platform.batch.submitted.map((j) => [j.name, j.children.map((c) => c.attempts)]) }));
  } else {
    // Keep two analyses queued at all times; count those that end within the window.
    let n = 0;
    let done = 0;
    const statuses = {};
    const deadline = t0 + forSeconds * 1000;
    const loop = async () => {
      while (Date.now() < deadline) {
        const arn = await submit(platform, moto, ++n, fileCount, false, SOURCES.slice(1));
        const e = platform.sfn.executions.get(arn);
        await e.done;
        if (Date.now() <= deadline) {
          done++;
          const s = e.output?.status ?? e.status;
          statuses[s] = (statuses[s] ?? 0) + 1;
        }
      }
    };
    await Promise.race([Promise.all([loop(), loop()]), new Promise((r) => setTimeout(r, forSeconds * 1000 + 1000))]);
    console.log(JSON.stringify({ files: fileCount, windowSeconds: forSeconds, completed: done, started: n, statuses, workers: platform.info.workers, peakParallel: platform.batch.peakParallel }));
  }
  const report = platform.audit();
  console.log(JSON.stringify({ iamEvaluated: report.evaluated, iamDenied: report.denied, problems: report.problems.slice(0, 10), stateMachineRequests: platform.guard.log.length }));
} finally {
  await platform.stop();
}
process.exit(0);
