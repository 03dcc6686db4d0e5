import { createHash } from 'crypto';
import { aws_eks_v2 as eks, aws_iam as iam, Duration, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AuroraDatabase } from './aurora-database';
import { WorkloadServiceAccount } from '../cluster/workload-service-account';
import { Acknowledge } from '../compliance/acknowledge';

/** Props of `DatabaseBootstrap`. */
export interface DatabaseBootstrapProps {
  /** The cluster the job runs on. */
  readonly cluster: eks.ICluster;
  /** The namespace of the app (labelled for Pod Security Admission `restricted`). */
  readonly namespace: string;
  /**
   * The manifest that creates `namespace` (`AppCluster.namespaceManifest`). The job is applied
   * only after it: the aws-eks-v2 kubectl handler retries only on `i/o timeout`, so a job applied
   * before its namespace exists fails the deployment.
   * @default - none: the namespace must already exist when this stack deploys
   */
  readonly namespaceManifest?: eks.KubernetesManifest;
  /** The database to prepare. */
  readonly database: AuroraDatabase;
  /** The API's image, which holds the migrations and the bootstrap command. */
  readonly image: string;
  /** The PostgreSQL user the API connects as with IAM authentication. */
  readonly apiUser: string;
  /**
   * How long the job may take, the ~15 s resume of a paused database included.
   * @default Duration.minutes(10)
   */
  readonly timeout?: Duration;
}

/**
 * Prepares the database at deploy time, which CloudFormation alone does not do: a Kubernetes Job
 * runs the API image's `python -m biotech_api.bootstrap`, which (as the master user, from the
 * secret) creates the API's login role with `GRANT rds_iam` and runs the schema migrations. It is
 * idempotent; the deploy waits for the job to succeed (`.status.succeeded`) and fails when it
 * does not; the API's Deployment is applied only after it.
 *
 * The job's name carries a hash of its spec: Jobs are immutable, so a new image makes a new Job.
 */
export class DatabaseBootstrap extends Construct {
  /** The job's service account (Pod Identity) that may read the master secret. */
  public readonly serviceAccount: WorkloadServiceAccount;
  /** The manifest holding the Job, its service account and network policy. */
  public readonly manifest: eks.KubernetesManifest;
  /** Resolves once the job has succeeded: make dependants depend on it. */
  public readonly completion: eks.KubernetesObjectValue;
  /** The Job's name. */
  public readonly jobName: string;

  constructor(scope: Construct, id: string, props: DatabaseBootstrapProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const db = props.database;
    this.serviceAccount = new WorkloadServiceAccount(this, 'ServiceAccount', {
      cluster: props.cluster,
      namespace: props.namespace,
      serviceAccountName: 'db-bootstrap',
    });
    db.secret.grantRead(this.serviceAccount);
    this.serviceAccount.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [db.secretEncryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } },
    }));

    Acknowledge.rules(this.serviceAccount.role, 'The bootstrap job\'s role has one generated inline policy: read this database\'s master secret and decrypt it through Secrets Manager.', [
      'HIPAA.Security-IAMNoInlinePolicy',
      'NIST.800.53.R5-IAMNoInlinePolicy',
    ]);

    const env: { [key: string]: string } = {
      AWS_REGION: stack.region,
      DB_HOST: db.endpoint.hostname,
      DB_PORT: String(db.port),
      DB_NAME: db.databaseName,
      DB_SECRET_ARN: db.secret.secretArn,
      DB_SSLMODE: 'require',
      DB_IAM_USER: props.apiUser,
      DB_CONNECT_MAX_WAIT_SECONDS: '120', // a paused hml database takes ~15 s to resume
    };
    const labels = { 'app.kubernetes.io/name': 'db-bootstrap', 'app.kubernetes.io/managed-by': 'cdk-proteomics-platform' };
    const specHash = createHash('sha256').update(JSON.stringify(stack.resolve({ image: props.image, env }))).digest('hex').slice(0, 10);
    this.jobName = `db-bootstrap-${specHash}`;
    const timeout = props.timeout ?? Duration.minutes(10);

    const objects = [
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'db-bootstrap', namespace: props.namespace, labels },
        automountServiceAccountToken: false,
      },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'db-bootstrap', namespace: props.namespace, labels },
        spec: {
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'db-bootstrap' } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [],
          egress: [
            // The database, Secrets Manager/STS (HTTPS) and the Pod Identity agent.
            { ports: [{ protocol: 'TCP', port: db.port }] },
            { ports: [{ protocol: 'TCP', port: 443 }] },
            { to: [{ ipBlock: { cidr: '169.254.170.23/32' } }], ports: [{ protocol: 'TCP', port: 80 }] },
          ],
        },
      },
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: this.jobName, namespace: props.namespace, labels },
        spec: {
          backoffLimit: 3,
          activeDeadlineSeconds: timeout.toSeconds(),
          template: {
            metadata: { labels },
            spec: {
              serviceAccountName: 'db-bootstrap',
              restartPolicy: 'Never',
              securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
              containers: [{
                name: 'bootstrap',
                image: props.image,
                command: ['python', '-m', 'biotech_api.bootstrap'],
                env: Object.keys(env).sort().map((name) => ({ name, value: env[name] })),
                resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'] },
                },
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              }],
              volumes: [{ name: 'tmp', emptyDir: {} }],
            },
          },
        },
      },
    ];
    this.manifest = new eks.KubernetesManifest(this, 'Job', { cluster: props.cluster, manifest: objects, overwrite: true });
    // Credentials must be associated before the pod starts, and the namespace must exist.
    this.manifest.node.addDependency(this.serviceAccount);
    if (props.namespaceManifest) this.manifest.node.addDependency(props.namespaceManifest);
    this.completion = new eks.KubernetesObjectValue(this, 'Succeeded', {
      cluster: props.cluster,
      objectType: 'job',
      objectName: this.jobName,
      objectNamespace: props.namespace,
      jsonPath: '.status.succeeded',
      timeout: timeout.plus(Duration.minutes(2)),
    });
    this.completion.node.addDependency(this.manifest);
  }
}
