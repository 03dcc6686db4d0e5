// The local stand-in for CloudFront + WAF + the internal ALB: one origin that sends /api/* to the
// API and everything else to the web app, applying what the synthesized templates say:
// - CloudFront's response-headers policy (headers set with or without Override, headers removed);
// - the WAF's rate rule (requests per client IP in its evaluation window, then 403);
// - the WAF's body rules: SizeRestrictions_BODY labels bodies over 8 KB; those are blocked
//   outside the scoped API paths, and on them when Content-Length does not match the rule's limit.
import http from 'node:http';

/** A WAF decision for one request: undefined (allow) or the blocking rule's name. */
export function wafDecision(waf, { method, path, contentLength, ip, now = Date.now() }, state) {
  if (waf.rate) {
    const windowMs = waf.rate.windowSeconds * 1000;
    const hits = (state.hits.get(ip) ?? []).filter((t) => now - t < windowMs);
    hits.push(now);
    state.hits.set(ip, hits);
    if (hits.length > waf.rate.limit) return 'RateLimitPerIp';
  }
  const body = waf.body;
  if (!body || ['GET', 'HEAD', 'OPTIONS'].includes(method)) return undefined;
  const length = contentLength === undefined ? undefined : Number(contentLength);
  // A body WAF cannot size (chunked, no Content-Length) counts as large.
  const large = length === undefined ? state.chunked === true : length > body.inspectedBytes;
  if (!large) return undefined;
  const scoped = body.paths.find((p) => p.method === method && new RegExp(p.pathRegex).test(path));
  if (!scoped) return body.blockedOutsidePaths ? 'LargeBodyOutsideApiPaths' : undefined;
  if (length === undefined || !new RegExp(scoped.contentLengthRegex).test(String(length))) return `LargeBodyLimit(${scoped.method} ${scoped.pathRegex})`;
  return undefined;
}

export function startFrontProxy({ port, host = '127.0.0.1', api, web, edge, onBlock = () => {} }) {
  const state = { hits: new Map() };
  const server = http.createServer((req, res) => {
    const path = req.url.split('?')[0];
    const chunked = /chunked/i.test(req.headers['transfer-encoding'] ?? '');
    const blocked = edge.waf && wafDecision(edge.waf, {
      method: req.method, path, contentLength: req.headers['content-length'], ip: req.socket.remoteAddress ?? '',
    }, { ...state, chunked });
    if (blocked) {
      onBlock({ rule: blocked, method: req.method, path });
      res.writeHead(403, { 'content-type': 'text/plain', 'x-local-waf-rule': blocked });
      res.end(`Request blocked by the web ACL (${blocked})`);
      req.resume();
      return;
    }
    const toApi = path === '/api' || path.startsWith('/api/');
    const target = new URL(toApi ? api : web);
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '', 'x-forwarded-proto': 'http' },
      },
      (answer) => {
        const headers = { ...answer.headers };
        for (const h of edge.responseHeaders?.remove ?? []) delete headers[h];
        // Override: true replaces the origin's header; Override: false only fills in a missing one.
        // (HSTS only means something over HTTPS; browsers ignore it on http://127.0.0.1 either way.)
        for (const [h, v] of Object.entries(edge.responseHeaders?.set ?? {})) headers[h] = v;
        for (const [h, v] of Object.entries(edge.responseHeaders?.setIfAbsent ?? {})) {
          if (headers[h] === undefined) headers[h] = v;
        }
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`bad gateway: ${error.message}`);
    });
    req.pipe(upstream);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
