import type { Metadata, Viewport } from 'next';
import { headers } from 'next/headers';
import type { ReactNode } from 'react';
import { AppHeader } from '@/components/AppHeader';
import { AuthProvider } from '@/lib/auth';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'biotech-X proteomics', template: '%s · biotech-X proteomics' },
  description: 'Upload mass-spectrometry files, run analyses and review protein coverage.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Reading the request headers renders every page per request, which lets
  // Next.js put the CSP nonce from src/proxy.ts on its scripts.
  await headers();
  return (
    <html lang="en">
      <body>
        <AuthProvider>
          <AppHeader />
          <main id="main" className="container" tabIndex={-1}>
            {children}
          </main>
        </AuthProvider>
      </body>
    </html>
  );
}
