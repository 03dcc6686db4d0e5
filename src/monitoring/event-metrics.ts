import {
  ArnFormat,
  aws_events as events,
  aws_iam as iam,
  aws_logs as logs,
  Stack,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * Metrics derived from EventBridge events: rules write the events to the event log group, and
 * metric filters there turn them into metrics (with the events' own numbers and timestamps as
 * values), so no Lambda function is needed.
 */
export class EventMetrics {
  private rules = 0;

  /**
   * @param logGroup the event log group
   * @param namespace the CloudWatch namespace of the metrics
   */
  constructor(public readonly logGroup: logs.LogGroup, private readonly namespace: string) {}

  /** A rule in `scope` that writes the events matching `pattern` to the event log group. */
  public route(scope: Construct, id: string, pattern: events.EventPattern): events.Rule {
    if (this.rules++ === 0) {
      // EventBridge writes to the log group under a resource policy (an account allows 10 per
      // region); AWS::Logs::ResourcePolicy is native, so no custom resource is needed.
      this.logGroup.addToResourcePolicy(new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com'), new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }));
    }
    const arn = Stack.of(scope).formatArn({
      service: 'logs', resource: 'log-group', resourceName: this.logGroup.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    // A plain target instead of events-targets' CloudWatchLogGroup, which writes the log group's
    // resource policy through a Lambda-backed custom resource.
    return new events.Rule(scope, id, { eventPattern: pattern, targets: [{ bind: () => ({ arn }) }] });
  }

  /** A metric filter in `scope` that publishes `metricValue` as `metricName` for every event matching `pattern`. */
  public filter(scope: Construct, id: string, pattern: logs.IFilterPattern, metricName: string, metricValue: string): logs.MetricFilter {
    return new logs.MetricFilter(scope, id, {
      logGroup: this.logGroup,
      filterPattern: pattern,
      metricNamespace: this.namespace,
      metricName,
      metricValue,
    });
  }
}
