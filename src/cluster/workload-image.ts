import { aws_ecr as ecr, aws_ecr_assets as ecrAssets } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * The public image of the placeholder workload: nginx built to run as a non-root user (uid 101)
 * on port 8080, pinned to a release line. It serves a static "placeholder" page from a ConfigMap.
 */
export const PLACEHOLDER_IMAGE = 'public.ecr.aws/nginx/nginx-unprivileged:1.29-alpine';

/** What a `WorkloadImage` resolves to in a given scope. */
export interface WorkloadImageConfig {
  /** The image reference (`registry/repository:tag` or `@digest`), possibly a token. */
  readonly imageUri: string;
}

/**
 * The container image of a workload.
 *
 * @example
 * WorkloadImage.fromAsset('services/api');
 * WorkloadImage.fromRegistry('public.ecr.aws/my-org/web:1.4.2');
 */
export abstract class WorkloadImage {
  /**
   * An image built from a directory with a Dockerfile and published as a CDK asset (to the
   * bootstrap ECR repository) at deploy time. `cdk synth` only stages the directory.
   * Auto Mode nodes pull it with their `AmazonEC2ContainerRegistryPullOnly` policy.
   * @param directory the build context (holds the Dockerfile)
   * @param options build options (build args, target, file, platform)
   */
  public static fromAsset(directory: string, options: ecrAssets.DockerImageAssetOptions = {}): WorkloadImage {
    return new AssetImage(directory, options);
  }

  /**
   * An image in any registry the nodes can reach, by its full reference. Pin a tag you never
   * overwrite, or better a digest (`...@sha256:...`).
   */
  public static fromRegistry(imageUri: string): WorkloadImage {
    return new RegistryImage(imageUri);
  }

  /**
   * An image in an ECR repository of this account (nodes pull it with their ECR pull policy).
   * @param repository the repository
   * @param tag the tag (or `sha256:...` digest)
   * @default tag 'latest'
   */
  public static fromEcrRepository(repository: ecr.IRepository, tag: string = 'latest'): WorkloadImage {
    return new EcrImage(repository, tag);
  }

  /** Resolves the image in `scope` (creating the asset for `fromAsset`). */
  public abstract bind(scope: Construct): WorkloadImageConfig;
}

class AssetImage extends WorkloadImage {
  private asset?: ecrAssets.DockerImageAsset;
  constructor(private readonly directory: string, private readonly options: ecrAssets.DockerImageAssetOptions) {
    super();
  }
  public bind(scope: Construct): WorkloadImageConfig {
    this.asset ??= new ecrAssets.DockerImageAsset(scope, 'Image', { directory: this.directory, ...this.options });
    return { imageUri: this.asset.imageUri };
  }
}

class RegistryImage extends WorkloadImage {
  constructor(private readonly imageUri: string) {
    super();
  }
  public bind(_scope: Construct): WorkloadImageConfig {
    return { imageUri: this.imageUri };
  }
}

class EcrImage extends WorkloadImage {
  constructor(private readonly repository: ecr.IRepository, private readonly tag: string) {
    super();
  }
  public bind(_scope: Construct): WorkloadImageConfig {
    return { imageUri: this.repository.repositoryUriForTagOrDigest(this.tag) };
  }
}
