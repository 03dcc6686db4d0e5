// Backend for the e2e test: the in-memory fake API + fake S3 (fake-api.mjs).
import path from 'node:path';
import { E2E_STORAGE_QUOTA_BYTES, freePort, startProcess, waitForHttp } from './procs.mjs';

export async function startFakeBackend({ oidcIssuer, audience, logDir, here }) {
  const apiPort = await freePort();
  const s3Port = await freePort();
  const child = startProcess('fake-api', process.execPath, [path.join(here, 'fake-api.mjs')], {
    env: {
      FAKE_API_PORT: String(apiPort),
      FAKE_S3_PORT: String(s3Port),
      OIDC_ISSUER: oidcIssuer,
      OIDC_AUDIENCE: audience,
      FAKE_ANALYSIS_MS: '4000',
      // A small storage quota, so the quota step can be refused without a huge file.
      MAX_STORAGE_BYTES_PER_USER: String(E2E_STORAGE_QUOTA_BYTES),
    },
    logDir,
  });
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  await waitForHttp(`${apiUrl}/api/health`, { child });
  return {
    name: 'fake',
    apiUrl,
    storageOrigins: [`http://127.0.0.1:${s3Port}`],
    description: 'in-memory fake API and fake S3 (tests/e2e/fake-api.mjs); analyses complete by themselves after 4 s',
    // Nothing to do: the fake completes analyses by itself.
    async completeAnalysis() {},
  };
}
