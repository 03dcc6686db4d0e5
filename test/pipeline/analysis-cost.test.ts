/**
 * The cost of an analysis: the pipeline hands the roll-up its task size and the price table's
 * Fargate (Spot) prices for the stack's region, and forwards the roll-up's cost.estimatedCostUsd
 * into the completion event (contracts/schemas/completion-event.v2.schema.json).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { runExecution } from '../../local/executor/asl';
import { FAKE_FILE_SECONDS, FakeAws } from './support/aws-fake';
import { definitionOf, fake, schemaValidator, TEST_IMAGE } from './support/fixture';
import { AnalysisPipeline, PlatformNetwork, PlatformStage, PriceTable, RetentionBuckets } from '../../src';

const eventSchema = schemaValidator('completion-event');

function buildIn(region: string, stage: PlatformStage): any {
  const app = new App({ context: { [`availability-zones:account=123456789012:region=${region}`]: ['a', 'b', 'c'].map((z) => `${region}${z}`) } });
  const stack = new Stack(app, 'Test', { env: { account: '123456789012', region } });
  const network = new PlatformNetwork(stack, 'Network', { stage });
  const buckets = new RetentionBuckets(stack, 'Data', { stage });
  new AnalysisPipeline(stack, 'Pipeline', { vpc: network.vpc, buckets, stage, analysisImage: TEST_IMAGE });
  return Template.fromStack(stack).toJSON();
}

async function runOnce(json: any, aws: FakeAws, files: number): Promise<any> {
  aws.putManifest('an-1', 'sample-1', 'user-7f3a2c', files);
  const doc = { schemaVersion: 2, analysisId: 'an-1', sampleId: 'sample-1', ownerId: 'user-7f3a2c', manifestKey: 'manifests/an-1.json', fileCount: files };
  const r = await runExecution(definitionOf(json), doc, {
    executionName: 'an-1-1', stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Test', handler: aws.handler, sleep: aws.sleep,
  });
  expect(r.status).toBe('SUCCEEDED');
  expect(aws.events).toHaveLength(1);
  const detail = aws.events[0].Detail;
  if (!eventSchema.validate(detail)) throw new Error(`event detail breaks the contract: ${eventSchema.errors()}`);
  return detail;
}

describe('cost per analysis', () => {
  const usEast1 = buildIn('us-east-1', PlatformStage.PROD);
  const price = (item: string) => PriceTable.DEFAULT.price(item, 'us-east-1').usd;
  const spot = price('FargateSpotRatio');

  test('the roll-up gets the task size and the Fargate Spot prices of the stack\'s region', async () => {
    const aws = fake(usEast1);
    await runOnce(usEast1, aws, 10);
    const rollup = aws.jobs.find((j) => j.command[0] === 'rollup')!.command;
    const flag = (name: string) => rollup[rollup.indexOf(name) + 1];
    expect(flag('--task-vcpu')).toBe('2');
    expect(flag('--task-memory-gib')).toBe('8');
    expect(Number(flag('--vcpu-hour-usd'))).toBeCloseTo(price('FargateVcpuHour') * spot, 8);
    expect(Number(flag('--gb-hour-usd'))).toBeCloseTo(price('FargateGbHour') * spot, 8);
    expect(flag('--price-source')).toMatch(/price table read \d{4}-\d{2}-\d{2}, us-east-1, Fargate Spot$/);
  });

  test('the completion event carries the roll-up\'s estimatedCostUsd', async () => {
    const aws = fake(usEast1);
    const detail = await runOnce(usEast1, aws, 10);
    const seconds = 10 * FAKE_FILE_SECONDS;
    const expected = (seconds * 2 * price('FargateVcpuHour') * spot + seconds * 8 * price('FargateGbHour') * spot) / 3600;
    expect(detail.estimatedCostUsd).toBeCloseTo(expected, 8);
  });

  test('after escalation to on-demand the roll-up is priced at Fargate on-demand', async () => {
    const aws = fake(usEast1, { spotReclaims: (child) => (child === 0 ? 99 : 0) });
    await runOnce(usEast1, aws, 10);
    const rollup = aws.jobs.find((j) => j.command[0] === 'rollup')!.command;
    expect(Number(rollup[rollup.indexOf('--vcpu-hour-usd') + 1])).toBeCloseTo(price('FargateVcpuHour'), 8);
    expect(rollup[rollup.indexOf('--price-source') + 1]).toMatch(/Fargate on-demand \(escalated\)$/);
  });

  test('a region the price table does not have: no rates, and no estimatedCostUsd in the event', async () => {
    const elsewhere = buildIn('eu-west-1', PlatformStage.PROD);
    const aws = fake(elsewhere);
    const detail = await runOnce(elsewhere, aws, 3);
    expect(aws.jobs.find((j) => j.command[0] === 'rollup')!.command).not.toContain('--task-vcpu');
    expect(detail).not.toHaveProperty('estimatedCostUsd');
  });
});
