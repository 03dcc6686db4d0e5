import { aws_iam as iam, aws_kms as kms, Stack } from 'aws-cdk-lib';

/** Options of `allowCloudWatchLogsToUseKey`. */
export interface LogsKeyStatementOptions {
  /** The statement id. @default none */
  readonly sid?: string;
  /**
   * The one log group the logs service may encrypt with the key (an `ArnEquals` condition).
   * @default every log group of the stack's account and region (an `ArnLike` condition)
   */
  readonly logGroupArn?: string;
}

/**
 * Lets the CloudWatch Logs service of the stack's region encrypt log groups with `key`: without
 * this statement in the key policy, creating an encrypted log group fails.
 */
export function allowCloudWatchLogsToUseKey(key: kms.IKey, options: LogsKeyStatementOptions = {}): void {
  const stack = Stack.of(key);
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: options.sid,
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: options.logGroupArn !== undefined
      ? { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': options.logGroupArn } }
      : { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` } },
  }));
}
