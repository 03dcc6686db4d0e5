// Backend for the e2e test: the real API from ../api/scripts/dev-server.sh
// (PostgreSQL + moto S3/Step Functions/SQS + the FastAPI app), trusting the
// test's OIDC provider. Stubbed there, not here: moto never runs Step
// Functions executions, so the API's devtools FakePipeline plays Step
// Functions + Batch — it reads each new execution's manifest, writes the
// per-file summaries, outputs (CSV, Parquet placeholder, PNG plot) and the
// roll-up summary to the moto results bucket as the worker would, and marks
// the execution SUCCEEDED after DEV_PIPELINE_DELAY_SECONDS.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { E2E_STORAGE_QUOTA_BYTES, freePort, startProcess, waitForHttp } from './procs.mjs';

export async function startRealBackend({ oidcIssuer, audience, logDir, appOrigin, devServer }) {
  const apiPort = await freePort();
  const infoFile = path.join(logDir, 'dev-server-info.json');
  const child = startProcess('api-dev-server', 'bash', [devServer], {
    env: {
      OIDC_ISSUER: oidcIssuer,
      OIDC_AUDIENCE: audience,
      API_HOST: '127.0.0.1',
      API_PORT: String(apiPort),
      CORS_ORIGINS: appOrigin,
      DEV_INFO_FILE: infoFile,
      DEV_FAKE_PIPELINE: '1',
      DEV_PIPELINE_DELAY_SECONDS: '3',
      // Smallest S3 part size, so the resume step gets a 3-part upload.
      DEFAULT_PART_SIZE_BYTES: String(5 * 1024 * 1024),
      // A small storage quota, so the quota step can be refused without a huge file.
      MAX_STORAGE_BYTES_PER_USER: String(E2E_STORAGE_QUOTA_BYTES),
    },
    logDir,
    // Let the script stop moto, the API and PostgreSQL itself.
    graceMs: 30_000,
  });
  // The first run may create the API's virtualenv and install PostgreSQL.
  const deadline = Date.now() + Number(process.env.E2E_API_START_TIMEOUT_MS ?? 900_000);
  while (!existsSync(infoFile) || !readFileSync(infoFile, 'utf8').trim()) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`api dev-server exited early (${child.exitCode ?? child.signalCode}); see ${logDir}/api-dev-server.log`);
    }
    if (Date.now() > deadline) throw new Error(`api dev-server did not start in time; see ${logDir}/api-dev-server.log`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const info = JSON.parse(readFileSync(infoFile, 'utf8').trim().split('\n')[0]);
  const apiUrl = new URL(info.api).origin;
  await waitForHttp(`${apiUrl}/api/healthz`, { child });
  return {
    name: 'real',
    apiUrl,
    storageOrigins: [new URL(info.s3Endpoint).origin],
    description:
      `real API (${apiUrl}, PostgreSQL, moto S3 at ${info.s3Endpoint}); ` +
      'stubbed: Step Functions + Batch by the API devtools FakePipeline (writes results to moto S3, marks the execution SUCCEEDED)',
    // The FakePipeline completes executions by itself.
    async completeAnalysis() {},
  };
}
