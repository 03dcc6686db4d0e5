import { Annotations, aws_cloudwatch as cloudwatch, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { WatchContext } from './context';
import { PlatformMonitoringProps, WebAclScope } from '../platform-monitoring-props';

/** CloudFront and WAF: 5xx rate (page), origin latency and blocked requests (tickets). */
export function watchEdge(ctx: WatchContext,
  props: Pick<PlatformMonitoringProps, 'distribution' | 'distributionAdditionalMetrics' | 'webAcl'>): void {
  if (!props.distribution && !props.webAcl) return;
  const { router, thresholds } = ctx;
  const scope = new Construct(ctx.scope, 'Edge');
  const region = Stack.of(ctx.scope).region;
  const inUsEast1 = !Token.isUnresolved(region) && region === 'us-east-1';
  const widgets: cloudwatch.IWidget[] = [];
  const edgeAlarms = (what: string) => {
    if (!inUsEast1) {
      Annotations.of(ctx.scope).addWarningV2('@cdk-proteomics-platform:edgeAlarmsNeedUsEast1',
        `${what} metrics are published in us-east-1 only and an alarm cannot watch another region: they are on the ` +
        'dashboard but have no alarms. Create a PlatformMonitoring with the edge parts in a us-east-1 stack for them.');
    }
    return inUsEast1;
  };

  if (props.distribution) {
    const dims = { DistributionId: props.distribution.distributionId, Region: 'Global' };
    // Hand-built: IDistribution has no metric methods (only the Distribution class has them).
    const cf = (metricName: string, statistic: string, period = thresholds.period) => new cloudwatch.Metric({
      namespace: 'AWS/CloudFront', metricName, dimensionsMap: dims, statistic, period, region: 'us-east-1',
    });
    const rate = new cloudwatch.MathExpression({
      label: 'CloudFront 5xx rate (%)',
      expression: `IF(FILL(r, 0) >= ${thresholds.minimumRequests}, FILL(e, 0), 0)`,
      usingMetrics: { e: cf('5xxErrorRate', 'Average'), r: cf('Requests', 'Sum') },
      period: thresholds.period,
    });
    widgets.push(new cloudwatch.GraphWidget({
      title: 'CloudFront requests and error rates',
      left: [cf('Requests', 'Sum')],
      right: [cf('5xxErrorRate', 'Average'), cf('4xxErrorRate', 'Average')],
      width: 12,
    }));
    if (props.distributionAdditionalMetrics) {
      widgets.push(new cloudwatch.GraphWidget({
        title: 'CloudFront origin latency (ms)',
        left: [cf('OriginLatency', 'p95'), cf('OriginLatency', 'p99')],
        width: 12,
      }));
    }
    if (edgeAlarms('CloudFront')) {
      router.alarm(scope, 'Cdn5xxRate', {
        metric: rate,
        threshold: thresholds.edge5xxRatePercent,
        severity: 'page',
        group: 'Edge',
        what: `more than ${thresholds.edge5xxRatePercent} % of requests to CloudFront end in a 5xx`,
        firstStep: 'check the load balancer 5xx alarm and the VPC origin; if the ALB is healthy, look at CloudFront error logs',
        anchor: 'edge-5xx',
      });
      if (props.distributionAdditionalMetrics) {
        router.alarm(scope, 'CdnOriginLatencyP95', {
          metric: cf('OriginLatency', 'p95'),
          threshold: thresholds.edgeOriginLatencyP95Ms,
          severity: 'ticket',
          group: 'Edge',
          what: `p95 origin latency seen by CloudFront is above ${thresholds.edgeOriginLatencyP95Ms} ms`,
          firstStep: 'compare with the load balancer p95: if both are high the pods are slow, otherwise the VPC origin is',
          anchor: 'edge-origin-latency',
        });
      }
    }
  }

  if (props.webAcl) {
    const cloudFront = (props.webAcl.scope ?? WebAclScope.CLOUDFRONT) === WebAclScope.CLOUDFRONT;
    // Hand-built: a web ACL given by its metric name has no construct, so no metric methods.
    const blocked = new cloudwatch.Metric({
      namespace: 'AWS/WAFV2',
      metricName: 'BlockedRequests',
      dimensionsMap: cloudFront
        ? { WebACL: props.webAcl.metricName, Rule: 'ALL' }
        : { WebACL: props.webAcl.metricName, Rule: 'ALL', Region: region },
      statistic: 'Sum',
      period: thresholds.period,
      region: cloudFront ? 'us-east-1' : undefined,
    });
    widgets.push(new cloudwatch.GraphWidget({ title: 'WAF blocked requests', left: [blocked], width: 12 }));
    if (!cloudFront || edgeAlarms('WAF (CloudFront scope)')) {
      router.alarm(scope, 'WafBlocked', {
        metric: blocked,
        threshold: thresholds.wafBlockedRequests,
        severity: 'ticket',
        group: 'Edge',
        what: `WAF blocked more than ${thresholds.wafBlockedRequests} requests in a period`,
        firstStep: 'open the web ACL sampled requests: an attack (leave it blocked) or a rule blocking real users (add a scoped exception)',
        anchor: 'waf-blocked',
      });
    }
  }
  // Added last: on the dashboard the graphs follow the section's alarm widgets.
  ctx.dashboard.add('Edge', ...widgets);
}
