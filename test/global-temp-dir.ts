import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// An App without an outdir synthesizes into a new `cdk.out*` folder under the temp dir, with a
// copy of every asset (the kubectl layer alone is about 50 MB), and nothing removes it: a full run
// would leave gigabytes behind. The run gets one temp dir, set here in the parent process so that
// every worker inherits it (a test file's `process.env` is a sandboxed copy), removed at the end.
const KEY = 'CDK_PROTEOMICS_JEST_TMPDIR';

export function setup(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-proteomics-jest-'));
  process.env[KEY] = dir;
  process.env.TMPDIR = dir;
}

export function teardown(): void {
  const dir = process.env[KEY];
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
