import { describe, expect, it } from 'vitest';
import { readRuntimeConfig } from '../../src/lib/runtime-config';
import { buildLogoutUrl, postLogoutRedirectUri } from '../../src/lib/sign-out';

const cognito = {
  OIDC_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
  OIDC_CLIENT_ID: 'client123',
  OIDC_LOGOUT_URL: 'https://biotech-prod-1a2b3c4d.auth.eu-west-1.amazoncognito.com/logout',
};

describe('buildLogoutUrl', () => {
  it("sends Cognito's /logout the client id and the post-logout URI, and nothing else", () => {
    const cfg = readRuntimeConfig({ ...cognito, OIDC_POST_LOGOUT_REDIRECT_URI: 'https://d111.cloudfront.net/' });
    const url = new URL(buildLogoutUrl(cfg, 'https://ignored.example')!);
    expect(url.origin + url.pathname).toBe('https://biotech-prod-1a2b3c4d.auth.eu-west-1.amazoncognito.com/logout');
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'logout_uri']);
    expect(url.searchParams.get('client_id')).toBe('client123');
    expect(url.searchParams.get('logout_uri')).toBe('https://d111.cloudfront.net/');
  });

  it("defaults the post-logout URI to the app's root", () => {
    const cfg = readRuntimeConfig(cognito);
    expect(postLogoutRedirectUri(cfg, 'https://app.example.com')).toBe('https://app.example.com/');
    expect(new URL(buildLogoutUrl(cfg, 'https://app.example.com')!).searchParams.get('logout_uri')).toBe('https://app.example.com/');
  });

  it('never puts a token in the URL', () => {
    const url = buildLogoutUrl(readRuntimeConfig(cognito), 'https://app.example.com')!;
    expect(url).not.toMatch(/id_token|access_token|token_hint|eyJ/);
  });

  it('is null without a logout endpoint (the OIDC end_session_endpoint is used instead)', () => {
    expect(buildLogoutUrl(readRuntimeConfig({ OIDC_ISSUER: 'https://login.example.com', OIDC_CLIENT_ID: 'c' }), 'https://a.example')).toBeNull();
  });
});
