import { IConstruct } from 'constructs';
import { Acknowledge } from '../compliance/acknowledge';

/**
 * The findings of a deploy-time Lambda that aws-cdk-lib adds at stack scope for its custom
 * resources: its runtime and managed policy are aws-cdk-lib's, and it needs no VPC, DLQ or
 * reserved concurrency.
 */
const CDK_HANDLER_RULE_IDS = [
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
  'AwsSolutions-L1',
  'HIPAA.Security-LambdaConcurrency',
  'HIPAA.Security-LambdaDLQ',
  'HIPAA.Security-LambdaInsideVPC',
  'NIST.800.53.R5-LambdaConcurrency',
  'NIST.800.53.R5-LambdaDLQ',
  'NIST.800.53.R5-LambdaInsideVPC',
];

/**
 * Acknowledges the findings of the aws-cdk-lib custom-resource handler `childId` at stack scope
 * (for example the security-group handlers of `restrictDefaultSecurityGroup` and of
 * `AwsCustomResource`). Does nothing when the stack has no such child.
 */
export function acknowledgeCdkHandler(scope: IConstruct, childId: string, reason: string): void {
  Acknowledge.stackChild(scope, childId, reason, [...CDK_HANDLER_RULE_IDS]);
}
