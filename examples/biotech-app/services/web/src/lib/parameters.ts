/**
 * Analysis parameters (contracts v2 `$defs/parameters`): the form's state, the parameters it
 * sends, and their validation against the web's copy of the contract schema
 * (src/lib/contract/analysis-manifest.v2.schema.json, kept identical to contracts/ by
 * tests/unit/parameters-contract.test.ts) with the validator Ajv generated from it.
 */
import type { ErrorObject } from 'ajv';
import manifestSchema from './contract/analysis-manifest.v2.schema.json';
import validateContract from './contract/parameters-validator.mjs';

export type Parameters = Record<string, unknown>;

/** A custom modification (`$defs/modification`, object form). */
export interface CustomModification {
  name: string;
  residues: string;
  monoisotopicDelta: number;
}
export type Modification = string | CustomModification;

/** The parts of a JSON schema node read here. */
interface SchemaNode {
  enum?: string[];
  oneOf?: SchemaNode[];
  properties?: Record<string, SchemaNode>;
  minimum?: number;
  maximum?: number;
  allOf?: { if: { properties: Record<string, { const?: string }> }; then: { properties: Record<string, SchemaNode> } }[];
  maxItems?: number;
  default?: unknown;
}
const defs = (manifestSchema as unknown as { $defs: Record<string, SchemaNode> }).$defs;
const props = defs.parameters.properties!;
const fragmentSchema = props.fragmentTolerance.oneOf![1];
const fragmentObject = fragmentSchema.properties!;
/** The fragment tolerance's upper bound per unit (the contract's `allOf` of if-unit-then-maximum). */
const fragmentMax = Object.fromEntries(
  (fragmentSchema.allOf ?? []).map((rule) => [rule.if.properties.unit.const!, rule.then.properties.value.maximum!]),
) as Record<string, number>;

/** The built-in modification names the contract knows. */
export const BUILTIN_MODIFICATIONS: readonly string[] = defs.modification.oneOf![0].enum!;
export const FDR_ESTIMATORS: readonly string[] = props.fdrEstimator.enum!;
export const FRAGMENT_UNITS: readonly string[] = fragmentObject.unit.enum!;
/** Limits the form shows next to its fields, read from the schema. */
export const LIMITS = {
  missedCleavages: { min: props.missedCleavages.minimum, max: props.missedCleavages.maximum },
  precursorTolerancePpm: { max: props.precursorTolerancePpm.maximum },
  fragmentTolerance: { maxByUnit: fragmentMax },
  fdrThreshold: { max: props.fdrThreshold.maximum },
  fixedModifications: { maxItems: props.fixedModifications.maxItems },
  variableModifications: { maxItems: props.variableModifications.maxItems },
};
export const DEFAULTS = {
  enzyme: 'trypsin',
  missedCleavages: props.missedCleavages.default as number,
  fixedModifications: props.fixedModifications.default as string[],
  variableModifications: props.variableModifications.default as string[],
  precursorTolerancePpm: props.precursorTolerancePpm.default as number,
  fdrThreshold: props.fdrThreshold.default as number,
  fdrEstimator: props.fdrEstimator.default as string,
  contaminants: props.contaminants.default as boolean,
};

/**
 * Enzymes the worker can search with (its pyteomics name → Comet enzyme table,
 * worker/proteomics_worker/search.py). The contract takes any name; the worker refuses others.
 */
export const ENZYMES: readonly string[] = [
  'trypsin',
  'lysc',
  'lysn',
  'arg-c',
  'asp-n',
  'cnbr',
  'glutamyl endopeptidase',
  'pepsin ph1.3',
  'chymotrypsin high specificity',
];

/** The fields of the form; every validation error is tied to one of them (or to `form`). */
export type FieldName =
  | 'enzyme'
  | 'missedCleavages'
  | 'fixedModifications'
  | 'variableModifications'
  | 'precursorTolerancePpm'
  | 'fragmentTolerance'
  | 'fdrThreshold'
  | 'fdrEstimator'
  | 'contaminants'
  | 'backgroundProteome';
export type FieldErrors = Partial<Record<FieldName | 'form', string>>;

export const FIELD_LABELS: Record<FieldName, string> = {
  enzyme: 'Enzyme',
  missedCleavages: 'Missed cleavages',
  fixedModifications: 'Fixed modifications',
  variableModifications: 'Variable modifications',
  precursorTolerancePpm: 'Precursor tolerance (ppm)',
  fragmentTolerance: 'Fragment tolerance',
  fdrThreshold: 'FDR threshold',
  fdrEstimator: 'FDR estimator',
  contaminants: 'Contaminants',
  backgroundProteome: 'Background proteome',
};

const FIELDS = Object.keys(FIELD_LABELS) as FieldName[];

/** What the form edits, as typed (numbers stay text until submitted). */
export interface ParametersFormState {
  enzyme: string;
  missedCleavages: string;
  fixedModifications: string[];
  variableModifications: string[];
  precursorTolerancePpm: string;
  fragmentToleranceAuto: boolean;
  fragmentToleranceValue: string;
  fragmentToleranceUnit: string;
  fdrThreshold: string;
  fdrEstimator: string;
  contaminants: boolean;
  backgroundProteomeKey: string;
  /** Custom (object) modifications of the parameters the form started from: kept as they were. */
  customFixed: CustomModification[];
  customVariable: CustomModification[];
  /** Parameters the form does not edit (filters, charges, …): sent back unchanged. */
  untouched: Parameters;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown, fallback: number | string): string {
  return typeof value === 'number' || typeof value === 'string' ? String(value) : String(fallback);
}

/**
 * The form's state for `parameters` (a rerun's previous parameters), defaults where a field is
 * missing; `null`/`undefined` gives the contract's defaults.
 */
export function formStateFrom(parameters?: Parameters | null): ParametersFormState {
  const p = parameters ?? {};
  const mods = (key: 'fixedModifications' | 'variableModifications') => {
    const list = Array.isArray(p[key]) ? (p[key] as Modification[]) : DEFAULTS[key];
    return {
      named: list.filter((m): m is string => typeof m === 'string'),
      custom: list.filter((m): m is CustomModification => isRecord(m)),
    };
  };
  const fixed = mods('fixedModifications');
  const variable = mods('variableModifications');
  const fragment = isRecord(p.fragmentTolerance) ? p.fragmentTolerance : null;
  const background = isRecord(p.backgroundProteome) ? p.backgroundProteome : null;
  const untouched: Parameters = {};
  for (const [key, value] of Object.entries(p)) if (!(FIELDS as string[]).includes(key)) untouched[key] = value;
  return {
    enzyme: typeof p.enzyme === 'string' ? p.enzyme : DEFAULTS.enzyme,
    missedCleavages: text(p.missedCleavages, DEFAULTS.missedCleavages),
    fixedModifications: fixed.named,
    variableModifications: variable.named,
    precursorTolerancePpm: text(p.precursorTolerancePpm, DEFAULTS.precursorTolerancePpm),
    fragmentToleranceAuto: fragment === null,
    fragmentToleranceValue: fragment ? text(fragment.value, '') : '0.02',
    fragmentToleranceUnit: fragment && typeof fragment.unit === 'string' ? fragment.unit : 'Da',
    fdrThreshold: text(p.fdrThreshold, DEFAULTS.fdrThreshold),
    fdrEstimator: typeof p.fdrEstimator === 'string' ? p.fdrEstimator : DEFAULTS.fdrEstimator,
    contaminants: typeof p.contaminants === 'boolean' ? p.contaminants : DEFAULTS.contaminants,
    backgroundProteomeKey: background && typeof background.key === 'string' ? background.key : '',
    customFixed: fixed.custom,
    customVariable: variable.custom,
    untouched,
  };
}

/** A number as typed: `undefined` when blank, NaN when not a number. */
function parseNumber(raw: string): number | undefined {
  const t = raw.trim();
  if (!t) return undefined;
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t) ? Number(t) : Number.NaN;
}

/**
 * The parameters to send for the form's state, and the problems found on the way: a number
 * field holding something else, or a background proteome outside the caller's uploads. A blank
 * number field is left out, so the worker's default applies.
 */
export function parametersFromForm(
  state: ParametersFormState,
  userId?: string | null,
): { parameters: Parameters; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const parameters: Parameters = { ...state.untouched };
  const num = (field: FieldName, raw: string) => {
    const value = parseNumber(raw);
    if (value === undefined) return undefined;
    if (Number.isNaN(value)) {
      errors[field] = `${FIELD_LABELS[field]}: “${raw.trim()}” is not a number; enter digits such as 10 or 0.5.`;
      return undefined;
    }
    return value;
  };
  if (state.enzyme.trim()) parameters.enzyme = state.enzyme.trim();
  const mc = num('missedCleavages', state.missedCleavages);
  if (mc !== undefined) parameters.missedCleavages = mc;
  parameters.fixedModifications = [...state.fixedModifications, ...state.customFixed];
  parameters.variableModifications = [...state.variableModifications, ...state.customVariable];
  const ppm = num('precursorTolerancePpm', state.precursorTolerancePpm);
  if (ppm !== undefined) parameters.precursorTolerancePpm = ppm;
  if (state.fragmentToleranceAuto) {
    parameters.fragmentTolerance = null;
  } else {
    const value = num('fragmentTolerance', state.fragmentToleranceValue);
    if (value === undefined && !errors.fragmentTolerance) {
      errors.fragmentTolerance = 'Fragment tolerance: enter a value, or choose “From the analyser”.';
    }
    parameters.fragmentTolerance = { value: value ?? 0, unit: state.fragmentToleranceUnit };
  }
  const fdr = num('fdrThreshold', state.fdrThreshold);
  if (fdr !== undefined) parameters.fdrThreshold = fdr;
  parameters.fdrEstimator = state.fdrEstimator;
  parameters.contaminants = state.contaminants;
  const key = state.backgroundProteomeKey.trim();
  if (key) {
    parameters.backgroundProteome = { key };
    const problem = backgroundKeyProblem(key, userId);
    if (problem) errors.backgroundProteome = problem;
  } else {
    parameters.backgroundProteome = null;
  }
  return { parameters, errors };
}

/**
 * The API only accepts a background proteome among the caller's own uploads: a key under
 * `uploads/<your user id>/` (it answers 422 otherwise). Checked here first when the id is known.
 */
export function backgroundKeyProblem(key: string, userId?: string | null): string | null {
  if (!userId) return null;
  const prefix = backgroundKeyPrefix(userId);
  if (!key.startsWith(prefix) || `/${key}/`.includes('/../')) {
    return `Background proteome: the key must be one of your own uploads, starting with ${prefix}.`;
  }
  return null;
}

export function backgroundKeyPrefix(userId: string): string {
  return `uploads/${userId}/`;
}

function fieldOfPath(path: string[]): FieldName | 'form' {
  const head = path[0];
  return head && (FIELDS as string[]).includes(head) ? (head as FieldName) : 'form';
}

function describe(error: ErrorObject, field: FieldName | 'form'): string {
  const label = field === 'form' ? 'Parameters' : FIELD_LABELS[field];
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'maximum':
      return `${label} must be at most ${p.limit}.`;
    case 'minimum':
      return `${label} must be at least ${p.limit}.`;
    case 'exclusiveMinimum':
      return `${label} must be greater than ${p.limit}.`;
    case 'exclusiveMaximum':
      return `${label} must be less than ${p.limit}.`;
    case 'type':
      return p.type === 'integer' ? `${label} must be a whole number.` : `${label} must be of type ${p.type}.`;
    case 'maxItems':
      return `${label}: choose at most ${p.limit}.`;
    case 'minItems':
      return `${label}: choose at least ${p.limit}.`;
    case 'uniqueItems':
      return `${label}: each one may be chosen only once.`;
    case 'minLength':
      return `${label} must not be empty.`;
    case 'maxLength':
      return `${label} must be at most ${p.limit} characters long.`;
    case 'enum':
      return `${label} must be one of: ${(p.allowedValues as unknown[]).join(', ')}.`;
    case 'additionalProperties':
      return `${label}: unknown parameter “${p.additionalProperty}”; remove it.`;
    default:
      return `${label} ${error.message ?? 'is not valid'}.`;
  }
}

/**
 * Validates `parameters` against the contract (the same `$defs/parameters` the API applies) and
 * ties each problem to its field: one message per field, the most specific one.
 */
export function validateParameters(parameters: Parameters): FieldErrors {
  if (validateContract(parameters)) return {};
  const errors: FieldErrors = {};
  const candidates = [...(validateContract.errors ?? [])]
    // `oneOf` branches that were not meant (the "null" branch of a set value) only add noise.
    .filter((e) => e.keyword !== 'oneOf' && !(e.keyword === 'type' && (e.params as { type?: string }).type === 'null'))
    .sort((a, b) => b.instancePath.length - a.instancePath.length);
  for (const error of candidates) {
    const path = error.instancePath.split('/').filter(Boolean);
    const field = fieldOfPath(path);
    if (!errors[field]) errors[field] = describe(error, field);
  }
  if (Object.keys(errors).length === 0) errors.form = 'The parameters do not follow the contract.';
  return errors;
}

/**
 * Ties the problems in an API 422 message back to the form's fields. The API names each one by
 * its JSON path (`$.parameters.missedCleavages: 6 is greater than the maximum of 5`, several
 * separated by `; `); a problem outside the form's fields goes to `form`.
 */
export function fieldErrorsFromApiMessage(message: string): FieldErrors {
  const errors: FieldErrors = {};
  for (const part of message.split(/;\s+(?=\$\.|parameters\.)/)) {
    const match = /^(?:\$\.)?parameters((?:\.[A-Za-z0-9_]+|\[\d+\])*):\s*(.*)$/s.exec(part.trim());
    if (!match) {
      errors.form = errors.form ? `${errors.form} ${part.trim()}` : part.trim();
      continue;
    }
    const path = match[1].split(/[.[\]]/).filter(Boolean);
    const field = fieldOfPath(path);
    const label = field === 'form' ? `Parameters${match[1]}` : FIELD_LABELS[field];
    const text = `${label}: ${match[2]}`;
    errors[field] = errors[field] ? `${errors[field]} ${text}` : text;
  }
  return errors;
}

/** All problems with the form's state: the typed values first, then the contract. */
export function checkForm(
  state: ParametersFormState,
  userId?: string | null,
): { parameters: Parameters; errors: FieldErrors } {
  const { parameters, errors } = parametersFromForm(state, userId);
  const contract = validateParameters(parameters);
  return { parameters, errors: { ...contract, ...errors } };
}

/** The fields in the order the form shows them (for focusing the first invalid one). */
export const FIELD_ORDER: readonly FieldName[] = FIELDS;

/** One line per parameter, for the parameters summary of an analysis. */
export function describeParameters(parameters: Parameters): { label: string; value: string }[] {
  const rows: { label: string; value: string }[] = [];
  const mod = (m: unknown) =>
    isRecord(m) ? `${String(m.name)} (${String(m.residues)}, ${String(m.monoisotopicDelta)} Da)` : String(m);
  const labels: Record<string, string> = {
    ...FIELD_LABELS,
    minPeptideLength: 'Minimum peptide length',
    maxPeptideLength: 'Maximum peptide length',
    maxVariableModifications: 'Variable modifications per peptide',
    isotopeErrors: 'Isotope errors',
    assumedCharges: 'Assumed charges',
    filters: 'Spectrum filters',
    traceMaxPoints: 'Trace points',
    deconvolution: 'Deconvolution',
  };
  // The form's order first (the API's JSON comes back with its keys in storage order), then the rest.
  const rank = (key: string) => {
    const at = (FIELDS as string[]).indexOf(key);
    return at < 0 ? FIELDS.length : at;
  };
  const entries = Object.entries(parameters).sort(([a], [b]) => rank(a) - rank(b));
  for (const [key, value] of entries) {
    let shown: string;
    if (key === 'fragmentTolerance') {
      shown = isRecord(value) ? `${String(value.value)} ${String(value.unit)}` : 'From the analyser';
    } else if (key === 'backgroundProteome') {
      shown = isRecord(value) ? String(value.key) : 'None';
    } else if (key === 'contaminants' || key === 'deconvolution') {
      shown = value ? 'Yes' : 'No';
    } else if (Array.isArray(value)) {
      shown = value.length ? value.map(mod).join(', ') : 'None';
    } else if (isRecord(value)) {
      shown = Object.entries(value)
        .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v === null ? '—' : String(v)}`)
        .join('; ');
    } else {
      shown = value === null || value === undefined ? '—' : String(value);
    }
    rows.push({ label: labels[key] ?? key, value: shown });
  }
  return rows;
}
