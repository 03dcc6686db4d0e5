// Stand-in for CloudFront + the internal ALB: one origin that sends /api/* to
// the API and everything else to the web app, as in the deployment.
import http from 'node:http';

export function startAlbProxy({ port, host = '127.0.0.1', api, web }) {
  const server = http.createServer((req, res) => {
    const toApi = req.url === '/api' || req.url.startsWith('/api/') || req.url.startsWith('/api?');
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
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end(`bad gateway: ${error.message}`);
    });
    req.pipe(upstream);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
