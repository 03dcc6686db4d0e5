import {
  Annotations,
  Arn,
  ArnFormat,
  aws_certificatemanager as acm,
  aws_ec2 as ec2,
  aws_eks_v2 as eks,
  aws_elasticloadbalancingv2 as elbv2,
  aws_iam as iam,
  aws_kms as kms,
  aws_s3 as s3,
  aws_wafv2 as wafv2,
  Duration,
  Stack,
  Tags,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { enableAlbAccessLogs } from './access-logs';
import { ResolvedWorkload, resolveAppClusterProps, tenthAddress, validateAppClusterProps } from './app-cluster-defaults';
import { acknowledgeAppClusterFindings } from './app-cluster-findings';
import {
  appNodePoolObjects,
  namespacePolicies,
  networkPolicyControllerConfig,
  WorkloadDeployment,
  workloadObjects,
  workloadPolicies,
} from './app-cluster-objects';
import { AppClusterProps } from './app-cluster-props';
import { kubectlV35Layer } from './kubectl-layer';
import * as k8s from './manifests';
import { PLACEHOLDER_IMAGE } from './workload-image';
import { WorkloadServiceAccount } from './workload-service-account';
import { Acknowledge } from '../compliance/acknowledge';
import { LogTargetBucket } from '../core/log-target-bucket';
import { resolveRemovalPolicy } from '../core/removal';
import { PlatformWebAcl } from '../core/web-acl';
import { WebAclScope } from '../core/web-acl-scope';
import { PlatformStage } from '../stage/platform-stage';

/** The name of the Auto Mode NodeClass and NodePool the workloads run on. */
export const APP_NODE_POOL_NAME = 'proteomics-apps';
/**
 * The API and the web app on EKS (aws-eks-v2, Auto Mode, Kubernetes 1.35), behind a CDK-owned
 * internal Application Load Balancer.
 *
 * - the control plane logs every log type, encrypts Kubernetes secrets with a customer-managed
 *   key, and has a private endpoint (plus a public one only for `endpointPublicAccessCidrs`);
 * - the kubectl provider runs in the private subnets with the kubectl v35 layer;
 * - the workloads run in a namespace labelled for Pod Security Admission `restricted`, on an Auto
 *   Mode NodePool whose NodeClass enforces NetworkPolicies (the `amazon-vpc-cni` ConfigMap turns
 *   the network-policy controller on); a default-deny policy leaves only ALB → pods, web → api,
 *   DNS, and api → database / HTTPS / Pod Identity agent;
 * - each workload gets a Deployment (non-root, read-only root filesystem, no privilege
 *   escalation, all capabilities dropped, seccomp RuntimeDefault, startup/readiness/liveness
 *   probes, requests and limits, zone spread), a Service, a HorizontalPodAutoscaler, a
 *   PodDisruptionBudget, a NetworkPolicy and a TargetGroupBinding to its CDK target group;
 * - the API's service account gets exactly the grants of the `buckets`, `database` and
 *   `pipeline` it is given, through EKS Pod Identity;
 * - the `amazon-cloudwatch-observability` add-on (pod CPU/memory/restart metrics) and the
 *   `metrics-server` add-on (the autoscalers' input) are installed.
 *
 * @example
 * declare const network: PlatformNetwork;
 * const cluster = new AppCluster(this, 'Cluster', {
 *   vpc: network.vpc,
 *   stage: PlatformStage.PROD,
 *   api: { image: WorkloadImage.fromAsset('services/api') },
 *   web: { image: WorkloadImage.fromAsset('services/web') },
 * });
 */
export class AppCluster extends Construct {
  /** The EKS cluster. */
  public readonly cluster: eks.Cluster;
  /** The internal Application Load Balancer in front of the workloads. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The load balancer's listener (HTTPS with `certificateArn`, otherwise HTTP). */
  public readonly listener: elbv2.ApplicationListener;
  /** The security group of the load balancer. */
  public readonly loadBalancerSecurityGroup: ec2.SecurityGroup;
  /** The API's target group (IP targets, bound to the `api` Service). */
  public readonly apiTargetGroup: elbv2.ApplicationTargetGroup;
  /** The web app's target group (IP targets, bound to the `web` Service). */
  public readonly webTargetGroup: elbv2.ApplicationTargetGroup;
  /** The API's service account and its Pod Identity role. */
  public readonly apiServiceAccount: WorkloadServiceAccount;
  /** The web app's service account and its Pod Identity role (no permissions by default). */
  public readonly webServiceAccount: WorkloadServiceAccount;
  /** The Kubernetes namespace of the workloads. */
  public readonly namespace: string;
  /**
   * The manifest that creates `namespace`. Every other manifest applied into the namespace must
   * depend on it: the aws-eks-v2 kubectl handler retries only on `i/o timeout`, so an object
   * applied before its namespace exists fails the deployment.
   */
  public readonly namespaceManifest: eks.KubernetesManifest;
  /** The cluster DNS address pods resolve names with (the 10th address of the service CIDR). */
  public readonly clusterDnsIp: string;
  /** The image the API workload runs (the placeholder's when no image was given). */
  public readonly apiImageUri: string;
  /**
   * The manifest of the API workload (its Deployment, Service, autoscaler, disruption budget,
   * NetworkPolicy and TargetGroupBinding). Whatever the API needs before its pods start, such as
   * its database user, should be a dependency of it.
   */
  public readonly apiWorkloadManifest: eks.KubernetesManifest;
  /** The key that encrypts Kubernetes secrets. */
  public readonly secretsKey: kms.Key;
  /** The IAM role of the Auto Mode nodes. */
  public readonly nodeRole: iam.Role;
  /** The bucket the load balancer writes its access logs to. */
  public readonly accessLogsBucket: s3.IBucket;
  /** The regional web ACL on the load balancer, when `regionalWaf` is on. */
  public readonly regionalWebAcl?: wafv2.CfnWebACL;
  /** Whether the load balancer listens on HTTPS (a certificate was given). */
  public readonly originHttps: boolean;
  /** The stage this cluster was built for. */
  public readonly stage: PlatformStage;

  constructor(scope: Construct, id: string, props: AppClusterProps) {
    super(scope, id);
    const resolved = resolveAppClusterProps(props);
    const { publicCidrs, serviceCidr, api, web, defaults } = resolved;
    this.stage = resolved.stage;
    this.namespace = resolved.namespace;
    validateAppClusterProps(this, props, this.stage, this.namespace, publicCidrs, serviceCidr, [api, web]);
    this.clusterDnsIp = tenthAddress(serviceCidr);
    const removalPolicy = resolveRemovalPolicy(this, props.removalPolicy, this.stage);
    const stack = Stack.of(this);
    const vpc = props.vpc;
    const privateSubnets = vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnets;
    this.originHttps = props.certificateArn !== undefined;

    // ---- cluster --------------------------------------------------------------------------
    this.secretsKey = new kms.Key(this, 'SecretsKey', {
      description: `Envelope encryption of the Kubernetes secrets of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy,
    });
    this.nodeRole = new iam.Role(this, 'NodeRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'EKS Auto Mode nodes',
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonEKSWorkerNodeMinimalPolicy'),
        iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonEC2ContainerRegistryPullOnly'),
      ],
    });
    this.nodeRole.assumeRolePolicy?.addStatements(
      new iam.PolicyStatement({ actions: ['sts:TagSession'], principals: [new iam.ServicePrincipal('ec2.amazonaws.com')] }),
    );
    this.cluster = new eks.Cluster(this, 'Cluster', {
      version: eks.KubernetesVersion.V1_35,
      vpc,
      vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }],
      endpointAccess: publicCidrs.length > 0
        ? eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...publicCidrs)
        : eks.EndpointAccess.PRIVATE,
      secretsEncryptionKey: this.secretsKey,
      clusterLogging: [
        eks.ClusterLoggingTypes.API,
        eks.ClusterLoggingTypes.AUDIT,
        eks.ClusterLoggingTypes.AUTHENTICATOR,
        eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
        eks.ClusterLoggingTypes.SCHEDULER,
      ],
      defaultCapacityType: eks.DefaultCapacityType.AUTOMODE,
      // Fixed, so that the cluster DNS address (its 10th address) is known at synth time.
      serviceIpv4Cidr: serviceCidr,
      // Only the built-in `system` pool: the workloads run on our own NodePool, whose NodeClass
      // enforces NetworkPolicies (the built-in general-purpose pool's NodeClass does not).
      compute: { nodeRole: this.nodeRole, nodePools: ['system'] },
      bootstrapClusterCreatorAdminPermissions: false,
      kubectlProviderOptions: {
        kubectlLayer: kubectlV35Layer(this, 'KubectlLayer'),
        // A private (or CIDR-restricted) endpoint is only reachable from inside the VPC.
        privateSubnets,
      },
      outputConfigCommand: false,
    });
    for (const role of props.adminRoles ?? []) this.grantAdmin(role);

    // ---- add-ons --------------------------------------------------------------------------
    this.addAddons();

    // ---- load balancer --------------------------------------------------------------------
    this.loadBalancerSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc,
      description: 'Internal ALB of the app cluster: reached by the CloudFront VPC origin from inside the VPC',
      allowAllOutbound: false,
    });
    const listenerPort = this.originHttps ? 443 : 80;
    // CloudFront VPC origins reach the ALB from service-managed network interfaces in the
    // ALB's subnets (literal CIDRs, so that compliance rules can evaluate the rules).
    for (const subnet of props.loadBalancerIngressFromVpc === false ? [] : privateSubnets) {
      this.loadBalancerSecurityGroup.addIngressRule(
        ec2.Peer.ipv4(subnet.ipv4CidrBlock),
        ec2.Port.tcp(listenerPort),
        'CloudFront VPC origin (network interfaces in the ALB subnets)',
      );
    }
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: false,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroup: this.loadBalancerSecurityGroup,
      dropInvalidHeaderFields: true,
      deletionProtection: defaults.loadBalancerDeletionProtection,
    });
    // ALB access logs can only be delivered to SSE-S3 buckets (the LogTargetBucket default).
    this.accessLogsBucket = props.accessLogsBucket ?? new LogTargetBucket(this, 'AccessLogs', {
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      stage: this.stage,
      removalPolicy,
    });
    enableAlbAccessLogs(this.loadBalancer, this.accessLogsBucket, 'alb');

    const targetGroup = (tgId: string, w: ResolvedWorkload) => {
      const tg = new elbv2.ApplicationTargetGroup(this, tgId, {
        vpc,
        targetType: elbv2.TargetType.IP,
        protocol: elbv2.ApplicationProtocol.HTTP,
        port: w.port,
        deregistrationDelay: Duration.seconds(30),
        healthCheck: {
          path: w.healthPath,
          healthyHttpCodes: '200',
          interval: Duration.seconds(15),
          timeout: Duration.seconds(5),
          healthyThresholdCount: 2,
          unhealthyThresholdCount: 3,
        },
      });
      // Auto Mode's load-balancing permissions are scoped to resources tagged with the cluster name.
      Tags.of(tg).add('eks:eks-cluster-name', this.cluster.clusterName);
      return tg;
    };
    this.apiTargetGroup = targetGroup('ApiTargetGroup', api);
    this.webTargetGroup = targetGroup('WebTargetGroup', web);
    this.listener = this.loadBalancer.addListener('Listener', {
      port: listenerPort,
      protocol: this.originHttps ? elbv2.ApplicationProtocol.HTTPS : elbv2.ApplicationProtocol.HTTP,
      certificates: props.certificateArn
        ? [acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn)]
        : undefined,
      sslPolicy: this.originHttps ? elbv2.SslPolicy.RECOMMENDED_TLS : undefined,
      open: false,
      defaultAction: elbv2.ListenerAction.forward([this.webTargetGroup]),
    });
    this.listener.addAction('Api', {
      priority: 10,
      conditions: [elbv2.ListenerCondition.pathPatterns(['/api', '/api/*'])],
      action: elbv2.ListenerAction.forward([this.apiTargetGroup]),
    });
    // Pods use the cluster security group (the NodeClass selects it): the ALB may reach their ports.
    for (const port of new Set([api.port, web.port])) {
      this.loadBalancer.connections.allowTo(this.cluster.clusterSecurityGroup, ec2.Port.tcp(port), 'ALB to pods');
    }
    if (props.regionalWaf) {
      const acl = new PlatformWebAcl(this, 'RegionalWaf', {
        scope: WebAclScope.REGIONAL,
        rateLimit: props.regionalWafRateLimit ?? 2000,
        // Behind the CloudFront VPC origin every request comes from CloudFront's network
        // interfaces: count per viewer (X-Forwarded-For), or one lab's polling blocks everyone.
        rateLimitKey: 'FORWARDED_IP',
        // It may be the only web ACL (no CloudFront one outside us-east-1), so it has every group.
        sqlInjection: true,
        logRetention: this.stage.logRetention,
        removalPolicy,
      });
      new wafv2.CfnWebACLAssociation(this, 'RegionalWafAssociation', {
        resourceArn: this.loadBalancer.loadBalancerArn,
        webAclArn: acl.webAcl.attrArn,
      });
      this.regionalWebAcl = acl.webAcl;
    }

    // ---- identities -----------------------------------------------------------------------
    this.apiServiceAccount = new WorkloadServiceAccount(this, 'ApiServiceAccount', {
      cluster: this.cluster,
      namespace: this.namespace,
      serviceAccountName: 'api',
    });
    this.webServiceAccount = new WorkloadServiceAccount(this, 'WebServiceAccount', {
      cluster: this.cluster,
      namespace: this.namespace,
      serviceAccountName: 'web',
    });
    const apiEnv: { [key: string]: string } = {
      AWS_REGION: stack.region,
      // uvicorn honours X-Forwarded-For/-Proto only from these peers: the ALB's subnets, where its
      // nodes are (their addresses change; the subnets do not), instead of from anyone.
      FORWARDED_ALLOW_IPS: privateSubnets.map((s) => s.ipv4CidrBlock).join(','),
    };
    const webEnv: { [key: string]: string } = {};
    if (props.buckets) {
      // The web app's Content-Security-Policy admits these buckets only (browsers PUT parts to the
      // uploads bucket and load plots from the results bucket), not every `*.amazonaws.com` host.
      // A presigned URL names the bucket's global host in us-east-1 and its regional one elsewhere.
      webEnv.CSP_STORAGE_ORIGINS = [props.buckets.uploadsBucket, props.buckets.resultsBucket]
        .flatMap((b) => [`https://${b.bucketDomainName}`, `https://${b.bucketRegionalDomainName}`])
        .join(' ');
      props.buckets.grantUpload(this.apiServiceAccount);
      props.buckets.grantWriteManifests(this.apiServiceAccount);
      props.buckets.grantReadResults(this.apiServiceAccount);
      // Deleting a sample deletes its uploads (results are kept for the whole retention).
      props.buckets.grantDeleteUploads(this.apiServiceAccount);
      apiEnv.UPLOADS_BUCKET = props.buckets.uploadsBucket.bucketName;
      apiEnv.RESULTS_BUCKET = props.buckets.resultsBucket.bucketName;
      // The per-user storage quota counts uploads only while S3 keeps them: stored ones until the
      // bucket expires them, unfinished multipart uploads until the bucket aborts them.
      apiEnv.UPLOADS_RETENTION_DAYS = String(props.buckets.uploadsRetention.toDays());
      apiEnv.INCOMPLETE_UPLOAD_DAYS = String(props.buckets.abortIncompleteUploadsAfter.toDays());
    }
    if (props.pipeline) {
      props.pipeline.grantStartAnalysis(this.apiServiceAccount);
      apiEnv.STATE_MACHINE_ARN = props.pipeline.stateMachine.stateMachineArn;
      // Completion events arrive on the pipeline's queue; polling Step Functions stays the fallback.
      props.pipeline.grantConsumeCompletions(this.apiServiceAccount);
      apiEnv.COMPLETION_QUEUE_URL = props.pipeline.completionQueue.queueUrl;
      // DescribeExecution is granted on this state machine's executions (`execution:<name>:*`),
      // the narrowest ARN an execution permission can have.
      const sm = props.pipeline.stateMachine;
      const executions = stack.formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: Arn.split(sm.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
      Acknowledge.iamWildcards(this.apiServiceAccount.role, 'The API describes the executions it started; their ARNs are the state machine\'s execution ARN plus ":*".', {
        resources: [`${executions}:*`],
      });
    }
    if (props.database) {
      const user = props.databaseUser ?? 'biotech_api';
      // IAM authentication only: the API never reads the master secret (the deploy-time bootstrap
      // job of ProteomicsPlatform does, to create this user with `GRANT rds_iam`).
      props.database.grantConnect(this.apiServiceAccount, user);
      props.database.allowConnectionsFrom(this.cluster.clusterSecurityGroup);
      // The API's settings (examples/biotech-app/services/api): IAM authentication as `user`.
      apiEnv.DB_HOST = props.database.endpoint.hostname;
      apiEnv.DB_PORT = String(props.database.port);
      apiEnv.DB_NAME = props.database.databaseName;
      apiEnv.DB_USER = user;
      apiEnv.DB_IAM_AUTH = 'true';
      apiEnv.DB_SSLMODE = 'require';
    }

    // ---- Kubernetes objects ---------------------------------------------------------------
    const namespaceManifest = this.manifest('Namespace', [k8s.namespace(this.namespace)]);
    this.namespaceManifest = namespaceManifest;
    this.manifest('NetworkPolicyController', [networkPolicyControllerConfig()]);
    const nodePool = this.manifest('NodePool', appNodePoolObjects({
      name: APP_NODE_POOL_NAME,
      nodeRoleName: this.nodeRole.roleName,
      subnetIds: privateSubnets.map((s) => s.subnetId),
      clusterSecurityGroupId: this.cluster.clusterSecurityGroupId,
      defaults,
    }));
    const policies = this.manifest('NamespacePolicies', namespacePolicies(this.namespace, this.clusterDnsIp));
    policies.node.addDependency(namespaceManifest);

    const workloadPolicy = workloadPolicies(this.namespace, {
      albCidrs: privateSubnets.map((s) => s.ipv4CidrBlock),
      apiPort: api.port,
      webPort: web.port,
      database: props.database ? { port: props.database.port, vpcCidr: vpc.vpcCidrBlock } : undefined,
    });
    const workloads: WorkloadDeployment[] = [
      {
        settings: { ...api, environment: { ...apiEnv, ...api.environment } },
        serviceAccount: this.apiServiceAccount,
        targetGroup: this.apiTargetGroup,
        networkPolicy: workloadPolicy.api,
        manifestId: 'ApiWorkload',
      },
      {
        settings: { ...web, environment: { ...webEnv, ...web.environment } },
        serviceAccount: this.webServiceAccount,
        targetGroup: this.webTargetGroup,
        networkPolicy: workloadPolicy.web,
        manifestId: 'WebWorkload',
      },
    ];
    let apiImageUri = '';
    let apiWorkloadManifest: eks.KubernetesManifest | undefined;
    for (const workload of workloads) {
      const resolvedWorkload = workload.settings;
      const image = (resolvedWorkload.name === 'api' ? props.api : props.web)?.image;
      // Assets are created in their own scope per workload (`<id>/ApiImage/Image`).
      const w: ResolvedWorkload = image
        ? { ...resolvedWorkload, image: image.bind(new Construct(this, resolvedWorkload.name === 'api' ? 'ApiImage' : 'WebImage')).imageUri }
        : resolvedWorkload;
      if (w.name === 'api') apiImageUri = w.image;
      const objects = workloadObjects(this.namespace, { ...workload, settings: w }, {
        nodePoolName: APP_NODE_POOL_NAME,
        zoneSpread: defaults.zoneSpread,
      });
      const m = this.manifest(workload.manifestId, objects);
      m.node.addDependency(namespaceManifest, nodePool, policies);
      if (w.name === 'api') apiWorkloadManifest = m;
      if (w.placeholder) {
        Annotations.of(this).addWarningV2(
          `@cdk-proteomics-platform:placeholder${w.name === 'api' ? 'Api' : 'Web'}`,
          `No image was given for the ${w.name} workload: a placeholder page (${PLACEHOLDER_IMAGE}) is deployed. ` +
            `Set ${w.name}.image (WorkloadImage.fromAsset/fromRegistry/fromEcrRepository) to deploy your ${w.name === 'api' ? 'API' : 'web app'}.`,
        );
      }
    }

    this.apiWorkloadManifest = apiWorkloadManifest!;
    this.apiImageUri = apiImageUri;

    acknowledgeAppClusterFindings({
      cluster: this.cluster,
      nodeRole: this.nodeRole,
      observabilityRole: this.node.findChild('ObservabilityRole'),
      serviceAccounts: [this.apiServiceAccount, this.webServiceAccount],
      loadBalancer: this.loadBalancer,
      listener: this.listener,
      originHttps: this.originHttps,
      regionalWaf: props.regionalWaf === true,
      loadBalancerDeletionProtection: defaults.loadBalancerDeletionProtection,
      createdAccessLogsBucket: props.accessLogsBucket ? undefined : this.accessLogsBucket,
    });
  }

  /**
   * Gives `role` cluster admin (`AmazonEKSClusterAdminPolicy`, cluster-wide) through an EKS
   * access entry.
   *
   * @returns a grant without IAM statements: the permission is the access entry on the cluster,
   * not a policy of the role
   */
  public grantAdmin(role: iam.IRole): iam.Grant {
    const id = `AdminAccess${role.node.addr.slice(0, 8)}`;
    this.cluster.grantClusterAdmin(id, role.roleArn);
    return iam.Grant.drop(role, 'cluster admin through an EKS access entry');
  }

  private manifest(id: string, objects: k8s.K8sObject[]): eks.KubernetesManifest {
    const m = new eks.KubernetesManifest(this, id, {
      cluster: this.cluster,
      manifest: objects as unknown as Record<string, any>[],
      overwrite: true,
    });
    return m;
  }

  private addAddons(): void {
    // Pod CPU/memory/restart metrics (Container Insights); its agent gets credentials by Pod Identity.
    const observabilityRole = new iam.Role(this, 'ObservabilityRole', {
      assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com'),
      description: 'CloudWatch agent of the amazon-cloudwatch-observability add-on',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('CloudWatchAgentServerPolicy')],
    });
    observabilityRole.assumeRolePolicy?.addStatements(
      new iam.PolicyStatement({ actions: ['sts:TagSession'], principals: [new iam.ServicePrincipal('pods.eks.amazonaws.com')] }),
    );
    new eks.CfnAddon(this, 'ObservabilityAddon', {
      clusterName: this.cluster.clusterName,
      addonName: 'amazon-cloudwatch-observability',
      resolveConflicts: 'OVERWRITE',
      podIdentityAssociations: [{ serviceAccount: 'cloudwatch-agent', roleArn: observabilityRole.roleArn }],
    });
    // The HorizontalPodAutoscalers read pod CPU from the metrics API, which Auto Mode does not serve.
    new eks.CfnAddon(this, 'MetricsServerAddon', {
      clusterName: this.cluster.clusterName,
      addonName: 'metrics-server',
      resolveConflicts: 'OVERWRITE',
    });
  }
}
