import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain JavaScript build script, no type declarations
import { generateValidatorSource, MODULE_PATH, SCHEMA_PATH } from '../../scripts/generate-parameters-validator.mjs';

// The web validates analysis parameters against its own copy of the manifest schema (the image's
// build context is services/web, so contracts/ is out of reach at build time). These fail when
// the copy, or the validator generated from it, no longer matches contracts/.
const REPO_ROOT = path.resolve(__dirname, '../../../../../..');
const CONTRACT = path.join(REPO_ROOT, 'contracts/schemas/analysis-manifest.v2.schema.json');

describe('the contract copy', () => {
  it('is a byte-for-byte copy of contracts/schemas/analysis-manifest.v2.schema.json', () => {
    const copy = readFileSync(SCHEMA_PATH as string);
    const contract = readFileSync(CONTRACT);
    expect(copy.equals(contract), `copy differs: cp ${CONTRACT} ${SCHEMA_PATH as string}`).toBe(true);
  });

  it('has its validator generated from it (run node scripts/generate-parameters-validator.mjs)', () => {
    const expected = (generateValidatorSource as (t: string) => string)(readFileSync(SCHEMA_PATH as string, 'utf8'));
    expect(readFileSync(MODULE_PATH as string, 'utf8') === expected, `${MODULE_PATH as string} is stale`).toBe(true);
  });
});
