#!/usr/bin/env node
// Starts the platform locally, wired from the example's synthesized hml templates, and
// prints its URL:
//
//   node local/platform/start.mjs [--info-file FILE] [--workers N] [--chunk-size N]
//
// Real parts: PostgreSQL (Debian), moto server (S3, SQS, EventBridge, STS) provisioned from the
// template (bucket names, CORS, lifecycle, versioning, the completion queue and its dead-letter
// queue, the rules that deliver completion events), the real API and its SQS consumer, the real
// web app (production build), a local OIDC issuer, the real state machine definition run by the
// local executor behind a Step Functions endpoint the API's boto3 client is pointed at, Batch jobs
// as processes of the real worker CLI (the image's ENTRYPOINT, the job definition's environment
// and user), and a front proxy applying CloudFront's response headers and the WAF's rules.
//
// Every AWS call is checked against the synthesized policies: the executor's calls as they are
// made (local/wiring/iam-guard.cjs), the API's and the worker's from their recorded calls
// (examples/biotech-app/iam-check/recorder), evaluated every few seconds; denials are printed
// and kept in <run dir>/iam-report.json.
//
// What is local on purpose (and only this): where each service listens, the database's host,
// user and TLS (a throw-away PostgreSQL with trust auth, so no IAM database auth), the identity
// provider (its issuer, and ID tokens as bearer tokens: the local issuer's access tokens are not
// JWTs), moto's dummy credentials, and the scratch directory behind the job's /tmp volume.
// --chunk-size N lowers the definition's 10,000-file chunk threshold so that the Distributed Map
// path runs with a few files (printed at start when used).
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFrontProxy } from './front-proxy.mjs';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const example = path.join(repo, 'examples', 'biotech-app');
const apiDir = path.join(example, 'services', 'api');
const webDir = path.join(example, 'services', 'web');
const recorderDir = path.join(example, 'iam-check', 'recorder');
const { startProcess, stopAll, freePort, waitForHttp } = await import(path.join(webDir, 'tests', 'e2e', 'procs.mjs'));
const { loadWiring } = require('../wiring/wiring.cjs');
const { IamGuard } = require('../wiring/iam-guard.cjs');
const { LocalBatch, spawnRunner } = require('../executor/batch');
const { LocalStepFunctions } = require('./sfn-server.cjs');
const { MotoHttp } = require('./moto-http.cjs');
const { auditRecordedCalls } = require('./iam-audit.cjs');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const log = (...a) => console.log(`[local] ${a.join(' ')}`);

export async function startPlatform(options = {}) {
  try {
    return await startPlatformOrThrow(options);
  } catch (e) {
    // Whatever was started before the failure stops with it.
    await stopAll();
    throw e;
  }
}

async function startPlatformOrThrow({ infoFile, workers, chunkSize, runDir, web: withWeb = true, apiEnv: testApiEnv = {}, onWorkerSpawn } = {}) {
  const wiring = loadWiring();
  runDir = runDir ?? path.join(repo, 'local', '.run', new Date().toISOString().replace(/[:.]/g, '-'));
  const logDir = path.join(runDir, 'logs');
  const callDir = path.join(runDir, 'aws-calls');
  const scratch = path.join(runDir, 'scratch');
  for (const d of [logDir, callDir, scratch]) mkdirSync(d, { recursive: true });
  // The worker's processes (the job's non-root user) record their calls here too.
  chmodSync(callDir, 0o1777);

  const apiPy = path.join(apiDir, '.venv', 'bin', 'python');
  const workerPy = path.join(repo, 'local', '.venv-worker', 'bin', 'python');
  const standalone = path.join(webDir, '.next', 'standalone');
  for (const p of [apiPy, workerPy, ...(withWeb ? [path.join(standalone, 'server.js')] : [])]) {
    if (!existsSync(p)) throw new Error(`${p} is missing: run \`bash local/platform/setup.sh\` first`);
  }
  const [frontPort, apiPort, webPort, oidcPort, motoPort, sfnPort, pgPort] = await Promise.all(Array.from({ length: 7 }, freePort));
  const front = `http://127.0.0.1:${frontPort}`;
  const moto = `http://127.0.0.1:${motoPort}`;
  const oidcIssuer = `http://127.0.0.1:${oidcPort}`;
  const awsEnv = {
    AWS_ENDPOINT_URL: moto,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: wiring.region,
    AWS_DEFAULT_REGION: wiring.region,
    AWS_CALL_LOG_DIR: callDir,
  };

  // PostgreSQL.
  const pg = startProcess('postgres', 'bash', [path.join(here, 'postgres.sh'), String(pgPort)], { logDir, graceMs: 20_000 });
  const pgLog = path.join(logDir, 'postgres.log');
  for (let i = 0; ; i++) {
    const text = existsSync(pgLog) ? readFileSync(pgLog, 'utf8') : '';
    if (/^ready /m.test(text)) break;
    if (pg.exitCode !== null || i > 1200) throw new Error(`PostgreSQL did not start; see ${pgLog}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  log(`PostgreSQL on 127.0.0.1:${pgPort}`);

  // moto, provisioned from the template.
  const motoProc = startProcess('moto', apiPy, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(motoPort)], {
    env: { MOTO_ACCOUNT_ID: wiring.account, MOTO_DISABLE_GLOBAL_CORS: 'true' }, logDir,
  });
  await waitForHttp(`${moto}/moto-api/data.json`, { child: motoProc, timeoutMs: 60_000 });
  const distributionOrigin = `https://${wiring.template.getAtt(wiring.template.byType('AWS::CloudFront::Distribution')[0][0], 'DomainName')}`;
  const localOrigin = (o) => (o === distributionOrigin ? front : o);
  const spec = {
    endpoint: moto,
    region: wiring.region,
    buckets: Object.values(wiring.buckets).map((b) => ({ ...b, cors: b.cors.map((r) => ({ ...r, AllowedOrigins: r.AllowedOrigins.map(localOrigin) })) })),
    queues: Object.values(wiring.queues),
    rules: wiring.completion.rules.map((r) => ({ name: r.name, eventPattern: r.eventPattern, targets: r.sqsTargets })),
  };
  const prov = spawnSync(apiPy, [path.join(here, 'provision.py')], { input: JSON.stringify(spec), encoding: 'utf8' });
  if (prov.status !== 0) throw new Error(`provisioning moto failed:\n${prov.stderr}`);
  log(`moto at ${moto}: ${spec.buckets.length} buckets, ${spec.queues.length} queues, ${spec.rules.length} rules from the template`);

  // The state machine, Batch and the IAM guard.
  const jd = wiring.batch.jobDefinition;
  const guard = new IamGuard(wiring, { logFile: path.join(runDir, 'iam-state-machine.jsonl') });
  const asRoot = process.getuid?.() === 0;
  const uid = asRoot ? jd.user : undefined;
  const gid = asRoot ? (jd.image.user?.gid ?? jd.user) : undefined;
  if (!asRoot) log(`not root: worker processes run as this user, not as the job definition's user ${jd.user}`);
  const spawnChild = spawnRunner({
    entrypoint: [workerPy, ...jd.image.entrypoint.slice(1)],
    uid,
    gid,
    baseEnv: { PATH: `${path.dirname(workerPy)}:/usr/local/bin:/usr/bin:/bin`, PYTHONPATH: recorderDir, LANG: 'C.UTF-8' },
    onSpawn: onWorkerSpawn,
    log: (tag, text) => writeFileSync(path.join(logDir, 'worker.log'), text.split('\n').filter(Boolean).map((l) => `${tag} ${l}\n`).join(''), { flag: 'a' }),
  });
  let childCount = 0;
  const runChild = (o) => {
    // The job's volumes: each mount point (the Host volume behind /tmp) is a fresh directory per attempt.
    const dir = path.join(scratch, `${o.jobName}-${o.index ?? 's'}-${o.attempt}-${++childCount}`);
    const environment = { ...o.environment, ...awsEnv };
    for (const m of jd.mountPoints) {
      const local = path.join(dir, m.ContainerPath.replace(/^\//, ''));
      mkdirSync(local, { recursive: true });
      if (uid !== undefined) chownSync(local, uid, gid);
      for (const [k, v] of Object.entries(environment)) {
        if (v === m.ContainerPath || String(v).startsWith(`${m.ContainerPath}/`)) environment[k] = local + String(v).slice(m.ContainerPath.length);
      }
    }
    return spawnChild({ ...o, environment });
  };
  const cores = os.availableParallelism();
  const batch = new LocalBatch({
    jobDefinitions: { [jd.arn]: { environment: jd.environment, retryStrategy: jd.retryStrategy } },
    queues: wiring.batch.jobQueues,
    runChild,
    maxParallel: workers ?? cores,
  });
  const motoHttp = new MotoHttp({ endpoint: moto, region: wiring.region, account: wiring.account });
  const handler = guard.wrap((call) => {
    if (batch.handles(call.resource)) return batch.handler(call);
    if (call.resource === 'arn:aws:states:::aws-sdk:s3:getObject') return motoHttp.getObject(call.args);
    if (call.resource === 'arn:aws:states:::events:putEvents') return motoHttp.putEvents(call.args);
    throw new Error(`the local platform has no ${call.resource} (state ${call.state})`);
  });
  let definition = wiring.stateMachine.definition;
  if (chunkSize) {
    definition = lowerChunkSize(definition, Number(chunkSize));
    log(`chunk threshold lowered from 10000 to ${chunkSize} files: the Distributed Map path runs for more than ${chunkSize} tasks`);
  }
  const sfnLog = path.join(logDir, 'step-functions.log');
  const sfn = new LocalStepFunctions({
    wiring, definition, handler, onMapChild: guard.mapChild,
    log: (line) => writeFileSync(sfnLog, `${new Date().toISOString()} ${line}\n`, { flag: 'a' }),
  });
  const sfnServer = await sfn.listen(sfnPort);
  log(`Step Functions (local executor) at http://127.0.0.1:${sfnPort} for ${wiring.stateMachine.arn}; workers: ${workers ?? cores}`);

  // OIDC issuer.
  const clientId = wiring.web.env.OIDC_CLIENT_ID;
  const oidc = startProcess('oidc', process.execPath, [path.join(webDir, 'tests', 'e2e', 'oidc-server.mjs')], {
    env: { OIDC_PORT: String(oidcPort), APP_ORIGIN: front, OIDC_CLIENT_ID: clientId }, cwd: webDir, logDir,
  });
  await waitForHttp(`${oidcIssuer}/.well-known/openid-configuration`, { child: oidc });

  // The API: the Deployment's environment, with the local values named above.
  const apiEnv = {
    ...wiring.api.env,
    ...awsEnv,
    AWS_ENDPOINT_URL_SFN: `http://127.0.0.1:${sfnPort}`,
    DB_HOST: '127.0.0.1',
    DB_PORT: String(pgPort),
    DB_NAME: 'biotech',
    DB_USER: 'postgres',
    DB_IAM_AUTH: 'false',
    DB_SSLMODE: 'disable',
    OIDC_ISSUER: oidcIssuer,
    OIDC_JWKS_URL: `${oidcIssuer}/jwks`,
    PYTHONPATH: `${apiDir}:${recorderDir}`,
    // A test's own settings (e.g. a smaller part size), named by the caller.
    ...testApiEnv,
  };
  const migrate = spawnSync(apiPy, ['-m', 'biotech_api.migrate', 'upgrade', 'head'], { cwd: apiDir, env: { ...process.env, ...apiEnv }, encoding: 'utf8' });
  if (migrate.status !== 0) throw new Error(`migrations failed:\n${migrate.stderr}`);
  const api = startProcess('api', apiPy, ['-m', 'uvicorn', '--factory', 'biotech_api.main:create_app', '--host', '127.0.0.1', '--port', String(apiPort)], {
    env: apiEnv, cwd: apiDir, logDir, graceMs: 10_000,
  });
  await waitForHttp(`http://127.0.0.1:${apiPort}/api/healthz`, { child: api, timeoutMs: 60_000 });

  // The web app's production build (standalone server), with its Deployment's environment.
  let web;
  if (withWeb) {
    cpSync(path.join(webDir, '.next', 'static'), path.join(standalone, '.next', 'static'), { recursive: true });
    if (existsSync(path.join(webDir, 'public'))) cpSync(path.join(webDir, 'public'), path.join(standalone, 'public'), { recursive: true });
    web = startProcess('web', process.execPath, [path.join(standalone, 'server.js')], {
      cwd: standalone,
      env: {
        ...wiring.web.env,
        NODE_ENV: 'production',
        PORT: String(webPort),
        HOSTNAME: '127.0.0.1',
        NEXT_TELEMETRY_DISABLED: '1',
        OIDC_ISSUER: oidcIssuer,
        OIDC_REDIRECT_URI: `${front}/auth/callback`,
        OIDC_POST_LOGOUT_REDIRECT_URI: `${front}/`,
        OIDC_LOGOUT_URL: `${oidcIssuer}/session/end`,
        API_TOKEN_TYPE: 'id',
        CSP_STORAGE_ORIGINS: moto,
      },
      logDir,
    });
    await waitForHttp(`http://127.0.0.1:${webPort}/healthz`, { child: web });
  }

  const blocked = [];
  const proxy = await startFrontProxy({
    port: frontPort, api: `http://127.0.0.1:${apiPort}`, web: `http://127.0.0.1:${webPort}`, edge: wiring.edge,
    onBlock: (b) => blocked.push(b),
  });

  // IAM: recorded calls of the API and the worker, evaluated as they come.
  const report = { evaluated: 0, denied: [], problems: [] };
  const audit = () => {
    const r = auditRecordedCalls(wiring.template, callDir);
    Object.assign(report, { evaluated: r.evaluated, denied: [...r.denied, ...guard.denied], problems: r.problems, wafBlocked: blocked });
    writeFileSync(path.join(runDir, 'iam-report.json'), JSON.stringify(report, null, 1));
    return report;
  };
  let lastDenied = 0;
  const auditTimer = setInterval(() => {
    try {
      const r = audit();
      if (r.denied.length > lastDenied) {
        for (const d of r.denied.slice(lastDenied)) log(`IAM DENIED ${d.action} on ${d.resource} (${d.label ?? d.principal})`);
        lastDenied = r.denied.length;
      }
    } catch (e) {
      log(`IAM audit failed: ${e.message}`);
    }
  }, 5000);

  const info = {
    url: front,
    api: `http://127.0.0.1:${apiPort}`,
    web: `http://127.0.0.1:${webPort}`,
    oidcIssuer,
    moto,
    stepFunctions: `http://127.0.0.1:${sfnPort}`,
    postgres: `postgresql://postgres@127.0.0.1:${pgPort}/biotech`,
    runDir,
    logDir,
    pids: { postgres: pg.pid, moto: motoProc.pid, api: api.pid, web: web?.pid, oidc: oidc.pid },
    workers: workers ?? cores,
    chunkSize: chunkSize ? Number(chunkSize) : undefined,
  };
  if (infoFile) writeFileSync(infoFile, JSON.stringify(info) + '\n');
  // Faults the browser test injects: a PostgreSQL restart, moto unreachable (SIGSTOP keeps its state).
  const faults = {
    async restartPostgres() {
      const before = (readFileSync(pgLog, 'utf8').match(/^restarted /gm) ?? []).length;
      process.kill(pg.pid, 'SIGUSR1');
      for (let i = 0; i < 240; i++) {
        if ((readFileSync(pgLog, 'utf8').match(/^restarted /gm) ?? []).length > before) return;
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`PostgreSQL did not restart; see ${pgLog}`);
    },
    async pauseMoto(seconds) {
      process.kill(motoProc.pid, 'SIGSTOP');
      try {
        await new Promise((r) => setTimeout(r, seconds * 1000));
      } finally {
        process.kill(motoProc.pid, 'SIGCONT');
      }
    },
  };
  const stop = async () => {
    clearInterval(auditTimer);
    audit();
    proxy.close();
    sfnServer.close();
    await stopAll();
  };
  return { info, stop, sfn, batch, guard, audit, wiring, faults };
}

/** The definition with its 10,000-file chunk threshold (CHUNK_SIZE) replaced by `n`. */
export function lowerChunkSize(definition, n) {
  const text = JSON.stringify(definition);
  const out = text.replace(/\b10000\b/g, String(n));
  if (out === text) throw new Error('the definition has no 10000 chunk threshold to lower');
  return JSON.parse(out);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let platform;
  const shutdown = async (code) => {
    await platform?.stop().catch(() => {});
    await stopAll();
    process.exit(code);
  };
  process.on('SIGINT', () => shutdown(130));
  process.on('SIGTERM', () => shutdown(143));
  try {
    platform = await startPlatform({ infoFile: arg('info-file'), workers: arg('workers') && Number(arg('workers')), chunkSize: arg('chunk-size') });
  } catch (e) {
    console.error(`[local] could not start: ${e?.stack ?? e}`);
    await shutdown(1);
  }
  console.log(`[local] logs in ${platform.info.logDir}`);
  console.log(`Local platform ready: ${platform.info.url}`);
  console.log('[local] Ctrl-C stops everything.');
}
