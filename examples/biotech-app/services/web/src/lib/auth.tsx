'use client';

import { UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiClient } from './api';
import type { RuntimeConfig } from './runtime-config';
import { buildLogoutUrl, postLogoutRedirectUri } from './sign-out';

type AuthState =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'signedOut' }
  | { status: 'signedIn'; user: User };

interface AuthContextValue {
  state: AuthState;
  config: RuntimeConfig | null;
  api: ApiClient;
  signIn: (returnTo?: string) => Promise<void>;
  signOut: () => Promise<void>;
  /** Finish the redirect from the identity provider; returns the page to go back to. */
  completeSignIn: () => Promise<string>;
}

const AuthContext = createContext<AuthContextValue | null>(null);

let configPromise: Promise<RuntimeConfig> | null = null;
function loadConfig(): Promise<RuntimeConfig> {
  configPromise ??= fetch('/runtime-config', { cache: 'no-store' }).then(async (r) => {
    if (!r.ok) throw new Error(`Could not load the app configuration (HTTP ${r.status})`);
    return (await r.json()) as RuntimeConfig;
  });
  return configPromise;
}

function createUserManager(config: RuntimeConfig): UserManager {
  const origin = window.location.origin;
  return new UserManager({
    authority: config.oidcIssuer,
    client_id: config.oidcClientId,
    redirect_uri: config.oidcRedirectUri || `${origin}/auth/callback`,
    post_logout_redirect_uri: postLogoutRedirectUri(config, origin),
    response_type: 'code',
    scope: config.oidcScope,
    // Tokens live only for this browser tab (sessionStorage), never in cookies.
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
    // Renewal uses the refresh token when the provider issues one.
    automaticSilentRenew: true,
    loadUserInfo: false,
  });
}

function pathHere(): string {
  return `${window.location.pathname}${window.location.search}`;
}

let managerPromise: Promise<UserManager> | null = null;
/** One UserManager per page, created once the runtime config is known. */
function getManager(): Promise<UserManager> {
  managerPromise ??= loadConfig().then((cfg) => {
    if (!cfg.oidcIssuer || !cfg.oidcClientId) {
      throw new Error('Sign-in is not configured (OIDC_ISSUER / OIDC_CLIENT_ID are missing).');
    }
    return createUserManager(cfg);
  });
  return managerPromise;
}

async function currentToken(): Promise<string | null> {
  const manager = await getManager();
  const user = await manager.getUser();
  if (!user || user.expired) return null;
  const cfg = await loadConfig();
  return cfg.apiTokenType === 'id' ? (user.id_token ?? null) : user.access_token;
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>({ status: 'loading' });
  const [config, setConfig] = useState<RuntimeConfig | null>(null);

  useEffect(() => {
    let cancelled = false;
    let detach = () => {};
    loadConfig()
      .then((cfg) => {
        if (!cancelled) setConfig(cfg);
        return getManager();
      })
      .then(async (manager) => {
        const onLoaded = (user: User) => setState({ status: 'signedIn', user });
        const onUnloaded = () => setState({ status: 'signedOut' });
        manager.events.addUserLoaded(onLoaded);
        manager.events.addUserUnloaded(onUnloaded);
        manager.events.addSilentRenewError(onUnloaded);
        detach = () => {
          manager.events.removeUserLoaded(onLoaded);
          manager.events.removeUserUnloaded(onUnloaded);
          manager.events.removeSilentRenewError(onUnloaded);
        };
        const user = await manager.getUser();
        if (cancelled) return;
        setState(user && !user.expired ? { status: 'signedIn', user } : { status: 'signedOut' });
      })
      .catch((error: unknown) => {
        if (!cancelled) setState({ status: 'error', message: error instanceof Error ? error.message : String(error) });
      });
    return () => {
      cancelled = true;
      detach();
    };
  }, []);

  const signIn = useCallback(async (returnTo?: string) => {
    const manager = await getManager();
    await manager.signinRedirect({ state: { returnTo: returnTo ?? pathHere() } });
  }, []);

  const signOut = useCallback(async () => {
    const manager = await getManager();
    const cfg = await loadConfig();
    // The user is removed first: oidc-client-ts would otherwise copy the stored id token into the
    // end-session URL as id_token_hint. No token ever goes into a URL (browser history, proxy and
    // CDN logs); the provider identifies the client by client_id instead.
    await manager.removeUser();
    const logoutUrl = buildLogoutUrl(cfg, window.location.origin);
    if (logoutUrl) {
      // Cognito's /logout?client_id=…&logout_uri=…, with a logout_uri registered on the client.
      window.location.assign(logoutUrl);
      return;
    }
    try {
      // With no id_token_hint, oidc-client-ts sends client_id and post_logout_redirect_uri.
      await manager.signoutRedirect({ post_logout_redirect_uri: postLogoutRedirectUri(cfg, window.location.origin) });
    } catch {
      // The provider has no end_session_endpoint: the local sign-out is all.
      setState({ status: 'signedOut' });
    }
  }, []);

  const completeSignIn = useCallback(async () => {
    const manager = await getManager();
    const user = await manager.signinRedirectCallback();
    setState({ status: 'signedIn', user });
    const returnTo = (user.state as { returnTo?: string } | undefined)?.returnTo;
    // Only same-origin paths, never an absolute URL from the state.
    return returnTo && returnTo.startsWith('/') && !returnTo.startsWith('//') ? returnTo : '/';
  }, []);

  const api = useMemo(
    () =>
      new ApiClient(currentToken, () => {
        void getManager().then((m) => m.removeUser());
      }),
    [],
  );

  const value = useMemo(
    () => ({ state, config, api, signIn, signOut, completeSignIn }),
    [state, config, api, signIn, signOut, completeSignIn],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth must be used inside <AuthProvider>');
  return value;
}
