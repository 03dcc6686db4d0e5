/** The contracts' JSON Schemas (contracts/schemas), for the stubs and the tests that check documents against them. */
import * as fs from 'fs';
import * as path from 'path';

const SCHEMAS = path.join(__dirname, '..', '..', '..', 'contracts', 'schemas');
export function loadSchema(name: string, version: 1 | 2 = 2): any {
  return JSON.parse(fs.readFileSync(path.join(SCHEMAS, `${name}.v${version}.schema.json`), 'utf8'));
}

/**
 * A JSON Schema 2020-12 validator. The project's top-level `ajv` is v6 (draft-07 only); ajv 8
 * (with the 2020-12 dialect) is installed as a dependency of asl-validator.
 */
export function schemaValidator(name: string, version: 1 | 2 = 2): { validate: (doc: any) => boolean; errors: () => string } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Ajv2020 = require('ajv/dist/2020').default;
  // RFC 3339 date-times, as the contracts' `format: date-time` means them (ajv-formats is not installed).
  const ajv = new Ajv2020({ allErrors: true, strict: true, formats: { 'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/ } });
  const fn = ajv.compile(loadSchema(name, version));
  return { validate: (doc: any) => fn(doc) as boolean, errors: () => ajv.errorsText(fn.errors) };
}
