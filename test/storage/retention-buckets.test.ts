import { aws_iam as iam, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Acknowledge } from '../../src/compliance/acknowledge';
import { ComplianceChecks } from '../../src/compliance/compliance-checks';
import { ALLOW_DESTROY_CONTEXT_KEY } from '../../src/core/removal';
import { PlatformStage, ResultsLockMode } from '../../src/stage/platform-stage';
import { RetentionBuckets } from '../../src/storage/retention-buckets';
import { InstantAccessTiering, RetentionBucketsProps } from '../../src/storage/retention-buckets-props';
import { checkCompliance, expectCompliant, expectNoDeployTraps, expectValidTemplates, logicalIds, newStack, VALIDATION_AS_ERRORS } from '../helpers';

/** Actions no grant of ours may ever hand out. */
const FORBIDDEN_ACTIONS = [
  's3:BypassGovernanceRetention',
  's3:PutObjectRetention',
  's3:PutObjectLegalHold',
  's3:PutBucketObjectLockConfiguration',
  's3:*',
  'kms:*',
];

function bucketId(template: Template, pathPart: string): string {
  const ids = Object.keys(template.findResources('AWS::S3::Bucket')).filter((id) => id.startsWith(`Buckets${pathPart}`));
  expect(ids).toHaveLength(1);
  return ids[0];
}

function allPolicyStatements(template: Template): any[] {
  const out: any[] = [];
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const r of Object.values<any>(template.findResources(type))) out.push(...r.Properties.PolicyDocument.Statement);
  }
  return out;
}

function actionsOf(statement: any): string[] {
  return ([] as string[]).concat(statement.Action);
}

describe('RetentionBuckets in hml (default)', () => {
  const stack = newStack();
  const buckets = new RetentionBuckets(stack, 'Buckets');
  const template = Template.fromStack(stack);
  const uploads = bucketId(template, 'Uploads');
  const results = bucketId(template, 'Results');
  const logs = bucketId(template, 'AccessLogs');

  test('three buckets and two customer-managed keys with rotation', () => {
    template.resourceCountIs('AWS::S3::Bucket', 3);
    template.resourceCountIs('AWS::KMS::Key', 2);
    template.allResourcesProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    expect(buckets.stage).toBe(PlatformStage.HML);
    expect(buckets.resultsLockMode).toBe(ResultsLockMode.NONE);
  });

  test('uploads and results are SSE-KMS with their own key and S3 bucket keys', () => {
    for (const [bucket, key] of [[buckets.uploadsBucket, buckets.uploadsKey], [buckets.resultsBucket, buckets.resultsKey]] as const) {
      template.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as any), 'Arn'] },
            },
          }],
        },
        LoggingConfiguration: Match.objectLike({ DestinationBucketName: { Ref: logs } }),
      });
      expect(bucket.encryptionKey).toBe(key);
    }
    expect(buckets.uploadsKey).not.toBe(buckets.resultsKey);
  });

  test('every bucket blocks public access, enforces bucket ownership and is versioned', () => {
    template.allResourcesProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      VersioningConfiguration: { Status: 'Enabled' },
    });
  });

  test('every bucket policy denies plain HTTP and TLS below 1.2', () => {
    template.resourceCountIs('AWS::S3::BucketPolicy', 3);
    for (const id of [uploads, results, logs]) {
      const resources = [{ 'Fn::GetAtt': [id, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Arn'] }, '/*']] }];
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: {
          Statement: Match.arrayWith([
            { Action: 's3:*', Effect: 'Deny', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Resource: resources },
            { Action: 's3:*', Effect: 'Deny', Principal: { AWS: '*' }, Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } }, Resource: resources },
          ]),
        },
      });
    }
  });

  test('uploads: expire on day 365, Glacier IR from day 30 above 128 KB, 7-day noncurrent versions, 3-day multipart abort, delete markers removed', () => {
    expect(template.toJSON().Resources[uploads].Properties.LifecycleConfiguration).toEqual({
      TransitionDefaultMinimumObjectSize: 'all_storage_classes_128K',
      Rules: [
        { Id: 'ExpireUploads', Status: 'Enabled', ExpirationInDays: 365 },
        {
          Id: 'CleanUpVersions',
          Status: 'Enabled',
          NoncurrentVersionExpiration: { NoncurrentDays: 7 },
          ExpiredObjectDeleteMarker: true,
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 3 },
        },
        {
          Id: 'TierLargeUploads',
          Status: 'Enabled',
          ObjectSizeGreaterThan: '131072', // a string, as CloudFormation's schema types it (W9003)
          Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 30 }],
        },
      ],
    });
  });

  test('results: never expire, noncurrent versions kept 1827 days, Glacier IR from day 90 above 128 KB', () => {
    expect(template.toJSON().Resources[results].Properties.LifecycleConfiguration).toEqual({
      TransitionDefaultMinimumObjectSize: 'all_storage_classes_128K',
      Rules: [
        {
          Id: 'CleanUpVersions',
          Status: 'Enabled',
          NoncurrentVersionExpiration: { NoncurrentDays: 1827 },
          ExpiredObjectDeleteMarker: true,
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 3 },
        },
        {
          Id: 'TierLargeResults',
          Status: 'Enabled',
          ObjectSizeGreaterThan: '131072', // a string, as CloudFormation's schema types it (W9003)
          Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 90 }],
          NoncurrentVersionTransitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 90 }],
        },
      ],
    });
  });

  test('ExpiredObjectDeleteMarker never shares a rule with an expiration in days, and never stands alone', () => {
    for (const bucket of Object.values<any>(template.findResources('AWS::S3::Bucket'))) {
      for (const rule of bucket.Properties.LifecycleConfiguration.Rules) {
        if (rule.ExpiredObjectDeleteMarker) {
          expect(rule.ExpirationInDays).toBeUndefined();
          expect(rule.NoncurrentVersionExpiration).toBeDefined();
        }
      }
    }
  });

  test('no storage class that needs a restore is ever used', () => {
    const text = JSON.stringify(template.toJSON());
    for (const cls of ['"GLACIER"', 'DEEP_ARCHIVE', 'ARCHIVE_ACCESS', 'IntelligentTieringConfigurations']) {
      expect(text).not.toContain(cls);
    }
  });

  test('no Object Lock in hml, and nothing on the uploads bucket ever', () => {
    for (const id of [uploads, results, logs]) {
      const p = template.toJSON().Resources[id].Properties;
      expect(p.ObjectLockEnabled).toBeUndefined();
      expect(p.ObjectLockConfiguration).toBeUndefined();
    }
  });

  test('access logs: SSE-S3, kept 30 days (the stage log retention), delivered through a scoped bucket policy', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LifecycleConfiguration: {
        Rules: [
          { Id: 'ExpireAccessLogs', Status: 'Enabled', ExpirationInDays: 30 },
          {
            Id: 'CleanUpVersions',
            Status: 'Enabled',
            NoncurrentVersionExpiration: { NoncurrentDays: 1 },
            ExpiredObjectDeleteMarker: true,
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 3 },
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::S3::Bucket', { LoggingConfiguration: { DestinationBucketName: { Ref: logs }, LogFilePrefix: 'uploads-bucket/' } });
    template.hasResourceProperties('AWS::S3::Bucket', { LoggingConfiguration: { DestinationBucketName: { Ref: logs }, LogFilePrefix: 'results-bucket/' } });
    for (const [source, prefix] of [[uploads, 'uploads-bucket'], [results, 'results-bucket']]) {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: logs },
        PolicyDocument: {
          Statement: Match.arrayWith([{
            Action: 's3:PutObject',
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logs, 'Arn'] }, `/${prefix}/*`]] },
            Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [source, 'Arn'] } }, StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }]),
        },
      });
    }
    expect(JSON.stringify(template.toJSON())).not.toContain('LogDeliveryWrite');
  });

  test('EventBridge notifications on both data buckets', () => {
    template.resourceCountIs('Custom::S3BucketNotifications', 2);
    for (const id of [uploads, results]) {
      template.hasResourceProperties('Custom::S3BucketNotifications', {
        BucketName: { Ref: id },
        NotificationConfiguration: { EventBridgeConfiguration: {} },
      });
    }
  });

  test('no CORS rule until origins are given, no malware scanning by default', () => {
    expect(template.toJSON().Resources[uploads].Properties.CorsConfiguration).toBeUndefined();
    template.resourceCountIs('AWS::GuardDuty::MalwareProtectionPlan', 0);
    expect(buckets.malwareProtectionPlan).toBeUndefined();
  });

  test('buckets and keys are retained by default', () => {
    template.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.allResources('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  test('zero unacknowledged findings in AwsSolutions, HIPAA.Security and NIST.800.53.R5', () => {
    expectCompliant(stack);
  });

  test('every acknowledgement sits on the narrowest construct (never the construct root or the stack)', () => {
    const acks = ComplianceChecks.acknowledgements(stack);
    expect(acks.map((a) => a.path).filter((p) => p === 'Test' || p === 'Test/Buckets')).toEqual([]);
    expect(acks.map((a) => a.ruleId)).not.toContain('AwsSolutions-IAM5');
    expect(acks.length).toBe(13);
  });

  test('the stack-level notifications handler is acknowledged at its own path', () => {
    const handler = Stack.of(buckets).node.findChild('BucketNotificationsHandler050a0587b7544547bf325f094a3db834');
    const acks = ComplianceChecks.acknowledgements(stack).filter((a) => a.path === handler.node.path);
    expect(acks.map((a) => a.ruleId)).toEqual([
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    ]);
  });

  test('no deploy traps (access-log target is SSE-S3 without Object Lock)', () => {
    expectNoDeployTraps(stack);
  });

  test('logical ids are stable', () => {
    expect(logicalIds(stack)).toMatchSnapshot();
  });
});

describe('RetentionBuckets in prod', () => {
  const stack = newStack({ env: true });
  const buckets = new RetentionBuckets(stack, 'Buckets', { stage: PlatformStage.PROD });
  const template = Template.fromStack(stack);
  const uploads = bucketId(template, 'Uploads');
  const results = bucketId(template, 'Results');

  test('results are locked in GOVERNANCE mode for 1827 days', () => {
    expect(buckets.resultsLockMode).toBe(ResultsLockMode.GOVERNANCE);
    const p = template.toJSON().Resources[results].Properties;
    expect(p.ObjectLockEnabled).toBe(true);
    expect(p.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1827 } },
    });
    expect(p.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  test('the uploads bucket is never locked (browser uploads send no checksum header)', () => {
    const p = template.toJSON().Resources[uploads].Properties;
    expect(p.ObjectLockEnabled).toBeUndefined();
    expect(p.ObjectLockConfiguration).toBeUndefined();
  });

  test('noncurrent result versions expire only once the retention allows', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: Match.anyValue(),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ Id: 'CleanUpVersions', NoncurrentVersionExpiration: { NoncurrentDays: 1827 } })]),
      },
    });
    expect(JSON.stringify(template.toJSON().Resources[results].Properties.LifecycleConfiguration)).not.toContain('ExpirationInDays');
  });

  test('access logs kept 731 days (the prod log retention)', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Id: 'ExpireAccessLogs', ExpirationInDays: 731 })]) },
    });
  });

  test('KMS conditions name the stack region', () => {
    const other = newStack({ env: true });
    const role = new iam.Role(other, 'Probe', { assumedBy: new iam.AccountRootPrincipal() });
    new RetentionBuckets(other, 'Buckets', { stage: PlatformStage.PROD }).grantReadResults(role);
    Template.fromStack(other).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } } })]) },
    });
  });

  test('everything retained', () => {
    template.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
    template.allResources('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
  });

  test('zero unacknowledged findings', () => {
    expectCompliant(buckets);
  });

  test('no deploy traps: the locked results bucket is not a log target', () => {
    expectNoDeployTraps(stack);
  });

  test('logical ids are stable', () => {
    expect(logicalIds(stack)).toMatchSnapshot();
  });
});

describe('RetentionBuckets with malware scanning (prod)', () => {
  const stack = newStack({ env: true });
  const buckets = new RetentionBuckets(stack, 'Buckets', { stage: PlatformStage.PROD, malwareScanning: true });
  const template = Template.fromStack(stack);
  const uploads = bucketId(template, 'Uploads');
  const roleId = stack.getLogicalId(buckets.malwareScanRole!.node.defaultChild as any);
  const keyId = stack.getLogicalId(buckets.uploadsKey.node.defaultChild as any);

  test('a GuardDuty plan scans and tags new objects under uploads/', () => {
    template.resourceCountIs('AWS::GuardDuty::MalwareProtectionPlan', 1);
    template.hasResource('AWS::GuardDuty::MalwareProtectionPlan', {
      Properties: {
        Role: { 'Fn::GetAtt': [roleId, 'Arn'] },
        ProtectedResource: { S3Bucket: { BucketName: { Ref: uploads }, ObjectPrefixes: ['uploads/'] } },
        Actions: { Tagging: { Status: 'ENABLED' } },
      },
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('BucketsMalwareScanPolicy')]),
    });
  });

  test('the scan role trusts only GuardDuty Malware Protection from this account', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'malware-protection-plan.guardduty.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
        }],
      },
    });
  });

  test('the scan role holds exactly the documented permissions, scoped to this bucket and key, in a managed policy', () => {
    const policies = template.findResources('AWS::IAM::ManagedPolicy');
    expect(Object.keys(policies)).toHaveLength(1);
    const statements = Object.values<any>(policies)[0].Properties.PolicyDocument.Statement;
    const rule = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-1:123456789012:rule/DO-NOT-DELETE-AmazonGuardDutyMalwareProtectionS3*']] };
    const objects = (suffix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [uploads, 'Arn'] }, suffix]] });
    expect(statements).toEqual([
      {
        Sid: 'ManageGuardDutyRule',
        Effect: 'Allow',
        Resource: rule,
        Action: ['events:PutRule', 'events:DeleteRule', 'events:PutTargets', 'events:RemoveTargets'],
        Condition: { StringLike: { 'events:ManagedBy': 'malware-protection-plan.guardduty.amazonaws.com' } },
      },
      { Sid: 'DescribeGuardDutyRule', Effect: 'Allow', Resource: rule, Action: ['events:DescribeRule', 'events:ListTargetsByRule'] },
      {
        Sid: 'ScanAndTagUploads',
        Effect: 'Allow',
        Resource: objects('/uploads/*'),
        Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging', 's3:GetObjectVersionTagging', 's3:PutObjectTagging', 's3:PutObjectVersionTagging'],
      },
      {
        Sid: 'EnableEventBridgeAndCheckOwnership',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [uploads, 'Arn'] },
        Action: ['s3:GetBucketNotification', 's3:PutBucketNotification', 's3:ListBucket'],
      },
      { Sid: 'PutValidationObject', Effect: 'Allow', Action: 's3:PutObject', Resource: objects('/malware-protection-resource-validation-object') },
      {
        Sid: 'UseUploadsKey',
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
        Condition: { StringLike: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
      },
    ]);
    template.resourceCountIs('AWS::IAM::Policy', 2); // only the two CDK notification handler policies
  });

  test('an upload can complete before the scan: grantUpload needs nothing the unscanned-upload deny refuses', () => {
    // The API confirms a completed upload at once, long before GuardDuty has tagged it.
    const own = newStack({ env: true });
    const data = new RetentionBuckets(own, 'Buckets', { stage: PlatformStage.PROD, malwareScanning: true });
    const uploader = new iam.Role(own, 'Uploader', { assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com') });
    data.grantUpload(uploader);
    const json = Template.fromStack(own).toJSON();
    const denied = Object.values<any>(json.Resources)
      .filter((r) => r.Type === 'AWS::S3::BucketPolicy')
      .flatMap((r) => r.Properties.PolicyDocument.Statement)
      .filter((st: any) => st.Sid === 'DenyReadingUnscannedUploads')
      .flatMap(actionsOf);
    expect(denied).toEqual(['s3:GetObject', 's3:GetObjectVersion']);
    const policyId = own.getLogicalId(uploader.node.findChild('DefaultPolicy').node.defaultChild as any);
    const granted = json.Resources[policyId].Properties.PolicyDocument.Statement.flatMap(actionsOf);
    expect(granted).toContain('s3:PutObject');
    expect(granted.filter((a: string) => denied.includes(a))).toEqual([]);
  });

  test('reading an upload that is not tagged NO_THREATS_FOUND is denied to everyone but the scanner', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: uploads },
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Sid: 'DenyReadingUnscannedUploads',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: ['s3:GetObject', 's3:GetObjectVersion'],
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [uploads, 'Arn'] }, '/uploads/*']] },
          Condition: {
            StringNotEquals: { 's3:ExistingObjectTag/GuardDutyMalwareScanStatus': 'NO_THREATS_FOUND' },
            ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [roleId, 'Arn'] } },
          },
        }]),
      },
    });
  });

  test('the scan policy wildcards are acknowledged with computed ids', () => {
    const ids = ComplianceChecks.acknowledgements(buckets).filter((a) => a.path.endsWith('MalwareScanPolicy')).map((a) => a.ruleId);
    expect(ids).toEqual([
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:events:eu-west-1:123456789012:rule/DO-NOT-DELETE-AmazonGuardDutyMalwareProtectionS3*]',
      `AwsSolutions-IAM5[Resource::<${uploads}.Arn>/uploads/*]`,
    ]);
  });

  test('zero unacknowledged findings', () => {
    expectCompliant(stack);
  });

  test('no deploy traps', () => {
    expectNoDeployTraps(stack);
  });

  test('logical ids are stable', () => {
    expect(logicalIds(stack)).toMatchSnapshot();
  });
});

describe('RetentionBuckets grants', () => {
  const stack = newStack({ env: true });
  const buckets = new RetentionBuckets(stack, 'Buckets', { stage: PlatformStage.PROD });
  const role = (id: string) => new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com') });
  const uploader = role('Uploader');
  const uploadReader = role('UploadReader');
  const sampleReader = role('SampleReader');
  const deleter = role('Deleter');
  const manifestWriter = role('ManifestWriter');
  const manifestReader = role('ManifestReader');
  const resultWriter = role('ResultWriter');
  const resultReader = role('ResultReader');
  const oneAnalysisReader = role('OneAnalysisReader');
  const grants: [string, iam.Role, iam.Grant][] = [
    ['grantUpload', uploader, buckets.grantUpload(uploader)],
    ['grantReadUploads', uploadReader, buckets.grantReadUploads(uploadReader)],
    ['grantReadUploads(prefix)', sampleReader, buckets.grantReadUploads(sampleReader, 'uploads/sample-1/*')],
    ['grantDeleteUploads', deleter, buckets.grantDeleteUploads(deleter)],
    ['grantWriteManifests', manifestWriter, buckets.grantWriteManifests(manifestWriter)],
    ['grantReadManifests', manifestReader, buckets.grantReadManifests(manifestReader)],
    ['grantWriteResults', resultWriter, buckets.grantWriteResults(resultWriter)],
    ['grantReadResults', resultReader, buckets.grantReadResults(resultReader)],
    ['grantReadResults(prefix)', oneAnalysisReader, buckets.grantReadResults(oneAnalysisReader, 'analyses/a-42/*')],
  ];
  const template = Template.fromStack(stack);
  const uploads = bucketId(template, 'Uploads');
  const results = bucketId(template, 'Results');
  const uploadsKey = stack.getLogicalId(buckets.uploadsKey.node.defaultChild as any);
  const resultsKey = stack.getLogicalId(buckets.resultsKey.node.defaultChild as any);
  const objects = (bucket: string, pattern: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${pattern}`]] });
  const viaS3 = { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } };
  const key = (id: string, actions: string[] | string) => ({ Effect: 'Allow', Action: actions, Resource: { 'Fn::GetAtt': [id, 'Arn'] }, Condition: viaS3 });
  const list = (bucket: string, prefix: string) => ({
    Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [bucket, 'Arn'] }, Condition: { StringLike: { 's3:prefix': [prefix] } },
  });

  function statementsOf(r: iam.Role): any[] {
    const policyId = stack.getLogicalId(r.node.findChild('DefaultPolicy').node.defaultChild as any);
    return template.toJSON().Resources[policyId].Properties.PolicyDocument.Statement;
  }

  test.each(grants)('%s returns the iam.Grant of every statement it adds to the grantee\'s policy', (_name, grantee, grant) => {
    expect(grant.success).toBe(true);
    expect(grant.principalStatements.length).toBeGreaterThan(0);
    expect(stack.resolve(grant.principalStatements.map((st) => st.toStatementJson()))).toEqual(statementsOf(grantee));
  });

  test('grantUpload: multipart upload actions on uploads/* and GenerateDataKey + Decrypt on the uploads key', () => {
    // The uploader confirms a completed upload by listing its key (never s3:GetObject: it does not
    // read uploads, and malware scanning denies GetObject until an object is tagged clean).
    expect(statementsOf(uploader)).toEqual([
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], Resource: objects(uploads, 'uploads/*') },
      list(uploads, 'uploads/*'),
      key(uploadsKey, ['kms:GenerateDataKey', 'kms:Decrypt']),
    ]);
  });

  test('grantReadUploads: GetObject and a prefix-scoped ListBucket, Decrypt only', () => {
    expect(statementsOf(uploadReader)).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: objects(uploads, 'uploads/*') },
      list(uploads, 'uploads/*'),
      key(uploadsKey, 'kms:Decrypt'),
    ]);
    expect(statementsOf(sampleReader)[0].Resource).toEqual(objects(uploads, 'uploads/sample-1/*'));
    expect(statementsOf(sampleReader)[1]).toEqual(list(uploads, 'uploads/sample-1/*'));
  });

  test('grantDeleteUploads: DeleteObject on uploads/* only', () => {
    expect(statementsOf(deleter)).toEqual([{ Effect: 'Allow', Action: 's3:DeleteObject', Resource: objects(uploads, 'uploads/*') }]);
  });

  test('grantWriteManifests / grantReadManifests: manifests/* in the uploads bucket', () => {
    expect(statementsOf(manifestWriter)).toEqual([
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: objects(uploads, 'manifests/*') },
      key(uploadsKey, ['kms:GenerateDataKey', 'kms:Decrypt']),
    ]);
    expect(statementsOf(manifestReader)).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: objects(uploads, 'manifests/*') },
      key(uploadsKey, 'kms:Decrypt'),
    ]);
  });

  test('grantWriteResults: PutObject and AbortMultipartUpload on analyses/*, never delete', () => {
    expect(statementsOf(resultWriter)).toEqual([
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: objects(results, 'analyses/*') },
      key(resultsKey, ['kms:GenerateDataKey', 'kms:Decrypt']),
    ]);
  });

  test('grantReadResults: GetObject and a prefix-scoped ListBucket, for all analyses or one', () => {
    expect(statementsOf(resultReader)).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: objects(results, 'analyses/*') },
      list(results, 'analyses/*'),
      key(resultsKey, 'kms:Decrypt'),
    ]);
    expect(statementsOf(oneAnalysisReader)[0].Resource).toEqual(objects(results, 'analyses/a-42/*'));
  });

  test('no grant gives retention bypass, retention changes, lock configuration, wildcard actions, or delete on results', () => {
    for (const statement of allPolicyStatements(template)) {
      for (const action of actionsOf(statement)) {
        expect(FORBIDDEN_ACTIONS).not.toContain(action);
        expect(action).not.toMatch(/\*/);
        if (/^s3:Delete/.test(action)) expect(statement.Resource).toEqual(objects(uploads, 'uploads/*'));
      }
    }
  });

  test('each grant acknowledges exactly its own IAM5 resource findings, on the grantee', () => {
    const acks = ComplianceChecks.acknowledgements(stack).filter((a) => a.ruleId.startsWith('AwsSolutions-IAM5'));
    const byPath = (r: iam.Role) => acks.filter((a) => a.path === r.node.path).map((a) => a.ruleId);
    expect(byPath(uploader)).toEqual([`AwsSolutions-IAM5[Resource::<${uploads}.Arn>/uploads/*]`]);
    expect(byPath(sampleReader)).toEqual([`AwsSolutions-IAM5[Resource::<${uploads}.Arn>/uploads/sample-1/*]`]);
    expect(byPath(manifestWriter)).toEqual([`AwsSolutions-IAM5[Resource::<${uploads}.Arn>/manifests/*]`]);
    expect(byPath(resultWriter)).toEqual([`AwsSolutions-IAM5[Resource::<${results}.Arn>/analyses/*]`]);
    expect(byPath(oneAnalysisReader)).toEqual([`AwsSolutions-IAM5[Resource::<${results}.Arn>/analyses/a-42/*]`]);
    expect(acks.every((a) => a.ruleId.includes('[Resource::'))).toBe(true);
  });

  test('the only open findings are the grantees\' own inline DefaultPolicy (HIPAA/NIST IAMNoInlinePolicy)', () => {
    const open = checkCompliance(stack).findings;
    expect(open.length).toBeGreaterThan(0);
    for (const f of open) {
      expect(f.ruleId).toMatch(/^(HIPAA\.Security|NIST\.800\.53\.R5)-IAMNoInlinePolicy$/);
      expect(f.resourcePath).toMatch(/^Test\/\w+\/DefaultPolicy\/Resource$/);
    }
  });

  test('a grantee without an identity policy is refused loudly', () => {
    expect(() => buckets.grantReadResults(new iam.ServicePrincipal('lambda.amazonaws.com'))).toThrow();
  });

  test.each(['', '/analyses/*', '*'])('refuses the grant prefix %p', (prefix) => {
    expect(() => buckets.grantReadResults(role(`Bad${prefix.length}`), prefix)).toThrow(/must be a key pattern under a folder/);
  });
});

describe('RetentionBuckets options', () => {
  test('COMPLIANCE lock is an explicit opt-in', () => {
    const stack = newStack();
    new RetentionBuckets(stack, 'Buckets', { resultsLockMode: ResultsLockMode.COMPLIANCE, resultsRetention: Duration.days(3650) });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 3650 } } },
    });
  });

  test('prod can opt out of the lock', () => {
    const stack = newStack({ env: true });
    new RetentionBuckets(stack, 'Buckets', { stage: PlatformStage.PROD, resultsLockMode: ResultsLockMode.NONE });
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('ObjectLock');
  });

  test('CORS: PUT from the given origins, exposing ETag', () => {
    const stack = newStack();
    const buckets = new RetentionBuckets(stack, 'Buckets', {
      corsAllowedOrigins: ['https://app.example.com', 'https://d111111abcdef8.cloudfront.net', 'http://localhost:3000'],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      CorsConfiguration: {
        CorsRules: [{
          AllowedMethods: ['PUT'],
          AllowedOrigins: ['https://app.example.com', 'https://d111111abcdef8.cloudfront.net', 'http://localhost:3000'],
          AllowedHeaders: ['*'],
          ExposedHeaders: ['ETag'],
          MaxAge: 3000,
        }],
      },
    });
    const resultsId = stack.getLogicalId(buckets.resultsBucket.node.defaultChild as any);
    expect(template.toJSON().Resources[resultsId].Properties.CorsConfiguration).toBeUndefined();
  });

  test('CORS origins given as tokens pass through unchecked', () => {
    const stack = newStack();
    const domain = new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal() }).roleName; // any token
    expect(() => new RetentionBuckets(stack, 'Buckets', { corsAllowedOrigins: [`https://${domain}`] })).not.toThrow();
  });

  test('Intelligent-Tiering (without archive tiers) or no tiering at all', () => {
    const stack = newStack();
    new RetentionBuckets(stack, 'Buckets', {
      uploadsTiering: InstantAccessTiering.INTELLIGENT_TIERING,
      resultsTiering: InstantAccessTiering.NONE,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([{
          Id: 'TierLargeUploads',
          Status: 'Enabled',
          ObjectSizeGreaterThan: '131072', // a string, as CloudFormation's schema types it (W9003)
          Transitions: [{ StorageClass: 'INTELLIGENT_TIERING', TransitionInDays: 30 }],
        }]),
      },
    });
    const text = JSON.stringify(template.toJSON());
    expect(text).not.toContain('TierLargeResults');
    expect(text).not.toContain('IntelligentTieringConfigurations');
  });

  test('custom retention, transitions, expiration and windows', () => {
    const stack = newStack();
    new RetentionBuckets(stack, 'Buckets', {
      uploadsRetention: Duration.days(180),
      uploadsTransitionAfter: Duration.days(14),
      uploadsNoncurrentRetention: Duration.days(2),
      resultsRetention: Duration.days(3653),
      resultsTransitionAfter: Duration.days(60),
      resultsExpiration: Duration.days(3700),
      abortIncompleteUploadsAfter: Duration.days(1),
      accessLogsRetention: Duration.days(400),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          { Id: 'ExpireUploads', Status: 'Enabled', ExpirationInDays: 180 },
          {
            Id: 'CleanUpVersions',
            Status: 'Enabled',
            NoncurrentVersionExpiration: { NoncurrentDays: 2 },
            ExpiredObjectDeleteMarker: true,
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          },
          Match.objectLike({ Id: 'TierLargeUploads', Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 14 }] }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          { Id: 'ExpireResults', Status: 'Enabled', ExpirationInDays: 3700 },
          {
            Id: 'CleanUpVersions',
            Status: 'Enabled',
            NoncurrentVersionExpiration: { NoncurrentDays: 3653 },
            ExpiredObjectDeleteMarker: true,
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          },
          Match.objectLike({ Id: 'TierLargeResults', Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 60 }] }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Id: 'ExpireAccessLogs', ExpirationInDays: 400 })]) },
    });
  });
});

describe('RetentionBuckets removal policies', () => {
  test('DESTROY without the context opt-in keeps everything, with a warning', () => {
    const stack = newStack();
    const buckets = new RetentionBuckets(stack, 'Buckets', { removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true });
    const template = Template.fromStack(stack);
    template.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
    template.allResources('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
    const warnings = Annotations.fromStack(stack).findWarning(`/${buckets.node.path}`, Match.stringLikeRegexp('allowDestroy'));
    expect(warnings).toHaveLength(1);
  });

  test('DESTROY with the opt-in in hml destroys buckets and keys', () => {
    const stack = newStack({ context: { [ALLOW_DESTROY_CONTEXT_KEY]: true } });
    new RetentionBuckets(stack, 'Buckets', { removalPolicy: RemovalPolicy.DESTROY });
    const template = Template.fromStack(stack);
    template.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    template.allResources('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  test('DESTROY with the opt-in and autoDeleteObjects empties all three buckets, still compliant', () => {
    const stack = newStack({ context: { [ALLOW_DESTROY_CONTEXT_KEY]: 'true' } });
    new RetentionBuckets(stack, 'Buckets', { removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true });
    Template.fromStack(stack).resourceCountIs('Custom::S3AutoDeleteObjects', 3);
    expectCompliant(stack);
    expectNoDeployTraps(stack);
  });

  test('prod never destroys, even with the opt-in and an unlocked results bucket', () => {
    const stack = newStack({ env: true, context: { [ALLOW_DESTROY_CONTEXT_KEY]: true } });
    new RetentionBuckets(stack, 'Buckets', { stage: PlatformStage.PROD, resultsLockMode: ResultsLockMode.NONE, removalPolicy: RemovalPolicy.DESTROY });
    Template.fromStack(stack).allResources('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
  });

  test('RETAIN_ON_UPDATE_OR_DELETE is passed through', () => {
    const stack = newStack();
    new RetentionBuckets(stack, 'Buckets', { removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE });
    Template.fromStack(stack).allResources('AWS::S3::Bucket', { DeletionPolicy: 'RetainExceptOnCreate' });
  });
});

describe('RetentionBuckets validation', () => {
  const build = (props: RetentionBucketsProps) => () => new RetentionBuckets(newStack({ env: true }), 'Buckets', props);
  const prod = PlatformStage.PROD;

  test('every problem is reported at once, with the path, the prop, the value and the fix', () => {
    expect(build({ uploadsRetention: Duration.days(0), resultsRetention: Duration.days(0), corsAllowedOrigins: ['http://app.example.com'] })).toThrow(
      /RetentionBuckets at 'Test\/Buckets' has invalid props:\n {2}- uploadsRetention = 0 days: give a positive whole number of days.*\n {2}- resultsRetention = 0 days: give a positive.*\n {2}- corsAllowedOrigins = 'http:\/\/app\.example\.com': an origin is https/s,
    );
  });

  // Rows have exactly three elements: a fourth callback parameter would become jest's `done`.
  test.each<[string, RetentionBucketsProps, RegExp]>([
    ['zero uploads retention', { uploadsRetention: Duration.days(0) }, /uploadsRetention = 0 days: give a positive whole number of days/],
    ['fractional uploads retention', { uploadsRetention: Duration.hours(36) }, /uploadsRetention = 1 day 12 hours: give a positive whole number of days, e\.g\. Duration\.days\(365\)\.$/],
    ['zero results retention', { resultsRetention: Duration.days(0) }, /resultsRetention = 0 days: give a positive whole number of days/],
    ['zero transition', { uploadsTransitionAfter: Duration.days(0) }, /uploadsTransitionAfter = 0 days: give a positive/],
    ['zero results transition', { resultsTransitionAfter: Duration.days(0) }, /resultsTransitionAfter = 0 days: give a positive/],
    ['zero noncurrent window', { uploadsNoncurrentRetention: Duration.days(0) }, /uploadsNoncurrentRetention = 0 days: give a positive/],
    ['zero multipart abort', { abortIncompleteUploadsAfter: Duration.days(0) }, /abortIncompleteUploadsAfter = 0 days: give a positive/],
    ['zero results expiration', { resultsExpiration: Duration.days(0) }, /resultsExpiration = 0 days: give a positive/],
    ['zero access-log retention', { accessLogsRetention: Duration.days(0) }, /accessLogsRetention = 0 days: give a positive/],
    ['results kept shorter than uploads', { uploadsRetention: Duration.days(400), resultsRetention: Duration.days(200) },
      /resultsRetention = 200 days: results must be kept at least as long as the uploads they come from \(uploadsRetention is 400 days\)/],
    ['results expiring before their retention', { resultsExpiration: Duration.days(1000) },
      /resultsExpiration = 1000 days: results would be deleted before their 1827-day retention ends/],
    ['uploads transition after their expiration', { uploadsTransitionAfter: Duration.days(400) },
      /uploadsTransitionAfter = 400 days: the transition comes on or after the expiration \(uploadsRetention is 365 days\)/],
    ['results transition after their expiration', { resultsExpiration: Duration.days(1827), resultsTransitionAfter: Duration.days(2000) },
      /resultsTransitionAfter = 2000 days: the transition comes on or after the expiration \(resultsExpiration is 1827 days\)/],
    ['Glacier IR for less than its 90-day minimum', { uploadsRetention: Duration.days(100), uploadsTransitionAfter: Duration.days(30) },
      /uploadsTransitionAfter = 30 days: Glacier Instant Retrieval bills at least 90 days, but objects would stay only 70 days.*transition by day 10/],
    ['a noncurrent window longer than the retention', { uploadsRetention: Duration.days(30), uploadsTiering: InstantAccessTiering.NONE, uploadsNoncurrentRetention: Duration.days(60) },
      /uploadsNoncurrentRetention = 60 days: previous versions of uploads should not outlive the 30-day retention/],
    ['an Object Lock retention beyond 100 years', { stage: prod, resultsRetention: Duration.days(40000) }, /resultsRetention = 40000 days: S3 Object Lock accepts a default retention of at most 36500 days/],
    ['GOVERNANCE with DESTROY', { stage: prod, removalPolicy: RemovalPolicy.DESTROY }, /removalPolicy = RemovalPolicy\.DESTROY: the results bucket is locked \(resultsLockMode GOVERNANCE\)/],
    ['COMPLIANCE with DESTROY', { resultsLockMode: ResultsLockMode.COMPLIANCE, removalPolicy: RemovalPolicy.DESTROY },
      /removalPolicy = RemovalPolicy\.DESTROY: the results bucket is locked \(resultsLockMode COMPLIANCE\)/],
    ['SNAPSHOT', { removalPolicy: RemovalPolicy.SNAPSHOT }, /removalPolicy = RemovalPolicy\.SNAPSHOT: S3 buckets have no snapshots/],
    ['autoDeleteObjects without DESTROY', { autoDeleteObjects: true }, /autoDeleteObjects = true: emptying buckets only makes sense when they are destroyed/],
    ['a plain-http origin', { corsAllowedOrigins: ['http://app.example.com'] }, /corsAllowedOrigins = 'http:\/\/app\.example\.com': an origin is https:\/\/host/],
    ['a wildcard origin', { corsAllowedOrigins: ['https://*.example.com'] }, /corsAllowedOrigins = 'https:\/\/\*\.example\.com'/],
    ['a bare wildcard origin', { corsAllowedOrigins: ['*'] }, /corsAllowedOrigins = '\*'/],
    ['an origin with a path', { corsAllowedOrigins: ['https://app.example.com/upload'] }, /corsAllowedOrigins = 'https:\/\/app\.example\.com\/upload'/],
    ['an origin with a trailing slash', { corsAllowedOrigins: ['https://app.example.com/'] }, /corsAllowedOrigins = 'https:\/\/app\.example\.com\/'/],
    ['an upper-case origin', { corsAllowedOrigins: ['https://App.Example.com'] }, /corsAllowedOrigins = 'https:\/\/App\.Example\.com'/],
    ['plain http to a non-local host', { corsAllowedOrigins: ['http://localhost.evil.com'] }, /corsAllowedOrigins = 'http:\/\/localhost\.evil\.com'/],
    ['a duplicated origin', { corsAllowedOrigins: ['https://a.example.com', 'https://a.example.com'] }, /corsAllowedOrigins = \[.*\]: list each origin once/],
  ])('rejects %s', (_name, props, message) => {
    expect(build(props)).toThrow(message);
  });

  test.each(['https://app.example.com', 'https://app.example.com:8443', 'http://localhost', 'http://localhost:3000', 'https://localhost:3000'])(
    'accepts the origin %p', (origin) => {
      expect(build({ corsAllowedOrigins: [origin] })).not.toThrow();
    },
  );

  test('Glacier IR is fine when it stays at least 90 days; other tiering is not bound by it', () => {
    expect(build({ uploadsRetention: Duration.days(120), uploadsTransitionAfter: Duration.days(30) })).not.toThrow();
    expect(build({ uploadsRetention: Duration.days(100), uploadsTiering: InstantAccessTiering.INTELLIGENT_TIERING })).not.toThrow();
  });
});

describe('RetentionBuckets acknowledgements are never broader than the findings', () => {
  /** Builds the same tree with or without acknowledgements. */
  function build(acknowledge: boolean, props: RetentionBucketsProps): Stack {
    const original = Acknowledge.rules;
    if (!acknowledge) (Acknowledge as any).rules = () => undefined;
    try {
      const stack = newStack({ env: true, context: { [ALLOW_DESTROY_CONTEXT_KEY]: true } });
      const buckets = new RetentionBuckets(stack, 'Buckets', props);
      const grantee = new iam.Role(stack, 'Grantee', { assumedBy: new iam.AccountRootPrincipal() });
      buckets.grantUpload(grantee);
      buckets.grantWriteManifests(grantee);
      buckets.grantWriteResults(grantee);
      buckets.grantReadResults(grantee, 'analyses/a-1/*');
      return stack;
    } finally {
      (Acknowledge as any).rules = original;
    }
  }

  test.each<[string, RetentionBucketsProps]>([
    ['hml', {}],
    ['prod with malware scanning', { stage: PlatformStage.PROD, malwareScanning: true }],
    ['hml destroyed and emptied', { removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true }],
  ])('%s: every acknowledgement matches a finding on its construct or below', (_name, props) => {
    const raw = checkCompliance(build(false, props)).findings;
    const acks = ComplianceChecks.acknowledgements(build(true, props));
    const unused = acks.filter((a) => !raw.some((f) => f.ruleId === a.ruleId && (f.resourcePath === a.path || f.resourcePath.startsWith(`${a.path}/`))));
    expect(unused).toEqual([]);
  });
});

describe('RetentionBuckets templates pass CloudFormation validation as errors', () => {
  // Glacier IR tiering adds the ObjectSizeGreaterThan filter, which the schema types as a string.
  test.each([
    ['hml', PlatformStage.HML, undefined],
    ['prod', PlatformStage.PROD, undefined],
    ['prod, Intelligent-Tiering', PlatformStage.PROD, InstantAccessTiering.INTELLIGENT_TIERING],
  ])('%s', (_name, stage, tiering) => {
    const stack = newStack({ env: true, context: VALIDATION_AS_ERRORS });
    new RetentionBuckets(stack, 'Buckets', { stage, uploadsTiering: tiering, resultsTiering: tiering });
    expectValidTemplates(stack);
    const rules = Object.values(Template.fromStack(stack).findResources('AWS::S3::Bucket'))
      .flatMap((b: any) => b.Properties.LifecycleConfiguration?.Rules ?? [])
      .filter((r: any) => r.ObjectSizeGreaterThan !== undefined);
    expect(rules.length).toBeGreaterThan(0);
    expect(rules.map((r: any) => r.ObjectSizeGreaterThan)).toEqual(rules.map(() => '131072'));
  });
});
