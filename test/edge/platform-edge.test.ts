import { App, aws_elasticloadbalancingv2 as elbv2, aws_route53 as route53, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AppCluster } from '../../src/cluster/app-cluster';
import { ALLOW_DESTROY_CONTEXT_KEY } from '../../src/core/removal';
import { EDGE_MANAGED_RULE_GROUPS } from '../../src/edge/cloudfront-resources';
import { DEFAULT_CONTENT_SECURITY_POLICY, PlatformEdge } from '../../src/edge/platform-edge';
import { PlatformEdgeGlobal } from '../../src/edge/platform-edge-global';
import { PlatformNetwork } from '../../src/network/platform-network';
import { PlatformStage } from '../../src/stage/platform-stage';
import { expectCompliant, expectNoDeployTraps, logicalIds } from '../helpers';

const ACCOUNT = '123456789012';
const US_EAST_1 = { account: ACCOUNT, region: 'us-east-1' };
const EU_WEST_1 = { account: ACCOUNT, region: 'eu-west-1' };
const WEB_ACL_ARN = `arn:aws:wafv2:us-east-1:${ACCOUNT}:global/webacl/platform/0a1b2c3d`;
const CERT_ARN = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/11111111-2222-3333-4444-555555555555`;

function stackIn(env: { account: string; region: string } | undefined, context: Record<string, unknown> = {}): Stack {
  return new Stack(new App({ context }), 'Platform', { env });
}

/** An internal ALB imported by attributes: PlatformEdge needs only its ARN and DNS name. */
function importedAlb(stack: Stack): elbv2.IApplicationLoadBalancer {
  return elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(stack, 'Alb', {
    loadBalancerArn: `arn:aws:elasticloadbalancing:${stack.region}:${ACCOUNT}:loadbalancer/app/internal/abc`,
    securityGroupId: 'sg-12345678',
    loadBalancerDnsName: 'internal-abc.elb.amazonaws.com',
  });
}

function zone(stack: Stack): route53.IHostedZone {
  return route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789', zoneName: 'biotech-x.example' });
}

function webAclRules(template: Template): any[] {
  return (Object.values(template.findResources('AWS::WAFv2::WebACL'))[0] as any).Properties.Rules;
}

describe('PlatformEdge in us-east-1 with the AppCluster (hml, default domain)', () => {
  const stack = stackIn(US_EAST_1);
  const network = new PlatformNetwork(stack, 'Network');
  const cluster = new AppCluster(stack, 'App', { vpc: network.vpc });
  const edge = new PlatformEdge(stack, 'Edge', { loadBalancer: cluster.loadBalancer, originHttps: cluster.originHttps });
  const template = Template.fromStack(stack);
  const dist = () => (Object.values(template.findResources('AWS::CloudFront::Distribution'))[0] as any).Properties.DistributionConfig;

  test('a VPC origin to the internal ALB over HTTP inside the VPC', () => {
    template.hasResourceProperties('AWS::CloudFront::VpcOrigin', {
      VpcOriginEndpointConfig: Match.objectLike({
        Arn: { Ref: Match.stringLikeRegexp('^AppLoadBalancer') },
        OriginProtocolPolicy: 'http-only',
      }),
    });
    expect(dist().Origins[0].VpcOriginConfig.VpcOriginId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/VpcOrigin/), 'Id'] });
  });

  test('viewers get HTTPS only, on CloudFront\'s default domain', () => {
    expect(dist().DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(dist().Aliases).toBeUndefined();
    expect(dist().ViewerCertificate).toBeUndefined();
    expect(edge.url).toMatch(/^https:\/\//);
  });

  test('pages and /api/* are never cached and get every viewer header, cookie and query string', () => {
    const cachingDisabled = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
    const allViewer = '216adef6-5c7f-47e4-b989-5492eafa07d3';
    expect(dist().DefaultCacheBehavior).toMatchObject({ CachePolicyId: cachingDisabled, OriginRequestPolicyId: allViewer });
    const api = dist().CacheBehaviors.find((b: any) => b.PathPattern === '/api/*');
    expect(api).toMatchObject({
      CachePolicyId: cachingDisabled,
      OriginRequestPolicyId: allViewer,
      ViewerProtocolPolicy: 'https-only',
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
    });
  });

  test('the web app\'s fingerprinted static assets are cached', () => {
    const assets = dist().CacheBehaviors.find((b: any) => b.PathPattern === '/_next/static/*');
    expect(assets).toMatchObject({ CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6', AllowedMethods: ['GET', 'HEAD'], Compress: true });
    expect(assets.OriginRequestPolicyId).toBeUndefined();
  });

  test('security response headers on every behavior', () => {
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: {
          StrictTransportSecurity: { AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Override: true },
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: false },
          XSSProtection: { Protection: true, ModeBlock: true, Override: true },
          ContentSecurityPolicy: { ContentSecurityPolicy: DEFAULT_CONTENT_SECURITY_POLICY, Override: false },
        },
        RemoveHeadersConfig: { Items: [{ Header: 'Server' }, { Header: 'X-Powered-By' }] },
      }),
    });
    for (const b of [dist().DefaultCacheBehavior, ...dist().CacheBehaviors]) {
      expect(b.ResponseHeadersPolicyId).toEqual({ Ref: expect.stringMatching(/^EdgeSecurityHeaders/) });
    }
  });

  test('a CLOUDFRONT-scope web ACL created here, with the managed rule groups and a rate limit', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT', DefaultAction: { Allow: {} } });
    const rules = webAclRules(template);
    expect(rules.filter((r: any) => r.Statement.ManagedRuleGroupStatement).map((r: any) => r.Statement.ManagedRuleGroupStatement.Name))
      .toEqual(EDGE_MANAGED_RULE_GROUPS);
    expect(rules.find((r: any) => r.Name === 'RateLimitPerIp')).toMatchObject({
      Action: { Block: {} },
      Statement: { RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP' } },
    });
    expect(dist().WebACLId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^EdgeWebAcl/), 'Arn'] });
    expect(edge.webAcl).toBeDefined();
  });

  test("the app's own nonce CSP and Referrer-Policy reach the browser; the edge's fill in when absent", () => {
    const config = (Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy'))[0] as any).Properties
      .ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    // Override true would replace the web app's per-request nonce policy (script-src, connect-src
    // to the buckets ...) with this short one, and its no-referrer with a weaker policy.
    expect(config.ContentSecurityPolicy.Override).toBe(false);
    expect(config.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: false });
    expect(DEFAULT_CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
  });

  test('access logs go to an SSE-S3 bucket with ACLs enabled', () => {
    expect(dist().Logging).toEqual({ Bucket: { 'Fn::GetAtt': [expect.stringMatching(/^EdgeLogs/), 'RegionalDomainName'] }, Prefix: 'cloudfront/' });
    template.hasResourceProperties('AWS::S3::Bucket', {
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ OwnershipControls: Match.anyValue() }) });
  });

  test('zero unacknowledged findings in the whole stack (cluster and edge), no deploy traps', () => {
    expectCompliant(stack);
    expectNoDeployTraps(stack);
  });

  test('logical ids are stable', () => {
    const edgeIds = Object.fromEntries(Object.entries(logicalIds(stack)).filter(([id]) => id.startsWith('Edge')));
    expect(edgeIds).toMatchSnapshot();
  });
});

describe('PlatformEdge in us-east-1 with a custom domain (prod): certificate and aliases created here', () => {
  const stack = stackIn(US_EAST_1);
  const edge = new PlatformEdge(stack, 'Edge', {
    loadBalancer: importedAlb(stack),
    stage: PlatformStage.PROD,
    domain: { domainName: 'proteomics.biotech-x.example', hostedZone: zone(stack) },
    originHttps: true,
    originDomainName: 'origin.proteomics.biotech-x.example',
    rateLimit: 500,
  });
  const template = Template.fromStack(stack);
  const dist = () => (Object.values(template.findResources('AWS::CloudFront::Distribution'))[0] as any).Properties.DistributionConfig;

  test('a DNS-validated certificate, TLS 1.2+ with SNI, the domain as alias', () => {
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'proteomics.biotech-x.example',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'proteomics.biotech-x.example', HostedZoneId: 'Z0123456789' }],
    });
    expect(dist().Aliases).toEqual(['proteomics.biotech-x.example']);
    expect(dist().ViewerCertificate).toEqual({
      AcmCertificateArn: { Ref: expect.stringMatching(/^EdgeCertificate/) },
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    expect(edge.url).toBe('https://proteomics.biotech-x.example');
  });

  test('Route 53 A and AAAA aliases to the distribution', () => {
    for (const type of ['A', 'AAAA']) {
      template.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'proteomics.biotech-x.example.',
        Type: type,
        HostedZoneId: 'Z0123456789',
        AliasTarget: { DNSName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EdgeDistribution'), 'DomainName'] }, HostedZoneId: Match.anyValue() },
      });
    }
  });

  test('HTTPS to the origin with TLS 1.2 on the given origin name; the rate limit follows props', () => {
    template.hasResourceProperties('AWS::CloudFront::VpcOrigin', {
      VpcOriginEndpointConfig: Match.objectLike({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] }),
    });
    expect(dist().Origins[0].DomainName).toBe('origin.proteomics.biotech-x.example');
    expect(webAclRules(template).find((r: any) => r.Name === 'RateLimitPerIp').Statement.RateBasedStatement.Limit).toBe(500);
  });

  test('logs and WAF logs are kept two years', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 731 });
    template.hasResourceProperties('AWS::S3::Bucket', { LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 730 })] } });
  });

  test('zero unacknowledged findings, no deploy traps', () => {
    expectCompliant(edge);
    expectNoDeployTraps(stack);
  });
});

describe('PlatformEdge in eu-west-1 with PlatformEdgeGlobal in a us-east-1 stack', () => {
  const app = new App();
  const edgeStack = new Stack(app, 'EdgeGlobal', { env: US_EAST_1, crossRegionReferences: true });
  const platformStack = new Stack(app, 'Platform', { env: EU_WEST_1, crossRegionReferences: true });
  const domain = { domainName: 'proteomics.biotech-x.example', hostedZone: zone(edgeStack) };
  const global = new PlatformEdgeGlobal(edgeStack, 'EdgeGlobal', { domain, stage: PlatformStage.PROD });
  const edge = new PlatformEdge(platformStack, 'Edge', {
    loadBalancer: importedAlb(platformStack),
    stage: PlatformStage.PROD,
    webAclArn: global.webAclArn,
    certificateArn: global.certificateArn,
    domain: { domainName: domain.domainName, hostedZone: zone(platformStack) },
  });
  const edgeTemplate = Template.fromStack(edgeStack);
  const platformTemplate = Template.fromStack(platformStack);

  test('the us-east-1 stack holds the web ACL (all rule groups) and the certificate', () => {
    edgeTemplate.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT' });
    expect(webAclRules(edgeTemplate).map((r: any) => r.Name)).toEqual([
      ...EDGE_MANAGED_RULE_GROUPS, 'LargeBodyOutsideApiPaths', 'LargeBodyLimitCompleteUpload', 'LargeBodyLimitRegisterFile', 'RateLimitPerIp',
    ]);
    edgeTemplate.hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: 'proteomics.biotech-x.example' });
    expect(global.certificateArn).toBeDefined();
  });

  test('the platform stack creates neither and uses their ARNs through cross-region references', () => {
    platformTemplate.resourceCountIs('AWS::WAFv2::WebACL', 0);
    platformTemplate.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    const d = (Object.values(platformTemplate.findResources('AWS::CloudFront::Distribution'))[0] as any).Properties.DistributionConfig;
    expect(JSON.stringify(d.WebACLId)).toMatch(/ExportsReader/);
    expect(JSON.stringify(d.ViewerCertificate.AcmCertificateArn)).toMatch(/ExportsReader/);
    expect(edge.webAcl).toBeUndefined();
    expect(edge.webAclArn).toBe(global.webAclArn);
  });

  test('the us-east-1 stack is compliant', () => {
    expectCompliant(global);
    expectNoDeployTraps(edgeStack);
  });

  test('the platform-side edge is compliant', () => {
    expectCompliant(edge);
  });
});

describe('PlatformEdge in eu-west-1 with literal ARNs (hml)', () => {
  const stack = stackIn(EU_WEST_1);
  const edge = new PlatformEdge(stack, 'Edge', {
    loadBalancer: importedAlb(stack),
    webAclArn: WEB_ACL_ARN,
    certificateArn: CERT_ARN,
    domain: { domainName: 'hml.biotech-x.example', hostedZone: zone(stack) },
  });
  const template = Template.fromStack(stack);

  test('uses the given web ACL and certificate', () => {
    const d = (Object.values(template.findResources('AWS::CloudFront::Distribution'))[0] as any).Properties.DistributionConfig;
    expect(d.WebACLId).toBe(WEB_ACL_ARN);
    expect(d.ViewerCertificate.AcmCertificateArn).toBe(CERT_ARN);
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    template.hasResourceProperties('AWS::S3::Bucket', { LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 30 })] } });
  });

  test('zero unacknowledged findings, no deploy traps', () => {
    expectCompliant(edge);
    expectNoDeployTraps(stack);
  });
});

describe('PlatformEdge props', () => {
  test('in a non-us-east-1 stack, a missing web ACL and certificate are errors that explain PlatformEdgeGlobal', () => {
    const stack = stackIn(EU_WEST_1);
    expect(() => new PlatformEdge(stack, 'Edge', {
      loadBalancer: importedAlb(stack),
      domain: { domainName: 'x.biotech-x.example', hostedZone: zone(stack) },
    })).toThrow(
      /PlatformEdge at 'Platform\/Edge' has invalid props:\n {2}- webAclArn = undefined: this stack is in eu-west-1, but CloudFront web ACLs can only be created in us-east-1: create PlatformEdgeGlobal.*\n {2}- certificateArn = undefined: this stack is in eu-west-1, but CloudFront certificates must be in us-east-1/s,
    );
  });

  test.each([
    ['a certificate outside us-east-1', { certificateArn: `arn:aws:acm:eu-west-1:${ACCOUNT}:certificate/x`, domain: true }, /certificateArn = 'arn:aws:acm:eu-west-1.*': give the ARN of an ACM certificate in us-east-1/],
    ['a regional web ACL', { webAclArn: `arn:aws:wafv2:eu-west-1:${ACCOUNT}:regional/webacl/x/y` }, /webAclArn = .*: give the ARN of a CLOUDFRONT-scope WAFv2 web ACL/],
    ['a certificate without a domain', { certificateArn: CERT_ARN }, /certificateArn = .*: a certificate is only used with a custom domain/],
    ['HTTPS to the origin without an origin name', { originHttps: true }, /originHttps = true: HTTPS to the load balancer needs originDomainName/],
    ['a rate limit below 10', { rateLimit: 5 }, /rateLimit = 5: use a whole number of requests per 5 minutes/],
  ])('rejects %s', (_name, p, message) => {
    const stack = stackIn(US_EAST_1);
    const { domain, ...rest } = p as any;
    expect(() => new PlatformEdge(stack, 'Edge', {
      loadBalancer: importedAlb(stack),
      ...(domain ? { domain: { domainName: 'x.biotech-x.example', hostedZone: zone(stack) } } : {}),
      ...rest,
    })).toThrow(message);
  });

  test("overrideOriginSecurityHeaders makes the edge's CSP and Referrer-Policy replace the origin's", () => {
    const stack = stackIn(US_EAST_1);
    new PlatformEdge(stack, 'Edge', { loadBalancer: importedAlb(stack), overrideOriginSecurityHeaders: true, contentSecurityPolicy: "default-src 'none'" });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          ContentSecurityPolicy: { ContentSecurityPolicy: "default-src 'none'", Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
        }),
      }),
    });
  });

  test('PlatformEdgeGlobal refuses a stack outside us-east-1', () => {
    const stack = stackIn(EU_WEST_1);
    expect(() => new PlatformEdgeGlobal(stack, 'Global')).toThrow(
      /PlatformEdgeGlobal at 'Platform\/Global' has invalid props:\n {2}- stack region = 'eu-west-1': put PlatformEdgeGlobal in a stack with env region us-east-1/,
    );
  });

  test.each([['eu-west-1', EU_WEST_1], ['sa-east-1', { account: ACCOUNT, region: 'sa-east-1' }], ['no explicit region', undefined]])(
    'in %s, a load balancer with a regional web ACL lets CloudFront run without one, with a recommendation', (_where, env) => {
      const stack = stackIn(env);
      const edge = new PlatformEdge(stack, 'Edge', { loadBalancer: importedAlb(stack), originHasRegionalWebAcl: true });
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::WAFv2::WebACL', 0);
      const d = (Object.values(template.findResources('AWS::CloudFront::Distribution'))[0] as any).Properties.DistributionConfig;
      expect(d.WebACLId).toBeUndefined();
      expect(edge.webAclArn).toBeUndefined();
      expect(Annotations.fromStack(stack).findWarning('/Platform/Edge', Match.stringLikeRegexp('CloudFront has no web ACL.*Recommended: create PlatformEdgeGlobal'))).toHaveLength(1);
      expectCompliant(edge);
    });

  test('a custom domain outside us-east-1 still needs its us-east-1 certificate, regional web ACL or not', () => {
    const stack = stackIn(EU_WEST_1);
    expect(() => new PlatformEdge(stack, 'Edge', {
      loadBalancer: importedAlb(stack),
      originHasRegionalWebAcl: true,
      domain: { domainName: 'x.biotech-x.example', hostedZone: zone(stack) },
    })).toThrow(/certificateArn = undefined: this stack is in eu-west-1, but CloudFront certificates must be in us-east-1/);
  });

  test('a region-agnostic stack creates the web ACL itself, with a warning that it must deploy to us-east-1', () => {
    const stack = stackIn(undefined);
    new PlatformEdge(stack, 'Edge', { loadBalancer: importedAlb(stack) });
    Template.fromStack(stack).resourceCountIs('AWS::WAFv2::WebACL', 1);
    expect(Annotations.fromStack(stack).findWarning('/Platform/Edge', Match.stringLikeRegexp('unless the stack is deployed to us-east-1'))).toHaveLength(1);
  });

  test('DESTROY with the opt-in destroys the log bucket and the WAF log group in hml; prod keeps them', () => {
    const hml = stackIn(US_EAST_1, { [ALLOW_DESTROY_CONTEXT_KEY]: true });
    new PlatformEdge(hml, 'Edge', { loadBalancer: importedAlb(hml), removalPolicy: RemovalPolicy.DESTROY });
    Template.fromStack(hml).hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    Template.fromStack(hml).hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
    const prod = stackIn(US_EAST_1, { [ALLOW_DESTROY_CONTEXT_KEY]: true });
    new PlatformEdge(prod, 'Edge', { loadBalancer: importedAlb(prod), stage: PlatformStage.PROD, removalPolicy: RemovalPolicy.DESTROY });
    Template.fromStack(prod).hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
    // The WAF log group has a fixed name (`aws-waf-logs-<path>`): kept, except when the stack's
    // first create fails, so that a retry does not stop on "already exists".
    Template.fromStack(prod).hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ LogGroupName: Match.stringLikeRegexp('^aws-waf-logs-') }),
    });
  });
});
