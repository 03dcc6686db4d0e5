import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
// The web app's own code, not a copy: the seam under test is "what the web sends" vs. "what
// Cognito accepts".
import { readRuntimeConfig } from '../../examples/biotech-app/services/web/src/lib/runtime-config';
import { buildLogoutUrl } from '../../examples/biotech-app/services/web/src/lib/sign-out';
import { findObject, flatten, kubernetesObjects } from '../cluster/k8s';

/**
 * Turns the `${Ref:…}` / `${GetAtt:…}` placeholders of `flatten` into host-name-safe words, the
 * same way on both sides, so two values are equal exactly when they are built from the same
 * tokens and literals, and URLs built from them parse.
 */
export function hostSafe(value: string): string {
  return value.replace(/\$\{([^}]*)\}/g, (_, token: string) => `tok-${token.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`);
}

/** What the web Deployment's environment makes the web app send on sign-out, and what the client accepts. */
export interface WebSignOut {
  /** The sign-out URL the web app builds from its synthesized environment. */
  readonly signOutUrl: URL;
  /** The web app client's registered LogoutURLs. */
  readonly logoutUrls: string[];
  /** The app's own origin (the CloudFront URL the web is served from). */
  readonly origin: string;
}

export function webSignOut(stack: Stack, appUrl: string): WebSignOut {
  const web = findObject(kubernetesObjects(stack), 'Deployment', 'web');
  const env: Record<string, string> = {};
  for (const e of web.spec.template.spec.containers[0].env) env[e.name] = hostSafe(e.value);
  const origin = hostSafe(flatten(stack.resolve(appUrl)));
  const url = buildLogoutUrl(readRuntimeConfig(env), origin);
  if (!url) throw new Error('the web environment has no OIDC_LOGOUT_URL: the web app would not sign out of Cognito');
  const clients = Object.values(Template.fromStack(stack).findResources('AWS::Cognito::UserPoolClient')) as any[];
  if (clients.length !== 1) throw new Error(`expected one user pool client, found ${clients.length}`);
  const logoutUrls = (clients[0].Properties.LogoutURLs ?? []).map((u: any) => hostSafe(flatten(u)));
  return { signOutUrl: new URL(url), logoutUrls, origin };
}
