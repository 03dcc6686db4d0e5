'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { AddFiles } from '@/components/AddFiles';
import { ErrorNotice } from '@/components/ErrorNotice';
import { RequireAuth } from '@/components/RequireAuth';
import { StartAnalysisButton } from '@/components/StartAnalysisButton';
import { useAuth } from '@/lib/auth';
import type { Sample } from '@/lib/types';
import { failureSummary, useUploads } from '@/lib/use-uploads';

function NewSampleForm() {
  const { api } = useAuth();
  const uploads = useUploads(api);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [sample, setSample] = useState<Sample | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  const allDone = uploads.entries.length > 0 && uploads.entries.every((e) => e.status === 'done');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (!name.trim()) {
      setError('Give the sample a name.');
      return;
    }
    if (uploads.entries.length === 0) {
      setError('Add at least one mass-spectrometry file.');
      return;
    }
    setSubmitting(true);
    try {
      let current = sample;
      if (!current) {
        current = await api.createSample(name.trim(), description.trim() || undefined);
        setSample(current);
      }
      await uploads.uploadAll(current.id);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setSubmitting(false);
    }
  };

  const locked = sample !== null;
  // Derived from the files' states, so a successful retry updates it too.
  const summary = uploads.busy
    ? 'Uploading files…'
    : allDone
      ? 'All files uploaded. You can start the analysis.'
      : failureSummary(uploads.entries);
  return (
    <>
      <h1>New sample</h1>
      <form className="card form" onSubmit={(e) => void submit(e)} noValidate aria-describedby="new-sample-help">
        <p id="new-sample-help" className="muted">
          Name the sample, add one file per protein (optionally with the protein&apos;s sequence), then upload.
          Files go straight to storage; large files are sent in parts and resume after an interruption.
        </p>
        <ErrorNotice error={error} />
        <label htmlFor="sample-name">
          Sample name <span aria-hidden="true">*</span>
          <input
            id="sample-name"
            name="name"
            type="text"
            required
            aria-required="true"
            maxLength={200}
            value={name}
            disabled={locked}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <label htmlFor="sample-description">
          Description <span className="muted">(optional)</span>
          <textarea
            id="sample-description"
            name="description"
            rows={2}
            maxLength={2000}
            value={description}
            disabled={locked}
            onChange={(e) => setDescription(e.target.value)}
          />
        </label>
        <AddFiles uploads={uploads} disabled={submitting} onRetry={sample ? (key) => void uploads.retry(sample.id, key) : undefined} />
        <p role="status" aria-live="polite" className="summary" data-testid="upload-summary">
          {summary}
        </p>
        <div className="form-actions">
          {!allDone ? (
            <button type="submit" className="button primary" disabled={submitting || uploads.busy}>
              {locked ? 'Upload remaining files' : 'Create sample and upload'}
            </button>
          ) : null}
          {sample ? (
            <Link className="button" href={`/samples/${encodeURIComponent(sample.id)}`}>
              Open sample
            </Link>
          ) : null}
        </div>
      </form>
      {sample && allDone ? (
        <section className="card" aria-labelledby="start-title">
          <h2 id="start-title">Start an analysis</h2>
          <StartAnalysisButton sampleId={sample.id} />
        </section>
      ) : null}
    </>
  );
}

export default function NewSamplePage() {
  return (
    <RequireAuth>
      <NewSampleForm />
    </RequireAuth>
  );
}
