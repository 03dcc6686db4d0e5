// Types of the generated validator (scripts/generate-parameters-validator.mjs).
import type { ErrorObject } from 'ajv';

export interface ParametersValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

export declare const validate: ParametersValidator;
export default validate;
