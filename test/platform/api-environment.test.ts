import * as fs from 'fs';
import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import { PlatformStage, ProteomicsPlatform, WorkloadImage } from '../../src';
import { kubernetesObjects } from '../cluster/k8s';
import { newStack } from '../helpers';

const API_DIR = path.join(__dirname, '..', '..', 'examples', 'biotech-app', 'services', 'api');
const API_CONFIG = path.join(API_DIR, 'biotech_api', 'config.py');
const API_DOCKERFILE = path.join(API_DIR, 'Dockerfile');
const image = (name: string) => WorkloadImage.fromRegistry(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/${name}:1.0.0`);

function apiEnvOf(platform: ProteomicsPlatform): Record<string, string> {
  const ns = platform.cluster.namespace;
  const api = kubernetesObjects(Stack.of(platform))
    .map((o) => o.object)
    .find((o) => o.kind === 'Deployment' && o.metadata.name === 'api' && o.metadata.namespace === ns);
  return Object.fromEntries(api.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
}

describe('the API container environment', () => {
  const stack = newStack({ env: true });
  const platform = new ProteomicsPlatform(stack, 'Platform', {
    stage: PlatformStage.PROD,
    apiImage: image('biotech-api'),
    webImage: image('biotech-web'),
    edge: { webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/biotech/abc' },
    storage: { uploadsRetention: Duration.days(400) },
    apiEnvironment: { MAX_STORAGE_BYTES_PER_USER: String(2 * 1024 ** 4), MAX_SAMPLES_PER_USER: '500' },
  });
  const env = apiEnvOf(platform);

  test('the storage quota counts uploads only as long as the uploads bucket keeps them', () => {
    expect(env.UPLOADS_RETENTION_DAYS).toBe('400');
    expect(env.INCOMPLETE_UPLOAD_DAYS).toBe(String(platform.buckets.abortIncompleteUploadsAfter.toDays()));
    expect(env.INCOMPLETE_UPLOAD_DAYS).toBe('3');
  });

  test('apiEnvironment reaches the API container', () => {
    expect(env.MAX_STORAGE_BYTES_PER_USER).toBe(String(2 * 1024 ** 4));
    expect(env.MAX_SAMPLES_PER_USER).toBe('500');
  });

  test('every variable the platform gives the API is one the API reads (its config.py, or uvicorn)', () => {
    const read = new Set([...fs.readFileSync(API_CONFIG, 'utf8').matchAll(/"([A-Z][A-Z0-9_]+)"/g)].map((m) => m[1]));
    // uvicorn itself reads FORWARDED_ALLOW_IPS when --proxy-headers is on and no --forwarded-allow-ips flag overrides it.
    const cmd = fs.readFileSync(API_DOCKERFILE, 'utf8').match(/^CMD \[([\s\S]*?)\]/m)![1];
    expect(cmd).toContain('"--proxy-headers"');
    expect(cmd).not.toContain('--forwarded-allow-ips');
    read.add('FORWARDED_ALLOW_IPS');
    // STAGE_NAME is for people reading the pod's environment; the API does not need it.
    const unread = Object.keys(env).filter((name) => !read.has(name) && name !== 'STAGE_NAME');
    expect(unread).toEqual([]);
  });
});

describe('apiEnvironment cannot override what the platform sets', () => {
  test.each(['UPLOADS_BUCKET', 'DB_HOST', 'OIDC_ISSUER', 'UPLOADS_RETENTION_DAYS'])('%s is refused with a clear error', (name) => {
    const stack = newStack();
    expect(() => new ProteomicsPlatform(stack, 'Platform', { apiEnvironment: { [name]: 'x' } }))
      .toThrow(new RegExp(`apiEnvironment\\.${name}.*the platform sets this variable itself`, 's'));
  });
});

describe('the per-user monthly budget given through apiEnvironment', () => {
  test.each(['0', '-5', 'fifty', 'Infinity'])('%s is refused at synth with what to give instead', (value) => {
    const stack = newStack();
    expect(() => new ProteomicsPlatform(stack, 'Platform', { apiEnvironment: { MONTHLY_BUDGET_USD_PER_USER: value } }))
      .toThrow(/apiEnvironment\.MONTHLY_BUDGET_USD_PER_USER.*a number of US dollars > 0/s);
  });

  test('a number of dollars reaches the API container as given', () => {
    const stack = newStack();
    const platform = new ProteomicsPlatform(stack, 'Platform', {
      apiImage: image('biotech-api'),
      webImage: image('biotech-web'),
      apiEnvironment: { MONTHLY_BUDGET_USD_PER_USER: '50' },
    });
    expect(apiEnvOf(platform).MONTHLY_BUDGET_USD_PER_USER).toBe('50');
  });
});
