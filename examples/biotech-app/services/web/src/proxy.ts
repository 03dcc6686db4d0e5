import { NextResponse, type NextRequest } from 'next/server';
import { extraConnectOrigins } from './lib/runtime-config';

/**
 * Security headers for every page, computed per request: a nonce-based
 * Content Security Policy whose connect/img sources come from the runtime
 * environment (OIDC issuer, S3 origins), plus the usual hardening headers.
 */
export function proxy(request: NextRequest) {
  const nonce = btoa(crypto.randomUUID());
  const isDev = process.env.NODE_ENV === 'development';
  const extra = extraConnectOrigins().join(' ');
  const csp = [
    `default-src 'self'`,
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${isDev ? ` 'unsafe-eval'` : ''}`,
    `style-src 'self'${isDev ? ` 'unsafe-inline'` : ` 'nonce-${nonce}'`}`,
    `img-src 'self' blob: data: ${extra}`.trim(),
    `connect-src 'self' ${extra}`.trim(),
    `font-src 'self'`,
    `object-src 'none'`,
    `base-uri 'self'`,
    `form-action 'self'`,
    `frame-ancestors 'none'`,
  ].join('; ');

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('Content-Security-Policy', csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('Content-Security-Policy', csp);
  return response;
}

export const config = {
  matcher: [
    {
      source: '/((?!api/|_next/static|_next/image|favicon.ico|runtime-config|healthz).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
