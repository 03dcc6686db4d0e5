import {
  aws_ec2 as ec2,
  aws_kms as kms,
  aws_logs as logs,
  Tags,
  Token,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PlatformNetworkProps } from './platform-network-props';
import { Acknowledge } from '../compliance/acknowledge';
import { acknowledgeCdkHandler } from '../core/cdk-handler-findings';
import { allowCloudWatchLogsToUseKey } from '../core/log-encryption-key';
import { resolveRemovalPolicy } from '../core/removal';
import { PropsValidator } from '../core/validation';
import { PlatformStage } from '../stage/platform-stage';

/**
 * The platform's VPC: public, private-with-egress and isolated subnets over 2 (hml) or 3 (prod)
 * AZs, NAT per stage, flow logs to a KMS-encrypted log group, the default security
 * group closed, an S3 gateway endpoint and, on request, interface endpoints. NAT is one NAT
 * instance in hml and a NAT gateway per AZ in prod.
 *
 * @example
 * const network = new PlatformNetwork(this, 'Network', { stage: PlatformStage.PROD });
 * network.vpc; // ec2.IVpc
 */
export class PlatformNetwork extends Construct {
  /** The VPC. */
  public readonly vpc: ec2.Vpc;
  /** The log group VPC flow logs are written to. */
  public readonly flowLogGroup: logs.LogGroup;
  /** The customer-managed key that encrypts the flow logs. */
  public readonly flowLogKey: kms.Key;
  /** The security group of the interface endpoints (admits HTTPS from inside the VPC). */
  public readonly endpointSecurityGroup: ec2.SecurityGroup;
  /** The stage this network was built for. */
  public readonly stage: PlatformStage;

  constructor(scope: Construct, id: string, props: PlatformNetworkProps = {}) {
    super(scope, id);
    this.stage = props.stage ?? PlatformStage.HML;
    const cidr = props.cidr ?? '10.0.0.0/16';
    const maxAzs = props.maxAzs ?? this.stage.maxAzs;
    const natGateways = props.natGateways ?? Math.min(this.stage.natGateways, maxAzs);
    validate(this, cidr, maxAzs, natGateways);
    const removalPolicy = resolveRemovalPolicy(this, props.removalPolicy, this.stage);
    const natProvider = (props.natInstances ?? this.stage.natInstances)
      ? ec2.NatProvider.instanceV2({
        instanceType: props.natInstanceType ?? new ec2.InstanceType('t4g.nano'),
        // Never the provider's default (all inbound traffic from anywhere): only the VPC, below.
        defaultAllowedTraffic: ec2.NatTrafficDirection.OUTBOUND_ONLY,
        // The public subnets do not map public addresses on launch.
        associatePublicIpAddress: true,
      })
      : undefined;

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(cidr),
      maxAzs,
      natGateways,
      natGatewayProvider: natProvider,
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [
        // Only NAT gateways (with Elastic IPs) live here: nothing needs an automatic public IP.
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        // Large private subnets: EKS Auto Mode gives every pod a VPC address, and Batch tasks too.
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
        { name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });
    // Load balancer placement for EKS Auto Mode and the AWS Load Balancer Controller.
    for (const subnet of this.vpc.publicSubnets) Tags.of(subnet).add('kubernetes.io/role/elb', '1');
    for (const subnet of this.vpc.privateSubnets) Tags.of(subnet).add('kubernetes.io/role/internal-elb', '1');

    if (natProvider) this.hardenNatInstances(natProvider, cidr);

    this.flowLogKey = new kms.Key(this, 'FlowLogKey', {
      description: `VPC flow logs of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy,
    });
    // The logs service encrypts with the key; without this the log group fails to create.
    allowCloudWatchLogsToUseKey(this.flowLogKey);
    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      encryptionKey: this.flowLogKey,
      retention: props.flowLogRetention ?? this.stage.logRetention,
      removalPolicy,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
      maxAggregationInterval: ec2.FlowLogMaxAggregationInterval.ONE_MINUTE,
    });

    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'Interface VPC endpoints: HTTPS from inside the VPC',
      allowAllOutbound: false,
    });
    // The literal CIDR (not the VPC's token) so that compliance rules can evaluate the rule.
    this.endpointSecurityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), 'HTTPS from the VPC');

    if (props.interfaceEndpoints ?? this.stage.interfaceEndpoints) {
      const services: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
        EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
        EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
        Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
        Sts: ec2.InterfaceVpcEndpointAwsService.STS,
        SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
        StepFunctions: ec2.InterfaceVpcEndpointAwsService.STEP_FUNCTIONS,
      };
      for (const [name, service] of Object.entries(services)) {
        this.vpc.addInterfaceEndpoint(name, {
          service,
          privateDnsEnabled: true,
          securityGroups: [this.endpointSecurityGroup],
          open: false, // the security group above already admits HTTPS from the VPC
          subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        });
      }
    }

    this.acknowledgeFindings();
  }

  /** Only the VPC may send traffic through the NAT instances; IMDSv2 only; encrypted root volume. */
  private hardenNatInstances(provider: ec2.NatInstanceProviderV2, cidr: string): void {
    provider.securityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.allTraffic(), 'Traffic of the private subnets to the internet');
    for (const instance of provider.gatewayInstances) {
      const cfn = instance.node.defaultChild as ec2.CfnInstance;
      cfn.metadataOptions = { httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1 };
      cfn.blockDeviceMappings = [{ deviceName: '/dev/xvda', ebs: { encrypted: true, volumeType: 'gp3', volumeSize: 8, deleteOnTermination: true } }];
      Acknowledge.rules(instance, 'A NAT instance forwards the private subnets\' traffic to the internet: it needs a public address, ' +
        'sits in a public subnet of this VPC (set on its network interface, which the in-VPC rule does not read), is replaced ' +
        'rather than protected from termination (it holds no data), and keeps basic 5-minute monitoring (a staging cost choice; ' +
        'EC2 automatic recovery acts on its status checks).', [
        'AwsSolutions-EC28',
        'AwsSolutions-EC29',
        'HIPAA.Security-EC2InstanceDetailedMonitoringEnabled',
        'HIPAA.Security-EC2InstanceNoPublicIp',
        'HIPAA.Security-EC2InstancesInVPC',
        'NIST.800.53.R5-EC2InstanceNoPublicIp',
        'NIST.800.53.R5-EC2InstancesInVPC',
      ]);
    }
    Acknowledge.rules(provider.securityGroup, 'The NAT instances forward every protocol of the private subnets; the only ingress ' +
      'rule admits the VPC\'s own CIDR, nothing from outside.', [
      'HIPAA.Security-EC2RestrictedCommonPorts',
      'NIST.800.53.R5-EC2RestrictedCommonPorts',
    ]);
  }

  private acknowledgeFindings(): void {
    // The flow-log role CDK creates writes to exactly one log group, but logs:CreateLogStream /
    // PutLogEvents need the group's ARN with a ':*' suffix for its streams.
    const flowLogRole = this.vpc.node.tryFindChild('FlowLog')?.node.tryFindChild('IAMRole');
    if (flowLogRole) {
      Acknowledge.iamWildcards(flowLogRole, 'VPC flow logs write log streams, whose ARNs are the log group ARN plus ":*".', {
        resources: [`${this.flowLogGroup.logGroupArn}:*`],
      });
      Acknowledge.rules(flowLogRole, 'The flow-log delivery role CDK creates has one inline policy scoped to this log group.', [
        'HIPAA.Security-IAMNoInlinePolicy',
        'NIST.800.53.R5-IAMNoInlinePolicy',
      ]);
    }
    // Public subnets exist for the NAT gateways, which need a route to the internet gateway.
    for (const subnet of this.vpc.publicSubnets) {
      Acknowledge.rules(subnet, 'Public subnets hold only the NAT gateways, whose egress needs a default route to the internet gateway.', [
        'HIPAA.Security-VPCNoUnrestrictedRouteToIGW',
        'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW',
      ]);
    }
    // Closing the default security group is done by a CDK custom resource at stack scope.
    acknowledgeCdkHandler(
      this,
      'Custom::VpcRestrictDefaultSGCustomResourceProvider',
      'CDK-owned custom resource that removes the default security group rules; it runs only at deploy time, ' +
        'its runtime and managed policy are chosen by aws-cdk-lib, and it needs no VPC access, DLQ or concurrency limit.',
    );
  }
}

function validate(scope: Construct, cidr: string, maxAzs: number, natGateways: number): void {
  const v = new PropsValidator(scope, 'PlatformNetwork');
  if (!Token.isUnresolved(cidr)) {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    const octetsOk = !!m && m.slice(1, 5).every((o) => Number(o) <= 255);
    const prefix = m ? Number(m[5]) : -1;
    v.check(octetsOk && prefix >= 16 && prefix <= 20, 'cidr', cidr,
      'use an IPv4 CIDR block from /16 to /20, e.g. 10.0.0.0/16 (the subnets need room for pods and tasks).');
  }
  v.checkNumber(maxAzs, 'maxAzs', (n) => Number.isInteger(n) && n >= 2 && n <= 3,
    'use 2 or 3 availability zones (the database and the cluster need at least 2).');
  v.checkNumber(natGateways, 'natGateways', (n) => Number.isInteger(n) && n >= 1 && n <= maxAzs,
    `use 1 to ${maxAzs} NAT gateways (private subnets need egress; more than one per AZ buys nothing).`);
  v.throwIfInvalid();
}
