import { awscdk, github } from 'projen';

/** One phase of the README's test command (scripts/test.sh), run as a projen task. */
interface TestPhase {
  /** The projen task; scripts/test.sh runs it under its phase name. */
  readonly task: string;
  readonly description: string;
  readonly exec: string;
}

// The phases after the library's build and tests, in scripts/test.sh's order: the worker's and the
// API's tests record the AWS calls (AWS_CALL_LOG_DIR) that test:iam then evaluates.
export const TEST_PHASES: readonly TestPhase[] = [
  {
    task: 'test:k8s',
    description: "Validate the cluster's Kubernetes objects (dumped by the library tests) against the 1.35 schemas",
    exec: 'env SKIP_DUMP=1 bash test/cluster/validate.sh',
  },
  {
    task: 'lint:static',
    description: "Static analysis: workflows, Dockerfiles, secrets, the example's synthesized templates",
    exec: 'bash scripts/lint.sh',
  },
  {
    task: 'test:docs',
    description: 'Build the documentation site and test every page in a browser',
    exec: 'bash docs/scripts/test.sh',
  },
  {
    task: 'test:worker',
    description: 'Lint and test the worker (records its AWS calls when AWS_CALL_LOG_DIR is set)',
    exec: 'bash worker/scripts/test.sh',
  },
  {
    task: 'test:api',
    description: 'Lint and test the API against PostgreSQL and moto (records its AWS calls when AWS_CALL_LOG_DIR is set)',
    exec: 'bash examples/biotech-app/services/api/scripts/test.sh',
  },
  {
    task: 'test:iam',
    description: "Evaluate the recorded AWS calls against the example's synthesized policies",
    exec: 'node --test examples/biotech-app/iam-check/iam-check.test.cjs',
  },
  {
    task: 'test:web',
    description: 'Lint, test and build the web app, then its end-to-end test in Chromium',
    exec: 'bash examples/biotech-app/services/web/scripts/test.sh',
  },
  {
    task: 'test:e2e',
    description: 'The local platform end to end in a browser (local/e2e.sh)',
    exec: 'bash local/e2e.sh',
  },
];

/**
 * Registers every phase as a projen task and runs them on GitHub in a job of the build workflow,
 * in Debian bookworm (the scripts use Debian's chromium, PostgreSQL and comet-ms, installed as root).
 */
export function addTestPhases(project: awscdk.AwsCdkConstructLibrary): void {
  for (const phase of TEST_PHASES) {
    project.addTask(phase.task, { description: phase.description, exec: phase.exec });
  }

  const build = project.github?.tryFindWorkflow('build');
  if (!build) {
    throw new Error('the build workflow is missing: the test phases run in it');
  }
  build.addJobs({
    'test-phases': {
      name: 'Test phases (scripts/test.sh) on Debian bookworm',
      runsOn: ['ubuntu-latest'],
      container: { image: 'debian:bookworm' },
      permissions: { contents: github.workflows.JobPermission.READ },
      timeoutMinutes: 90,
      env: { CI: 'true', HUSKY: '0' },
      steps: [
        {
          name: 'Install git (the checkout needs it for a repository, not a tarball)',
          run: 'apt-get update -qq && apt-get install -y -qq --no-install-recommends git ca-certificates',
        },
        { name: 'Checkout', uses: github.ActionRefs.ACTIONS_CHECKOUT, with: { 'persist-credentials': false } },
        // The container's user differs from the checkout's owner: git refuses the repository otherwise.
        { name: 'Trust the checkout', run: 'git config --global --add safe.directory "$GITHUB_WORKSPACE"' },
        { name: 'Setup Node.js', uses: github.ActionRefs.ACTIONS_SETUP_NODE, with: { 'node-version': '24.x', 'package-manager-cache': false } },
        // actionlint (lint:static) is built with go install and needs Go 1.25 (Debian 12 has 1.19).
        { name: 'Setup Go', uses: github.ActionRefs.ACTIONS_SETUP_GO, with: { 'go-version': '1.25', 'cache': false } },
        { name: 'Debian packages (chromium, graphviz, PostgreSQL, Python)', run: 'bash scripts/ensure-system.sh' },
        { name: 'Install dependencies', run: 'npm ci --no-audit --no-fund' },
        // The example's synth (cdk.out) feeds the docs' pictures, the IAM check and the template lint.
        { name: 'Build the library and the example', run: 'npx projen pre-compile && npx projen compile && npx projen post-compile' },
        { name: 'Library tests (they dump the manifests test:k8s validates)', run: 'npx projen test' },
        { name: 'Record AWS calls for the IAM check', run: 'echo "AWS_CALL_LOG_DIR=$PWD/.aws-calls" >> "$GITHUB_ENV"' },
        ...TEST_PHASES.map((phase) => ({ name: phase.task, run: `npx projen ${phase.task}` })),
      ],
    },
  });
}
