'use client';

import type { ReactNode } from 'react';
import { useAuth } from '@/lib/auth';

/** Renders its children only for a signed-in user; offers sign-in otherwise. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { state, signIn } = useAuth();
  if (state.status === 'loading') {
    return (
      <p role="status" className="muted">
        Loading…
      </p>
    );
  }
  if (state.status === 'error') {
    return (
      <div role="alert" className="notice notice-error">
        {state.message}
      </div>
    );
  }
  if (state.status === 'signedOut') {
    return (
      <section className="card signin" aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in</h1>
        <p>Sign in with your biotech-X account to manage samples and analyses.</p>
        <button type="button" className="button primary" onClick={() => void signIn()}>
          Sign in
        </button>
      </section>
    );
  }
  return <>{children}</>;
}
