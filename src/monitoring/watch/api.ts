import { aws_cloudwatch as cloudwatch, aws_elasticloadbalancingv2 as elbv2 } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { WatchContext } from './context';
import { ContainerInsightsOptions, PlatformMonitoringProps } from '../platform-monitoring-props';

/** The load balancer: 5xx rate (page) and p95/p99 target response time (tickets). */
export function watchLoadBalancer(ctx: WatchContext, props: Pick<PlatformMonitoringProps, 'loadBalancer'>): void {
  const lb = props.loadBalancer;
  if (!lb) return;
  const { router, thresholds } = ctx;
  const scope = new Construct(ctx.scope, 'LoadBalancer');
  const p = { period: thresholds.period };
  const rate = new cloudwatch.MathExpression({
    label: 'ALB 5xx rate (%)',
    expression: `IF(FILL(r, 0) >= ${thresholds.minimumRequests}, 100 * (FILL(t, 0) + FILL(e, 0)) / r, 0)`,
    usingMetrics: {
      t: lb.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { ...p, statistic: 'Sum' }),
      e: lb.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { ...p, statistic: 'Sum' }),
      r: lb.metrics.requestCount({ ...p, statistic: 'Sum' }),
    },
    period: thresholds.period,
  });
  router.alarm(scope, 'Alb5xxRate', {
    metric: rate,
    threshold: thresholds.alb5xxRatePercent,
    severity: 'page',
    group: 'Api',
    what: `more than ${thresholds.alb5xxRatePercent} % of requests through the load balancer end in a 5xx (from the pods or from the ALB itself)`,
    firstStep: 'check the target groups\' healthy host count and the pod restart alarms; roll back the last deployment if it coincides',
    anchor: 'alb-5xx',
  });
  for (const [id, pct, threshold] of [['AlbLatencyP95', 'p95', thresholds.albP95Seconds], ['AlbLatencyP99', 'p99', thresholds.albP99Seconds]] as const) {
    router.alarm(scope, id, {
      metric: lb.metrics.targetResponseTime({ ...p, statistic: pct }),
      threshold,
      severity: 'ticket',
      group: 'Api',
      what: `${pct} target response time is above ${threshold} s`,
      firstStep: 'look at pod CPU and database CPU/ACU: whichever is saturated is the bottleneck',
      anchor: 'alb-latency',
    });
  }
}

/** The API and web pods, through Container Insights: CPU, memory and restarts (tickets). */
export function watchPods(ctx: WatchContext, ci: ContainerInsightsOptions): void {
  const { router, thresholds } = ctx;
  const scope = new Construct(ctx.scope, 'Pods');
  for (const workload of ci.workloads ?? ['api', 'web']) {
    const ws = new Construct(scope, workload);
    const dims = { ClusterName: ci.clusterName, Namespace: ci.namespace, PodName: workload };
    // Hand-built: the cluster is given by name, and Container Insights metrics have no L2 methods.
    const m = (metricName: string, statistic: string) => new cloudwatch.Metric({
      namespace: 'ContainerInsights', metricName, dimensionsMap: dims, statistic, period: thresholds.period,
    });
    router.alarm(ws, 'Cpu', {
      metric: m('pod_cpu_utilization', 'Average'),
      threshold: thresholds.podCpuPercent,
      severity: 'ticket',
      group: 'Api',
      what: `${workload} pods use more than ${thresholds.podCpuPercent} % CPU`,
      firstStep: 'check the request rate: scale the deployment out (HPA max replicas) or find the hot endpoint',
      anchor: 'pod-cpu',
    });
    router.alarm(ws, 'Memory', {
      metric: m('pod_memory_utilization', 'Average'),
      threshold: thresholds.podMemoryPercent,
      severity: 'ticket',
      group: 'Api',
      what: `${workload} pods use more than ${thresholds.podMemoryPercent} % memory`,
      firstStep: 'look for a leak (memory growing between deployments) before raising the memory limit',
      anchor: 'pod-memory',
    });
    // The metric is the cumulative restart count of the pods; DIFF turns it into new restarts.
    router.alarm(ws, 'Restarts', {
      metric: new cloudwatch.MathExpression({
        label: `${workload} container restarts`,
        expression: 'DIFF(FILL(r, REPEAT))',
        usingMetrics: { r: m('pod_number_of_container_restarts', 'Maximum') },
        period: thresholds.period,
      }),
      threshold: thresholds.podRestarts,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      severity: 'ticket',
      group: 'Api',
      what: `${workload} containers restarted ${thresholds.podRestarts} or more times in one period`,
      firstStep: 'kubectl describe pod: OOMKilled (memory limit), failed liveness probe, or a crash in the logs',
      anchor: 'pod-restarts',
    });
  }
}
