// In-memory stand-in for the biotech-app API and for S3, implementing the
// same paths and JSON shapes. Used by the end-to-end test when the real API
// (../api/scripts/dev-server.sh) is not available (E2E_API=fake).
//
// Tokens are verified for real (signature via the issuer's JWKS, iss, aud).
// The "S3" side listens on its own port, so part uploads are cross-origin
// PUTs with a CORS preflight, as with real presigned URLs; it does NOT
// expose the ETag header, which exercises the app's fallback of reading
// ETags back through GET .../parts.
// An analysis completes by itself a few seconds after it starts.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { barChartPng } from './png.mjs';

const apiPort = Number(process.env.FAKE_API_PORT ?? 4020);
const s3Port = Number(process.env.FAKE_S3_PORT ?? 4021);
const issuer = (process.env.OIDC_ISSUER ?? 'http://127.0.0.1:4011').replace(/\/+$/, '');
const audience = process.env.OIDC_AUDIENCE ?? 'biotech-web';
const partSize = Number(process.env.FAKE_PART_SIZE ?? 5 * 1024 * 1024);
const completeAfterMs = Number(process.env.FAKE_ANALYSIS_MS ?? 4000);
const storageQuota = Number(process.env.MAX_STORAGE_BYTES_PER_USER ?? 1024 ** 4);
const s3Origin = `http://127.0.0.1:${s3Port}`;

const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
const users = new Map();
const samples = new Map();
const files = new Map();
const analyses = new Map();
const objects = new Map(); // s3 key -> Buffer
const id = (prefix) => `${prefix}-${randomBytes(6).toString('hex')}`;
const now = () => new Date().toISOString();
const sign = (path) => createHash('sha256').update(`secret:${path}`).digest('hex').slice(0, 24);
const EXTENSIONS = ['.mzml', '.mzml.gz', '.mzxml', '.mgf'];

class HttpErr extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function send(res, status, body, headers = {}) {
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
}

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks);
}

async function json(req) {
  const raw = (await readBody(req)).toString('utf8');
  if (!raw) return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw new HttpErr(400, 'bad_request', 'body is not JSON');
  }
}

async function authenticate(req) {
  const header = req.headers.authorization ?? '';
  const [scheme, token] = header.split(' ');
  if (scheme?.toLowerCase() !== 'bearer' || !token) throw new HttpErr(401, 'unauthorized', 'missing bearer token');
  try {
    const { payload } = await jwtVerify(token, jwks, { issuer, audience });
    if (!users.has(payload.sub)) users.set(payload.sub, { id: payload.sub, email: payload.email ?? '', name: payload.name ?? '' });
    return users.get(payload.sub);
  } catch (e) {
    throw new HttpErr(401, 'unauthorized', `invalid token: ${e.message}`);
  }
}

function sampleView(s, withFiles) {
  const own = [...files.values()].filter((f) => f.sampleId === s.id);
  const view = { id: s.id, name: s.name, description: s.description, createdAt: s.createdAt, fileCount: own.length };
  if (withFiles) view.files = own.map(fileView);
  return view;
}

function fileView(f) {
  return { id: f.id, fileName: f.fileName, proteinName: f.proteinName, sizeBytes: f.sizeBytes, status: f.status, createdAt: f.createdAt };
}

function ownedSample(user, sampleId) {
  const s = samples.get(sampleId);
  if (!s || s.ownerId !== user.id) throw new HttpErr(404, 'not_found', 'sample not found');
  return s;
}

function ownedFile(user, sampleId, fileId) {
  ownedSample(user, sampleId);
  const f = files.get(fileId);
  if (!f || f.sampleId !== sampleId) throw new HttpErr(404, 'not_found', 'file not found');
  return f;
}

function ownedAnalysis(user, analysisId) {
  const a = analyses.get(analysisId);
  if (!a || a.ownerId !== user.id) throw new HttpErr(404, 'not_found', 'analysis not found');
  return a;
}

function settle(a) {
  if (a.status !== 'RUNNING' || Date.now() - a.startedMs < completeAfterMs) return;
  a.status = 'SUCCEEDED';
  a.completedAt = now();
  a.filesSucceeded = a.fileIds.length;
  a.results = a.fileIds.map((fileId, i) => {
    const f = files.get(fileId);
    const outputs = ['tic.png', 'coverage.png', 'peptides.csv'];
    for (const name of outputs) {
      const key = `results/${a.id}/${fileId}/${name}`;
      objects.set(
        key,
        name.endsWith('.png')
          ? barChartPng(Array.from({ length: 12 }, (_, k) => 0.2 + 0.8 * Math.abs(Math.sin((k + 1) * (i + 2)))), {
              rgb: name === 'tic.png' ? [11, 92, 173] : [19, 117, 59],
            })
          : Buffer.from('peptide,start,end\nLVNELTEFAK,66,75\n'),
      );
    }
    return {
      fileId,
      fileName: f.fileName,
      proteinName: f.proteinName,
      status: 'SUCCEEDED',
      // The API's view of a contracts v2 file summary (fragment-confirmed coverage is v1 only).
      summaryVersion: 2,
      coveragePercent: 42.3 - i * 10,
      psmsAccepted: 140 - i * 10,
      peptidesAccepted: 21 - i,
      proteinGroupsAccepted: 3,
      fdrEstimable: true,
      fragmentConfirmedCoveragePercent: null,
      experimentType: 'peptide_map',
      counts: { spectra: 1684 - i * 100, ms1: 564, ms2: 1120 - i * 100, psmsAccepted: 140 - i * 10, peptidesAccepted: 21 - i },
      outputs,
    };
  });
}

function analysisView(a) {
  settle(a);
  return {
    id: a.id,
    sampleId: a.sampleId,
    status: a.status,
    attempt: a.attempt,
    executionName: a.executionName,
    filesSucceeded: a.filesSucceeded,
    filesFailed: a.filesFailed,
    createdAt: a.createdAt,
    completedAt: a.completedAt ?? null,
    cause: null,
    rerunOf: a.rerunOf ?? null,
  };
}

// Like the real API, part URLs sign the part's exact length (Content-Length):
// a PUT of any other length is refused with 403.
function presign(key, method, length) {
  const path = `/${key}`;
  const len = length === undefined ? '' : `&len=${length}`;
  return `${s3Origin}${path}?method=${method}${len}&sig=${sign(method + path + len)}`;
}

const partLength = (f, n) => (n < f.partCount ? partSize : f.sizeBytes - partSize * (f.partCount - 1));
const mib = (n) => `${(n / 1048576).toFixed(1)} MiB`;

const routes = [
  ['GET', /^\/api\/health$/, async () => ({ status: 200, body: { status: 'ok' } }), false],
  ['GET', /^\/api\/me$/, async (user) => ({ status: 200, body: user })],
  ['GET', /^\/api\/samples$/, async (user) => ({
    status: 200,
    body: { items: [...samples.values()].filter((s) => s.ownerId === user.id && !s.deleted).map((s) => sampleView(s, false)) },
  })],
  ['POST', /^\/api\/samples$/, async (user, req) => {
    const body = await json(req);
    if (typeof body.name !== 'string' || !body.name.trim()) throw new HttpErr(422, 'validation_error', 'name is required');
    const s = { id: id('smp'), ownerId: user.id, name: body.name.trim(), description: body.description ?? '', createdAt: now() };
    samples.set(s.id, s);
    return { status: 201, body: sampleView(s, true) };
  }],
  ['GET', /^\/api\/samples\/([^/]+)$/, async (user, _req, m) => ({ status: 200, body: sampleView(ownedSample(user, m[1]), true) })],
  ['DELETE', /^\/api\/samples\/([^/]+)$/, async (user, _req, m) => {
    ownedSample(user, m[1]).deleted = true;
    samples.delete(m[1]);
    return { status: 204 };
  }],
  ['POST', /^\/api\/samples\/([^/]+)\/files$/, async (user, req, m) => {
    ownedSample(user, m[1]);
    const body = await json(req);
    const name = String(body.fileName ?? '');
    if (!EXTENSIONS.some((e) => name.toLowerCase().endsWith(e))) throw new HttpErr(422, 'validation_error', 'unsupported file type');
    if (!Number.isInteger(body.sizeBytes) || body.sizeBytes <= 0) throw new HttpErr(422, 'validation_error', 'sizeBytes must be positive');
    // The real API's per-user storage quota: uploads in flight plus stored plus this file.
    let stored = 0;
    let uploading = 0;
    for (const other of files.values()) {
      if (other.ownerId !== user.id || !samples.has(other.sampleId)) continue;
      if (other.status === 'UPLOADED') stored += other.sizeBytes;
      if (other.status === 'UPLOADING') uploading += other.sizeBytes;
    }
    const total = stored + uploading + body.sizeBytes;
    if (total > storageQuota) {
      throw new HttpErr(
        409,
        'storage_quota_exceeded',
        `storage quota exceeded: this file (${mib(body.sizeBytes)}) would bring your storage to ${mib(total)}, over your ` +
          `quota of ${mib(storageQuota)} (stored ${mib(stored)}, uploading ${mib(uploading)}). Delete samples you no longer ` +
          'need or cancel unfinished uploads, or ask an administrator to raise the quota.',
      );
    }
    const partCount = Math.max(1, Math.ceil(body.sizeBytes / partSize));
    const f = {
      ownerId: user.id,
      id: id('file'),
      sampleId: m[1],
      fileName: name,
      proteinName: body.proteinName ?? null,
      sequence: body.sequence ?? null,
      sizeBytes: body.sizeBytes,
      status: 'UPLOADING',
      createdAt: now(),
      partCount,
      parts: new Map(),
    };
    files.set(f.id, f);
    return { status: 201, body: { file: fileView(f), upload: { partSizeBytes: partSize, partCount } } };
  }],
  ['POST', /^\/api\/samples\/([^/]+)\/files\/([^/]+)\/parts$/, async (user, req, m) => {
    const f = ownedFile(user, m[1], m[2]);
    const body = await json(req);
    const numbers = body.partNumbers;
    if (!Array.isArray(numbers) || numbers.length === 0 || numbers.length > 100) throw new HttpErr(422, 'validation_error', 'partNumbers: 1 to 100 items');
    if (numbers.some((n) => !Number.isInteger(n) || n < 1 || n > f.partCount)) throw new HttpErr(422, 'validation_error', 'part number out of range');
    const expiresAt = new Date(Date.now() + 900_000).toISOString();
    return {
      status: 200,
      body: {
        parts: numbers.map((n) => ({
          partNumber: n,
          sizeBytes: partLength(f, n),
          url: presign(`uploads/${f.id}/${n}`, 'PUT', partLength(f, n)),
          expiresAt,
        })),
      },
    };
  }],
  ['GET', /^\/api\/samples\/([^/]+)\/files\/([^/]+)\/parts$/, async (user, _req, m) => {
    const f = ownedFile(user, m[1], m[2]);
    return { status: 200, body: { parts: [...f.parts.entries()].sort((a, b) => a[0] - b[0]).map(([partNumber, p]) => ({ partNumber, etag: p.etag, sizeBytes: p.size })) } };
  }],
  ['POST', /^\/api\/samples\/([^/]+)\/files\/([^/]+)\/complete$/, async (user, req, m) => {
    const f = ownedFile(user, m[1], m[2]);
    const body = await json(req);
    const parts = body.parts ?? [];
    if (parts.length !== f.partCount) throw new HttpErr(409, 'upload_incomplete', `expected ${f.partCount} parts`);
    for (const p of parts) {
      if (f.parts.get(p.partNumber)?.etag !== p.etag) throw new HttpErr(409, 'invalid_part', `part ${p.partNumber} does not match`);
    }
    f.status = 'UPLOADED';
    return { status: 200, body: fileView(f) };
  }],
  ['POST', /^\/api\/samples\/([^/]+)\/files\/([^/]+)\/abort$/, async (user, _req, m) => {
    ownedFile(user, m[1], m[2]).status = 'ABORTED';
    return { status: 204 };
  }],
  ['POST', /^\/api\/samples\/([^/]+)\/analyses$/, async (user, req, m) => {
    ownedSample(user, m[1]);
    const body = await json(req);
    const own = [...files.values()].filter((f) => f.sampleId === m[1]);
    if (own.some((f) => f.status === 'UPLOADING')) throw new HttpErr(409, 'uploads_incomplete', 'some uploads are not complete');
    const ready = own.filter((f) => f.status === 'UPLOADED');
    if (ready.length === 0) throw new HttpErr(409, 'no_files', 'no uploaded files');
    const a = {
      id: id('an'), sampleId: m[1], ownerId: user.id, status: 'RUNNING', attempt: 1, executionName: id('exec'),
      filesSucceeded: 0, filesFailed: 0, createdAt: now(), startedMs: Date.now(), fileIds: ready.map((f) => f.id), parameters: body.parameters ?? {},
    };
    analyses.set(a.id, a);
    return { status: 202, body: analysisView(a) };
  }],
  ['GET', /^\/api\/samples\/([^/]+)\/analyses$/, async (user, _req, m) => {
    ownedSample(user, m[1]);
    return { status: 200, body: { items: [...analyses.values()].filter((a) => a.sampleId === m[1]).map(analysisView) } };
  }],
  ['GET', /^\/api\/analyses\/([^/]+)$/, async (user, _req, m) => ({ status: 200, body: analysisView(ownedAnalysis(user, m[1])) })],
  ['POST', /^\/api\/analyses\/([^/]+)\/rerun$/, async (user, _req, m) => {
    const old = ownedAnalysis(user, m[1]);
    const rid = id('an');
    const a = { ...old, id: rid, rerunOf: old.id, executionName: `${rid}-1`, status: 'RUNNING', attempt: 1, startedMs: Date.now(), createdAt: now(), completedAt: null, filesSucceeded: 0, filesFailed: 0, results: undefined };
    analyses.set(a.id, a);
    return { status: 202, body: analysisView(a) };
  }],
  ['GET', /^\/api\/analyses\/([^/]+)\/results$/, async (user, _req, m) => {
    const a = ownedAnalysis(user, m[1]);
    settle(a);
    const list = (a.results ?? []).map(({ outputs, ...r }) => ({
      ...r,
      downloads: outputs.map((name) => ({ name, url: presign(`results/${a.id}/${r.fileId}/${name}`, 'GET') })),
    }));
    return { status: 200, body: { analysisId: a.id, status: a.status, files: list } };
  }],
];

const api = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  try {
    for (const [method, pattern, handler, needsAuth = true] of routes) {
      const m = pattern.exec(url.pathname);
      if (!m || req.method !== method) continue;
      const user = needsAuth ? await authenticate(req) : null;
      const out = await handler(user, req, m);
      send(res, out.status, out.body);
      return;
    }
    throw new HttpErr(404, 'not_found', 'no such route');
  } catch (e) {
    const status = e instanceof HttpErr ? e.status : 500;
    if (status === 500) console.error(e);
    send(res, status, { error: { code: e.code ?? 'internal', message: e.message } });
  }
});

// Fake S3: checks the "signature", stores PUT bodies, serves GETs.
const s3 = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const cors = {
    'Access-Control-Allow-Origin': req.headers.origin ?? '*',
    'Access-Control-Allow-Methods': 'GET, PUT',
    'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '*',
    'Access-Control-Max-Age': '600',
  };
  if (req.method === 'OPTIONS') {
    res.writeHead(204, cors).end();
    return;
  }
  const method = url.searchParams.get('method');
  const len = url.searchParams.has('len') ? `&len=${url.searchParams.get('len')}` : '';
  const lengthOk = !len || req.headers['content-length'] === url.searchParams.get('len');
  if (method !== req.method || !lengthOk || url.searchParams.get('sig') !== sign(method + url.pathname + len)) {
    res.writeHead(403, { ...cors, 'Content-Type': 'application/xml' }).end('<Error><Code>SignatureDoesNotMatch</Code></Error>');
    return;
  }
  const key = url.pathname.slice(1);
  if (req.method === 'PUT') {
    const body = await readBody(req);
    const [, fileId, part] = key.split('/');
    const f = files.get(fileId);
    if (!f) {
      res.writeHead(404, cors).end();
      return;
    }
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    f.parts.set(Number(part), { etag, size: body.length });
    res.writeHead(200, { ...cors, ETag: etag }).end();
    return;
  }
  const obj = objects.get(key);
  if (!obj) {
    res.writeHead(404, cors).end();
    return;
  }
  const type = key.endsWith('.png') ? 'image/png' : key.endsWith('.csv') ? 'text/csv' : 'application/octet-stream';
  res.writeHead(200, { ...cors, 'Content-Type': type, 'Content-Length': obj.length }).end(obj);
});

api.listen(apiPort, '127.0.0.1', () => console.log(`fake API on http://127.0.0.1:${apiPort}`));
s3.listen(s3Port, '127.0.0.1', () => console.log(`fake S3 on ${s3Origin}`));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
