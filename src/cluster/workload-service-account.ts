import { aws_eks_v2 as eks, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** Props of `WorkloadServiceAccount`. */
export interface WorkloadServiceAccountProps {
  /** The cluster. */
  readonly cluster: eks.ICluster;
  /** The Kubernetes namespace of the service account. */
  readonly namespace: string;
  /** The Kubernetes service account name. */
  readonly serviceAccountName: string;
}

/**
 * An IAM role bound to a Kubernetes service account with an EKS Pod Identity association.
 *
 * The role trusts only `pods.eks.amazonaws.com` (`sts:AssumeRole` and `sts:TagSession`, as Pod
 * Identity requires); the association is what ties it to this one namespace and service
 * account. It starts with no permissions: grant them with the other constructs' `grant*`
 * helpers (it is an `iam.IGrantable`). The Kubernetes `ServiceAccount` object itself is part of
 * the workload's manifest. EKS Auto Mode runs the Pod Identity agent itself, so no agent add-on
 * is installed.
 */
export class WorkloadServiceAccount extends Construct implements iam.IGrantable {
  /** The role the pods' AWS SDKs receive credentials for. */
  public readonly role: iam.Role;
  /** The Pod Identity association. */
  public readonly association: eks.CfnPodIdentityAssociation;
  /** The Kubernetes service account name. */
  public readonly serviceAccountName: string;
  /** The Kubernetes namespace. */
  public readonly serviceAccountNamespace: string;
  /** The principal to grant permissions to (the role). */
  public readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: WorkloadServiceAccountProps) {
    super(scope, id);
    this.serviceAccountName = props.serviceAccountName;
    this.serviceAccountNamespace = props.namespace;
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com'),
      description: `Pod Identity role of ${props.namespace}/${props.serviceAccountName}`,
    });
    this.role.assumeRolePolicy?.addStatements(
      new iam.PolicyStatement({
        actions: ['sts:TagSession'],
        principals: [new iam.ServicePrincipal('pods.eks.amazonaws.com')],
      }),
    );
    this.grantPrincipal = this.role;
    this.association = new eks.CfnPodIdentityAssociation(this, 'Association', {
      clusterName: props.cluster.clusterName,
      namespace: props.namespace,
      serviceAccount: props.serviceAccountName,
      roleArn: this.role.roleArn,
    });
  }
}
