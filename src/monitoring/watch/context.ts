import { Construct } from 'constructs';
import { PlatformStage } from '../../stage/platform-stage';
import { AlarmRouter } from '../alarm-router';
import { DashboardSink } from '../dashboard';
import { EventMetrics } from '../event-metrics';
import { StageThresholds } from '../thresholds';

/** What a watcher may use: never the `PlatformMonitoring` construct itself. */
export interface WatchContext {
  /**
   * Where a watcher creates its area's construct (`Edge`, `Database`, ...) and adds its notes:
   * the ids under it are the logical ids, and the area's id is its dashboard section.
   */
  readonly scope: Construct;
  readonly stage: PlatformStage;
  readonly thresholds: StageThresholds;
  /** Creates and routes every alarm. */
  readonly router: AlarmRouter;
  /** The dashboard sections, for widgets other than the alarms' own. */
  readonly dashboard: DashboardSink;
  /** The CloudWatch namespace of the metrics derived from logs and events. */
  readonly metricNamespace: string;
  /** The event-derived metrics, when there is an event log (job queues or a state machine). */
  readonly events?: EventMetrics;
}
