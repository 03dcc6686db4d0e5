/**
 * Configuration read from the environment at request time (never baked into
 * the client bundle), so one image serves every stage. Only public values:
 * the browser is a public OIDC client (authorization code + PKCE).
 */
export interface RuntimeConfig {
  /** OIDC issuer URL (discovery at `<issuer>/.well-known/openid-configuration`). */
  oidcIssuer: string;
  oidcClientId: string;
  /** Absolute redirect URI; empty means `<origin>/auth/callback`. */
  oidcRedirectUri: string;
  oidcScope: string;
  /** Where to go after sign-out; empty means the app origin. */
  oidcPostLogoutRedirectUri: string;
  /** A logout URL for providers without `end_session_endpoint` (e.g. Cognito's /logout). */
  oidcLogoutUrl: string;
  /** Which token the API expects as Bearer: the access token or the ID token. */
  apiTokenType: 'access' | 'id';
  /** Display name of the deployment stage (e.g. "hml"), shown in the header. */
  stageName: string;
}

export function readRuntimeConfig(env: Record<string, string | undefined> = process.env): RuntimeConfig {
  const tokenType = (env.API_TOKEN_TYPE ?? 'access').toLowerCase();
  return {
    oidcIssuer: (env.OIDC_ISSUER ?? '').replace(/\/+$/, ''),
    oidcClientId: env.OIDC_CLIENT_ID ?? '',
    oidcRedirectUri: env.OIDC_REDIRECT_URI ?? '',
    oidcScope: env.OIDC_SCOPE ?? 'openid email profile',
    oidcPostLogoutRedirectUri: env.OIDC_POST_LOGOUT_REDIRECT_URI ?? '',
    oidcLogoutUrl: env.OIDC_LOGOUT_URL ?? '',
    apiTokenType: tokenType === 'id' ? 'id' : 'access',
    stageName: env.STAGE_NAME ?? '',
  };
}

/** Origins the browser must reach besides its own (issuer, storage). */
export function extraConnectOrigins(env: Record<string, string | undefined> = process.env): string[] {
  const origins = new Set<string>();
  for (const raw of [env.OIDC_ISSUER, env.OIDC_LOGOUT_URL]) {
    if (!raw) continue;
    try {
      origins.add(new URL(raw).origin);
    } catch {
      // ignore malformed values; the sign-in page reports them
    }
  }
  // The platform passes its buckets' own origins (uploads, results). No fallback to every
  // `*.amazonaws.com` host: any bucket, anyone's, would be a valid target for a script's PUT.
  const storage = env.CSP_STORAGE_ORIGINS ?? '';
  for (const item of storage.split(/[\s,]+/)) if (item) origins.add(item);
  return [...origins];
}
