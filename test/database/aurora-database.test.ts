import { aws_backup as backup, aws_ec2 as ec2, aws_iam as iam, aws_logs as logs, aws_rds as rds, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Acknowledge, ALLOW_DESTROY_CONTEXT_KEY, ComplianceChecks, PlatformNetwork, PlatformStage } from '../../src';
import { AuroraDatabase } from '../../src/database/aurora-database';
import { AuroraDatabaseProps } from '../../src/database/aurora-database-props';
import { supportsAutoPause } from '../../src/database/auto-pause';
import { defaultClusterIdentifier } from '../../src/database/identifiers';
import { expectCompliant, expectNoDeployTraps, logicalIds, newStack } from '../helpers';

/** A stack with the platform network of `stage`. */
function networkStack(stage: PlatformStage = PlatformStage.HML, context?: Record<string, unknown>) {
  const stack = newStack({ env: stage.maxAzs > 2 ? true : undefined, context });
  const network = new PlatformNetwork(stack, 'Network', { stage });
  return { stack, vpc: network.vpc };
}

/** The logical id of a construct's CloudFormation resource. */
function idOf(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as any);
}

function build(props: Partial<AuroraDatabaseProps> = {}, stage: PlatformStage = PlatformStage.HML, context?: Record<string, unknown>) {
  const { stack, vpc } = networkStack(stage, context);
  const db = new AuroraDatabase(stack, 'Database', { vpc, stage, ...props });
  return { stack, vpc, db };
}

describe('AuroraDatabase in a custom stage based on prod', () => {
  // The stage table picks by kind of stage: a custom production stage gets prod's defaults.
  const preprod = PlatformStage.of('preprod', { basedOn: PlatformStage.PROD });
  const { stack } = build({}, preprod);
  const template = Template.fromStack(stack);

  test('advanced Database Insights with 15 months of Performance Insights, as in prod', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      DatabaseInsightsMode: 'advanced',
      PerformanceInsightsRetentionPeriod: 465,
    });
  });

  test('long-term snapshots nobody may delete early, as in prod', () => {
    template.hasResourceProperties('AWS::Backup::BackupVault', {
      AccessPolicy: {
        Statement: [Match.objectLike({ Effect: 'Deny', Action: Match.arrayWith(['backup:DeleteRecoveryPoint']) })],
      },
    });
  });
});

describe('AuroraDatabase in hml (default stage)', () => {
  const { stack, vpc } = networkStack();
  const db = new AuroraDatabase(stack, 'Database', { vpc });
  const app = new ec2.SecurityGroup(stack, 'App', { vpc, allowAllOutbound: false });
  db.allowConnectionsFrom(app);
  const apiRole = new iam.Role(stack, 'ApiRole', { assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com') });
  db.grantConnect(apiRole, 'api');
  // The grantee belongs to the caller: CDK grants write to its default (inline) policy.
  Acknowledge.rules(apiRole, 'Test grantee: CDK grants add statements to the role default inline policy.',
    ['HIPAA.Security-IAMNoInlinePolicy', 'NIST.800.53.R5-IAMNoInlinePolicy']);
  const template = Template.fromStack(stack);
  const clusterId = idOf(stack, db.cluster);
  const keyId = idOf(stack, db.encryptionKey);
  const secretKeyId = idOf(stack, db.secretEncryptionKey);

  test('Aurora PostgreSQL 17.9 Serverless v2 with TLS forced and DDL logged', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', { Engine: 'aurora-postgresql', EngineVersion: '17.9', StorageType: 'aurora' });
    template.hasResourceProperties('AWS::RDS::DBClusterParameterGroup', {
      Family: 'aurora-postgresql17',
      Parameters: { 'rds.force_ssl': '1', 'log_statement': 'ddl' },
    });
    template.allResourcesProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.serverless', PubliclyAccessible: false, AutoMinorVersionUpgrade: true });
  });

  test('scales to 0 ACU, up to 4, and pauses after 10 idle minutes', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 4, SecondsUntilAutoPause: 600 },
    });
  });

  test('a writer only, in promotion tier 0', () => {
    template.resourceCountIs('AWS::RDS::DBInstance', 1);
    template.hasResourceProperties('AWS::RDS::DBInstance', { PromotionTier: 0, DBClusterIdentifier: { Ref: clusterId } });
  });

  test('no deletion protection (staging is disposable)', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', { DeletionProtection: false });
  });

  test('storage and Performance Insights encrypted with a rotated customer-managed key', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      StorageEncrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      PerformanceInsightsKmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    template.resourcePropertiesCountIs('AWS::KMS::Key', { EnableKeyRotation: true }, 3); // flow logs, storage, secret
  });

  test('credentials in Secrets Manager under their own rotated key, rotated every 30 days', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: { 'Fn::GetAtt': [secretKeyId, 'Arn'] },
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"dbadmin"}' }),
    });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(30 days)' } });
    template.hasResourceProperties('AWS::Serverless::Application', {
      Parameters: Match.objectLike({ kmsKeyArn: { 'Fn::GetAtt': [secretKeyId, 'Arn'] } }),
    });
  });

  test('the rotation is a SAM application: deploys need CAPABILITY_AUTO_EXPAND', () => {
    expect(template.toJSON().Transform).toEqual('AWS::Serverless-2016-10-31');
  });

  test('the rotation function runs in the private subnets (NAT reaches Secrets Manager)', () => {
    const privateIds = vpc.privateSubnets.map((s) => ({ Ref: stack.getLogicalId(s.node.defaultChild as any) }));
    template.hasResourceProperties('AWS::Serverless::Application', {
      Parameters: Match.objectLike({ vpcSubnetIds: { 'Fn::Join': ['', [privateIds[0], ',', privateIds[1]]] } }),
    });
  });

  test('IAM database authentication', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', { EnableIAMDatabaseAuthentication: true });
  });

  test('PostgreSQL logs exported to a KMS-encrypted log group kept one month, created before the cluster', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', { EnableCloudwatchLogsExports: ['postgresql'] });
    const identifier = db.clusterIdentifier;
    expect(identifier).toMatch(/^test-database-[0-9a-f]{8}$/);
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: `/aws/rds/cluster/${identifier}/postgresql`,
      RetentionInDays: 30,
      KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    template.hasResource('AWS::RDS::DBCluster', { DependsOn: Match.arrayWith([idOf(stack, db.logGroup)]) });
  });

  test('standard Database Insights (7 days of Performance Insights, free)', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      DatabaseInsightsMode: 'standard',
      PerformanceInsightsEnabled: true,
      PerformanceInsightsRetentionPeriod: 7,
    });
  });

  test('enhanced monitoring every 60 seconds', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      MonitoringInterval: 60,
      MonitoringRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseClusterMonitoringRole'), 'Arn'] },
    });
  });

  test('7 days of automated backups and no AWS Backup plan', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', { BackupRetentionPeriod: 7, CopyTagsToSnapshot: true });
    template.resourceCountIs('AWS::Backup::BackupPlan', 0);
    expect(db.backupPlan).toBeUndefined();
  });

  test('the subnet group holds the isolated subnets only', () => {
    const isolated = vpc.isolatedSubnets.map((s) => ({ Ref: stack.getLogicalId(s.node.defaultChild as any) }));
    template.hasResourceProperties('AWS::RDS::DBSubnetGroup', { SubnetIds: isolated });
  });

  test('the security group admits the port from the allowed peer and the rotation function, nothing else', () => {
    const dbSg = { 'Fn::GetAtt': [idOf(stack, db.securityGroup), 'GroupId'] };
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Aurora PostgreSQL'),
      SecurityGroupIngress: Match.absent(),
    });
    const ingress = template.findResources('AWS::EC2::SecurityGroupIngress', { Properties: { GroupId: dbSg } });
    expect(Object.values(ingress).map((r: any) => r.Properties.SourceSecurityGroupId['Fn::GetAtt'][0]).sort()).toEqual(
      [idOf(stack, app), stack.getLogicalId(db.cluster.node.findChild('RotationSingleUser').node.findChild('SecurityGroup').node.defaultChild as any)].sort(),
    );
    for (const r of Object.values(ingress) as any[]) {
      expect(r.Properties).toMatchObject({ IpProtocol: 'tcp', FromPort: 5433, ToPort: 5433 });
      expect(r.Properties.CidrIp).toBeUndefined();
    }
    // The peer's restricted egress is opened to the database only.
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { 'Fn::GetAtt': [idOf(stack, app), 'GroupId'] },
      DestinationSecurityGroupId: dbSg,
      FromPort: 5433,
      ToPort: 5433,
    });
  });

  test('no open egress from the database', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Aurora PostgreSQL'),
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
  });

  test('port, database name and endpoint are exposed', () => {
    expect(db.port).toBe(5433);
    expect(db.databaseName).toBe('proteomics');
    expect(db.stage).toBe(PlatformStage.HML);
    expect(stack.resolve(db.endpoint.hostname)).toEqual({ 'Fn::GetAtt': [clusterId, 'Endpoint.Address'] });
    expect(db.secret).toBe(db.cluster.secret);
    template.hasResourceProperties('AWS::RDS::DBCluster', { Port: 5433, DatabaseName: 'proteomics', MasterUsername: 'dbadmin' });
  });

  test('removal: a final snapshot of the cluster; keys and secret retained', () => {
    template.hasResource('AWS::RDS::DBCluster', { DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Snapshot' });
    for (const type of ['AWS::KMS::Key', 'AWS::SecretsManager::Secret']) {
      for (const r of Object.values(template.findResources(type)) as any[]) expect(r.DeletionPolicy).toBe('Retain');
    }
  });

  test('the fixed-name log group is retained except when its first create fails (a retry can create it again)', () => {
    // RETAIN would keep `/aws/rds/cluster/<id>/postgresql` after a failed first create, and the
    // retry would then fail with "already exists".
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ LogGroupName: `/aws/rds/cluster/${db.clusterIdentifier}/postgresql` }),
    });
  });

  test('grantConnect allows rds-db:connect as that user on this cluster only', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: idOf(stack, apiRole) }],
      PolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: 'rds-db:connect',
          Resource: {
            'Fn::Join': ['', [
              'arn:', { Ref: 'AWS::Partition' }, ':rds-db:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' },
              ':dbuser:', { 'Fn::GetAtt': [clusterId, 'DBClusterResourceId'] }, '/api',
            ]],
          },
        }],
      },
    });
  });

  test('zero unacknowledged findings in AwsSolutions, HIPAA.Security and NIST.800.53.R5', () => {
    expectCompliant(stack);
  });

  test('acknowledgements are narrow: each on a resource of the database, with a reason', () => {
    const acks = ComplianceChecks.acknowledgements(db);
    expect(acks.map((a) => `${a.path.replace('Test/Database/', '')} ${a.ruleId}`).sort()).toEqual([
      'Cluster/MonitoringRole AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
      'Cluster/Resource AwsSolutions-RDS10',
      'Cluster/Resource HIPAA.Security-RDSInstanceDeletionProtectionEnabled',
      'Cluster/Resource NIST.800.53.R5-RDSInstanceDeletionProtectionEnabled',
      'Cluster/Writer HIPAA.Security-RDSInBackupPlan',
      'Cluster/Writer NIST.800.53.R5-RDSInBackupPlan',
    ]);
  });

  test('no deploy traps (the logs service may use the key of the PostgreSQL log group)', () => {
    expectNoDeployTraps(stack);
  });

  test('logical ids are stable', () => {
    expect(logicalIds(stack)).toMatchSnapshot();
  });
});

describe('AuroraDatabase in prod', () => {
  const { stack, vpc } = networkStack(PlatformStage.PROD);
  const db = new AuroraDatabase(stack, 'Database', { vpc, stage: PlatformStage.PROD });
  const template = Template.fromStack(stack);
  const clusterId = idOf(stack, db.cluster);
  const keyId = idOf(stack, db.encryptionKey);

  test('at least 0.5 ACU, up to 16, never paused', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 16, SecondsUntilAutoPause: Match.absent() },
    });
  });

  test('a writer in one AZ and a reader in another, in promotion tier 1 (scales with the writer)', () => {
    template.resourceCountIs('AWS::RDS::DBInstance', 2);
    template.hasResourceProperties('AWS::RDS::DBInstance', { PromotionTier: 0, AvailabilityZone: 'eu-west-1a' });
    template.hasResourceProperties('AWS::RDS::DBInstance', { PromotionTier: 1, AvailabilityZone: 'eu-west-1b' });
    expect(db.readerEndpoint).toBe(db.cluster.clusterReadEndpoint);
  });

  test('deletion protection', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', { DeletionProtection: true });
  });

  test('35 days of automated backups', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', { BackupRetentionPeriod: 35 });
  });

  test('advanced Database Insights with 15 months of Performance Insights', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      DatabaseInsightsMode: 'advanced',
      PerformanceInsightsEnabled: true,
      PerformanceInsightsRetentionPeriod: 465,
    });
  });

  test('PostgreSQL logs kept two years', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: Match.stringLikeRegexp('^/aws/rds/cluster/test-database-.*/postgresql$'),
      RetentionInDays: 731,
    });
  });

  test('a monthly AWS Backup snapshot kept 5 years (1827 days), in a vault under the customer-managed key', () => {
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanName: `${db.clusterIdentifier}-long-term`,
        BackupPlanRule: [{
          RuleName: 'Monthly',
          ScheduleExpression: 'cron(0 5 1 * ? *)',
          StartWindowMinutes: 60,
          CompletionWindowMinutes: 480,
          Lifecycle: { DeleteAfterDays: 1827 },
          TargetBackupVault: { 'Fn::GetAtt': [idOf(stack, db.backupVault!), 'BackupVaultName'] },
        }],
      },
    });
    template.hasResourceProperties('AWS::Backup::BackupVault', { EncryptionKeyArn: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({
        Resources: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:eu-west-1:123456789012:cluster:', { Ref: clusterId }]] }],
      }),
    });
  });

  test('the vault (a fixed name) is retained except on a failed first create, and refuses manual deletion of recovery points', () => {
    template.hasResource('AWS::Backup::BackupVault', {
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        AccessPolicy: {
          Version: '2012-10-17',
          Statement: [Match.objectLike({ Effect: 'Deny', Action: Match.arrayWith(['backup:DeleteRecoveryPoint']) })],
        },
      }),
    });
  });

  test('the cluster is snapshotted on removal and replacement', () => {
    template.hasResource('AWS::RDS::DBCluster', { DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Snapshot' });
  });

  test('zero unacknowledged findings', () => {
    expectCompliant(stack);
  });

  test('acknowledgements: monitoring and backup roles use AWS-managed policies; Aurora instances are backed up via the cluster', () => {
    const acks = ComplianceChecks.acknowledgements(db);
    expect(acks.map((a) => `${a.path.replace('Test/Database/', '')} ${a.ruleId}`).sort()).toEqual([
      'BackupPlan/Cluster/Role AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      'Cluster/MonitoringRole AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
      'Cluster/Reader HIPAA.Security-RDSInBackupPlan',
      'Cluster/Reader NIST.800.53.R5-RDSInBackupPlan',
      'Cluster/Writer HIPAA.Security-RDSInBackupPlan',
      'Cluster/Writer NIST.800.53.R5-RDSInBackupPlan',
    ]);
    for (const a of acks) expect(a.reason.length).toBeGreaterThan(40);
  });

  test('no deploy traps', () => {
    expectNoDeployTraps(stack);
  });

  test('logical ids are stable', () => {
    expect(logicalIds(stack)).toMatchSnapshot();
  });
});

describe('AuroraDatabase props', () => {
  test('overrides beat the stage preset', () => {
    const { stack, vpc } = networkStack();
    const db = new AuroraDatabase(stack, 'Database', {
      vpc,
      minCapacity: 0,
      maxCapacity: 8,
      autoPauseAfter: Duration.hours(1),
      port: 6543,
      databaseName: 'lab',
      masterUsername: 'owner',
      clusterIdentifier: 'biotech-hml-db',
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      backupRetention: Duration.days(14),
      logRetention: logs.RetentionDays.ONE_WEEK,
      databaseInsightsMode: rds.DatabaseInsightsMode.ADVANCED,
      monitoringInterval: Duration.seconds(15),
      secretRotationInterval: Duration.days(7),
      engineVersion: rds.AuroraPostgresEngineVersion.VER_16_3,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      DBClusterIdentifier: 'biotech-hml-db',
      EngineVersion: '16.3',
      ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 8, SecondsUntilAutoPause: 3600 },
      Port: 6543,
      DatabaseName: 'lab',
      MasterUsername: 'owner',
      BackupRetentionPeriod: 14,
      DatabaseInsightsMode: 'advanced',
      PerformanceInsightsRetentionPeriod: 465,
    });
    template.hasResourceProperties('AWS::RDS::DBInstance', { MonitoringInterval: 15 });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/rds/cluster/biotech-hml-db/postgresql', RetentionInDays: 7 });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(7 days)' } });
    const privateIds = vpc.privateSubnets.map((s) => ({ Ref: stack.getLogicalId(s.node.defaultChild as any) }));
    template.hasResourceProperties('AWS::RDS::DBSubnetGroup', { SubnetIds: privateIds });
    expect(db.port).toBe(6543);
    expectCompliant(stack);
  });

  test('prod without a reader or long-term backups, and with a reader in hml', () => {
    const prod = build({ reader: false, longTermBackups: false }, PlatformStage.PROD);
    const t = Template.fromStack(prod.stack);
    t.resourceCountIs('AWS::RDS::DBInstance', 1);
    t.resourceCountIs('AWS::Backup::BackupPlan', 0);
    const hml = build({ minCapacity: 0.5, reader: true });
    Template.fromStack(hml.stack).resourceCountIs('AWS::RDS::DBInstance', 2);
    expectCompliant(hml.stack);
  });

  test('long-term backups in hml, with a copy to a vault in another region', () => {
    const { stack, vpc } = networkStack();
    const copy = backup.BackupVault.fromBackupVaultArn(stack, 'Copy', 'arn:aws:backup:eu-central-1:123456789012:backup-vault:dr');
    new AuroraDatabase(stack, 'Database', { vpc, longTermBackups: true, longTermBackupRetention: Duration.days(400), backupCopyVault: copy });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanRule: [Match.objectLike({
          Lifecycle: { DeleteAfterDays: 400 },
          CopyActions: [{ DestinationBackupVaultArn: 'arn:aws:backup:eu-central-1:123456789012:backup-vault:dr', Lifecycle: { DeleteAfterDays: 400 } }],
        })],
      },
    });
    // hml: recovery points may be deleted by hand, so that the vault can be emptied and removed.
    template.hasResourceProperties('AWS::Backup::BackupVault', { AccessPolicy: Match.absent() });
    expectCompliant(stack);
  });

  test('connections carry the literal port and count as an IConnectable', () => {
    const { stack, vpc, db } = build({ port: 7000 });
    const peer = new ec2.SecurityGroup(stack, 'Peer', { vpc });
    peer.connections.allowToDefaultPort(db);
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 7000,
      ToPort: 7000,
      SourceSecurityGroupId: { 'Fn::GetAtt': [idOf(stack, peer), 'GroupId'] },
    });
  });

  test('the rotation function falls back to the cluster subnets in a VPC without private subnets', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      natGateways: 0,
      subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    new AuroraDatabase(stack, 'Database', { vpc });
    const isolated = vpc.isolatedSubnets.map((s) => ({ Ref: stack.getLogicalId(s.node.defaultChild as any) }));
    Template.fromStack(stack).hasResourceProperties('AWS::Serverless::Application', {
      Parameters: Match.objectLike({ vpcSubnetIds: { 'Fn::Join': ['', [isolated[0], ',', isolated[1]]] } }),
    });
  });

  test('a production stage may turn deletion protection off only explicitly', () => {
    const stage = PlatformStage.of('prod2', { basedOn: PlatformStage.PROD, deletionProtection: false });
    expect(() => build({}, stage)).toThrow(
      /deletionProtection = false: stage 'prod2' is a production stage whose preset turns deletion protection off: set deletionProtection explicitly/,
    );
    const { stack } = build({ deletionProtection: false }, stage);
    Template.fromStack(stack).hasResourceProperties('AWS::RDS::DBCluster', { DeletionProtection: false });
  });

  test('a production stage at 0 ACU without a reader is allowed, with a warning', () => {
    const { stack } = build({ minCapacity: 0, reader: false }, PlatformStage.PROD);
    Annotations.fromStack(stack).hasWarning('/Test/Database', Match.stringLikeRegexp('minCapacity 0 in production stage'));
  });

  test('every invalid prop is reported at once, with the path, the value and the fix', () => {
    expect(() => build({ minCapacity: 8, maxCapacity: 4, port: 80 })).toThrow(
      /AuroraDatabase at 'Test\/Database' has invalid props:\n {2}- minCapacity = 8: the minimum cannot exceed maxCapacity \(4\).*\n {2}- port = 80: use a whole port number from 1150 to 65535/s,
    );
  });

  test.each<[string, Partial<AuroraDatabaseProps>, RegExp]>([
    ['min capacity above max', { minCapacity: 8, maxCapacity: 4 }, /minCapacity = 8: the minimum cannot exceed maxCapacity \(4\)/],
    ['min capacity below 0', { minCapacity: -0.5 }, /minCapacity = -0.5: use 0 to 256 ACUs in steps of 0.5/],
    ['min capacity not a multiple of 0.5', { minCapacity: 0.75 }, /minCapacity = 0.75: use 0 to 256 ACUs in steps of 0.5/],
    ['max capacity above 256', { maxCapacity: 300 }, /maxCapacity = 300: use 1 to 256 ACUs in steps of 0.5/],
    ['max capacity below 1', { maxCapacity: 0.5 }, /maxCapacity = 0.5: use 1 to 256 ACUs/],
    ['a reader at 0 ACU', { minCapacity: 0, reader: true }, /reader = true: a reader is there to take over at once, but at 0 ACU it pauses/],
    ['auto-pause without 0 ACU', { minCapacity: 0.5, autoPauseAfter: Duration.minutes(30) }, /autoPauseAfter = 30 minutes: the database only pauses with minCapacity 0 \(it is 0.5\)/],
    ['auto-pause under 5 minutes', { autoPauseAfter: Duration.minutes(2) }, /autoPauseAfter = 2 minutes: use 5 minutes to 24 hours/],
    ['auto-pause over 24 hours', { autoPauseAfter: Duration.hours(25) }, /autoPauseAfter = 1 day 1 hour: use 5 minutes to 24 hours/],
    ['0 ACU on a version that cannot pause', { engineVersion: rds.AuroraPostgresEngineVersion.VER_16_2 }, /engineVersion = '16.2': this version cannot scale to 0 ACU/],
    ['backup retention of 0 days', { backupRetention: Duration.days(0) }, /backupRetention = 0 days: use 1 to 35 whole days/],
    ['backup retention over 35 days', { backupRetention: Duration.days(36) }, /backupRetention = 36 days: use 1 to 35 whole days/],
    ['backup retention in part-days', { backupRetention: Duration.hours(36) }, /backupRetention = 1 day 12 hours: use 1 to 35 whole days/],
    ['long-term retention of part-days', { longTermBackups: true, longTermBackupRetention: Duration.hours(12) }, /longTermBackupRetention = 12 hours: use a whole number of days/],
    ['a port below 1150', { port: 1024 }, /port = 1024: use a whole port number from 1150 to 65535/],
    ['a port above 65535', { port: 70000 }, /port = 70000: use a whole port number/],
    ['a fractional port', { port: 5432.5 }, /port = 5432.5: use a whole port number/],
    ['a database name with a dash', { databaseName: 'my-db' }, /databaseName = 'my-db': use a letter, then letters, digits or '_'/],
    ['a reserved database name', { databaseName: 'postgres' }, /databaseName = 'postgres': .*other than postgres/],
    ['a master user starting with a digit', { masterUsername: '1admin' }, /masterUsername = '1admin': use a letter/],
    ['a reserved master user', { masterUsername: 'rdsadmin' }, /masterUsername = 'rdsadmin': .*other than rdsadmin/],
    ['a cluster identifier in upper case', { clusterIdentifier: 'Prod-DB' }, /clusterIdentifier = 'Prod-DB': use lowercase letters, digits and single hyphens/],
    ['a cluster identifier with a double hyphen', { clusterIdentifier: 'prod--db' }, /clusterIdentifier = 'prod--db'/],
    ['a monitoring interval not offered', { monitoringInterval: Duration.seconds(20) }, /monitoringInterval = 20 seconds: use one of 1, 5, 10, 15, 30, 60 seconds/],
    ['a rotation interval over a year', { secretRotationInterval: Duration.days(400) }, /secretRotationInterval = 400 days: use 1 to 365 whole days/],
    ['public subnets', { vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } }, /vpcSubnets = '\{ subnetType: Public \}': the database must not sit in public subnets/],
  ])('rejects %s', (_name, props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test('rejects subnets in a single availability zone', () => {
    const { stack, vpc } = networkStack();
    expect(() => new AuroraDatabase(stack, 'Database', { vpc, vpcSubnets: { subnets: [vpc.isolatedSubnets[0]] } })).toThrow(
      /vpcSubnets = '\{ subnets: 1 \}': the selection spans 1 availability zone\(s\): Aurora needs subnets in at least 2/,
    );
  });

  test('rejects a VPC without isolated subnets, saying so', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      natGateways: 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      ],
    });
    expect(() => new AuroraDatabase(stack, 'Database', { vpc })).toThrow(
      /vpcSubnets = '\{ subnetType: Isolated \}': the VPC cannot provide these subnets \(.*Isolated.*\)/,
    );
  });

  test('rejects a copy vault without long-term backups, or in the same region', () => {
    const { stack, vpc } = networkStack(PlatformStage.PROD);
    const sameRegion = backup.BackupVault.fromBackupVaultArn(stack, 'Same', 'arn:aws:backup:eu-west-1:123456789012:backup-vault:dr');
    expect(() => new AuroraDatabase(stack, 'Database', { vpc, stage: PlatformStage.PROD, backupCopyVault: sameRegion })).toThrow(
      /backupCopyVault = 'dr': the vault is in this stack's region \(eu-west-1\)/,
    );
    const other = backup.BackupVault.fromBackupVaultArn(stack, 'Other', 'arn:aws:backup:eu-central-1:123456789012:backup-vault:dr');
    expect(() => new AuroraDatabase(stack, 'Database2', { vpc, stage: PlatformStage.PROD, longTermBackups: false, backupCopyVault: other })).toThrow(
      /backupCopyVault = 'dr': a copy is made of the monthly snapshots: turn longTermBackups on/,
    );
  });

  test('rejects an RDS Proxy in front of a cluster that pauses (checked at synth)', () => {
    const { stack, vpc, db } = build();
    db.cluster.addProxy('Proxy', { secrets: [db.secret], vpc });
    expect(() => Template.fromStack(stack)).toThrow(/an RDS Proxy targets this cluster and holds connections open, so with minCapacity 0 it never pauses/);
  });

  test('accepts an RDS Proxy when the cluster does not pause', () => {
    const { stack, vpc, db } = build({ minCapacity: 0.5 });
    db.cluster.addProxy('Proxy', { secrets: [db.secret], vpc });
    Template.fromStack(stack).resourceCountIs('AWS::RDS::DBProxy', 1);
  });

  test('grantConnect refuses wildcards and odd user names', () => {
    const { stack, db } = build();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => db.grantConnect(role, '*')).toThrow(/grantConnect dbUser = '\*': use a letter.*wildcards would let the grantee connect as other users/);
    expect(() => db.grantConnect(role, 'api/*')).toThrow(/dbUser = 'api\/\*'/);
  });
});

describe('AuroraDatabase removal', () => {
  test('DESTROY without the context opt-in keeps a snapshot and the keys, with a warning', () => {
    const { stack } = build({ removalPolicy: RemovalPolicy.DESTROY });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::RDS::DBCluster', { DeletionPolicy: 'Snapshot' });
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
    Annotations.fromStack(stack).hasWarning('/Test/Database', Match.stringLikeRegexp('removalPolicy DESTROY was requested'));
  });

  test('DESTROY with the context opt-in destroys the cluster, keys, secret and logs', () => {
    const { stack } = build(
      { removalPolicy: RemovalPolicy.DESTROY, longTermBackups: true },
      PlatformStage.HML,
      { [ALLOW_DESTROY_CONTEXT_KEY]: true },
    );
    const template = Template.fromStack(stack);
    template.hasResource('AWS::RDS::DBCluster', { DeletionPolicy: 'Delete' });
    for (const type of ['AWS::KMS::Key', 'AWS::Logs::LogGroup', 'AWS::SecretsManager::Secret', 'AWS::Backup::BackupVault']) {
      const resources = template.findResources(type, { Properties: Match.anyValue() });
      const ours = Object.entries(resources).filter(([id]) => id.includes('Database'));
      expect(ours.length).toBeGreaterThan(0);
      for (const [, r] of ours) expect((r as any).DeletionPolicy).toBe('Delete');
    }
  });

  test('RETAIN keeps the cluster itself', () => {
    const { stack } = build({ removalPolicy: RemovalPolicy.RETAIN });
    Template.fromStack(stack).hasResource('AWS::RDS::DBCluster', { DeletionPolicy: 'Retain' });
  });

  test('prod never destroys, even with the opt-in', () => {
    const { stack } = build({ removalPolicy: RemovalPolicy.DESTROY }, PlatformStage.PROD, { [ALLOW_DESTROY_CONTEXT_KEY]: true });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::RDS::DBCluster', { DeletionPolicy: 'Snapshot' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
  });
});

describe('database helpers', () => {
  test.each([
    ['17.9', true], ['17.4', true], ['16.3', true], ['16.2', false], ['15.7', true], ['15.6', false],
    ['14.12', true], ['13.15', true], ['13.14', false], ['12.22', false], ['18.1', true], ['latest', undefined],
  ])('auto-pause support of %s is %s', (version, expected) => {
    expect(supportsAutoPause(version)).toBe(expected);
  });

  test('the default cluster identifier is valid, stable and differs between stack names', () => {
    const a = newStack();
    const b = new Stack(a.node.root as any, 'Other', { stackName: 'Test' });
    const c = new Stack(a.node.root as any, 'Third', { stackName: 'A-very-long-stack-name-for-a-biotech-platform-in-production-2026' });
    const ida = defaultClusterIdentifier(new ec2.Vpc(a, 'Database'));
    const idb = defaultClusterIdentifier(new ec2.Vpc(b, 'Database'));
    const idc = defaultClusterIdentifier(new ec2.Vpc(c, 'Database'));
    expect(ida).toMatch(/^test-database-[0-9a-f]{8}$/);
    expect(idb).not.toEqual(ida);
    expect(idc.length).toBeLessThanOrEqual(63);
    expect(idc).toMatch(/^[a-z][a-z0-9-]*[0-9a-f]{8}$/);
  });
});
