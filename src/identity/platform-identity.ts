import { aws_cognito as cognito, Duration, Lazy, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { resolvePlatformIdentityProps } from './platform-identity-defaults';
import { PlatformIdentityProps } from './platform-identity-props';
import { Acknowledge } from '../compliance/acknowledge';
import { resolveRemovalPolicy } from '../core/removal';
import { PropsValidator } from '../core/validation';
import { PlatformStage } from '../stage/platform-stage';

/**
 * Who may sign in: a Cognito user pool (Plus feature plan with threat protection, MFA required
 * in production) with a public app client for the web app (authorization code + PKCE), or an
 * external OIDC issuer. Either way it exposes the issuer, audience and JWKS URL the API verifies
 * tokens with.
 *
 * @example
 * const identity = new PlatformIdentity(this, 'Identity', {
 *   stage: PlatformStage.PROD,
 *   callbackUrls: ['https://app.example.com/auth/callback'],
 * });
 */
export class PlatformIdentity extends Construct {
  /** The user pool, when one is created. */
  public readonly userPool?: cognito.UserPool;
  /** The web app's client, when a user pool is created. */
  public readonly webClient?: cognito.UserPoolClient;
  /** The hosted sign-in domain, when a user pool is created. */
  public readonly domain?: cognito.UserPoolDomain;
  /** The OIDC issuer URL (the tokens' `iss`). */
  public readonly issuerUrl: string;
  /** The audience the API expects (the web client id). */
  public readonly audience: string;
  /** The JWKS URL the API fetches signing keys from. */
  public readonly jwksUrl: string;
  /** The hosted sign-in base URL the web app sends users to (empty for an external issuer). */
  public readonly signInUrl: string;
  /**
   * The hosted sign-out endpoint (`<signInUrl>/logout`; empty for an external issuer). Send users to
   * `<signOutUrl>?client_id=<audience>&logout_uri=<one of the logout URLs>`: Cognito redirects only to
   * a registered logout URL. Never put a token (`id_token_hint`) in this URL.
   */
  public readonly signOutUrl: string;
  /**
   * The managed login (v2) branding of the web client. Managed login pages need one per app client,
   * or they answer "Login pages unavailable".
   */
  public readonly webClientBranding?: cognito.CfnManagedLoginBranding;

  private readonly callbackUrls: string[];
  private readonly logoutUrls: string[];

  constructor(scope: Construct, id: string, props: PlatformIdentityProps = {}) {
    super(scope, id);
    const resolved = resolvePlatformIdentityProps(this, props);
    const stage = resolved.stage;
    this.callbackUrls = [];
    this.logoutUrls = [...(props.logoutUrls ?? [])];
    for (const url of props.callbackUrls ?? []) this.addCallbackUrl(url);
    validate(this, props, stage);

    if (props.externalIssuer) {
      this.issuerUrl = props.externalIssuer.issuerUrl;
      this.audience = props.externalIssuer.audience;
      this.jwksUrl = props.externalIssuer.jwksUrl ?? `${props.externalIssuer.issuerUrl.replace(/\/$/, '')}/.well-known/jwks.json`;
      this.signInUrl = '';
      this.signOutUrl = '';
      return;
    }

    const mfaRequired = resolved.mfaRequired;
    const userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false, // scientists are invited by an administrator
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      passwordPolicy: {
        minLength: 12,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: mfaRequired ? cognito.Mfa.REQUIRED : cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: resolved.deletionProtection,
      removalPolicy: resolveRemovalPolicy(this, props.removalPolicy, stage),
    });
    this.userPool = userPool;
    this.domain = userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: resolved.domainPrefix },
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    const validity = resolved.tokenValidity;
    this.webClient = userPool.addClient('WebClient', {
      generateSecret: false, // a browser app is a public client: PKCE instead of a secret
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: validity,
      idTokenValidity: validity,
      refreshTokenValidity: Duration.days(1),
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [Lazy.string({ produce: () => this.callbackUrls[0] })],
        logoutUrls: [Lazy.string({ produce: () => this.logoutUrls[0] })],
      },
    });
    // Resolved at synth so URLs added later (the CloudFront domain) are included.
    const cfnClient = this.webClient.node.defaultChild as cognito.CfnUserPoolClient;
    cfnClient.callbackUrLs = Lazy.list({ produce: () => this.callbackUrls }) as unknown as string[];
    cfnClient.logoutUrLs = Lazy.list({ produce: () => (this.logoutUrls.length ? this.logoutUrls : undefined) }) as unknown as string[];
    this.node.addValidation({
      validate: () => this.callbackUrls.length > 0 ? [] : [
        `PlatformIdentity at '${this.node.path}': the web client has no callback URL. Pass callbackUrls or call addCallbackUrl() ` +
        "(ProteomicsPlatform adds the app's CloudFront URL itself).",
      ],
    });
    this.issuerUrl = userPool.userPoolProviderUrl;
    this.audience = this.webClient.userPoolClientId;
    this.jwksUrl = `${userPool.userPoolProviderUrl}/.well-known/jwks.json`;
    this.signInUrl = this.domain.baseUrl();
    this.signOutUrl = `${this.signInUrl}/logout`;

    // Managed login v2 (NEWER_MANAGED_LOGIN) serves an app client's pages only when a branding
    // exists for that client; Cognito's own default style is enough.
    this.webClientBranding = new cognito.CfnManagedLoginBranding(this, 'WebClientBranding', {
      userPoolId: userPool.userPoolId,
      clientId: this.webClient.userPoolClientId,
      useCognitoProvidedValues: true,
    });

    if (!mfaRequired) {
      Acknowledge.rules(userPool, `MFA is optional in stage '${stage.name}' (required in production stages); set mfaRequired to require it.`, [
        'AwsSolutions-COG2',
      ]);
    }
  }

  /**
   * Adds a URL the web app's sign-in may redirect back to. When the URL is a literal, its app root
   * (`<origin>/`, where the web app returns after sign-out by default) becomes a logout URL too;
   * for a URL only known at deploy time, register the logout URL with `addLogoutUrl()`.
   * Call it before synth (for example with the CloudFront domain once the edge exists).
   */
  public addCallbackUrl(url: string): void {
    this.callbackUrls.push(url);
    if (!Token.isUnresolved(url)) this.addLogoutUrl(`${new URL(url).origin}/`);
  }

  /**
   * Adds a URL Cognito may redirect to after sign-out: the exact `logout_uri` the web app sends
   * to `<signOutUrl>?client_id=…&logout_uri=…` (Cognito compares them as strings).
   */
  public addLogoutUrl(url: string): void {
    if (!this.logoutUrls.includes(url)) this.logoutUrls.push(url);
  }
}

function validate(scope: Construct, props: PlatformIdentityProps, stage: PlatformStage): void {
  const v = new PropsValidator(scope, 'PlatformIdentity');
  const localhost = /^http:\/\/localhost(:\d+)?(\/|$)/;
  for (const [i, url] of (props.callbackUrls ?? []).entries()) {
    if (Token.isUnresolved(url)) continue;
    const ok = url.startsWith('https://') || (!stage.production && localhost.test(url));
    v.check(ok, `callbackUrls[${i}]`, url,
      stage.production ? 'use an https:// URL (production stages allow no plain-http callback).' : 'use an https:// URL (or http://localhost for development).');
  }
  if (props.externalIssuer) {
    const issuer = props.externalIssuer.issuerUrl;
    v.check(Token.isUnresolved(issuer) || issuer.startsWith('https://'), 'externalIssuer.issuerUrl', issuer, 'use the https:// issuer URL from the provider\'s discovery document.');
    v.check(!!props.externalIssuer.audience, 'externalIssuer.audience', props.externalIssuer.audience, 'give the client id the API must find in tokens.');
    v.check(props.mfaRequired === undefined && props.domainPrefix === undefined, 'mfaRequired/domainPrefix', 'set',
      'MFA and the hosted domain belong to the external issuer: remove these props or drop externalIssuer.');
  }
  if (props.domainPrefix !== undefined && !Token.isUnresolved(props.domainPrefix)) {
    v.check(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(props.domainPrefix) && !/aws|amazon|cognito/.test(props.domainPrefix),
      'domainPrefix', props.domainPrefix, 'use 1-63 lowercase letters, digits and hyphens, without "aws", "amazon" or "cognito".');
  }
  if (props.tokenValidity !== undefined) {
    const minutes = props.tokenValidity.toMinutes();
    v.check(minutes >= 5 && minutes <= 24 * 60, 'tokenValidity', props.tokenValidity, 'use 5 minutes to 1 day (Cognito\'s limits for access and id tokens).');
  }
  v.throwIfInvalid();
}
