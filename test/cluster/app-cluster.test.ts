import * as path from 'path';
import { aws_ecr as ecr, aws_iam as iam } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { dumpObjects, findObject, flatten, kubernetesObjects, manifestsNotWaitingForNamespace } from './k8s';
import { autoModeModel, egressAllowed } from './network-policy';
import { AppCluster, APP_NODE_POOL_NAME } from '../../src/cluster/app-cluster';
import { PLACEHOLDER_IMAGE, WorkloadImage } from '../../src/cluster/workload-image';
import { PlatformNetwork } from '../../src/network/platform-network';
import { PlatformStage } from '../../src/stage/platform-stage';
import { expectCompliant, expectNoDeployTraps, logicalIds, newStack } from '../helpers';

const OUT = path.join(__dirname, '.out', 'manifests');
const ALL_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

describe('AppCluster in hml (defaults: placeholder workloads, private endpoint)', () => {
  const stack = newStack();
  const network = new PlatformNetwork(stack, 'Network');
  const app = new AppCluster(stack, 'App', { vpc: network.vpc });
  const template = Template.fromStack(stack);
  const objects = kubernetesObjects(stack);

  test('EKS 1.35 in Auto Mode on the private subnets, with our node role and only the system pool built in', () => {
    template.hasResourceProperties('AWS::EKS::Cluster', {
      Version: '1.35',
      ComputeConfig: { Enabled: true, NodePools: ['system'], NodeRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AppNodeRole'), 'Arn'] } },
      AccessConfig: { AuthenticationMode: 'API', BootstrapClusterCreatorAdminPermissions: false },
    });
    const cluster = Object.values(template.findResources('AWS::EKS::Cluster'))[0] as any;
    const subnets = cluster.Properties.ResourcesVpcConfig.SubnetIds.map((s: any) => s.Ref);
    expect(subnets).toHaveLength(2);
    for (const s of subnets) expect(s).toMatch(/privateSubnet/);
  });

  // cdk-nag's EKS rules never fire for aws-eks-v2 clusters: these two are asserted here instead.
  test('the endpoint is private only by default', () => {
    template.hasResourceProperties('AWS::EKS::Cluster', {
      ResourcesVpcConfig: Match.objectLike({ EndpointPrivateAccess: true, EndpointPublicAccess: false }),
    });
  });

  test('every control-plane log type is on', () => {
    const cluster = Object.values(template.findResources('AWS::EKS::Cluster'))[0] as any;
    expect(cluster.Properties.Logging.ClusterLogging.EnabledTypes.map((t: any) => t.Type).sort()).toEqual([...ALL_LOG_TYPES].sort());
  });

  test('Kubernetes secrets are encrypted with a rotating customer-managed key', () => {
    template.hasResourceProperties('AWS::EKS::Cluster', {
      EncryptionConfig: [{ Provider: { KeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AppSecretsKey'), 'Arn'] } }, Resources: ['secrets'] }],
    });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ EnableKeyRotation: true }) });
  });

  test('the kubectl provider runs in the private subnets with the kubectl layer', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('kubectl'),
      VpcConfig: { SubnetIds: Match.arrayWith([{ Ref: Match.stringLikeRegexp('privateSubnet1') }]), SecurityGroupIds: Match.anyValue() },
      Layers: Match.arrayWith([{ Ref: Match.stringLikeRegexp('^AppKubectlLayer') }]),
    });
  });

  test('Auto Mode nodes use the minimal node and ECR pull-only policies', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonEKSWorkerNodeMinimalPolicy']] },
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonEC2ContainerRegistryPullOnly']] },
      ],
    });
  });

  test('the observability add-on (pod metrics) gets its agent role by Pod Identity; metrics-server feeds the autoscalers', () => {
    template.hasResourceProperties('AWS::EKS::Addon', {
      AddonName: 'amazon-cloudwatch-observability',
      PodIdentityAssociations: [{ ServiceAccount: 'cloudwatch-agent', RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AppObservabilityRole'), 'Arn'] } }],
    });
    template.hasResourceProperties('AWS::EKS::Addon', { AddonName: 'metrics-server' });
    template.resourcePropertiesCountIs('AWS::EKS::Addon', { AddonName: 'eks-pod-identity-agent' }, 0);
  });

  test('the namespace enforces the restricted Pod Security Standard', () => {
    const ns = findObject(objects, 'Namespace', 'proteomics');
    expect(ns.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
  });

  test('network policies are enforced: controller ConfigMap, NodeClass with networkPolicy, NodePool using it', () => {
    const cm = findObject(objects, 'ConfigMap', 'amazon-vpc-cni');
    expect(cm.metadata.namespace).toBe('kube-system');
    expect(cm.data).toEqual({ 'enable-network-policy-controller': 'true' });
    const nodeClass = findObject(objects, 'NodeClass', APP_NODE_POOL_NAME);
    expect(nodeClass.apiVersion).toBe('eks.amazonaws.com/v1');
    expect(nodeClass.spec.networkPolicy).toBe('DefaultAllow');
    expect(nodeClass.spec.role).toMatch(/^\$\{Ref:AppNodeRole/);
    expect(nodeClass.spec.securityGroupSelectorTerms).toEqual([{ id: expect.stringMatching(/ClusterSecurityGroupId/) }]);
    expect(nodeClass.spec.subnetSelectorTerms).toHaveLength(2);
    const pool = findObject(objects, 'NodePool', APP_NODE_POOL_NAME);
    expect(pool.apiVersion).toBe('karpenter.sh/v1');
    expect(pool.spec.template.spec.nodeClassRef).toEqual({ group: 'eks.amazonaws.com', kind: 'NodeClass', name: APP_NODE_POOL_NAME });
    expect(pool.spec.template.spec.requirements).toContainEqual({ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] });
    // Burstable t instances (medium and up, Auto Mode's floor) are allowed in staging only.
    expect(pool.spec.template.spec.requirements).toContainEqual({ key: 'eks.amazonaws.com/instance-category', operator: 'In', values: ['c', 'm', 'r', 't'] });
    // Every workload is pinned to that pool, so no pod lands on a node that does not enforce policies.
    for (const name of ['api', 'web']) {
      expect(findObject(objects, 'Deployment', name).spec.template.spec.nodeSelector).toEqual({ 'karpenter.sh/nodepool': APP_NODE_POOL_NAME });
    }
  });

  test('a default-deny policy covers the namespace, with DNS allowed', () => {
    const deny = findObject(objects, 'NetworkPolicy', 'default-deny-all');
    expect(deny.spec).toEqual({ podSelector: { matchLabels: {} }, policyTypes: ['Ingress', 'Egress'] });
    const dns = findObject(objects, 'NetworkPolicy', 'allow-dns');
    expect(dns.spec.egress[0].ports).toEqual([{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }]);
    // The cluster DNS ClusterIP (Auto Mode), then the kube-dns pods (clusters with the CoreDNS add-on).
    expect(dns.spec.egress[0].to[0]).toEqual({ ipBlock: { cidr: '172.20.0.10/32' } });
    expect(dns.spec.egress[0].to[1].namespaceSelector.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'kube-system' });
  });

  describe('DNS on EKS Auto Mode (CoreDNS on each node, no kube-dns pods)', () => {
    const { model, dnsIp, appPods } = autoModeModel(template, objects, app.namespace, false);
    const policies = objects.map((o) => o.object).filter((o) => o.kind === 'NetworkPolicy');

    test('the service CIDR is set, so the cluster DNS address is known at synth time', () => {
      template.hasResourceProperties('AWS::EKS::Cluster', { KubernetesNetworkConfig: { ServiceIpv4Cidr: '172.20.0.0/16' } });
      expect(app.clusterDnsIp).toBe('172.20.0.10');
    });

    test.each(['api', 'web'])('%s resolves names: UDP and TCP 53 to the cluster DNS ClusterIP are allowed', (name) => {
      const pod = appPods.find((p) => p.labels['app.kubernetes.io/name'] === name)!;
      expect(pod).toBeDefined();
      expect(egressAllowed(model, policies, pod, { ip: dnsIp, port: 53, protocol: 'UDP' })).toBe(true);
      expect(egressAllowed(model, policies, pod, { ip: dnsIp, port: 53, protocol: 'TCP' })).toBe(true);
    });

    test('the evaluator still denies what no rule allows (DNS elsewhere, other ports)', () => {
      const web = appPods.find((p) => p.labels['app.kubernetes.io/name'] === 'web')!;
      expect(egressAllowed(model, policies, web, { ip: '8.8.8.8', port: 53, protocol: 'UDP' })).toBe(false);
      expect(egressAllowed(model, policies, web, { ip: dnsIp, port: 80, protocol: 'TCP' })).toBe(false);
      expect(egressAllowed(model, policies, web, { ip: '10.0.0.5', port: 443, protocol: 'TCP' })).toBe(false);
    });

    test('on a cluster with kube-dns pods the pod-selector peer still allows DNS to them', () => {
      const mixed = autoModeModel(template, objects, app.namespace, true);
      const api = mixed.appPods.find((p) => p.labels['app.kubernetes.io/name'] === 'api')!;
      expect(egressAllowed(mixed.model, policies, api, { ip: '10.0.200.7', port: 53, protocol: 'UDP' })).toBe(true);
    });
  });

  test('web accepts the ALB subnets only and may reach only the API', () => {
    const web = findObject(objects, 'NetworkPolicy', 'web');
    expect(web.spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'web' });
    expect(web.spec.ingress).toEqual([{ from: [{ ipBlock: { cidr: '10.0.16.0/20' } }, { ipBlock: { cidr: '10.0.32.0/20' } }], ports: [{ protocol: 'TCP', port: 8080 }] }]);
    expect(web.spec.egress).toEqual([{ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'api' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }]);
  });

  test('api accepts the ALB and web, and reaches only HTTPS and the Pod Identity agent (no database given)', () => {
    const api = findObject(objects, 'NetworkPolicy', 'api');
    expect(api.spec.ingress[0].from).toContainEqual({ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'web' } } });
    expect(api.spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] },
      { to: [{ ipBlock: { cidr: '169.254.170.23/32' } }], ports: [{ protocol: 'TCP', port: 80 }] },
    ]);
  });

  test.each(['api', 'web'])('%s Deployment is hardened for the restricted profile', (name) => {
    const d = findObject(objects, 'Deployment', name);
    const pod = d.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe(name);
    const c = pod.containers[0];
    expect(c.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 101,
      runAsGroup: 101,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(c.resources).toEqual({ requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } });
    expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
  });

  test.each([['api', '/api/healthz'], ['web', '/healthz']])('%s has startup, readiness and liveness probes on %s', (name, healthPath) => {
    const c = findObject(objects, 'Deployment', name).spec.template.spec.containers[0];
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      expect(c[probe].httpGet).toEqual({ path: healthPath, port: 'http' });
    }
    expect(c.startupProbe.failureThreshold * c.startupProbe.periodSeconds).toBeGreaterThanOrEqual(120);
  });

  test('replicas spread over zones (preferred in hml) and hosts', () => {
    const spread = findObject(objects, 'Deployment', 'api').spec.template.spec.topologySpreadConstraints;
    expect(spread).toEqual([
      { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'api' } } },
      { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'api' } } },
    ]);
  });

  test('HPA on CPU and a PDB that never blocks node replacement', () => {
    const hpa = findObject(objects, 'HorizontalPodAutoscaler', 'api');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec).toMatchObject({ minReplicas: 1, maxReplicas: 3, scaleTargetRef: { kind: 'Deployment', name: 'api' } });
    expect(hpa.spec.metrics[0].resource).toEqual({ name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } });
    const pdb = findObject(objects, 'PodDisruptionBudget', 'web');
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } } });
  });

  test('placeholders are labelled, serve their health paths, and warn at synth', () => {
    const api = findObject(objects, 'Deployment', 'api').spec.template.spec;
    expect(api.containers[0].image).toBe(PLACEHOLDER_IMAGE);
    expect(api.volumes).toContainEqual({
      name: 'placeholder',
      configMap: { name: 'api-placeholder', items: [{ key: 'index.html', path: 'index.html' }, { key: 'health', path: 'api/healthz' }] },
    });
    const cm = findObject(objects, 'ConfigMap', 'api-placeholder');
    expect(cm.metadata.labels['proteomics.biotech-x/placeholder']).toBe('true');
    expect(cm.data['index.html']).toMatch(/placeholder/i);
    const warnings = Annotations.fromStack(stack).findWarning('/Test/App', Match.stringLikeRegexp('No image was given'));
    expect(warnings).toHaveLength(2);
  });

  test('TargetGroupBindings (Auto Mode API) bind each Service to its CDK target group', () => {
    const targetGroups = template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup');
    for (const [name, tg] of [['api', app.apiTargetGroup], ['web', app.webTargetGroup]] as const) {
      const binding = findObject(objects, 'TargetGroupBinding', name);
      expect(binding.apiVersion).toBe('eks.amazonaws.com/v1');
      const logicalId = stack.getLogicalId(tg.node.defaultChild as any);
      expect(binding.spec).toEqual({ serviceRef: { name, port: 8080 }, targetGroupARN: `\${Ref:${logicalId}}`, targetType: 'ip' });
      expect(targetGroups[logicalId].Properties).toMatchObject({ TargetType: 'ip', Port: 8080, Protocol: 'HTTP' });
      const service = findObject(objects, 'Service', name);
      expect(service.spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }]);
    }
  });

  test('target groups check the health paths and carry the cluster-name tag', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/api/healthz',
      Matcher: { HttpCode: '200' },
      Tags: Match.arrayWith([{ Key: 'eks:eks-cluster-name', Value: { Ref: Match.stringLikeRegexp('^AppCluster') } }]),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckPath: '/healthz' });
  });

  test('internal ALB, HTTP listener (no certificate), /api/* to the API, everything else to web', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.bucket', Value: { Ref: Match.stringLikeRegexp('^AppAccessLogs') } },
      ]),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('^AppWebTargetGroup') } }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 10,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api', '/api/*'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('^AppApiTargetGroup') } }],
    });
    expect(app.originHttps).toBe(false);
  });

  test('the ALB admits only its own subnets (CloudFront VPC origin) and reaches only the pod port', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('Internal ALB'),
      SecurityGroupIngress: [
        Match.objectLike({ CidrIp: '10.0.16.0/20', FromPort: 80, ToPort: 80 }),
        Match.objectLike({ CidrIp: '10.0.32.0/20', FromPort: 80, ToPort: 80 }),
      ],
      SecurityGroupEgress: Match.absent(),
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { FromPort: 8080, ToPort: 8080 });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 8080,
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AppCluster'), 'ClusterSecurityGroupId'] },
    });
  });

  test('ALB access logs go to an SSE-S3 bucket with the ELB log-delivery policy (region-agnostic stack)', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
    const policy = JSON.stringify(template.findResources('AWS::S3::BucketPolicy'));
    expect(policy).toContain('logdelivery.elasticloadbalancing.amazonaws.com');
    expect(policy).toContain('ElbLogDeliveryAccountsHasAccount');
    template.hasMapping('ElbLogDeliveryAccounts', { 'eu-west-1': { account: '156460612806' }, 'eu-central-2': { account: 'none' } });
  });

  test('Pod Identity associations for both service accounts; roles trust only pods.eks.amazonaws.com', () => {
    template.resourceCountIs('AWS::EKS::PodIdentityAssociation', 2);
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
      Namespace: 'proteomics',
      ServiceAccount: 'api',
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AppApiServiceAccountRole'), 'Arn'] },
    });
    const role = template.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('proteomics/api') } });
    const doc = (Object.values(role)[0] as any).Properties.AssumeRolePolicyDocument;
    expect(doc.Statement.map((s: any) => [s.Action, s.Principal])).toEqual([
      ['sts:AssumeRole', { Service: 'pods.eks.amazonaws.com' }],
      ['sts:TagSession', { Service: 'pods.eks.amazonaws.com' }],
    ]);
    expect(findObject(objects, 'ServiceAccount', 'api').automountServiceAccountToken).toBe(false);
  });

  test('without buckets, database and pipeline the API role has no permissions at all', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    for (const p of Object.values(policies) as any[]) {
      expect(JSON.stringify(p.Properties.Roles)).not.toMatch(/ApiServiceAccountRole/);
    }
  });

  test('workload manifests wait for the namespace, the policies and the node pool', () => {
    const r = template.findResources('Custom::AWSCDK-EKS-KubernetesResource');
    const api = Object.entries(r).find(([id]) => id.startsWith('AppApiWorkload'))![1] as any;
    for (const dep of ['AppNamespace', 'AppNodePool', 'AppNamespacePolicies']) {
      expect(api.DependsOn.some((d: string) => d.startsWith(dep))).toBe(true);
    }
  });

  test('every manifest applied into the namespace depends on the manifest that creates it', () => {
    expect(manifestsNotWaitingForNamespace(stack, app.namespace)).toEqual([]);
    expect(app.namespaceManifest.node.id).toBe('Namespace');
  });

  test('zero unacknowledged findings in AwsSolutions, HIPAA.Security and NIST.800.53.R5', () => {
    expectCompliant(stack);
  });

  test('no deploy traps', () => {
    expectNoDeployTraps(stack);
  });

  test('logical ids are stable', () => {
    expect(logicalIds(stack)).toMatchSnapshot();
  });

  test('manifests are dumped for the Kubernetes schema validator', () => {
    const files = dumpObjects(objects, OUT, 'hml');
    expect(files.length).toBe(objects.length);
    expect(objects.map((o) => o.object.kind)).toEqual(expect.arrayContaining([
      'Namespace', 'ConfigMap', 'NodeClass', 'NodePool', 'NetworkPolicy', 'ServiceAccount', 'Deployment', 'Service',
      'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'TargetGroupBinding',
    ]));
  });
});

describe('AppCluster in prod (images, admin role, restricted public endpoint, HTTPS, regional WAF)', () => {
  const stack = newStack({ env: true });
  const network = new PlatformNetwork(stack, 'Network', { stage: PlatformStage.PROD });
  const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
  const repo = ecr.Repository.fromRepositoryName(stack, 'WebRepo', 'biotech/web');
  const app = new AppCluster(stack, 'App', {
    vpc: network.vpc,
    stage: PlatformStage.PROD,
    endpointPublicAccessCidrs: ['203.0.113.0/24'],
    adminRoles: [admin],
    certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
    regionalWaf: true,
    api: { image: WorkloadImage.fromRegistry('public.ecr.aws/biotech/api:1.2.3'), environment: { LOG_LEVEL: 'info' }, cpuLimit: '1' },
    web: { image: WorkloadImage.fromEcrRepository(repo, '2.0.0'), minReplicas: 2, maxReplicas: 6 },
  });
  const adminGrant = app.grantAdmin(iam.Role.fromRoleName(stack, 'Other', 'ops'));
  const template = Template.fromStack(stack);
  const objects = kubernetesObjects(stack);

  test('the public endpoint is open only to the given CIDRs', () => {
    template.hasResourceProperties('AWS::EKS::Cluster', {
      ResourcesVpcConfig: Match.objectLike({ EndpointPrivateAccess: true, EndpointPublicAccess: true, PublicAccessCidrs: ['203.0.113.0/24'] }),
    });
    const cluster = Object.values(template.findResources('AWS::EKS::Cluster'))[0] as any;
    expect(cluster.Properties.ResourcesVpcConfig.PublicAccessCidrs).not.toContain('0.0.0.0/0');
    expect(cluster.Properties.Logging.ClusterLogging.EnabledTypes.map((t: any) => t.Type).sort()).toEqual([...ALL_LOG_TYPES].sort());
  });

  test('the admin role gets a cluster-admin access entry', () => {
    template.hasResourceProperties('AWS::EKS::AccessEntry', {
      PrincipalArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Admin'), 'Arn'] },
      AccessPolicies: [{ AccessScope: { Type: 'cluster' }, PolicyArn: Match.anyValue() }],
    });
    expect(JSON.stringify(template.findResources('AWS::EKS::AccessEntry'))).toContain('AmazonEKSClusterAdminPolicy');
  });

  test('images, ports and environment come from props', () => {
    const api = findObject(objects, 'Deployment', 'api').spec.template.spec.containers[0];
    expect(api.image).toBe('public.ecr.aws/biotech/api:1.2.3');
    expect(api.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(api.env).toEqual([
      { name: 'AWS_REGION', value: 'eu-west-1' },
      // X-Forwarded-For is trusted only from the ALB's subnets.
      { name: 'FORWARDED_ALLOW_IPS', value: '10.0.16.0/20,10.0.32.0/20,10.0.48.0/20' },
      { name: 'LOG_LEVEL', value: 'info' },
    ]);
    expect(api.resources.limits).toEqual({ cpu: '1', memory: '1Gi' });
    expect(api.securityContext.runAsUser).toBe(10001);
    const web = findObject(objects, 'Deployment', 'web').spec.template.spec.containers[0];
    expect(web.image).toBe('123456789012.dkr.ecr.eu-west-1.${Ref:AWS::URLSuffix}/biotech/web:2.0.0');
    expect(findObject(objects, 'HorizontalPodAutoscaler', 'web').spec).toMatchObject({ minReplicas: 2, maxReplicas: 6 });
    expect(objects.filter((o) => o.object.kind === 'ConfigMap' && o.object.metadata.name.endsWith('-placeholder'))).toEqual([]);
  });

  test('production: 2 replicas minimum (2 zones), strict zone spread, on-demand nodes', () => {
    expect(findObject(objects, 'HorizontalPodAutoscaler', 'api').spec).toMatchObject({ minReplicas: 2, maxReplicas: 12 });
    expect(findObject(objects, 'Deployment', 'api').spec.replicas).toBe(2);
    const spread = findObject(objects, 'Deployment', 'api').spec.template.spec.topologySpreadConstraints[0];
    expect(spread).toMatchObject({ topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule' });
    const pool = findObject(objects, 'NodePool', APP_NODE_POOL_NAME);
    expect(pool.spec.template.spec.requirements).toContainEqual({ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] });
    expect(pool.spec.template.spec.requirements).toContainEqual({ key: 'eks.amazonaws.com/instance-category', operator: 'In', values: ['c', 'm', 'r'] });
    expect(findObject(objects, 'NodeClass', APP_NODE_POOL_NAME).spec.subnetSelectorTerms).toHaveLength(3);
    expect(findObject(objects, 'NodeClass', APP_NODE_POOL_NAME).spec.ephemeralStorage).toEqual({ size: '20Gi' });
  });

  test('HTTPS listener with the given certificate and a modern TLS policy; the ALB has deletion protection', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' }],
      SslPolicy: Match.stringLikeRegexp('TLS13'),
    });
    template.resourcePropertiesCountIs('AWS::ElasticLoadBalancingV2::Listener', { Port: 80 }, 0);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'true' }]),
    });
    expect(app.originHttps).toBe(true);
  });

  test('target group ports follow the workload ports and the TargetGroupBindings match', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 8080, HealthCheckPath: '/api/healthz' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 3000, HealthCheckPath: '/healthz' });
    expect(findObject(objects, 'TargetGroupBinding', 'api').spec.serviceRef).toEqual({ name: 'api', port: 8080 });
    expect(findObject(objects, 'TargetGroupBinding', 'web').spec.serviceRef).toEqual({ name: 'web', port: 3000 });
    expect(findObject(objects, 'NetworkPolicy', 'web').spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 8080 }]);
  });

  test('ALB access logs use the regional ELB account of eu-west-1', () => {
    const policy = JSON.stringify(template.findResources('AWS::S3::BucketPolicy'));
    expect(policy).toContain('156460612806');
  });

  test('a regional web ACL guards the ALB and logs to an encrypted aws-waf-logs group', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'REGIONAL' });
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    // Behind the CloudFront VPC origin every request comes from CloudFront: count per viewer.
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([Match.objectLike({
        Name: 'RateLimitPerIp',
        Statement: { RateBasedStatement: Match.objectLike({ AggregateKeyType: 'FORWARDED_IP', ForwardedIPConfig: { HeaderName: 'X-Forwarded-For', FallbackBehavior: 'MATCH' } }) },
      })]),
    });
    template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      RedactedFields: [{ SingleHeader: { Name: 'authorization' } }, { SingleHeader: { Name: 'cookie' } }],
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: Match.stringLikeRegexp('^aws-waf-logs-'), RetentionInDays: 731 });
  });

  test('zero unacknowledged findings', () => {
    expectCompliant(stack);
  });

  test('no deploy traps', () => {
    expectNoDeployTraps(stack);
  });

  test('grantAdmin adds another access entry', () => {
    const entries = template.findResources('AWS::EKS::AccessEntry');
    expect(Object.keys(entries)).toHaveLength(3); // kubectl provider, adminRoles, grantAdmin
    expect(JSON.stringify(entries)).toContain(':role/ops');
  });

  test('grantAdmin returns a grant for the role', () => {
    expect(adminGrant.principalStatements).toEqual([]);
    expect(adminGrant.resourceStatements).toEqual([]);
  });

  test('apiWorkloadManifest is the manifest of the API workload', () => {
    expect(app.apiWorkloadManifest.node.id).toBe('ApiWorkload');
    expect(app.apiWorkloadManifest.node.scope).toBe(app);
  });

  test('manifests are dumped for the Kubernetes schema validator', () => {
    expect(dumpObjects(objects, OUT, 'prod').length).toBe(objects.length);
    expect(flatten({ 'Fn::GetAtt': ['A', 'B'] })).toBe('${GetAtt:A.B}');
  });
});

describe('AppCluster props validation', () => {
  const build = (props: object, stage = PlatformStage.HML) => {
    const stack = newStack();
    const network = new PlatformNetwork(stack, 'Network');
    return () => new AppCluster(stack, 'App', { vpc: network.vpc, stage, ...props });
  };

  test('every invalid prop is reported at once, with the path, the value and the fix', () => {
    expect(build({ namespace: 'kube-system', api: { port: 80, minReplicas: 0 } })).toThrow(
      /AppCluster at 'Test\/App' has invalid props:\n {2}- namespace = 'kube-system': use a lowercase DNS label.*\n {2}- api\.port = 80: use an unprivileged port.*\n {2}- api\.minReplicas = 0: use at least 1/s,
    );
  });

  test.each([
    ['a world-open endpoint in prod', { endpointPublicAccessCidrs: ['0.0.0.0/0'] }, PlatformStage.PROD,
      /endpointPublicAccessCidrs = '0\.0\.0\.0\/0': a production cluster's API endpoint must not be open to the internet/],
    ['a malformed CIDR', { endpointPublicAccessCidrs: ['10.0.0.1'] }, PlatformStage.HML, /endpointPublicAccessCidrs = '10\.0\.0\.1': use IPv4 CIDR blocks/],
    ['an uppercase namespace', { namespace: 'Apps' }, PlatformStage.HML, /namespace = 'Apps'/],
    ['a bad database user', { databaseUser: 'Biotech-API' }, PlatformStage.HML, /databaseUser = 'Biotech-API': use a lowercase PostgreSQL identifier/],
    ['a bad certificate ARN', { certificateArn: 'my-cert' }, PlatformStage.HML, /certificateArn = 'my-cert': give the ARN of an ACM certificate/],
    ['max below min', { web: { minReplicas: 4, maxReplicas: 2 } }, PlatformStage.HML, /web\.maxReplicas = 2: use a maximum at least equal to minReplicas \(4\)/],
    ['a CPU target over 100', { api: { targetCpuUtilization: 150 } }, PlatformStage.HML, /api\.targetCpuUtilization = 150/],
    ['root', { api: { runAsUser: 0 } }, PlatformStage.HML, /api\.runAsUser = 0: use a non-zero numeric user id/],
    ['a relative health path', { web: { healthPath: 'healthz' } }, PlatformStage.HML, /web\.healthPath = 'healthz': use an absolute URL path/],
    ['a bad quantity', { api: { memoryLimit: '1GB' } }, PlatformStage.HML, /api\.memoryLimit = '1GB': use a Kubernetes quantity/],
    ['a bad variable name', { api: { environment: { 'LOG-LEVEL': 'x' } } }, PlatformStage.HML, /api\.environment = 'LOG-LEVEL'/],
    ['a regional rate limit without the regional web ACL', { regionalWafRateLimit: 500 }, PlatformStage.HML,
      /regionalWafRateLimit = 500: a rate limit needs the regional web ACL/],
    ['a regional rate limit below 10', { regionalWaf: true, regionalWafRateLimit: 5 }, PlatformStage.HML, /regionalWafRateLimit = 5: use a whole number/],
    ['a service CIDR overlapping the VPC', { serviceIpv4Cidr: '10.0.0.0/16' }, PlatformStage.HML,
      /serviceIpv4Cidr = '10\.0\.0\.0\/16': it overlaps the VPC \(10\.0\.0\.0\/16\)/],
    ['a public service CIDR', { serviceIpv4Cidr: '8.8.0.0/16' }, PlatformStage.HML, /serviceIpv4Cidr = '8\.8\.0\.0\/16': use a literal private block/],
    ['a service CIDR too small', { serviceIpv4Cidr: '192.168.0.0/28' }, PlatformStage.HML, /serviceIpv4Cidr = '192\.168\.0\.0\/28'/],
  ])('rejects %s', (_name, props, stage, message) => {
    expect(build(props, stage)).toThrow(message);
  });

  test('another service CIDR moves the allowed DNS address with it', () => {
    const stack = newStack();
    const network = new PlatformNetwork(stack, 'Network');
    const app = new AppCluster(stack, 'App', { vpc: network.vpc, serviceIpv4Cidr: '192.168.64.0/18' });
    expect(app.clusterDnsIp).toBe('192.168.64.10');
    const dns = findObject(kubernetesObjects(stack), 'NetworkPolicy', 'allow-dns');
    expect(dns.spec.egress[0].to[0]).toEqual({ ipBlock: { cidr: '192.168.64.10/32' } });
  });

  test('a world-open endpoint in hml is allowed with a warning', () => {
    const stack = newStack();
    const network = new PlatformNetwork(stack, 'Network');
    new AppCluster(stack, 'App', { vpc: network.vpc, endpointPublicAccessCidrs: ['0.0.0.0/0'] });
    expect(Annotations.fromStack(stack).findWarning('/Test/App', Match.stringLikeRegexp('reachable from the whole internet'))).toHaveLength(1);
  });
});

