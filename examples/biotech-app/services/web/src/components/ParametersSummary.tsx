import { describeParameters, type Parameters } from '@/lib/parameters';

/** The parameters an analysis ran with (`AnalysisOut.parameters`), one line each. */
export function ParametersSummary({ parameters }: { parameters: Parameters | null | undefined }) {
  const rows = parameters ? describeParameters(parameters) : [];
  return (
    <section className="card" aria-labelledby="parameters-title" data-testid="parameters-summary">
      <h2 id="parameters-title">Parameters</h2>
      {!parameters ? (
        <p className="muted">
          Not recorded: this analysis was started before the parameters were stored with it. It ran with the
          worker&apos;s defaults for anything it was not given.
        </p>
      ) : rows.length === 0 ? (
        <p className="muted">None given: the worker&apos;s documented defaults applied.</p>
      ) : (
        <dl className="params-summary">
          {rows.map((r) => (
            <div key={r.label}>
              <dt>{r.label}</dt>
              <dd>{r.value}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}
