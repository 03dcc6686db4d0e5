// A real OpenID Connect provider (npm `oidc-provider`) for the end-to-end
// test: one public client (authorization code + PKCE) and one test user.
// Its development login form accepts the test user's login with any password.
//
//   node tests/e2e/oidc-server.mjs
// env: OIDC_PORT (default 4011), APP_ORIGIN (redirect target origin),
//      OIDC_CLIENT_ID (default biotech-web)
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT ?? 4011);
const host = process.env.OIDC_HOST ?? '127.0.0.1';
const issuer = process.env.OIDC_ISSUER ?? `http://${host}:${port}`;
const appOrigin = (process.env.APP_ORIGIN ?? 'http://127.0.0.1:3100').replace(/\/+$/, '');
const clientId = process.env.OIDC_CLIENT_ID ?? 'biotech-web';

export const TEST_USER = {
  login: 'scientist@biotech-x.test',
  name: 'Test Scientist',
};

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'e2e-key', use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      token_endpoint_auth_method: 'none',
      application_type: 'web',
      redirect_uris: [`${appOrigin}/auth/callback`],
      post_logout_redirect_uris: [`${appOrigin}/`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  jwks: { keys: [jwk] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // Put the scope claims (email, name) into the ID token, which the test
  // sends to the API as its bearer token.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  clientBasedCORS: () => true,
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  ttl: { IdToken: 3600, AccessToken: 3600, Session: 3600, Grant: 3600, Interaction: 600 },
  async findAccount(_ctx, id) {
    // Whatever login is typed identifies the single test user.
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: TEST_USER.login, email_verified: true, name: TEST_USER.name };
      },
    };
  },
});
provider.proxy = false;
for (const event of ['server_error', 'grant.error', 'authorization.error']) {
  provider.on(event, (_ctx, error) => console.error(`${event}:`, error));
}

provider.listen(port, host, () => {
  console.log(`oidc-provider listening on ${issuer} (client ${clientId}, redirect ${appOrigin}/auth/callback)`);
});

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
