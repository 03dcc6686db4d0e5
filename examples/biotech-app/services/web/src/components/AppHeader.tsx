'use client';

import Link from 'next/link';
import { useAuth } from '@/lib/auth';

export function AppHeader() {
  const { state, config, signOut } = useAuth();
  const profile = state.status === 'signedIn' ? state.user.profile : null;
  const who = profile ? (profile.name ?? profile.email ?? profile.preferred_username ?? profile.sub) : null;
  return (
    <header className="app-header">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <div className="app-header-inner">
        <Link href="/" className="brand">
          biotech-X <span className="brand-sub">proteomics</span>
        </Link>
        {config?.stageName ? <span className="stage">{config.stageName}</span> : null}
        <nav aria-label="Main" className="main-nav">
          <Link href="/">Samples</Link>
          <Link href="/samples/new">New sample</Link>
        </nav>
        {who ? (
          <div className="user">
            <span className="user-name" data-testid="user-name">
              {who}
            </span>
            <button type="button" className="button small" onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        ) : null}
      </div>
    </header>
  );
}
