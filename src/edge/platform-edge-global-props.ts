import { RemovalPolicy } from 'aws-cdk-lib';
import { EdgeDomain } from './platform-edge-props';
import { PlatformStage } from '../stage/platform-stage';

/**
 * Props of `PlatformEdgeGlobal` (the us-east-1 part of the edge).
 */
export interface PlatformEdgeGlobalProps {
  /**
   * The stage whose defaults apply (log retention).
   * @default PlatformStage.HML
   */
  readonly stage?: PlatformStage;
  /**
   * The custom domain: when given, an ACM certificate for it is created (DNS-validated in the
   * hosted zone).
   * @default - no certificate (CloudFront's default domain)
   */
  readonly domain?: EdgeDomain;
  /**
   * Requests from one IP address per 5 minutes before the web ACL blocks it.
   * @default 2000
   */
  readonly rateLimit?: number;
  /**
   * Removal policy of the web ACL's log group and key. DESTROY also needs the
   * `ALLOW_DESTROY_CONTEXT_KEY` context opt-in.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}
