import { Template } from 'aws-cdk-lib/assertions';
import { PlatformNetwork, PlatformStage } from '../../src';
import { AuroraDatabase } from '../../src/database/aurora-database';
import { PlatformMonitoring } from '../../src/monitoring/platform-monitoring';
import { RetentionBuckets } from '../../src/storage/retention-buckets';
import { expectCompliant, expectNoDeployTraps, newStack } from '../helpers';
import { orphanMetrics, watchedMetrics } from './metric-sources';

// The sibling constructs, as ProteomicsPlatform will wire them (the pipeline and the cluster are
// added here once their files exist).
describe('PlatformMonitoring of AuroraDatabase and RetentionBuckets, in prod', () => {
  const stack = newStack({ env: true });
  const stage = PlatformStage.PROD;
  const network = new PlatformNetwork(stack, 'Network', { stage });
  const database = new AuroraDatabase(stack, 'Database', { vpc: network.vpc, stage });
  const buckets = new RetentionBuckets(stack, 'Buckets', { stage });
  const monitoring = new PlatformMonitoring(stack, 'Monitoring', {
    stage,
    database: database.cluster,
    buckets: [buckets.uploadsBucket, buckets.resultsBucket],
  });
  const template = Template.fromStack(stack);

  test('the database and bucket alarms watch metrics these constructs publish', () => {
    expect(orphanMetrics(template.toJSON())).toEqual([]);
    expect(new Set(watchedMetrics(template.toJSON()).map((m) => m.namespace))).toEqual(new Set(['AWS/RDS', 'AWS/S3']));
  });

  test('each bucket gets exactly one whole-bucket request-metrics configuration', () => {
    for (const bucket of [buckets.uploadsBucket, buckets.resultsBucket]) {
      const id = stack.getLogicalId(bucket.node.defaultChild as any);
      const configs = template.toJSON().Resources[id].Properties.MetricsConfigurations;
      expect(configs.filter((c: any) => c.Id === 'EntireBucket')).toEqual([{ Id: 'EntireBucket' }]);
    }
  });

  test('zero unacknowledged findings in the monitoring construct, no deploy traps', () => {
    expectCompliant(monitoring);
    expectNoDeployTraps(stack);
  });
});
