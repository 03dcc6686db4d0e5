import { Construct } from 'constructs';
import { WatchContext } from './context';
import { PlatformMonitoringProps } from '../platform-monitoring-props';
import { defaultConnectionsThreshold } from '../thresholds';

/** The Aurora cluster: ACU, CPU, connections and deadlocks (tickets). */
export function watchDatabase(ctx: WatchContext,
  props: Pick<PlatformMonitoringProps, 'database' | 'databaseConnectionsThreshold'>): void {
  const db = props.database;
  if (!db) return;
  const { router, thresholds } = ctx;
  const scope = new Construct(ctx.scope, 'Database');
  const period = thresholds.period;
  const connections = props.databaseConnectionsThreshold ?? defaultConnectionsThreshold(ctx.stage.databaseMaxCapacity);
  router.alarm(scope, 'AcuUtilization', {
    // metricACUUtilization() is on the cluster classes only, not on IDatabaseCluster.
    metric: db.metric('ACUUtilization', { statistic: 'Average', period }),
    threshold: thresholds.databaseAcuPercent,
    severity: 'ticket',
    group: 'Api',
    what: `the database runs at more than ${thresholds.databaseAcuPercent} % of its maximum ACU`,
    firstStep: 'find the expensive queries in Database Insights; raise databaseMaxCapacity only if the load is legitimate',
    anchor: 'db-acu',
  });
  router.alarm(scope, 'Cpu', {
    metric: db.metricCPUUtilization({ statistic: 'Average', period }),
    threshold: thresholds.databaseCpuPercent,
    severity: 'ticket',
    group: 'Api',
    what: `database CPU above ${thresholds.databaseCpuPercent} %`,
    firstStep: 'Database Insights top SQL: a missing index or a runaway query',
    anchor: 'db-cpu',
  });
  router.alarm(scope, 'Connections', {
    metric: db.metricDatabaseConnections({ statistic: 'Maximum', period }),
    threshold: connections,
    severity: 'ticket',
    group: 'Api',
    what: `more than ${connections} open connections (about 80 % of max_connections)`,
    firstStep: 'check the API pool size times the replica count; a leak shows as connections growing while traffic does not',
    anchor: 'db-connections',
  });
  router.alarm(scope, 'Deadlocks', {
    metric: db.metricDeadlocks({ statistic: 'Sum', period }),
    threshold: 0,
    severity: 'ticket',
    group: 'Api',
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    what: 'PostgreSQL detected deadlocks',
    firstStep: 'read the deadlock details in the exported PostgreSQL log and make the two transactions lock rows in the same order',
    anchor: 'db-deadlocks',
  });
}
