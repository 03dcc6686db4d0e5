import {
  Annotations,
  Arn,
  ArnFormat,
  CfnCondition,
  aws_certificatemanager as acm,
  aws_ec2 as ec2,
  aws_eks_v2 as eks,
  aws_elasticloadbalancingv2 as elbv2,
  aws_iam as iam,
  aws_kms as kms,
  aws_lambda as lambda,
  aws_s3 as s3,
  aws_wafv2 as wafv2,
  Duration,
  Stack,
  Tags,
  Token,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { enableAlbAccessLogs } from './access-logs';
import { AppClusterProps, WorkloadOptions } from './app-cluster-props';
import { kubectlV35Layer } from './kubectl-layer';
import * as k8s from './manifests';
import { PLACEHOLDER_IMAGE } from './workload-image';
import { WorkloadServiceAccount } from './workload-service-account';
import { Acknowledge } from '../compliance/acknowledge';
import { LogTargetBucket } from '../core/log-target-bucket';
import { resolveRemovalPolicy } from '../core/removal';
import { PropsValidator } from '../core/validation';
import { PlatformWebAcl } from '../core/web-acl';
import { WebAclScope } from '../core/web-acl-scope';
import { PlatformStage } from '../stage/platform-stage';

/** The name of the Auto Mode NodeClass and NodePool the workloads run on. */
export const APP_NODE_POOL_NAME = 'proteomics-apps';
/** The Pod Identity agent's link-local address on every Auto Mode node. */
const POD_IDENTITY_AGENT_CIDR = '169.254.170.23/32';
/** The service CIDR when none is given (the one EKS itself picks for a VPC in 10.0.0.0/8). */
const DEFAULT_SERVICE_CIDR = '172.20.0.0/16';

interface ResolvedWorkload {
  readonly name: 'api' | 'web';
  readonly placeholder: boolean;
  readonly image: string;
  readonly port: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetCpuUtilization: number;
  readonly cpuRequest: string;
  readonly cpuLimit?: string;
  readonly memoryRequest: string;
  readonly memoryLimit: string;
  readonly environment: { [key: string]: string };
  readonly healthPath: string;
  readonly readinessPath: string;
  readonly runAsUser: number;
}

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
    this.stage = props.stage ?? PlatformStage.HML;
    this.namespace = props.namespace ?? 'proteomics';
    const publicCidrs = props.endpointPublicAccessCidrs ?? [];
    const serviceCidr = props.serviceIpv4Cidr ?? DEFAULT_SERVICE_CIDR;
    const api = resolveWorkload('api', props.api, this.stage);
    const web = resolveWorkload('web', props.web, this.stage);
    validate(this, props, this.stage, this.namespace, publicCidrs, serviceCidr, [api, web]);
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
      deletionProtection: this.stage.production,
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
    const albCidrs = privateSubnets.map((s) => s.ipv4CidrBlock);
    const namespaceManifest = this.manifest('Namespace', [k8s.namespace(this.namespace)]);
    this.namespaceManifest = namespaceManifest;
    // Network policies are only enforced when the network-policy controller is on and the
    // nodes' NodeClass sets `networkPolicy`.
    const controllerConfig: k8s.ConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'amazon-vpc-cni', namespace: 'kube-system', labels: { ...k8s.MANAGED_BY } },
      data: { 'enable-network-policy-controller': 'true' },
    };
    this.manifest('NetworkPolicyController', [controllerConfig]);
    const nodeClass: k8s.NodeClass = {
      apiVersion: 'eks.amazonaws.com/v1',
      kind: 'NodeClass',
      metadata: { name: APP_NODE_POOL_NAME, labels: { ...k8s.MANAGED_BY } },
      spec: {
        role: this.nodeRole.roleName,
        subnetSelectorTerms: privateSubnets.map((s) => ({ id: s.subnetId })),
        securityGroupSelectorTerms: [{ id: this.cluster.clusterSecurityGroupId }],
        networkPolicy: 'DefaultAllow',
        networkPolicyEventLogs: 'Disabled',
        // The API and web images are small: 20 GiB (the EKS AMI's default root size) instead of
        // Auto Mode's 80 GiB default saves 60 GiB of gp3 per node (about $4.80/month at us-east-1).
        ephemeralStorage: { size: '20Gi' },
      },
    };
    const nodePoolObject: k8s.NodePool = {
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodePool',
      metadata: { name: APP_NODE_POOL_NAME, labels: { ...k8s.MANAGED_BY } },
      spec: {
        template: {
          metadata: { labels: { 'proteomics.biotech-x/node-pool': APP_NODE_POOL_NAME } },
          spec: {
            nodeClassRef: { group: 'eks.amazonaws.com', kind: 'NodeClass', name: APP_NODE_POOL_NAME },
            requirements: [
              { key: 'karpenter.sh/capacity-type', operator: 'In', values: this.stage.production ? ['on-demand'] : ['spot', 'on-demand'] },
              // Staging may also use burstable t instances (Auto Mode takes medium and larger:
              // a t3a.medium is half the price of a c6a.large); production keeps c, m and r,
              // whose CPU is not rationed by credits.
              { key: 'eks.amazonaws.com/instance-category', operator: 'In', values: this.stage.production ? ['c', 'm', 'r'] : ['c', 'm', 'r', 't'] },
              { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
            ],
            expireAfter: '336h',
          },
        },
        disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '5m' },
        limits: this.stage.production ? { cpu: '256', memory: '1024Gi' } : { cpu: '32', memory: '128Gi' },
      },
    };
    const nodePool = this.manifest('NodePool', [nodeClass, nodePoolObject]);
    const policies = this.manifest('NamespacePolicies', [
      networkPolicy(this.namespace, 'default-deny-all', {}, ['Ingress', 'Egress'], undefined, undefined),
      networkPolicy(this.namespace, 'allow-dns', {}, ['Egress'], undefined, [
        {
          to: [
            // EKS Auto Mode runs CoreDNS as a system service on each node ("Auto Mode nodes
            // utilize CoreDNS running as a system service directly on each node", EKS user guide,
            // Auto Mode networking; aws/containers-roadmap #2546 and #2552): there are no
            // kube-dns pods, and pods resolve through the cluster DNS ClusterIP. The AWS
            // network-policy controller resolves pod-selector peers to pod IPs, so only an
            // ipBlock on that address allows DNS there.
            { ipBlock: { cidr: `${this.clusterDnsIp}/32` } },
            // Clusters that run CoreDNS as pods (the add-on) answer from these.
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
        },
      ]),
    ]);
    policies.node.addDependency(namespaceManifest);

    const fromAlb: k8s.NetworkPolicyPeer[] = albCidrs.map((cidr) => ({ ipBlock: { cidr } }));
    const apiEgress: k8s.NetworkPolicyRule[] = [
      // AWS APIs (S3, Step Functions, Secrets Manager, STS...) through NAT or interface endpoints.
      { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] },
      // Pod Identity credentials come from the agent on the node's link-local address.
      { to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT_CIDR } }], ports: [{ protocol: 'TCP', port: 80 }] },
    ];
    if (props.database) {
      apiEgress.push({ to: [{ ipBlock: { cidr: vpc.vpcCidrBlock } }], ports: [{ protocol: 'TCP', port: props.database.port }] });
    }
    const workloads: [ResolvedWorkload, WorkloadServiceAccount, elbv2.ApplicationTargetGroup, k8s.NetworkPolicy, string][] = [
      [
        { ...api, environment: { ...apiEnv, ...api.environment } },
        this.apiServiceAccount,
        this.apiTargetGroup,
        networkPolicy(this.namespace, 'api', { [k8s.APP_LABEL]: 'api' }, ['Ingress', 'Egress'], [
          { from: [...fromAlb, { podSelector: { matchLabels: { [k8s.APP_LABEL]: 'web' } } }], ports: [{ protocol: 'TCP', port: api.port }] },
        ], apiEgress),
        'ApiWorkload',
      ],
      [
        { ...web, environment: { ...webEnv, ...web.environment } },
        this.webServiceAccount,
        this.webTargetGroup,
        networkPolicy(this.namespace, 'web', { [k8s.APP_LABEL]: 'web' }, ['Ingress', 'Egress'], [
          { from: fromAlb, ports: [{ protocol: 'TCP', port: web.port }] },
        ], [
          // Server-side rendering calls the API inside the cluster.
          { to: [{ podSelector: { matchLabels: { [k8s.APP_LABEL]: 'api' } } }], ports: [{ protocol: 'TCP', port: api.port }] },
        ]),
        'WebWorkload',
      ],
    ];
    let apiImageUri = '';
    for (const [resolved, sa, tg, policy, manifestId] of workloads) {
      const image = (resolved.name === 'api' ? props.api : props.web)?.image;
      // Assets are created in their own scope per workload (`<id>/ApiImage/Image`).
      const w = image ? { ...resolved, image: image.bind(new Construct(this, resolved.name === 'api' ? 'ApiImage' : 'WebImage')).imageUri } : resolved;
      if (w.name === 'api') apiImageUri = w.image;
      const objects = workloadObjects(this.namespace, w, sa, tg, policy, this.stage);
      const m = this.manifest(manifestId, objects);
      m.node.addDependency(namespaceManifest, nodePool, policies);
      if (w.placeholder) {
        Annotations.of(this).addWarningV2(
          `@cdk-proteomics-platform:placeholder${w.name === 'api' ? 'Api' : 'Web'}`,
          `No image was given for the ${w.name} workload: a placeholder page (${PLACEHOLDER_IMAGE}) is deployed. ` +
            `Set ${w.name}.image (WorkloadImage.fromAsset/fromRegistry/fromEcrRepository) to deploy your ${w.name === 'api' ? 'API' : 'web app'}.`,
        );
      }
    }

    this.apiImageUri = apiImageUri;

    this.acknowledgeFindings(props);
  }

  /**
   * Gives `role` cluster admin (`AmazonEKSClusterAdminPolicy`, cluster-wide) through an EKS
   * access entry.
   */
  public grantAdmin(role: iam.IRole): void {
    const id = `AdminAccess${role.node.addr.slice(0, 8)}`;
    this.cluster.grantClusterAdmin(id, role.roleArn);
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

  private acknowledgeFindings(props: AppClusterProps): void {
    const cluster = this.cluster;
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
          `AwsSolutions-IAM4[Policy::{"Fn::If":["${Stack.of(this).resolve(condition.logicalId)}",{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},` +
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
    Acknowledge.rules(this.nodeRole, 'EKS Auto Mode nodes need exactly these AWS-managed minimal node and ECR pull policies.', [
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKSWorkerNodeMinimalPolicy]',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly]',
    ]);
    const observabilityRole = this.node.findChild('ObservabilityRole');
    Acknowledge.rules(observabilityRole, 'The CloudWatch agent of the observability add-on uses the AWS-managed CloudWatchAgentServerPolicy, as the add-on documents.', [
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/CloudWatchAgentServerPolicy]',
    ]);
    // Grants from the sibling constructs land in the role's default (inline) policy.
    for (const sa of [this.apiServiceAccount, this.webServiceAccount]) {
      Acknowledge.rules(sa.role, 'Grants of the platform constructs are written to the role\'s own policy, scoped to the exact resources.', [
        'HIPAA.Security-IAMNoInlinePolicy',
        'NIST.800.53.R5-IAMNoInlinePolicy',
      ]);
    }
    const lb = this.loadBalancer;
    if (!this.originHttps) {
      Acknowledge.rules(this.listener, 'The ALB is internal and reached only by the CloudFront VPC origin inside the VPC; viewers use HTTPS to CloudFront. Give certificateArn for HTTPS to the origin.', [
        'HIPAA.Security-ALBHttpToHttpsRedirection',
        'NIST.800.53.R5-ALBHttpToHttpsRedirection',
      ]);
      Acknowledge.rules(this.listener, 'No certificate was given: TLS ends at CloudFront and the internal ALB is only reachable through the CloudFront VPC origin.', [
        'HIPAA.Security-ELBv2ACMCertificateRequired',
        'NIST.800.53.R5-ELBv2ACMCertificateRequired',
      ]);
    }
    if (!props.regionalWaf) {
      Acknowledge.rules(lb, 'The WAF web ACL is on the CloudFront distribution, the only way in; set regionalWaf for a second one on the ALB.', [
        'NIST.800.53.R5-ALBWAFEnabled',
      ]);
    }
    if (!this.stage.production) {
      Acknowledge.rules(lb, 'Staging load balancers are disposable; production ones have deletion protection.', [
        'HIPAA.Security-ELBDeletionProtectionEnabled',
        'NIST.800.53.R5-ELBDeletionProtectionEnabled',
      ]);
    }
    if (!props.accessLogsBucket) {
      Acknowledge.logTargetBucket(this.accessLogsBucket, 'the ALB access logs');
    }
  }
}

function resolveWorkload(name: 'api' | 'web', o: WorkloadOptions = {}, stage: PlatformStage): ResolvedWorkload {
  const placeholder = o.image === undefined;
  // Defaults follow the reference services (examples/biotech-app/services): API on 8080 with
  // /api/healthz (liveness) and /api/readyz (readiness), web on 3000 with /healthz.
  const healthPath = o.healthPath ?? (name === 'api' ? '/api/healthz' : '/healthz');
  // Production: 2 replicas, in 2 zones (strict zone spread), survive the loss of a zone or a
  // node; the HPA adds replicas under load. Each minimum replica beyond what the zones need is
  // paid for all month on on-demand nodes (one more c6a.large-class node, about $62/month).
  const minReplicas = o.minReplicas ?? (stage.production ? 2 : 1);
  return {
    name,
    placeholder,
    // The image is resolved later, in the workload's scope (assets are created there).
    image: placeholder ? PLACEHOLDER_IMAGE : '',
    port: o.port ?? (placeholder || name === 'api' ? 8080 : 3000),
    minReplicas,
    maxReplicas: o.maxReplicas ?? Math.max(minReplicas, stage.production ? 12 : 3),
    targetCpuUtilization: o.targetCpuUtilization ?? 70,
    cpuRequest: o.cpuRequest ?? '250m',
    cpuLimit: o.cpuLimit,
    memoryRequest: o.memoryRequest ?? '512Mi',
    memoryLimit: o.memoryLimit ?? '1Gi',
    environment: o.environment ?? {},
    healthPath,
    readinessPath: o.readinessPath ?? (name === 'api' && !placeholder ? '/api/readyz' : healthPath),
    runAsUser: o.runAsUser ?? (placeholder ? 101 : 10001),
  };
}

function networkPolicy(
  ns: string,
  name: string,
  matchLabels: Record<string, string>,
  policyTypes: ('Ingress' | 'Egress')[],
  ingress: k8s.NetworkPolicyRule[] | undefined,
  egress: k8s.NetworkPolicyRule[] | undefined,
): k8s.NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: ns, labels: { ...k8s.MANAGED_BY } },
    spec: {
      podSelector: { matchLabels },
      policyTypes,
      ...(ingress ? { ingress } : {}),
      ...(egress ? { egress } : {}),
    },
  };
}

function workloadObjects(
  ns: string,
  w: ResolvedWorkload,
  sa: WorkloadServiceAccount,
  tg: elbv2.ApplicationTargetGroup,
  policy: k8s.NetworkPolicy,
  stage: PlatformStage,
): k8s.K8sObject[] {
  const labels = { [k8s.APP_LABEL]: w.name, 'app.kubernetes.io/part-of': 'proteomics-platform', ...k8s.MANAGED_BY };
  const selector = { matchLabels: { [k8s.APP_LABEL]: w.name } };
  const meta = (name: string) => ({ name, namespace: ns, labels });
  const objects: k8s.K8sObject[] = [k8s.serviceAccount(sa.serviceAccountName, ns, labels)];
  const volumes: k8s.Volume[] = [{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }];
  const mounts: { name: string; mountPath: string; readOnly?: boolean }[] = [{ name: 'tmp', mountPath: '/tmp' }];
  if (w.placeholder) {
    const configMapName = `${w.name}-placeholder`;
    const placeholderConfig: k8s.ConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { ...meta(configMapName), labels: { ...labels, 'proteomics.biotech-x/placeholder': 'true' } },
      data: {
        'index.html': `<!doctype html><html><head><title>placeholder: ${w.name}</title></head><body>` +
          `<h1>Placeholder ${w.name}</h1><p>This is a placeholder deployed by cdk-proteomics-platform. ` +
          `Set the ${w.name} workload's image to deploy the real service.</p></body></html>\n`,
        'health': 'ok\n',
      },
    };
    objects.push(placeholderConfig);
    const healthFiles = [...new Set([w.healthPath, w.readinessPath])].map((p) => ({ key: 'health', path: p.replace(/^\/+/, '') }));
    volumes.push({ name: 'placeholder', configMap: { name: configMapName, items: [{ key: 'index.html', path: 'index.html' }, ...healthFiles] } });
    mounts.push({ name: 'placeholder', mountPath: '/usr/share/nginx/html', readOnly: true });
  }
  const env = Object.keys(w.environment).sort().map((name) => ({ name, value: w.environment[name] }));
  const probe = (path: string, failureThreshold: number, periodSeconds: number): k8s.HttpProbe => ({
    httpGet: { path, port: 'http' },
    periodSeconds,
    timeoutSeconds: 3,
    failureThreshold,
  });
  const spread = (topologyKey: string, whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway'): k8s.TopologySpreadConstraint => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable,
    labelSelector: selector,
  });
  const deployment: k8s.Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(w.name),
    spec: {
      replicas: w.minReplicas,
      revisionHistoryLimit: 5,
      selector,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: sa.serviceAccountName,
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: w.runAsUser,
            runAsGroup: w.runAsUser,
            fsGroup: w.runAsUser,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          nodeSelector: { 'karpenter.sh/nodepool': APP_NODE_POOL_NAME },
          topologySpreadConstraints: [
            // Production refuses to stack replicas in one zone; staging prefers spreading.
            spread('topology.kubernetes.io/zone', stage.production ? 'DoNotSchedule' : 'ScheduleAnyway'),
            spread('kubernetes.io/hostname', 'ScheduleAnyway'),
          ],
          terminationGracePeriodSeconds: 30,
          containers: [
            {
              name: w.name,
              image: w.image,
              imagePullPolicy: 'IfNotPresent',
              ports: [{ name: 'http', containerPort: w.port, protocol: 'TCP' }],
              ...(env.length > 0 ? { env } : {}),
              resources: {
                requests: { cpu: w.cpuRequest, memory: w.memoryRequest },
                limits: { ...(w.cpuLimit ? { cpu: w.cpuLimit } : {}), memory: w.memoryLimit },
              },
              securityContext: {
                runAsNonRoot: true,
                runAsUser: w.runAsUser,
                runAsGroup: w.runAsUser,
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                privileged: false,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
              // Up to 150 s to start (migrations, cold caches) before liveness applies.
              startupProbe: probe(w.healthPath, 30, 5),
              readinessProbe: probe(w.readinessPath, 3, 10),
              livenessProbe: probe(w.healthPath, 3, 20),
              volumeMounts: mounts,
            },
          ],
          volumes,
        },
      },
    },
  };
  const service: k8s.Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(w.name),
    spec: { type: 'ClusterIP', selector: selector.matchLabels, ports: [{ name: 'http', port: w.port, targetPort: 'http', protocol: 'TCP' }] },
  };
  const hpa: k8s.HorizontalPodAutoscaler = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: meta(w.name),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: w.name },
      minReplicas: w.minReplicas,
      maxReplicas: w.maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: w.targetCpuUtilization } } }],
    },
  };
  // maxUnavailable (not minAvailable) so that a single replica never blocks node replacement.
  const pdb: k8s.PodDisruptionBudget = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: meta(w.name),
    spec: { maxUnavailable: 1, selector },
  };
  const binding: k8s.TargetGroupBinding = {
    apiVersion: 'eks.amazonaws.com/v1',
    kind: 'TargetGroupBinding',
    metadata: meta(w.name),
    spec: { serviceRef: { name: w.name, port: w.port }, targetGroupARN: tg.targetGroupArn, targetType: 'ip' },
  };
  objects.push(deployment, service, hpa, pdb, policy, binding);
  return objects;
}

function validate(
  scope: AppCluster,
  props: AppClusterProps,
  stage: PlatformStage,
  ns: string,
  publicCidrs: string[],
  serviceCidr: string,
  workloads: ResolvedWorkload[],
): void {
  const v = new PropsValidator(scope, 'AppCluster');
  // A VPC built in this app knows its CIDR at synth time (its L1's CidrBlock); an imported one may not.
  const cfnVpc = props.vpc.node.defaultChild;
  const vpcCidr = cfnVpc instanceof ec2.CfnVPC && cfnVpc.cidrBlock ? cfnVpc.cidrBlock : props.vpc.vpcCidrBlock;
  validateServiceCidr(v, serviceCidr, vpcCidr);
  for (const cidr of publicCidrs) {
    if (Token.isUnresolved(cidr)) continue;
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    const ok = !!m && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
    v.check(ok, 'endpointPublicAccessCidrs', cidr, 'use IPv4 CIDR blocks such as 203.0.113.0/24.');
    if (ok && Number(m![5]) === 0) {
      if (stage.production) {
        v.check(false, 'endpointPublicAccessCidrs', cidr,
          'a production cluster\'s API endpoint must not be open to the internet: list your office or CI CIDRs, or none for a private endpoint.');
      } else {
        Annotations.of(scope).addWarningV2('@cdk-proteomics-platform:publicEndpoint',
          `endpointPublicAccessCidrs contains ${cidr}: the Kubernetes API endpoint is reachable from the whole internet.`);
      }
    }
  }
  v.checkNumber(props.regionalWafRateLimit, 'regionalWafRateLimit', (n) => Number.isInteger(n) && n >= 10 && n <= 2_000_000_000,
    'use a whole number of requests per 5 minutes from 10 to 2,000,000,000.');
  v.check(props.regionalWafRateLimit === undefined || props.regionalWaf === true, 'regionalWafRateLimit', props.regionalWafRateLimit,
    'a rate limit needs the regional web ACL: set regionalWaf: true too, or drop regionalWafRateLimit.');
  v.check(Token.isUnresolved(ns) || (/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(ns) && !['default', 'kube-system', 'kube-public', 'kube-node-lease'].includes(ns)),
    'namespace', ns, 'use a lowercase DNS label (a-z, 0-9, -; at most 63 characters) other than default and the kube-* namespaces.');
  if (props.databaseUser !== undefined) {
    v.check(/^[a-z_][a-z0-9_]{0,62}$/.test(props.databaseUser), 'databaseUser', props.databaseUser,
      'use a lowercase PostgreSQL identifier (a-z, 0-9, _), e.g. biotech_api.');
  }
  if (props.certificateArn !== undefined && !Token.isUnresolved(props.certificateArn)) {
    v.check(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/.+$/.test(props.certificateArn), 'certificateArn', props.certificateArn,
      'give the ARN of an ACM certificate in the stack\'s region (arn:aws:acm:<region>:<account>:certificate/<id>).');
  }
  const quantity = /^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/;
  for (const w of workloads) {
    const p = w.name;
    v.checkNumber(w.port, `${p}.port`, (n) => Number.isInteger(n) && n >= 1024 && n <= 65535,
      'use an unprivileged port from 1024 to 65535 (the container runs as non-root).');
    v.checkNumber(w.minReplicas, `${p}.minReplicas`, (n) => Number.isInteger(n) && n >= 1, 'use at least 1 replica.');
    v.checkNumber(w.maxReplicas, `${p}.maxReplicas`, (n) => Number.isInteger(n) && n >= w.minReplicas,
      `use a maximum at least equal to minReplicas (${w.minReplicas}).`);
    v.checkNumber(w.targetCpuUtilization, `${p}.targetCpuUtilization`, (n) => n >= 10 && n <= 100, 'use a percentage from 10 to 100.');
    v.checkNumber(w.runAsUser, `${p}.runAsUser`, (n) => Number.isInteger(n) && n > 0, 'use a non-zero numeric user id (root is refused by the restricted profile).');
    for (const [field, value] of [['healthPath', w.healthPath], ['readinessPath', w.readinessPath]] as const) {
      v.check(/^\/[A-Za-z0-9._~\/-]*$/.test(value), `${p}.${field}`, value, 'use an absolute URL path such as /healthz.');
    }
    for (const [field, value] of [['cpuRequest', w.cpuRequest], ['cpuLimit', w.cpuLimit], ['memoryRequest', w.memoryRequest], ['memoryLimit', w.memoryLimit]] as const) {
      if (value !== undefined) v.check(quantity.test(value), `${p}.${field}`, value, 'use a Kubernetes quantity such as 250m, 1, 512Mi or 2Gi.');
    }
    for (const key of Object.keys(w.environment)) {
      v.check(/^[A-Za-z_][A-Za-z0-9_]*$/.test(key), `${p}.environment`, key, 'use environment variable names of letters, digits and _.');
    }
  }
  v.throwIfInvalid();
}

function parseCidr(cidr: string): { base: number; bits: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) return undefined;
  const base = m.slice(1, 5).reduce((acc, o) => acc * 256 + Number(o), 0);
  return { base, bits: Number(m[5]) };
}

function cidrRange(c: { base: number; bits: number }): [number, number] {
  const size = 2 ** (32 - c.bits);
  const start = Math.floor(c.base / size) * size;
  return [start, start + size - 1];
}

/** The 10th address of a CIDR block: where EKS puts the cluster DNS Service. */
function tenthAddress(cidr: string): string {
  const [start] = cidrRange(parseCidr(cidr)!);
  const n = start + 10;
  return [Math.floor(n / 2 ** 24), Math.floor(n / 2 ** 16) % 256, Math.floor(n / 256) % 256, n % 256].join('.');
}

function validateServiceCidr(v: PropsValidator, serviceCidr: string, vpcCidr: string): void {
  const fix = 'use a literal private block from /12 to /24 (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16) that does not overlap the VPC, e.g. 172.20.0.0/16.';
  const c = Token.isUnresolved(serviceCidr) ? undefined : parseCidr(serviceCidr);
  if (!c || c.bits < 12 || c.bits > 24) {
    v.check(false, 'serviceIpv4Cidr', serviceCidr, fix);
    return;
  }
  const [start, end] = cidrRange(c);
  const within = (block: string) => {
    const [s, e] = cidrRange(parseCidr(block)!);
    return start >= s && end <= e;
  };
  v.check(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].some(within), 'serviceIpv4Cidr', serviceCidr, fix);
  const vpc = Token.isUnresolved(vpcCidr) ? undefined : parseCidr(vpcCidr);
  if (vpc) {
    const [vs, ve] = cidrRange(vpc);
    v.check(end < vs || start > ve, 'serviceIpv4Cidr', serviceCidr, `it overlaps the VPC (${vpcCidr}): ${fix}`);
  }
}
