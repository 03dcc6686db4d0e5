/**
 * Where a WAF web ACL is attached, which decides the dimensions of its CloudWatch metrics.
 */
export enum WebAclScope {
  /**
   * Attached to a CloudFront distribution. Its metrics are published in us-east-1 only, with the
   * dimensions `WebACL` and `Rule`.
   */
  CLOUDFRONT = 'CLOUDFRONT',
  /**
   * Attached to a regional resource (for example the load balancer). Its metrics carry a `Region`
   * dimension as well.
   */
  REGIONAL = 'REGIONAL',
}
