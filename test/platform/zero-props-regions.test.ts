import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { ProteomicsPlatform } from '../../src';
import { WebAclEvaluator } from '../edge/waf-evaluator';
import { expectCompliant, expectNoDeployTraps } from '../helpers';

const ACCOUNT = '123456789012';
const azContext = (region: string) => ({ [`availability-zones:account=${ACCOUNT}:region=${region}`]: [`${region}a`, `${region}b`, `${region}c`] });

/**
 * `new ProteomicsPlatform(stack, 'Platform')` with no props must synthesize a platform that
 * deploys in any region. CloudFront web ACLs can only be created in us-east-1, so outside it (and
 * where the region is known only at deploy time) the load balancer gets a regional web ACL, and
 * synth recommends PlatformEdgeGlobal.
 */
describe.each([
  ['eu-west-1', 'eu-west-1'],
  ['sa-east-1 (São Paulo)', 'sa-east-1'],
  ['a stack with no explicit env', undefined],
])('ProteomicsPlatform with no props in %s', (_name, region) => {
  const app = new App({ context: region ? azContext(region) : {} });
  const stack = new Stack(app, 'Zero', region ? { env: { account: ACCOUNT, region } } : undefined);
  new ProteomicsPlatform(stack, 'Platform');
  const template = Template.fromStack(stack);

  test('CloudFront has no web ACL of its own (it could not deploy here); the ALB has a regional one', () => {
    const acls = Object.values(template.findResources('AWS::WAFv2::WebACL')).map((r: any) => r.Properties.Scope);
    expect(acls).toEqual(['REGIONAL']);
    const d = (Object.values(template.findResources('AWS::CloudFront::Distribution'))[0] as any).Properties.DistributionConfig;
    expect(d.WebACLId).toBeUndefined();
    const [albId] = Object.keys(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'));
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { ResourceArn: { Ref: albId } });
  });

  test('the regional web ACL lets a 200 KB upload completion through and blocks 9 KB elsewhere', () => {
    const acl = (Object.values(template.findResources('AWS::WAFv2::WebACL'))[0] as any).Properties;
    const request = (uriPath: string, bytes: number) => ({
      method: 'POST',
      uriPath,
      bodyBytes: bytes,
      sourceIp: '10.0.128.15',
      headers: { 'content-length': String(bytes), 'x-forwarded-for': '198.51.100.7' },
    });
    expect(new WebAclEvaluator(acl).evaluate(request('/api/samples/s-1/files/f-1/complete', 200 * 1024)).action).toBe('ALLOW');
    expect(new WebAclEvaluator(acl).evaluate(request('/api/samples', 9 * 1024)).action).toBe('BLOCK');
  });

  test('synth recommends a CloudFront web ACL from PlatformEdgeGlobal', () => {
    expect(Annotations.fromStack(stack).findWarning('/Zero/Platform/Edge', Match.stringLikeRegexp('Recommended: create PlatformEdgeGlobal'))).toHaveLength(1);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('unless the stack is deployed to us-east-1'))).toHaveLength(0);
  });

  test('zero unacknowledged compliance findings, no deploy traps', () => {
    expectCompliant(stack);
    expectNoDeployTraps(stack);
  });
});

describe('ProteomicsPlatform with no props in us-east-1', () => {
  const app = new App({ context: azContext('us-east-1') });
  const stack = new Stack(app, 'Zero', { env: { account: ACCOUNT, region: 'us-east-1' } });
  new ProteomicsPlatform(stack, 'Platform');
  const template = Template.fromStack(stack);

  test('CloudFront gets its own web ACL, and the ALB none (no regional one needed)', () => {
    const acls = Object.values(template.findResources('AWS::WAFv2::WebACL')).map((r: any) => r.Properties.Scope);
    expect(acls).toEqual(['CLOUDFRONT']);
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
  });
});

describe('ProteomicsPlatform edge options', () => {
  test('a web ACL ARN from PlatformEdgeGlobal means no regional web ACL, unless asked for', () => {
    const webAclArn = `arn:aws:wafv2:us-east-1:${ACCOUNT}:global/webacl/biotech/abc`;
    const scopes = (edge: object) => {
      const stack = new Stack(new App({ context: azContext('sa-east-1') }), 'S', { env: { account: ACCOUNT, region: 'sa-east-1' } });
      new ProteomicsPlatform(stack, 'Platform', { edge });
      return Object.values(Template.fromStack(stack).findResources('AWS::WAFv2::WebACL')).map((r: any) => r.Properties.Scope);
    };
    expect(scopes({ webAclArn })).toEqual([]);
    expect(scopes({ webAclArn, regionalWaf: true })).toEqual(['REGIONAL']);
  });

  test('turning the regional web ACL off outside us-east-1 without a web ACL ARN is a clear error', () => {
    const stack = new Stack(new App({ context: azContext('sa-east-1') }), 'S', { env: { account: ACCOUNT, region: 'sa-east-1' } });
    expect(() => new ProteomicsPlatform(stack, 'Platform', { edge: { regionalWaf: false } }))
      .toThrow(/webAclArn = undefined: this stack is in sa-east-1, but CloudFront web ACLs can only be created in us-east-1/);
  });
});
