import type { RuntimeConfig } from './runtime-config';

/** The fields of the runtime config that sign-out needs. */
export type SignOutConfig = Pick<RuntimeConfig, 'oidcClientId' | 'oidcLogoutUrl' | 'oidcPostLogoutRedirectUri'>;

/**
 * Where the provider sends the browser after sign-out: `OIDC_POST_LOGOUT_REDIRECT_URI` when set,
 * else the app's root (`<origin>/`). It must be registered with the provider exactly as sent (for
 * Cognito: one of the app client's LogoutURLs), or the provider refuses the sign-out.
 */
export function postLogoutRedirectUri(cfg: SignOutConfig, origin: string): string {
  return cfg.oidcPostLogoutRedirectUri || `${origin}/`;
}

/**
 * The sign-out URL for a provider with a plain logout endpoint (Cognito's `/logout`), or null
 * when none is configured (then the provider's OIDC `end_session_endpoint` is used).
 *
 * Cognito's logout endpoint takes `client_id` and `logout_uri`, and `logout_uri` must equal one of
 * the app client's registered LogoutURLs. No token ever goes into the URL: an `id_token_hint` in a
 * query string ends up in browser history, proxy and CDN logs.
 */
export function buildLogoutUrl(cfg: SignOutConfig, origin: string): string | null {
  if (!cfg.oidcLogoutUrl) return null;
  const url = new URL(cfg.oidcLogoutUrl);
  url.searchParams.set('client_id', cfg.oidcClientId);
  url.searchParams.set('logout_uri', postLogoutRedirectUri(cfg, origin));
  return url.toString();
}
