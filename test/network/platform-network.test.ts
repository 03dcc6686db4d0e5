import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ALLOW_DESTROY_CONTEXT_KEY, PlatformNetwork, PlatformStage } from '../../src';
import { expectCompliant, expectNoDeployTraps, logicalIds, newStack } from '../helpers';

describe('PlatformNetwork in hml (default)', () => {
  const stack = newStack();
  const network = new PlatformNetwork(stack, 'Network');
  const template = Template.fromStack(stack);

  test('2 AZs with public, private and isolated subnets, one NAT instance', () => {
    expect(network.vpc.availabilityZones).toHaveLength(2);
    template.resourceCountIs('AWS::EC2::Subnet', 6);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::Instance', 1);
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
  });

  test('the NAT instance: t4g.nano, IMDSv2 only, encrypted root volume, public address, forwarding', () => {
    template.hasResourceProperties('AWS::EC2::Instance', {
      InstanceType: 't4g.nano',
      SourceDestCheck: false,
      MetadataOptions: { HttpTokens: 'required' },
      BlockDeviceMappings: [Match.objectLike({ Ebs: Match.objectLike({ Encrypted: true, VolumeType: 'gp3' }) })],
      NetworkInterfaces: [Match.objectLike({ AssociatePublicIpAddress: true })],
    });
    // Every private subnet's default route goes to the instance.
    template.resourcePropertiesCountIs('AWS::EC2::Route', { DestinationCidrBlock: '0.0.0.0/0', InstanceId: Match.anyValue() }, 2);
  });

  test('the NAT instance admits only the VPC, never the provider default of everything from anywhere', () => {
    const groups = Object.values(template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: 'Security Group for NAT instances' } }));
    expect(groups).toHaveLength(1);
    const ingress = [
      ...(groups[0].Properties.SecurityGroupIngress ?? []),
      ...Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r: any) => r.Properties),
    ];
    expect(ingress.map((r: any) => r.CidrIp)).toEqual(['10.0.0.0/16']);
  });

  test('flow logs of all traffic go to a KMS-encrypted log group with one-month retention', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 30,
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('NetworkFlowLogKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('the default security group is closed', () => {
    template.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });

  test('an S3 gateway endpoint, no interface endpoints', () => {
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' });
    template.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 0);
  });

  test('subnets carry the load-balancer role tags EKS needs', () => {
    template.hasResourceProperties('AWS::EC2::Subnet', {
      Tags: Match.arrayWith([{ Key: 'kubernetes.io/role/elb', Value: '1' }]),
    });
    template.hasResourceProperties('AWS::EC2::Subnet', {
      Tags: Match.arrayWith([{ Key: 'kubernetes.io/role/internal-elb', Value: '1' }]),
    });
  });

  test('stateful parts are retained by default', () => {
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
  });

  test('zero unacknowledged findings in AwsSolutions, HIPAA.Security and NIST.800.53.R5', () => {
    expectCompliant(stack);
  });

  test('no deploy traps (the logs service may use the flow-log key)', () => {
    expectNoDeployTraps(stack);
  });

  test('logical ids are stable', () => {
    expect(logicalIds(stack)).toMatchSnapshot();
  });
});

describe('PlatformNetwork in prod, default', () => {
  const stack = newStack({ env: true });
  new PlatformNetwork(stack, 'Network', { stage: PlatformStage.PROD });

  test('no interface endpoints: below ~626 GB a month per service they cost more than the NAT traffic they save', () => {
    Template.fromStack(stack).resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 0);
    Template.fromStack(stack).resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' }, 1);
  });
});

describe('PlatformNetwork in prod, with interface endpoints', () => {
  const stack = newStack({ env: true });
  const network = new PlatformNetwork(stack, 'Network', { stage: PlatformStage.PROD, interfaceEndpoints: true });
  const template = Template.fromStack(stack);

  test('3 AZs with a NAT gateway each', () => {
    expect(network.vpc.availabilityZones).toHaveLength(3);
    template.resourceCountIs('AWS::EC2::Subnet', 9);
    template.resourceCountIs('AWS::EC2::NatGateway', 3);
  });

  test('interface endpoints for ECR, Logs, STS, Secrets Manager and Step Functions, HTTPS only from the VPC', () => {
    template.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 6);
    for (const service of ['ecr.api', 'ecr.dkr', 'logs', 'sts', 'secretsmanager', 'states']) {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        ServiceName: `com.amazonaws.eu-west-1.${service}`,
        PrivateDnsEnabled: true,
      });
    }
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [Match.objectLike({ FromPort: 443, ToPort: 443, IpProtocol: 'tcp' })],
    });
  });

  test('flow logs kept two years', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 731 });
  });

  test('zero unacknowledged findings', () => {
    expectCompliant(stack);
  });

  test('no deploy traps', () => {
    expectNoDeployTraps(stack);
  });
});

describe('PlatformNetwork props', () => {
  test('overrides beat the stage preset', () => {
    const stack = newStack({ env: true });
    new PlatformNetwork(stack, 'Network', { stage: PlatformStage.PROD, natGateways: 1, interfaceEndpoints: false, cidr: '10.8.0.0/16' });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 0);
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.8.0.0/16' });
  });

  test('every invalid prop is reported at once, with the path, the value and the fix', () => {
    const stack = newStack();
    expect(() => new PlatformNetwork(stack, 'Network', { cidr: '10.0.0.0/8', maxAzs: 4, natGateways: 0 })).toThrow(
      /PlatformNetwork at 'Test\/Network' has invalid props:\n {2}- cidr = '10\.0\.0\.0\/8': use an IPv4 CIDR block from \/16 to \/20.*\n {2}- maxAzs = 4: use 2 or 3.*\n {2}- natGateways = 0: use 1 to 4 NAT gateways/s,
    );
  });

  test.each([
    ['not a cidr', { cidr: '10.0.0/16' }, /cidr = '10\.0\.0\/16'/],
    ['octet over 255', { cidr: '10.300.0.0/16' }, /cidr = '10\.300\.0\.0\/16'/],
    ['prefix too small', { cidr: '10.0.0.0/24' }, /cidr = '10\.0\.0\.0\/24'/],
    ['one AZ', { maxAzs: 1 }, /maxAzs = 1: use 2 or 3/],
    ['more NATs than AZs', { natGateways: 3 }, /natGateways = 3: use 1 to 2 NAT gateways/],
  ])('rejects %s', (_name, props, message) => {
    expect(() => new PlatformNetwork(newStack(), 'Network', props)).toThrow(message);
  });

  test('DESTROY without the context opt-in keeps the log group and key, with a warning', () => {
    const stack = newStack();
    new PlatformNetwork(stack, 'Network', { removalPolicy: RemovalPolicy.DESTROY });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
  });

  test('DESTROY with the context opt-in destroys them', () => {
    const stack = newStack({ context: { [ALLOW_DESTROY_CONTEXT_KEY]: true } });
    new PlatformNetwork(stack, 'Network', { removalPolicy: RemovalPolicy.DESTROY });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });
});

test('prod never destroys, even with the opt-in', () => {
  const stack = newStack({ env: true, context: { [ALLOW_DESTROY_CONTEXT_KEY]: true } });
  new PlatformNetwork(stack, 'Network', { stage: PlatformStage.PROD, removalPolicy: RemovalPolicy.DESTROY });
  Template.fromStack(stack).hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
});
