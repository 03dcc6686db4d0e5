import { Annotations, aws_cloudwatch as cloudwatch, aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { WatchContext } from './context';
import { PlatformMonitoringProps } from '../platform-monitoring-props';

/** The request-metrics configuration added to buckets created in this app. */
const DEFAULT_BUCKET_FILTER_ID = 'EntireBucket';

/** The buckets' request metrics: 5xx errors and 4xx rate (tickets). */
export function watchBuckets(ctx: WatchContext,
  props: Pick<PlatformMonitoringProps, 'buckets' | 'bucketRequestMetricsFilterId'>): void {
  const buckets = props.buckets ?? [];
  if (buckets.length === 0) return;
  const { router, thresholds } = ctx;
  const scope = new Construct(ctx.scope, 'Buckets');
  const used = new Set<string>();
  buckets.forEach((bucket, i) => {
    let filterId = props.bucketRequestMetricsFilterId;
    if (!filterId) {
      if (!(bucket instanceof s3.Bucket)) {
        Annotations.of(ctx.scope).addWarningV2('@cdk-proteomics-platform:bucketWithoutRequestMetrics',
          `Bucket '${bucket.node.path}' is imported: its request metrics cannot be switched on here, so it has no 4xx/5xx alarms. ` +
          'Give bucketRequestMetricsFilterId for a whole-bucket request-metrics configuration it already has.');
        return;
      }
      bucket.addMetric({ id: DEFAULT_BUCKET_FILTER_ID });
      filterId = DEFAULT_BUCKET_FILTER_ID;
    }
    const id = used.has(bucket.node.id) ? `${bucket.node.id}${i}` : bucket.node.id;
    used.add(id);
    const bs = new Construct(scope, id);
    // Hand-built: S3 buckets have no metric methods.
    const m = (metricName: string) => new cloudwatch.Metric({
      namespace: 'AWS/S3',
      metricName,
      dimensionsMap: { BucketName: bucket.bucketName, FilterId: filterId! },
      statistic: 'Sum',
      period: thresholds.period,
    });
    router.alarm(bs, 'Errors5xx', {
      metric: m('5xxErrors'),
      threshold: thresholds.s35xxErrors,
      severity: 'ticket',
      group: 'Api',
      what: `S3 returned ${thresholds.s35xxErrors} or more 5xx errors in a period`,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      firstStep: 'check the AWS Health dashboard for S3; clients must retry with backoff (SlowDown = too many requests per prefix)',
      anchor: 's3-5xx',
    });
    router.alarm(bs, 'Errors4xxRate', {
      metric: new cloudwatch.MathExpression({
        label: 'S3 4xx rate (%)',
        expression: `IF(FILL(r, 0) >= ${thresholds.minimumRequests}, 100 * FILL(e, 0) / r, 0)`,
        usingMetrics: { e: m('4xxErrors'), r: m('AllRequests') },
        period: thresholds.period,
      }),
      threshold: thresholds.s34xxRatePercent,
      severity: 'ticket',
      group: 'Api',
      what: `more than ${thresholds.s34xxRatePercent} % of S3 requests end in a 4xx`,
      firstStep: 'AccessDenied after a deployment means a missing grant or KMS permission; 403 on uploads can be expired presigned URLs',
      anchor: 's3-4xx',
    });
  });
}
