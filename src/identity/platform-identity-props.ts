import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PlatformStage } from '../stage/platform-stage';

/**
 * An OIDC issuer the platform trusts instead of creating a Cognito user pool (e.g. your
 * company's Entra ID, Okta or Keycloak).
 */
export interface ExternalOidcIssuer {
  /** The issuer URL, exactly as in the tokens' `iss` claim (https). */
  readonly issuerUrl: string;
  /** The audience (client id) the API expects in tokens. */
  readonly audience: string;
  /**
   * The JWKS URL.
   * @default - discovered from `<issuerUrl>/.well-known/openid-configuration`
   */
  readonly jwksUrl?: string;
}

/**
 * Props of `PlatformIdentity`.
 */
export interface PlatformIdentityProps {
  /**
   * The stage whose defaults apply (MFA required in production stages, optional otherwise).
   * @default PlatformStage.HML
   */
  readonly stage?: PlatformStage;
  /**
   * Trust this issuer instead of creating a Cognito user pool.
   * @default - a Cognito user pool is created
   */
  readonly externalIssuer?: ExternalOidcIssuer;
  /**
   * HTTPS URLs the web app's sign-in may redirect back to (`http://localhost[:port]` is allowed
   * for development in non-production stages).
   * @default - none: add them with `addCallbackUrl` once the app's URL is known
   */
  readonly callbackUrls?: string[];
  /**
   * URLs the web app's sign-out may redirect to: each must equal, as a string, a `logout_uri` the
   * web app sends to Cognito's `/logout` endpoint.
   * @default - the app root (`<origin>/`) of each literal callback URL
   */
  readonly logoutUrls?: string[];
  /**
   * Whether MFA is required.
   * @default - required in production stages, optional otherwise
   */
  readonly mfaRequired?: boolean;
  /**
   * Prefix of the Cognito hosted domain (`<prefix>.auth.<region>.amazoncognito.com`), globally unique.
   * @default - derived from the stack name, the stage and a hash of the construct path
   */
  readonly domainPrefix?: string;
  /**
   * How long access and id tokens are valid.
   * @default Duration.hours(1)
   */
  readonly tokenValidity?: Duration;
  /**
   * Removal policy of the user pool. DESTROY also needs the `ALLOW_DESTROY_CONTEXT_KEY` opt-in
   * and a stage that allows it.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}
