import type { NextConfig } from 'next';

// Static hardening headers for every response; the Content-Security-Policy
// is set per request (with a nonce) in src/proxy.ts.
const securityHeaders = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Referrer-Policy', value: 'no-referrer' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()' },
  { key: 'Strict-Transport-Security', value: 'max-age=63072000; includeSubDomains' },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
];

// For local development only: forward /api/* to an API running elsewhere.
// Behind the ALB, /api/* never reaches this app. Rewrites are fixed when the
// app is built, so production images are built without API_INTERNAL_URL.
const apiInternalUrl = process.env.API_INTERNAL_URL?.replace(/\/+$/, '');

// The app is built from its own folder; keep the standalone output rooted
// here rather than at the enclosing repository.
const appRoot = process.cwd();

const nextConfig: NextConfig = {
  output: 'standalone',
  outputFileTracingRoot: appRoot,
  turbopack: { root: appRoot },
  poweredByHeader: false,
  reactStrictMode: true,
  async headers() {
    return [{ source: '/:path*', headers: securityHeaders }];
  },
  async rewrites() {
    if (!apiInternalUrl) return [];
    return [{ source: '/api/:path*', destination: `${apiInternalUrl}/api/:path*` }];
  },
};

export default nextConfig;
