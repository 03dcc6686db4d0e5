/**
 * Checks that every CloudWatch alarm in a template watches a metric that some resource of the
 * same template really publishes: the namespace, the metric name and each dimension must match
 * the resource that emits it. An alarm on a metric nothing produces can never fire.
 */

type Resource = { Type: string; Properties?: Record<string, any> };
type Resources = Record<string, Resource>;

/** One metric an alarm watches (a plain alarm's metric, or one `MetricStat` of a metric-math alarm). */
export interface WatchedMetric {
  readonly alarm: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, unknown>;
}

/** Every metric watched by every `AWS::CloudWatch::Alarm`, including metric-math alarms' `Metrics[].MetricStat`. */
export function watchedMetrics(template: any): WatchedMetric[] {
  const out: WatchedMetric[] = [];
  for (const [id, r] of Object.entries(template.Resources as Resources)) {
    if (r.Type !== 'AWS::CloudWatch::Alarm') continue;
    const p = r.Properties ?? {};
    if (p.MetricName) {
      out.push({ alarm: id, namespace: p.Namespace, metricName: p.MetricName, dimensions: dims(p.Dimensions) });
    }
    for (const m of p.Metrics ?? []) {
      const stat = m.MetricStat;
      if (stat) {
        out.push({ alarm: id, namespace: stat.Metric.Namespace, metricName: stat.Metric.MetricName, dimensions: dims(stat.Metric.Dimensions) });
      }
    }
    if (!p.MetricName && !(p.Metrics ?? []).some((m: any) => m.MetricStat)) {
      out.push({ alarm: id, namespace: '(none)', metricName: '(none)', dimensions: {} });
    }
  }
  return out;
}

/** The metric names each AWS namespace publishes that our alarms may use (from the services' documentation). */
const KNOWN: Record<string, string[]> = {
  'AWS/ApplicationELB': ['RequestCount', 'HTTPCode_Target_5XX_Count', 'HTTPCode_ELB_5XX_Count', 'TargetResponseTime'],
  'AWS/CloudFront': ['Requests', '5xxErrorRate', '4xxErrorRate', 'TotalErrorRate', 'OriginLatency'],
  'AWS/WAFV2': ['BlockedRequests', 'AllowedRequests'],
  'ContainerInsights': ['pod_cpu_utilization', 'pod_memory_utilization', 'pod_number_of_container_restarts'],
  'AWS/RDS': ['ACUUtilization', 'ServerlessDatabaseCapacity', 'CPUUtilization', 'DatabaseConnections', 'Deadlocks'],
  'AWS/States': ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionThrottled', 'ExecutionTime', 'ExecutionsStarted', 'ExecutionsSucceeded'],
  'AWS/S3': ['4xxErrors', '5xxErrors', 'AllRequests'],
  'AWS/SQS': ['ApproximateNumberOfMessagesVisible', 'ApproximateAgeOfOldestMessage', 'NumberOfMessagesSent'],
};

/**
 * The watched metrics that no resource of the template publishes, each with the reason. An empty
 * list means every alarm can fire.
 */
export function orphanMetrics(template: any): string[] {
  const resources: Resources = template.Resources;
  const problems: string[] = [];
  for (const m of watchedMetrics(template)) {
    const why = publisherProblem(resources, m);
    if (why) problems.push(`${m.alarm}: ${m.namespace} ${m.metricName} ${JSON.stringify(m.dimensions)}: ${why}`);
  }
  return problems;
}

function publisherProblem(resources: Resources, m: WatchedMetric): string | undefined {
  const d = m.dimensions;
  const known = KNOWN[m.namespace];
  if (known && !known.includes(m.metricName)) return `${m.namespace} publishes no metric named ${m.metricName}`;
  const keys = Object.keys(d).sort().join(',');
  switch (m.namespace) {
    case 'AWS/ApplicationELB': {
      const lb = loadBalancerOf(resources, d.LoadBalancer);
      if (!lb) return 'LoadBalancer is not the full name of a load balancer in the template';
      if (keys === 'LoadBalancer') return undefined;
      if (keys !== 'LoadBalancer,TargetGroup') return `unexpected dimensions ${keys}`;
      const tg = refOf(resources, d.TargetGroup, 'AWS::ElasticLoadBalancingV2::TargetGroup', 'TargetGroupFullName');
      if (!tg) return 'TargetGroup is not the TargetGroupFullName of a target group in the template';
      return forwardsTo(resources, lb, tg) ? undefined : `no listener of ${lb} forwards to ${tg}`;
    }
    case 'AWS/CloudFront': {
      if (keys !== 'DistributionId,Region' || d.Region !== 'Global') return 'CloudFront metrics have the dimensions DistributionId and Region=Global';
      const dist = refOf(resources, d.DistributionId, 'AWS::CloudFront::Distribution');
      if (!dist) return 'DistributionId is not a distribution in the template';
      if (m.metricName === 'OriginLatency' && !Object.values(resources).some((r) => r.Type === 'AWS::CloudFront::MonitoringSubscription' &&
        refOf(resources, r.Properties?.DistributionId, 'AWS::CloudFront::Distribution') === dist &&
        r.Properties?.MonitoringSubscription?.RealtimeMetricsSubscriptionConfig?.RealtimeMetricsSubscriptionStatus === 'Enabled')) {
        return 'OriginLatency needs the additional metrics (a MonitoringSubscription) on the distribution';
      }
      return undefined;
    }
    case 'AWS/WAFV2': {
      const acl = Object.values(resources).find((r) => r.Type === 'AWS::WAFv2::WebACL' && r.Properties?.VisibilityConfig?.MetricName === d.WebACL);
      if (!acl) return 'WebACL is not the VisibilityConfig.MetricName of a web ACL in the template';
      if (d.Rule !== 'ALL') return 'Rule must be ALL for the whole web ACL';
      const regional = acl.Properties?.Scope === 'REGIONAL';
      if (regional !== ('Region' in d)) return `a ${acl.Properties?.Scope} web ACL's metrics ${regional ? 'have' : 'have no'} Region dimension`;
      return undefined;
    }
    case 'ContainerInsights': {
      if (keys !== 'ClusterName,Namespace,PodName') return 'pod metrics have the dimensions ClusterName, Namespace and PodName';
      const cluster = refOf(resources, d.ClusterName, 'AWS::EKS::Cluster') ??
        Object.entries(resources).find(([, r]) => r.Type === 'AWS::EKS::Cluster' && r.Properties?.Name === d.ClusterName)?.[0];
      if (!cluster) return 'ClusterName is not an EKS cluster in the template';
      const addon = Object.values(resources).some((r) => r.Type === 'AWS::EKS::Addon' &&
        r.Properties?.AddonName === 'amazon-cloudwatch-observability' &&
        (refOf(resources, r.Properties?.ClusterName, 'AWS::EKS::Cluster') === cluster || r.Properties?.ClusterName === d.ClusterName));
      if (!addon) return 'pod metrics exist only with the amazon-cloudwatch-observability add-on, which this cluster lacks';
      return typeof d.Namespace === 'string' && typeof d.PodName === 'string' ? undefined : 'Namespace and PodName must be names';
    }
    case 'AWS/RDS': {
      if (keys !== 'DBClusterIdentifier') return `unexpected dimensions ${keys}`;
      const cluster = refOf(resources, d.DBClusterIdentifier, 'AWS::RDS::DBCluster');
      if (!cluster) return 'DBClusterIdentifier is not a database cluster in the template';
      if (m.metricName === 'ACUUtilization' && !resources[cluster].Properties?.ServerlessV2ScalingConfiguration) {
        return 'ACUUtilization exists only for Aurora Serverless v2 clusters';
      }
      return undefined;
    }
    case 'AWS/States':
      if (keys !== 'StateMachineArn') return `unexpected dimensions ${keys}`;
      return refOf(resources, d.StateMachineArn, 'AWS::StepFunctions::StateMachine') ? undefined : 'StateMachineArn is not a state machine in the template';
    case 'AWS/SQS':
      if (keys !== 'QueueName') return `unexpected dimensions ${keys}`;
      return refOf(resources, d.QueueName, 'AWS::SQS::Queue', 'QueueName') ? undefined : 'QueueName is not the QueueName of a queue in the template';
    case 'AWS/S3': {
      if (keys !== 'BucketName,FilterId') return 'request metrics have the dimensions BucketName and FilterId';
      const bucket = refOf(resources, d.BucketName, 'AWS::S3::Bucket');
      if (!bucket) return 'BucketName is not a bucket in the template';
      const config = (resources[bucket].Properties?.MetricsConfigurations ?? []).find((c: any) => c.Id === d.FilterId);
      if (!config) return `the bucket has no request-metrics configuration '${d.FilterId}'`;
      return config.Prefix || config.TagFilters ? 'the request-metrics configuration is filtered, not the whole bucket' : undefined;
    }
    default:
      return customMetricProblem(resources, m);
  }
}

/** A metric of our own namespace: a metric filter must produce it, on a log group that receives what it counts. */
function customMetricProblem(resources: Resources, m: WatchedMetric): string | undefined {
  if (m.namespace.startsWith('AWS/')) return `no publisher known for ${m.namespace}`;
  if (Object.keys(m.dimensions).length > 0) return 'metric filters here publish no dimensions';
  const filter = Object.values(resources).find((r) => r.Type === 'AWS::Logs::MetricFilter' &&
    (r.Properties?.MetricTransformations ?? []).some((t: any) => t.MetricNamespace === m.namespace && t.MetricName === m.metricName));
  if (!filter) return 'no metric filter publishes it';
  const logGroup = refOf(resources, filter.Properties?.LogGroupName, 'AWS::Logs::LogGroup');
  if (!logGroup) return 'its metric filter is not on a log group of the template';
  const source = m.metricName.startsWith('Batch') ? 'aws.batch' : m.metricName === 'WorkerErrors' ? undefined : 'cdk-proteomics-platform';
  if (!source) return undefined; // the worker writes its own logs
  const rule = Object.values(resources).find((r) => r.Type === 'AWS::Events::Rule' &&
    (r.Properties?.EventPattern?.source ?? []).includes(source) &&
    JSON.stringify(r.Properties?.Targets ?? []).includes(`"${logGroup}"`));
  if (!rule) return `no EventBridge rule sends ${source} events to ${logGroup}`;
  if (source === 'aws.batch') {
    const queues: unknown[] = rule.Properties?.EventPattern?.detail?.jobQueue ?? [];
    const isQueue = (q: unknown) => refOf(resources, q, 'AWS::Batch::JobQueue') ?? refOf(resources, q, 'AWS::Batch::JobQueue', 'JobQueueArn');
    if (queues.length === 0 || !queues.every(isQueue)) {
      return 'the Batch rule does not filter on job queues of the template';
    }
  }
  return undefined;
}

function dims(list: { Name: string; Value: unknown }[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((x) => [x.Name, x.Value]));
}

/** The logical id `value` refers to (Ref, or Fn::GetAtt of `attribute`) when it is a resource of `type`. */
function refOf(resources: Resources, value: unknown, type: string, attribute?: string): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, any>;
  let id: string | undefined;
  if (!attribute && typeof v.Ref === 'string') id = v.Ref;
  if (attribute && Array.isArray(v['Fn::GetAtt']) && v['Fn::GetAtt'][1] === attribute) id = v['Fn::GetAtt'][0];
  return id && resources[id]?.Type === type ? id : undefined;
}

/**
 * The load balancer a `LoadBalancer` dimension names: its `LoadBalancerFullName`, or (as target
 * group metrics render it) the `app/<name>/<id>` part cut out of one of its listeners' ARNs.
 */
function loadBalancerOf(resources: Resources, value: unknown): string | undefined {
  const direct = refOf(resources, value, 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'LoadBalancerFullName');
  if (direct) return direct;
  const join = (value as any)?.['Fn::Join'];
  if (!Array.isArray(join) || join[0] !== '') return undefined;
  const parts: any[] = join[1];
  const listeners = new Set<string>();
  for (const part of parts) {
    if (part === '/') continue;
    const select = part?.['Fn::Select'];
    const split = select?.[1]?.['Fn::Split'];
    if (!split || split[0] !== '/') return undefined;
    listeners.add(split[1]?.Ref);
  }
  // arn:...:listener/app/<name>/<id>/<listener-id> split on '/' gives app, name, id at 1..3.
  const indexes = parts.filter((x) => x !== '/').map((x) => x['Fn::Select'][0]);
  if (listeners.size !== 1 || indexes.join(',') !== '1,2,3') return undefined;
  const listener = resources[[...listeners][0]];
  return listener?.Type === 'AWS::ElasticLoadBalancingV2::Listener' ? listener.Properties?.LoadBalancerArn?.Ref : undefined;
}

function forwardsTo(resources: Resources, lb: string, tg: string): boolean {
  const listeners = Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::ElasticLoadBalancingV2::Listener' && r.Properties?.LoadBalancerArn?.Ref === lb)
    .map(([id]) => id);
  const mentionsTg = (x: unknown) => JSON.stringify(x ?? null).includes(`"${tg}"`);
  return Object.values(resources).some((r) =>
    (r.Type === 'AWS::ElasticLoadBalancingV2::Listener' && r.Properties?.LoadBalancerArn?.Ref === lb && mentionsTg(r.Properties?.DefaultActions)) ||
    (r.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule' && listeners.includes(r.Properties?.ListenerArn?.Ref) && mentionsTg(r.Properties?.Actions)));
}
