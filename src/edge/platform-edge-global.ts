import { aws_certificatemanager as acm, aws_wafv2 as wafv2, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkRateLimit, createEdgeCertificate, createEdgeWebAcl } from './cloudfront-resources';
import { PlatformEdgeGlobalProps } from './platform-edge-global-props';
import { resolveRemovalPolicy } from '../core/removal';
import { PropsValidator } from '../core/validation';
import { PlatformStage } from '../stage/platform-stage';

/**
 * The parts of the edge that must live in us-east-1: the CLOUDFRONT-scope WAF web ACL and, with
 * a custom domain, the ACM certificate. Put it in a small stack in us-east-1 and pass its ARNs to
 * `PlatformEdge` (cross-region references need `crossRegionReferences: true` on the stacks).
 *
 * @example
 * declare const hostedZone: route53.IHostedZone;
 * declare const loadBalancer: elbv2.IApplicationLoadBalancer;
 * const domain = { domainName: 'app.example.com', hostedZone };
 * const edge = new Stack(app, 'Edge', { env: { account, region: 'us-east-1' }, crossRegionReferences: true });
 * const global = new PlatformEdgeGlobal(edge, 'EdgeGlobal', { domain });
 * // in the platform stack:
 * new PlatformEdge(this, 'Edge', { loadBalancer, webAclArn: global.webAclArn, certificateArn: global.certificateArn, domain });
 */
export class PlatformEdgeGlobal extends Construct {
  /** The CLOUDFRONT-scope web ACL. */
  public readonly webAcl: wafv2.CfnWebACL;
  /** The web ACL's ARN, for `PlatformEdgeProps.webAclArn`. */
  public readonly webAclArn: string;
  /** The certificate for the custom domain, when one was given. */
  public readonly certificate?: acm.Certificate;
  /** The certificate's ARN, for `PlatformEdgeProps.certificateArn`, when a domain was given. */
  public readonly certificateArn?: string;

  constructor(scope: Construct, id: string, props: PlatformEdgeGlobalProps = {}) {
    super(scope, id);
    const stage = props.stage ?? PlatformStage.HML;
    const region = Stack.of(this).region;
    const v = new PropsValidator(this, 'PlatformEdgeGlobal');
    v.check(Token.isUnresolved(region) || region === 'us-east-1', 'stack region', region,
      'put PlatformEdgeGlobal in a stack with env region us-east-1: CloudFront web ACLs and certificates must be created there.');
    checkRateLimit(v, props.rateLimit);
    v.throwIfInvalid();
    const removalPolicy = resolveRemovalPolicy(this, props.removalPolicy, stage);

    const acl = createEdgeWebAcl(this, props.rateLimit, stage, removalPolicy);
    this.webAcl = acl.webAcl;
    this.webAclArn = acl.webAcl.attrArn;
    if (props.domain) {
      this.certificate = createEdgeCertificate(this, props.domain.domainName, props.domain.hostedZone);
      this.certificateArn = this.certificate.certificateArn;
    }
  }
}
