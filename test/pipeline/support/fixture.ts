import * as fs from 'fs';
import * as path from 'path';
import { aws_ecs as ecs, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { definitionOf, FakeAws, FakeOptions, resolveIntrinsics } from './aws-fake';
import { PlatformNetwork } from '../../../src/network/platform-network';
import { AnalysisPipeline } from '../../../src/pipeline/analysis-pipeline';
import { AnalysisPipelineProps } from '../../../src/pipeline/analysis-pipeline-props';
import { PlatformStage } from '../../../src/stage/platform-stage';
import { RetentionBuckets } from '../../../src/storage/retention-buckets';
import { newStack } from '../../helpers';

/** A registry image, so that tests do not stage the worker folder (one test covers the default). */
export const TEST_IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/example/proteomics-worker:1.0.0');

export interface Built {
  readonly stack: Stack;
  readonly pipeline: AnalysisPipeline;
  readonly buckets: RetentionBuckets;
  readonly network: PlatformNetwork;
  readonly template: Template;
  readonly json: any;
}

/** A stack with a network, buckets and a pipeline for `stage` (prod gets the 3-AZ env). */
export function build(stage: PlatformStage, props: Partial<AnalysisPipelineProps> = {}, context?: Record<string, unknown>): Built {
  const stack = newStack({ env: true, context });
  const network = new PlatformNetwork(stack, 'Network', { stage });
  const buckets = new RetentionBuckets(stack, 'Data', { stage });
  const pipeline = new AnalysisPipeline(stack, 'Pipeline', { vpc: network.vpc, buckets, stage, analysisImage: TEST_IMAGE, ...props });
  const template = Template.fromStack(stack);
  return { stack, pipeline, buckets, network, template, json: template.toJSON() };
}

export function resourcesOfType(json: any, type: string): Array<[string, any]> {
  return Object.entries<any>(json.Resources).filter(([, r]) => r.Type === type);
}

/** Options of the fake AWS, read from the synthesized template. */
export function fakeOptionsOf(json: any): Omit<FakeOptions, 'badFiles' | 'spotReclaims' | 'ec2' | 'rollupFails' | 'spotCapacityAfter' | 'spotPartlyRunning'> {
  const r = json.Resources;
  const id = (type: string, match: RegExp) => resourcesOfType(json, type).map(([k]) => k).find((k) => match.test(k))!;
  const [, jobDef] = resourcesOfType(json, 'AWS::Batch::JobDefinition')[0];
  const onDemand = id('AWS::Batch::JobQueue', /OnDemandQueue/);
  return {
    uploadsBucket: resolveIntrinsics({ Ref: id('AWS::S3::Bucket', /^DataUploads/) }, r),
    resultsBucket: resolveIntrinsics({ Ref: id('AWS::S3::Bucket', /^DataResults/) }, r),
    jobDefinitionArn: resolveIntrinsics({ Ref: resourcesOfType(json, 'AWS::Batch::JobDefinition')[0][0] }, r),
    spotQueueArn: resolveIntrinsics({ Ref: id('AWS::Batch::JobQueue', /SpotQueue/) }, r),
    onDemandQueueArn: onDemand ? resolveIntrinsics({ Ref: onDemand }, r) : undefined,
    retry: jobDef.Properties.RetryStrategy,
  };
}

export function fake(json: any, extra: Partial<FakeOptions> = {}): FakeAws {
  return new FakeAws({ ...fakeOptionsOf(json), ...extra });
}

export { definitionOf };

export { loadSchema, schemaValidator } from './schemas';
