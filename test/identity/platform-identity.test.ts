import { App, CfnElement, Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { PlatformIdentity, PlatformStage } from '../../src';
import { expectCompliant, logicalIds, newStack } from '../helpers';

const idOf = (c: IConstruct) => Stack.of(c).getLogicalId(c.node.defaultChild as CfnElement);

describe('PlatformIdentity in hml', () => {
  const stack = newStack();
  const identity = new PlatformIdentity(stack, 'Identity', { callbackUrls: ['http://localhost:3000/auth/callback'] });
  identity.addCallbackUrl('https://d111111abcdef8.cloudfront.net/auth/callback');
  const template = Template.fromStack(stack);

  test('a Plus-plan user pool with full threat protection, invitation only, strong passwords', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true }) },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
    });
  });

  test('a public web client using the authorization-code flow with every callback URL', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      CallbackURLs: ['http://localhost:3000/auth/callback', 'https://d111111abcdef8.cloudfront.net/auth/callback'],
      LogoutURLs: ['http://localhost:3000/', 'https://d111111abcdef8.cloudfront.net/'],
      PreventUserExistenceErrors: 'ENABLED',
    });
  });

  test('managed login v2 with a branding for the web client (Cognito-provided style)', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { ManagedLoginVersion: 2 });
    template.hasResourceProperties('AWS::Cognito::ManagedLoginBranding', {
      UserPoolId: { Ref: idOf(identity.userPool!) },
      ClientId: { Ref: idOf(identity.webClient!) },
      UseCognitoProvidedValues: true,
    });
    template.resourceCountIs('AWS::Cognito::ManagedLoginBranding', 1);
  });

  test('the sign-out endpoint is the hosted domain\'s /logout', () => {
    expect(JSON.stringify(stack.resolve(identity.signOutUrl))).toMatch(/\.auth\..*amazoncognito\.com\/logout/);
  });

  test('exposes issuer, audience and JWKS URL for the API', () => {
    const resolve = (v: string) => JSON.stringify(Stack.of(identity).resolve(v));
    expect(resolve(identity.issuerUrl)).toMatch(/ProviderURL/);
    expect(resolve(identity.jwksUrl)).toMatch(/ProviderURL.*\/\.well-known\/jwks\.json/);
    expect(resolve(identity.audience)).toMatch(/IdentityUserPoolWebClient/);
  });

  test('the pool is retained and MFA-optional is acknowledged with a reason (hml only)', () => {
    template.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Retain' });
    expectCompliant(stack);
  });

  test('logical ids are stable', () => {
    expect(logicalIds(stack)).toMatchSnapshot();
  });
});

describe('PlatformIdentity logout URLs', () => {
  test('a deploy-time callback URL is not a logout URL; addLogoutUrl registers one exactly as given', () => {
    const stack = newStack();
    const identity = new PlatformIdentity(stack, 'Identity');
    const appUrl = Lazy.string({ produce: () => 'https://d222.cloudfront.net' });
    identity.addCallbackUrl(`${appUrl}/auth/callback`);
    identity.addLogoutUrl(`${appUrl}/`);
    identity.addLogoutUrl(`${appUrl}/`);
    Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPoolClient', {
      CallbackURLs: ['https://d222.cloudfront.net/auth/callback'],
      LogoutURLs: ['https://d222.cloudfront.net/'],
    });
  });
});

describe('PlatformIdentity in prod', () => {
  const stack = newStack({ env: true });
  new PlatformIdentity(stack, 'Identity', { stage: PlatformStage.PROD, callbackUrls: ['https://app.example.com/auth/callback'] });
  const template = Template.fromStack(stack);

  test('MFA is required and the pool has deletion protection', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'ON', DeletionProtection: 'ACTIVE' });
  });

  test('zero unacknowledged findings without any MFA acknowledgement', () => {
    expectCompliant(stack);
  });
});

describe('PlatformIdentity in a custom stage based on prod', () => {
  test('MFA is required and the pool has deletion protection, as in prod', () => {
    const stack = newStack({ env: true });
    const preprod = PlatformStage.of('preprod', { basedOn: PlatformStage.PROD });
    new PlatformIdentity(stack, 'Identity', { stage: preprod, callbackUrls: ['https://app.example.com/auth/callback'] });
    Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'ON', DeletionProtection: 'ACTIVE' });
  });
});

describe('PlatformIdentity with an external issuer', () => {
  test('creates no user pool and passes the issuer through', () => {
    const stack = newStack();
    const identity = new PlatformIdentity(stack, 'Identity', {
      externalIssuer: { issuerUrl: 'https://login.example.com/realms/biotech', audience: 'biotech-web' },
    });
    Template.fromStack(stack).resourceCountIs('AWS::Cognito::UserPool', 0);
    expect([identity.issuerUrl, identity.audience, identity.jwksUrl]).toEqual([
      'https://login.example.com/realms/biotech', 'biotech-web', 'https://login.example.com/realms/biotech/.well-known/jwks.json',
    ]);
  });
});

describe('PlatformIdentity validation', () => {
  test('a plain-http callback is refused in prod, even for localhost', () => {
    expect(() => new PlatformIdentity(newStack(), 'Identity', { stage: PlatformStage.PROD, callbackUrls: ['http://localhost:3000/cb'] }))
      .toThrow(/callbackUrls\[0\] = 'http:\/\/localhost:3000\/cb': use an https:\/\/ URL \(production stages/);
  });

  test('a plain-http non-local callback is refused in hml', () => {
    expect(() => new PlatformIdentity(newStack(), 'Identity', { callbackUrls: ['http://app.example.com/cb'] }))
      .toThrow(/callbackUrls\[0\] = 'http:\/\/app\.example\.com\/cb'/);
  });

  test('an external issuer must be https, with an audience, and without Cognito-only props', () => {
    expect(() => new PlatformIdentity(newStack(), 'Identity', {
      externalIssuer: { issuerUrl: 'http://login.example.com', audience: '' },
      mfaRequired: true,
    })).toThrow(/externalIssuer\.issuerUrl = 'http:\/\/login\.example\.com'.*\n.*externalIssuer\.audience = ''.*\n.*mfaRequired\/domainPrefix/);
  });

  test('a domain prefix Cognito would reject is refused', () => {
    expect(() => new PlatformIdentity(newStack(), 'Identity', { domainPrefix: 'my-cognito-app', callbackUrls: ['https://a.example.com'] }))
      .toThrow(/domainPrefix = 'my-cognito-app'/);
  });

  test('token validity outside 5 minutes to 1 day is refused', () => {
    expect(() => new PlatformIdentity(newStack(), 'Identity', { tokenValidity: Duration.days(2), callbackUrls: ['https://a.example.com'] }))
      .toThrow(/tokenValidity = 2 days: use 5 minutes to 1 day/);
  });

  test('synth fails when the web client has no callback URL at all', () => {
    const app = new App();
    new PlatformIdentity(new Stack(app, 'NoCallback'), 'Identity');
    expect(() => app.synth()).toThrow(/the web client has no callback URL/);
  });
});
