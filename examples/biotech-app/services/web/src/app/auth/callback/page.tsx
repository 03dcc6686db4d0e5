'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { useAuth } from '@/lib/auth';

/** Redirect target of the identity provider: trades the code for tokens (PKCE). */
export default function AuthCallbackPage() {
  const { completeSignIn } = useAuth();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    completeSignIn()
      .then((returnTo) => router.replace(returnTo))
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [completeSignIn, router]);

  return error ? (
    <div role="alert" className="notice notice-error">
      Sign-in failed: {error} <Link href="/">Back to the start page</Link>
    </div>
  ) : (
    <p role="status" className="muted">
      Signing you in…
    </p>
  );
}
