'use client';

import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '@/lib/api';
import { useAuth } from '@/lib/auth';
import {
  BUILTIN_MODIFICATIONS,
  ENZYMES,
  FDR_ESTIMATORS,
  FIELD_LABELS,
  FIELD_ORDER,
  FRAGMENT_UNITS,
  LIMITS,
  backgroundKeyPrefix,
  checkForm,
  fieldErrorsFromApiMessage,
  formStateFrom,
  type FieldErrors,
  type FieldName,
  type Parameters,
  type ParametersFormState,
} from '@/lib/parameters';

interface Props {
  /** Parameters to start from (a rerun's previous ones); the contract's defaults when absent. */
  initial?: Parameters | null;
  submitLabel: string;
  pendingLabel?: string;
  disabled?: boolean;
  /** Sends the parameters; an ApiError 422 naming a parameter's path is shown on that field. */
  onSubmit: (parameters: Parameters) => Promise<void>;
  onCancel?: () => void;
  /** Shown above the buttons (e.g. why the form cannot be sent yet). */
  note?: ReactNode;
  /** Errors that are not about a parameter (409, 429, …): the caller formats them. */
  describeError?: (error: unknown) => string;
}

const FDR_ESTIMATOR_TEXT: Record<string, string> = {
  'target-decoy': 'Target-decoy (q = D/T)',
  'target-decoy-plus-one': 'Target-decoy plus one (q = (D+1)/T, conservative)',
};

/**
 * The analysis parameters form: every field is checked against the contract schema before it is
 * sent, and the API's own refusal (422 with the JSON path) comes back onto the field it names.
 */
export function ParametersForm({
  initial,
  submitLabel,
  pendingLabel = 'Starting…',
  disabled,
  onSubmit,
  onCancel,
  note,
  describeError,
}: Props) {
  const { api } = useAuth();
  const uid = useId();
  const [state, setState] = useState<ParametersFormState>(() => formStateFrom(initial));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [pending, setPending] = useState(false);
  const [userId, setUserId] = useState<string | null>(null);
  const fieldRefs = useRef<Partial<Record<FieldName, HTMLElement | null>>>({});
  const summaryRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let cancelled = false;
    api.me().then(
      (me) => {
        if (!cancelled) setUserId(me.id);
      },
      () => {
        // Without the id the API still checks the background proteome's key (422 on the field).
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api]);

  const id = (field: FieldName) => `${uid}-${field}`;
  const errorId = (field: FieldName) => `${uid}-${field}-error`;
  const hintId = (field: FieldName) => `${uid}-${field}-hint`;
  const describedBy = (field: FieldName, hint = false) =>
    [hint ? hintId(field) : null, errors[field] ? errorId(field) : null].filter(Boolean).join(' ') || undefined;
  const invalid = (field: FieldName) => (errors[field] ? true : undefined);
  const set = <K extends keyof ParametersFormState>(key: K, value: ParametersFormState[K]) =>
    setState((s) => ({ ...s, [key]: value }));

  const showErrors = (next: FieldErrors) => {
    setErrors(next);
    const first = FIELD_ORDER.find((f) => next[f]);
    // After React rendered the messages: focus the first invalid field, else the summary.
    requestAnimationFrame(() => {
      if (first) fieldRefs.current[first]?.focus();
      else summaryRef.current?.focus();
    });
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { parameters, errors: found } = checkForm(state, userId);
    if (Object.keys(found).length > 0) {
      showErrors(found);
      return;
    }
    setErrors({});
    setPending(true);
    try {
      await onSubmit(parameters);
    } catch (e) {
      if (e instanceof ApiError && e.status === 422) showErrors(fieldErrorsFromApiMessage(e.message));
      else showErrors({ form: describeError ? describeError(e) : e instanceof Error ? e.message : String(e) });
    } finally {
      setPending(false);
    }
  };

  const toggle = (key: 'fixedModifications' | 'variableModifications', name: string, on: boolean) =>
    setState((s) => ({ ...s, [key]: on ? [...s[key], name] : s[key].filter((m) => m !== name) }));

  const fieldError = (field: FieldName) =>
    errors[field] ? (
      <p id={errorId(field)} className="field-error">
        {errors[field]}
      </p>
    ) : null;

  const invalidFields = FIELD_ORDER.filter((f) => errors[f]);

  /** A labelled text input for a number, with its hint and error (read and checked as text). */
  const textField = (
    field: 'missedCleavages' | 'precursorTolerancePpm' | 'fdrThreshold',
    inputMode: 'numeric' | 'decimal',
    hint: ReactNode,
  ) => (
    <div className="field">
      <label htmlFor={id(field)}>{FIELD_LABELS[field]}</label>
      <input
        id={id(field)}
        type="text"
        inputMode={inputMode}
        value={state[field]}
        onChange={(e) => set(field, e.target.value)}
        aria-invalid={invalid(field)}
        aria-describedby={describedBy(field, true)}
        ref={(el) => void (fieldRefs.current[field] = el)}
      />
      <p id={hintId(field)} className="hint">
        {hint}
      </p>
      {fieldError(field)}
    </div>
  );

  const modifications = (key: 'fixedModifications' | 'variableModifications') => {
    const custom = key === 'fixedModifications' ? state.customFixed : state.customVariable;
    return (
      <fieldset className="field" aria-describedby={describedBy(key, true)}>
        <legend>{FIELD_LABELS[key]}</legend>
        <p id={hintId(key)} className="hint">
          At most {LIMITS[key].maxItems}.{' '}
          {key === 'fixedModifications' ? 'Applied to every matching residue.' : 'Searched with and without.'}
        </p>
        <div className="checks">
          {BUILTIN_MODIFICATIONS.map((name, i) => (
            <label key={name} className="check">
              <input
                type="checkbox"
                checked={state[key].includes(name)}
                onChange={(e) => toggle(key, name, e.target.checked)}
                aria-invalid={invalid(key)}
                ref={i === 0 ? (el) => void (fieldRefs.current[key] = el) : undefined}
              />{' '}
              {name}
            </label>
          ))}
        </div>
        {custom.length > 0 ? (
          <p className="hint">
            Also kept from the earlier analysis:{' '}
            {custom.map((m) => `${m.name} (${m.residues}, ${m.monoisotopicDelta} Da)`).join(', ')}
          </p>
        ) : null}
        {fieldError(key)}
      </fieldset>
    );
  };

  return (
    <form className="form parameters-form" noValidate onSubmit={(e) => void submit(e)} data-testid="parameters-form">
      <div ref={summaryRef} tabIndex={-1} role="alert" className={errors.form || invalidFields.length ? 'notice notice-error' : undefined}>
        {invalidFields.length > 0 ? (
          <p className="error-summary">
            Check {invalidFields.length === 1 ? 'this field' : `these ${invalidFields.length} fields`}:{' '}
            {invalidFields.map((f) => FIELD_LABELS[f]).join(', ')}.
          </p>
        ) : null}
        {errors.form ? <p>{errors.form}</p> : null}
      </div>

      <div className="param-grid">
        <div className="field">
          <label htmlFor={id('enzyme')}>{FIELD_LABELS.enzyme}</label>
          <select
            id={id('enzyme')}
            value={state.enzyme}
            onChange={(e) => set('enzyme', e.target.value)}
            aria-invalid={invalid('enzyme')}
            aria-describedby={describedBy('enzyme')}
            ref={(el) => void (fieldRefs.current.enzyme = el)}
          >
            {(ENZYMES.includes(state.enzyme) ? ENZYMES : [state.enzyme, ...ENZYMES]).map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
          {fieldError('enzyme')}
        </div>

        {textField('missedCleavages', 'numeric', <>A whole number, {LIMITS.missedCleavages.min} to {LIMITS.missedCleavages.max}.</>)}

        {textField('precursorTolerancePpm', 'decimal', <>Above 0, at most {LIMITS.precursorTolerancePpm.max} ppm.</>)}
      </div>

      {modifications('fixedModifications')}
      {modifications('variableModifications')}

      <fieldset className="field" aria-describedby={describedBy('fragmentTolerance', true)}>
        <legend>{FIELD_LABELS.fragmentTolerance}</legend>
        <p id={hintId('fragmentTolerance')} className="hint">
          From the analyser: 0.5 Da for ion-trap or unknown low-resolution MS2, 20 ppm for Orbitrap/FT/TOF MS2. A value
          you set is above 0 and at most{' '}
          {FRAGMENT_UNITS.map((unit) => `${LIMITS.fragmentTolerance.maxByUnit[unit]} ${unit}`).join(' or ')}.
        </p>
        <label className="check">
          <input
            type="radio"
            name={`${uid}-fragment`}
            checked={state.fragmentToleranceAuto}
            onChange={() => set('fragmentToleranceAuto', true)}
          />{' '}
          From the analyser
        </label>
        <label className="check">
          <input
            type="radio"
            name={`${uid}-fragment`}
            checked={!state.fragmentToleranceAuto}
            onChange={() => set('fragmentToleranceAuto', false)}
          />{' '}
          Set a value
        </label>
        {!state.fragmentToleranceAuto ? (
          <div className="inline-fields">
            <label htmlFor={id('fragmentTolerance')}>
              Value
              <input
                id={id('fragmentTolerance')}
                type="text"
                inputMode="decimal"
                value={state.fragmentToleranceValue}
                onChange={(e) => set('fragmentToleranceValue', e.target.value)}
                aria-invalid={invalid('fragmentTolerance')}
                aria-describedby={describedBy('fragmentTolerance')}
                ref={(el) => void (fieldRefs.current.fragmentTolerance = el)}
              />
            </label>
            <label htmlFor={`${id('fragmentTolerance')}-unit`}>
              Unit
              <select
                id={`${id('fragmentTolerance')}-unit`}
                value={state.fragmentToleranceUnit}
                onChange={(e) => set('fragmentToleranceUnit', e.target.value)}
              >
                {FRAGMENT_UNITS.map((u) => (
                  <option key={u} value={u}>
                    {u}
                  </option>
                ))}
              </select>
            </label>
          </div>
        ) : null}
        {fieldError('fragmentTolerance')}
      </fieldset>

      <div className="param-grid">
        {textField('fdrThreshold', 'decimal', <>q-value at PSM, peptide and protein level: above 0, at most {LIMITS.fdrThreshold.max} (0.01 = 1 %).</>)}

        <div className="field">
          <label htmlFor={id('fdrEstimator')}>{FIELD_LABELS.fdrEstimator}</label>
          <select
            id={id('fdrEstimator')}
            value={state.fdrEstimator}
            onChange={(e) => set('fdrEstimator', e.target.value)}
            aria-invalid={invalid('fdrEstimator')}
            aria-describedby={describedBy('fdrEstimator')}
            ref={(el) => void (fieldRefs.current.fdrEstimator = el)}
          >
            {FDR_ESTIMATORS.map((name) => (
              <option key={name} value={name}>
                {FDR_ESTIMATOR_TEXT[name] ?? name}
              </option>
            ))}
          </select>
          {fieldError('fdrEstimator')}
        </div>
      </div>

      <div className="field">
        <label className="check">
          <input
            type="checkbox"
            checked={state.contaminants}
            onChange={(e) => set('contaminants', e.target.checked)}
            aria-invalid={invalid('contaminants')}
            aria-describedby={describedBy('contaminants', true)}
            ref={(el) => void (fieldRefs.current.contaminants = el)}
          />{' '}
          Search common contaminants
        </label>
        <p id={hintId('contaminants')} className="hint">
          Also searches the worker&apos;s bundled contaminants FASTA (accessions starting CON_).
        </p>
        {fieldError('contaminants')}
      </div>

      <div className="field">
        <label htmlFor={id('backgroundProteome')}>
          {FIELD_LABELS.backgroundProteome} <span className="muted">(optional)</span>
        </label>
        <input
          id={id('backgroundProteome')}
          type="text"
          value={state.backgroundProteomeKey}
          placeholder={userId ? `${backgroundKeyPrefix(userId)}…` : undefined}
          onChange={(e) => set('backgroundProteomeKey', e.target.value)}
          aria-invalid={invalid('backgroundProteome')}
          aria-describedby={describedBy('backgroundProteome', true)}
          ref={(el) => void (fieldRefs.current.backgroundProteome = el)}
        />
        <p id={hintId('backgroundProteome')} className="hint">
          The storage key of a FASTA among your own uploads
          {userId ? (
            <>
              {' '}
              (it starts with <code>{backgroundKeyPrefix(userId)}</code>)
            </>
          ) : null}
          , searched as extra targets, e.g. the expression host&apos;s proteome. Leave empty for none.
        </p>
        {fieldError('backgroundProteome')}
      </div>

      {note}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={disabled || pending}>
          {pending ? pendingLabel : submitLabel}
        </button>
        {onCancel ? (
          <button type="button" className="button" onClick={onCancel} disabled={pending}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
