import { describe, expect, it } from 'vitest';
import {
  BUILTIN_MODIFICATIONS,
  LIMITS,
  checkForm,
  describeParameters,
  fieldErrorsFromApiMessage,
  formStateFrom,
  parametersFromForm,
  validateParameters,
} from '../../src/lib/parameters';

const USER = 'u-123';

describe('validateParameters (the contract copy, via the Ajv-generated validator)', () => {
  it('accepts the empty set and a typical one', () => {
    expect(validateParameters({})).toEqual({});
    expect(
      validateParameters({ enzyme: 'trypsin', missedCleavages: 1, fixedModifications: ['Carbamidomethyl:C'] }),
    ).toEqual({});
  });

  it('ties each problem to its field', () => {
    const errors = validateParameters({
      missedCleavages: 6,
      precursorTolerancePpm: 0,
      fdrThreshold: 0.5,
      variableModifications: ['Oxidation:M', 'Oxidation:M'],
      fragmentTolerance: { value: 6, unit: 'Da' },
    });
    expect(errors.missedCleavages).toBe('Missed cleavages must be at most 5.');
    expect(errors.precursorTolerancePpm).toBe('Precursor tolerance (ppm) must be greater than 0.');
    expect(errors.fdrThreshold).toBe('FDR threshold must be at most 0.1.');
    expect(errors.variableModifications).toMatch(/only once/);
    expect(errors.fragmentTolerance).toBe('Fragment tolerance must be at most 5.');
    expect(errors.form).toBeUndefined();
  });

  it('bounds the fragment tolerance by its unit: 5 Da, 100 ppm (20 ppm, the Orbitrap default, is accepted)', () => {
    expect(LIMITS.fragmentTolerance.maxByUnit).toEqual({ Da: 5, ppm: 100 });
    expect(validateParameters({ fragmentTolerance: { value: 20, unit: 'ppm' } })).toEqual({});
    expect(validateParameters({ fragmentTolerance: { value: 0.02, unit: 'Da' } })).toEqual({});
    expect(validateParameters({ fragmentTolerance: { value: 150, unit: 'ppm' } }).fragmentTolerance).toBe(
      'Fragment tolerance must be at most 100.',
    );
    expect(validateParameters({ fragmentTolerance: { value: 20, unit: 'Da' } }).fragmentTolerance).toBe(
      'Fragment tolerance must be at most 5.',
    );
  });

  it('refuses a fractional missed-cleavage count, too many variable modifications and unknown keys', () => {
    expect(validateParameters({ missedCleavages: 1.5 }).missedCleavages).toBe('Missed cleavages must be a whole number.');
    const six = BUILTIN_MODIFICATIONS.slice(0, 6);
    expect(validateParameters({ variableModifications: six }).variableModifications).toBe(
      'Variable modifications: choose at most 5.',
    );
    expect(validateParameters({ bogus: 1 }).form).toMatch(/unknown parameter “bogus”/);
  });

  it('refuses a background proteome key starting with a slash', () => {
    expect(validateParameters({ backgroundProteome: { key: '/etc/passwd' } }).backgroundProteome).toMatch(
      /^Background proteome/,
    );
  });
});

describe('the form state', () => {
  it('starts from the contract defaults', () => {
    const { parameters, errors } = checkForm(formStateFrom(null), USER);
    expect(errors).toEqual({});
    expect(parameters).toEqual({
      enzyme: 'trypsin',
      missedCleavages: 2,
      fixedModifications: ['Carbamidomethyl:C'],
      variableModifications: [],
      precursorTolerancePpm: 10,
      fragmentTolerance: null,
      fdrThreshold: 0.01,
      fdrEstimator: 'target-decoy',
      contaminants: true,
      backgroundProteome: null,
    });
  });

  it('round-trips a previous analysis, keeping what the form does not edit', () => {
    const previous = {
      enzyme: 'lysc',
      missedCleavages: 0,
      fixedModifications: [{ name: 'TMT', residues: 'K', monoisotopicDelta: 229.16 }],
      variableModifications: ['Oxidation:M'],
      precursorTolerancePpm: 5,
      fragmentTolerance: { value: 4.5, unit: 'ppm' },
      fdrThreshold: 0.05,
      fdrEstimator: 'target-decoy-plus-one',
      contaminants: false,
      backgroundProteome: { key: `uploads/${USER}/s1/f1/sequence.fasta` },
      filters: { msLevels: [2] },
      assumedCharges: [2, 3, 4],
    };
    const { parameters, errors } = checkForm(formStateFrom(previous), USER);
    expect(errors).toEqual({});
    expect(parameters).toEqual(previous);
  });

  it('names a number field holding text', () => {
    const state = { ...formStateFrom(null), missedCleavages: 'two', precursorTolerancePpm: ' ' };
    const { parameters, errors } = parametersFromForm(state, USER);
    expect(errors.missedCleavages).toMatch(/“two” is not a number/);
    expect(parameters).not.toHaveProperty('precursorTolerancePpm'); // blank: the default applies
  });

  it('requires a fragment tolerance value unless it comes from the analyser', () => {
    const state = { ...formStateFrom(null), fragmentToleranceAuto: false, fragmentToleranceValue: '' };
    expect(checkForm(state, USER).errors.fragmentTolerance).toMatch(/enter a value/);
  });

  it('refuses a background proteome outside the caller’s uploads', () => {
    const state = { ...formStateFrom(null), backgroundProteomeKey: 'uploads/someone-else/x.fasta' };
    expect(checkForm(state, USER).errors.backgroundProteome).toBe(
      `Background proteome: the key must be one of your own uploads, starting with uploads/${USER}/.`,
    );
  });
});

describe('fieldErrorsFromApiMessage (the API 422 names the JSON path)', () => {
  it('maps each path to its field', () => {
    const errors = fieldErrorsFromApiMessage(
      '$.parameters.missedCleavages: 6 is greater than the maximum of 5; ' +
        '$.parameters.backgroundProteome.key: must be one of your own uploads (a key under uploads/u1/)',
    );
    expect(errors).toEqual({
      missedCleavages: 'Missed cleavages: 6 is greater than the maximum of 5',
      backgroundProteome: 'Background proteome: must be one of your own uploads (a key under uploads/u1/)',
    });
  });

  it('keeps what names no field of the form for the form as a whole', () => {
    expect(fieldErrorsFromApiMessage('$.parameters.filters.msLevels[0]: 0 is less than the minimum of 1')).toEqual({
      form: 'Parameters.filters.msLevels[0]: 0 is less than the minimum of 1',
    });
    expect(fieldErrorsFromApiMessage('body: Field required')).toEqual({ form: 'body: Field required' });
  });
});

describe('describeParameters', () => {
  it('gives one readable line per parameter, in the form\'s order', () => {
    expect(
      describeParameters({
        enzyme: 'trypsin',
        fragmentTolerance: null,
        fixedModifications: ['Carbamidomethyl:C', { name: 'TMT', residues: 'K', monoisotopicDelta: 229.16 }],
        contaminants: false,
        filters: { msLevels: [1, 2], mzMax: null },
      }),
    ).toEqual([
      { label: 'Enzyme', value: 'trypsin' },
      { label: 'Fixed modifications', value: 'Carbamidomethyl:C, TMT (K, 229.16 Da)' },
      { label: 'Fragment tolerance', value: 'From the analyser' },
      { label: 'Contaminants', value: 'No' },
      { label: 'Spectrum filters', value: 'msLevels: 1, 2; mzMax: —' },
    ]);
  });
});
