import {
  CfnCondition,
  aws_eks_v2 as eks,
  aws_elasticloadbalancingv2 as elbv2,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_s3 as s3,
  Stack,
} from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { WorkloadServiceAccount } from './workload-service-account';
import { Acknowledge } from '../compliance/acknowledge';

/** The parts of an `AppCluster` whose compliance findings are acknowledged. */
export interface AppClusterFindingsScope {
  readonly cluster: eks.Cluster;
  readonly nodeRole: iam.IRole;
  readonly observabilityRole: IConstruct;
  readonly serviceAccounts: WorkloadServiceAccount[];
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly listener: elbv2.ApplicationListener;
  readonly originHttps: boolean;
  readonly regionalWaf: boolean;
  readonly loadBalancerDeletionProtection: boolean;
  /** The access-log bucket, when the cluster created it. */
  readonly createdAccessLogsBucket?: s3.IBucket;
}

/** Acknowledges the cdk-nag findings an `AppCluster` raises by design, each with its reason. */
export function acknowledgeAppClusterFindings(c: AppClusterFindingsScope): void {
  const cluster = c.cluster;
  // The kubectl provider: a CDK-owned custom-resource provider that applies the manifests.
  const provider = cluster.node.tryFindChild('KubectlProvider');
  if (provider) {
    Acknowledge.rules(provider,
      'The aws-eks-v2 kubectl provider (CDK-owned custom resource) runs only during deployments; its runtime, ' +
      'AWS-managed Lambda policies and inline policies are chosen by aws-cdk-lib, and a failed apply fails the deployment, so it needs no DLQ or reserved concurrency.', [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly]',
        'AwsSolutions-L1',
        'HIPAA.Security-IAMNoInlinePolicy',
        'NIST.800.53.R5-IAMNoInlinePolicy',
        'HIPAA.Security-LambdaConcurrency',
        'NIST.800.53.R5-LambdaConcurrency',
        'HIPAA.Security-LambdaDLQ',
        'NIST.800.53.R5-LambdaDLQ',
      ]);
    const handler = provider.node.tryFindChild('Handler') as lambda.Function | undefined;
    const condition = handler?.node.tryFindChild('HasEcrPublic') as CfnCondition | undefined;
    if (handler?.role && condition) {
      // A managed policy attached only in partitions with ECR Public, to pull the kubectl image.
      Acknowledge.rules(handler.role, 'The kubectl provider may pull from ECR Public with the AWS-managed read-only policy aws-cdk-lib attaches.', [
        `AwsSolutions-IAM4[Policy::{"Fn::If":["${Stack.of(cluster).resolve(condition.logicalId)}",{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},` +
          '":iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly"]]},{"Ref":"AWS::NoValue"}]}]',
      ]);
    }
    const onEventRole = provider.node.tryFindChild('Provider')?.node.tryFindChild('framework-onEvent')?.node.tryFindChild('ServiceRole');
    if (onEventRole && handler) {
      Acknowledge.iamWildcards(onEventRole, 'The provider framework may invoke any version of the kubectl handler (its ARN plus ":*").', {
        resources: [`${handler.functionArn}:*`],
      });
    }
  }
  // The cluster role and the node role use the AWS-managed policies EKS Auto Mode requires.
  Acknowledge.rules(cluster.role, 'EKS Auto Mode requires these AWS-managed policies on the cluster role (compute, storage, load balancing, networking).', [
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKSClusterPolicy]',
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKSComputePolicy]',
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKSBlockStoragePolicy]',
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKSLoadBalancingPolicy]',
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKSNetworkingPolicy]',
  ]);
  Acknowledge.rules(c.nodeRole, 'EKS Auto Mode nodes need exactly these AWS-managed minimal node and ECR pull policies.', [
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKSWorkerNodeMinimalPolicy]',
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly]',
  ]);
  Acknowledge.rules(c.observabilityRole, 'The CloudWatch agent of the observability add-on uses the AWS-managed CloudWatchAgentServerPolicy, as the add-on documents.', [
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/CloudWatchAgentServerPolicy]',
  ]);
  // Grants from the sibling constructs land in the role's default (inline) policy.
  for (const sa of c.serviceAccounts) {
    Acknowledge.rules(sa.role, 'Grants of the platform constructs are written to the role\'s own policy, scoped to the exact resources.', [
      'HIPAA.Security-IAMNoInlinePolicy',
      'NIST.800.53.R5-IAMNoInlinePolicy',
    ]);
  }
  const lb = c.loadBalancer;
  if (!c.originHttps) {
    Acknowledge.rules(c.listener, 'The ALB is internal and reached only by the CloudFront VPC origin inside the VPC; viewers use HTTPS to CloudFront. Give certificateArn for HTTPS to the origin.', [
      'HIPAA.Security-ALBHttpToHttpsRedirection',
      'NIST.800.53.R5-ALBHttpToHttpsRedirection',
    ]);
    Acknowledge.rules(c.listener, 'No certificate was given: TLS ends at CloudFront and the internal ALB is only reachable through the CloudFront VPC origin.', [
      'HIPAA.Security-ELBv2ACMCertificateRequired',
      'NIST.800.53.R5-ELBv2ACMCertificateRequired',
    ]);
  }
  if (!c.regionalWaf) {
    Acknowledge.rules(lb, 'The WAF web ACL is on the CloudFront distribution, the only way in; set regionalWaf for a second one on the ALB.', [
      'NIST.800.53.R5-ALBWAFEnabled',
    ]);
  }
  if (!c.loadBalancerDeletionProtection) {
    Acknowledge.rules(lb, 'Staging load balancers are disposable; production ones have deletion protection.', [
      'HIPAA.Security-ELBDeletionProtectionEnabled',
      'NIST.800.53.R5-ELBDeletionProtectionEnabled',
    ]);
  }
  if (c.createdAccessLogsBucket) {
    Acknowledge.logTargetBucket(c.createdAccessLogsBucket, 'the ALB access logs');
  }
}
