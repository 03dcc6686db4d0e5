import { awscdk, github, javascript, ReleasableCommits, TextFile } from 'projen';
import { UpgradeDependenciesSchedule } from 'projen/lib/javascript';
import { addTestPhases } from './projenrc/test-phases';

// Versions are fixed here and nowhere else.
// aws-cdk-lib: the newest release that npm, PyPI and Maven Central all serve (2.272.0 is missing
// from npm and 2.273.0+ from Maven Central as of 2026-11-22), so every language can install us.
const CDK_VERSION = '2.271.0';
const CONSTRUCTS_VERSION = '10.8.1';
const CDK_NAG_VERSION = '3.0.2';
// TypeScript 7 is the native compiler, which ts-jest 29 and typescript-eslint 8 do not support.
const TYPESCRIPT_VERSION = '~6.0.3';
// aws-cdk@3.0.0 was published by mistake and cannot read current cloud assemblies.
const CDK_CLI_VERSION = '^2';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-proteomics-platform',
  description:
    'A secure, cost-aware AWS platform for mass-spectrometry proteomics in one construct: browser uploads, ' +
    'Step Functions + AWS Batch analyses, Aurora PostgreSQL, EKS, 365-day uploads and 5-year results.',
  keywords: ['aws-cdk', 'cdk', 'proteomics', 'mass-spectrometry', 'bioinformatics', 'aws-batch', 'step-functions', 'eks'],
  author: 'biotech-x',
  authorAddress: 'platform@biotech-x.example',
  license: 'Apache-2.0',
  repositoryUrl: 'https://github.com/biotech-x/cdk-proteomics-platform.git',
  homepage: 'https://biotech-x.github.io/cdk-proteomics-platform/',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  minNodeVersion: '22.0.0',
  workflowNodeVersion: '24.x',

  cdkVersion: CDK_VERSION,
  constructsVersion: CONSTRUCTS_VERSION,
  cdkCliVersion: CDK_CLI_VERSION,
  jsiiVersion: '~6.0.0',
  typescriptVersion: TYPESCRIPT_VERSION,
  // Peers are aws-cdk-lib and constructs only: a peer becomes a dependency every user installs, in
  // every language. cdk-nag is a devDependency for the compliance tests; the library's
  // acknowledgements are core `Validations` calls that cdk-nag 3 reads, and users register the packs
  // in their own app (docs/security.md). The Go module proxy CI builds against refuses cdk-nag-go, so a
  // cdk-nag peer would also make the Go module unbuildable.
  devDeps: [
    `cdk-nag@${CDK_NAG_VERSION}`,
    // The kubectl/helm layer's zip is shipped as our own asset (see scripts/copy-kubectl-layer.mjs):
    // its Java artifact is not on Maven Central, so as a peer it would make the library
    // uninstallable for Java users, and bundling it makes npm treat aws-cdk-lib as bundled too.
    '@aws-cdk/lambda-layer-kubectl-v35@2.2.2',
    // The pipeline's definition is checked by a validator and run by a local interpreter in tests.
    'asl-validator@^4',
    // JSON Schema 2020-12 validation of the contracts/ documents, and the JSONata the state machine uses.
    'ajv@^8',
    // Step Functions evaluates JSONata 2.0.6: the local executor must run the same version.
    'jsonata@2.0.6',
    'husky@^9',
    'lint-staged@^17',
    '@commitlint/cli@^21',
    '@commitlint/config-conventional@^21',
  ],

  // Every CDK language, with the names fixed up front.
  publishToPypi: { distName: 'cdk-proteomics-platform', module: 'cdk_proteomics_platform' },
  publishToMaven: {
    mavenGroupId: 'io.github.biotech-x',
    mavenArtifactId: 'cdk-proteomics-platform',
    javaPackage: 'io.github.biotechx.cdk.proteomics',
  },
  publishToNuget: { packageId: 'BiotechX.Cdk.ProteomicsPlatform', dotNetNamespace: 'BiotechX.Cdk.ProteomicsPlatform' },
  publishToGo: { moduleName: 'github.com/biotech-x/cdk-proteomics-platform-go', packageName: 'cdkproteomicsplatform' },

  // Releases only for features and fixes; dependencies upgraded on a schedule.
  releasableCommits: ReleasableCommits.featuresAndFixes(),
  depsUpgradeOptions: { workflowOptions: { schedule: UpgradeDependenciesSchedule.WEEKLY } },

  sampleCode: false,
  docgen: true,
  // The pull request template (projen writes .github/pull_request_template.md).
  pullRequestTemplateContents: [
    '## What and why',
    '',
    '<!-- What changes for a user of the constructs, the example or the services, and why. -->',
    '',
    'Fixes #<issue>',
    '',
    '## How it was tested',
    '',
    '<!-- The test that fails without this change, and its output before the fix. -->',
    '',
    '## Checklist',
    '',
    '- [ ] A test fails without the change and passes with it, at the level of the mistake (`test/` for constructs).',
    '- [ ] `npx projen build` passes; `bash scripts/test.sh` for changes outside `src/`.',
    '- [ ] Logical-id snapshots unchanged, or the commit body says why they change.',
    '- [ ] New props are readonly, documented with `@default`, and validated at synth with a clear message.',
    '- [ ] No new unacknowledged compliance finding; no policy widened (`*` actions or resources) to pass a check.',
    '- [ ] Contracts (`contracts/`) unchanged, or versioned with readers still accepting the old version.',
    '- [ ] Docs and README updated; conventional-commit title (`fix(scope): subject`).',
  ],
  tsconfigDevFile: 'tsconfig.dev.json',
  // Lint src and test against tsconfig.dev.json (the jsii tsconfig.json only covers src/).
  eslintOptions: { dirs: ['src'], devdirs: ['test', 'projenrc'], tsconfigPath: './tsconfig.dev.json', projectService: false },
  gitignore: [
    '/.tools/',
    // Logs, recorded AWS calls and scratch space of the local platform's runs.
    '/local/.run/',
    '/local/.venv-worker/',
    'cdk.out/',
    '.venv/',
    '__pycache__/',
    '*.pyc',
    '.pytest_cache/',
    '.mypy_cache/',
    '.ruff_cache/',
    'test-results/',
    '/.ci-artifacts/',
    // AWS calls recorded by the worker's and the API's tests for the IAM check (scripts/test.sh).
    '/.aws-calls/',
  ],
  jestOptions: {
    // Snapshots pin logical ids (public contract): a drift must fail, not rewrite the snapshot.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      // Only the library's own tests: the example, worker and services have their own runners.
      roots: ['<rootDir>/test'],
      setupFiles: ['<rootDir>/test/setup-env.ts'],
      // The run synthesizes into a temp folder of its own, removed when the run ends.
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
      testTimeout: 120_000,
    },
  },
});

// The kubectl v35 layer (kubectl + helm for the EKS kubectl provider) ships as assets/kubectl-v35/layer.zip.
project.preCompileTask.exec('node scripts/copy-kubectl-layer.mjs');
project.gitignore.exclude('/assets/');
// Test data stays byte for byte as published: no end-of-line conversion (mzXML uses CRLF, indexed mzML has byte offsets).
project.gitattributes.addAttributes('/testdata/**', 'binary');
// Generated files, collapsed in pull-request diffs (each folder's README names its generator).
project.gitattributes.addAttributes('/worker/proteomics_worker/schema_files/**', 'linguist-generated=true');
project.gitattributes.addAttributes('/docs/public/diagrams/**', 'linguist-generated=true');
project.addPackageIgnore('!/assets/');

// The npm package ships only what users need.
for (const path of [
  '/examples/',
  '/docs/',
  '/scripts/',
  '/.ci/',
  '/.husky/',
  '/.tools/',
  '/.ci-artifacts/',
  'cdk.out/',
  '.venv/',
  '__pycache__/',
  '/commitlint.config.js',
  '/rosetta/',
  '/allowed-breaking-changes.txt',
  // worker/ ships as the default analysis image's build context, without its tests and tools.
  '/worker/tests/',
  '/worker/bench/',
  '/worker/scripts/',
  '/worker/.venv/',
  '/contracts/scripts/',
  // Real mass-spectrometry files for the tests (about 7 MB); users of the package need none of them.
  '/testdata/',
  // The local platform (executor, wiring loader, launcher) runs from a clone, never from the package.
  '/local/',
]) {
  project.addPackageIgnore(path);
}

// examples/biotech-app consumes the library by its package name through an npm workspace:
// `file:../..` is a symlink to this folder (it exists on a fresh clone, unlike a tarball), and the
// workspace hoists aws-cdk-lib so the app and the library load one and the same copy.
project.package.addField('workspaces', ['examples/biotech-app']);

// tsconfig.dev.json (eslint, jest) covers the library's sources, tests and projenrc only: the
// example app and the services have their own tsconfig and toolchains.
project.tsconfigDev.file.addOverride('include', ['src/**/*.ts', 'test/**/*.ts', 'projenrc/**/*.ts', '.projenrc.ts']);

const example = new awscdk.AwsCdkTypeScriptApp({
  parent: project,
  outdir: 'examples/biotech-app',
  name: 'biotech-app',
  description: 'biotech-X: the reference deployment of cdk-proteomics-platform (hml and prod).',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  cdkVersion: CDK_VERSION,
  cdkVersionPinning: true,
  minNodeVersion: '22.0.0',
  constructsVersion: CONSTRUCTS_VERSION,
  cdkCliVersion: CDK_CLI_VERSION,
  typescriptVersion: TYPESCRIPT_VERSION,
  deps: ['cdk-proteomics-platform@file:../..', `cdk-nag@${CDK_NAG_VERSION}`],
  licensed: false,
  github: false,
  release: false,
  depsUpgrade: false,
  sampleCode: false,
  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: { roots: ['<rootDir>/test'], setupFiles: ['<rootDir>/test/setup-env.ts'], testTimeout: 300_000 },
  },
  gitignore: ['/services/*/node_modules/'],
  // The workspace hoists @types to the repository root.
  tsconfig: { compilerOptions: { typeRoots: ['./node_modules/@types', '../../node_modules/@types'] } },
});
example.addFields({ private: true });
// The IAM check (iam-check/) evaluates every recorded AWS call against the synthesized policies with
// a real policy evaluator. @cloud-copilot/iam-simulate is AGPL-3.0: a devDependency of the example's
// check only, never a dependency of the library. Pinned exactly: the check calls its core engine
// (the public runSimulation drops kms:EncryptionContext:* condition keys). The check also loads
// policies with @cloud-copilot/iam-policy (AGPL-3.0 too), pinned to the version iam-simulate resolves.
example.addDevDeps('@cloud-copilot/iam-simulate@0.1.173', '@cloud-copilot/iam-policy@0.1.109');
// The README's main job: synth every stack (validation on, compliance packs registered) and summarise.
example.addTask('summary', {
  description: 'Synthesize every stack into cdk.out and print a summary',
  exec: 'ts-node -P tsconfig.json --prefer-ts-exts src/summary.ts',
});

// The README's cost table, generated from the synthesized templates by the library's CostEstimator.
example.addTask('cost-table', {
  description: "Rewrite the README's cost table from the synthesized stacks' estimated monthly cost",
  exec: 'ts-node -P tsconfig.json --prefer-ts-exts src/cost-table.ts',
});
// Every @example and the README's TypeScript compile, strictly, against rosetta/*.ts-fixture: the
// build fails when one no longer compiles. The tablet it writes (.jsii.tabl.json, shipped in the npm
// package) holds their Python, Java, C# and Go translations, which jsii-pacmak puts in each
// language's docs.
const rosetta = project.addTask('rosetta', {
  description: 'Compile the README and every @example with jsii-rosetta (strict) and write the tablet',
  exec: 'jsii-rosetta extract --strict --directory . .jsii',
});
project.postCompileTask.spawn(rosetta);
project.gitignore.exclude('/.jsii.tabl.json');
project.addPackageIgnore('!/.jsii.tabl.json');
// The local executor and its wiring have their own tests (node's test runner, no compilation).
project.addTask('test:local', {
  description: 'Test the local platform: executor, local Batch and the wiring loader',
  exec: "node --test 'local/**/*.test.cjs' 'local/**/*.test.mjs'",
});
project.testTask.spawn(project.tasks.tryFind('test:local')!);
// Every other phase of the README's test command (scripts/test.sh) as a task of its own, run by the
// build workflow in Debian (projenrc/test-phases.ts).
addTestPhases(project);

// The root build and test also build and test the example, against the freshly compiled library.
project.postCompileTask.exec('npx projen build', { cwd: 'examples/biotech-app', name: 'example' });

// The npm registry CI installs from serves no other-platform binaries, so npm leaves their optional entries out
// of the lockfile and `npm ci` then fails: add them back after every install.
project.tasks.tryFind('install')?.exec('node scripts/fix-lockfile.mjs');

// The documentation site, published to GitHub Pages after every release (releases are made with
// GITHUB_TOKEN, whose events start no workflow: hence workflow_run) or by hand.
const docsWorkflow = project.github!.addWorkflow('docs');
docsWorkflow.on({ workflowRun: { workflows: ['release'], types: ['completed'] }, workflowDispatch: {} });
docsWorkflow.addJobs({
  build: {
    name: 'Build and test the documentation site',
    if: "github.event_name == 'workflow_dispatch' || github.event.workflow_run.conclusion == 'success'",
    runsOn: ['ubuntu-latest'],
    permissions: { contents: github.workflows.JobPermission.READ },
    steps: [
      { name: 'Checkout', uses: 'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1', with: { 'persist-credentials': false } },
      { name: 'Setup Node.js', uses: 'actions/setup-node@820762786026740c76f36085b0efc47a31fe5020', with: { 'node-version': '24.x' } },
      { name: 'Synthesize the example (the pictures are generated from it)', run: 'bash scripts/main.sh' },
      { name: 'Build the site and test every page in a browser', run: 'bash docs/scripts/test.sh' },
      { name: 'Upload the site', uses: 'actions/upload-pages-artifact@v5', with: { path: 'docs/.vitepress/dist' } },
    ],
  },
  deploy: {
    name: 'Publish to GitHub Pages',
    needs: ['build'],
    runsOn: ['ubuntu-latest'],
    permissions: { pages: github.workflows.JobPermission.WRITE, idToken: github.workflows.JobPermission.WRITE },
    environment: { name: 'github-pages', url: '${{ steps.deployment.outputs.page_url }}' },
    steps: [{ id: 'deployment', name: 'Deploy', uses: 'actions/deploy-pages@v4' }],
  },
});

// husky, written by projen so `npx projen` never removes the hooks. Off in CI (HUSKY=0).
// Silent: npm pack runs prepare, and jsii-pacmak reads npm pack's stdout for the tarball name.
project.package.setScript('prepare', 'husky >/dev/null 2>&1 || true');
new TextFile(project, '.husky/pre-commit', {
  lines: [
    '# Fast checks on staged files, then the fast unit-test subset. Each tool a check needs is',
    '# installed on first use (scripts/lib.sh), so the hooks work on a fresh clone.',
    '# Node 24 from .tools when `ensure_node` put it there (the machine\'s Node may be older).',
    'if [ -x .tools/node_modules/.bin/node ]; then export PATH="$PWD/.tools/node_modules/.bin:$PATH"; fi',
    'npx lint-staged',
    '# The tests synthesize AppCluster, whose kubectl layer asset pre-compile copies: a fresh clone has none.',
    'node scripts/copy-kubectl-layer.mjs >/dev/null',
    'npx jest --onlyChanged --passWithNoTests',
  ],
});
new TextFile(project, '.husky/commit-msg', {
  lines: ['# Conventional commits only.', 'npx --no -- commitlint --edit "$1"'],
});
new TextFile(project, 'commitlint.config.js', {
  lines: ["module.exports = { extends: ['@commitlint/config-conventional'] };"],
});
project.addFields({
  'lint-staged': {
    // projen writes .eslintrc.json, which ESLint 9 reads only with flat config off (as projen's eslint
    // task does); it covers the library's own folders (the example lints itself in its build).
    '{src,test,projenrc}/**/*.ts': 'env ESLINT_USE_FLAT_CONFIG=false eslint --max-warnings 0',
    '.projenrc.ts': 'env ESLINT_USE_FLAT_CONFIG=false eslint --max-warnings 0',
    '*.py': 'bash scripts/lint-python.sh',
    '**/Dockerfile': 'bash scripts/lint-docker.sh',
    '.github/workflows/*.yml': 'bash scripts/lint-workflows.sh',
  },
});

project.synth();
