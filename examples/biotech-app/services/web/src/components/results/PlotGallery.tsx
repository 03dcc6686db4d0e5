'use client';

import { useRef, useState } from 'react';
import type { ResultDownload } from '@/lib/results-api';

// Pixel sizes of the worker's PNG plots (worker/proteomics_worker/plots.py: figure inches at 90 dpi;
// the coverage map's height grows with the proteins, one protein given here). The explicit
// width/height reserve the space before a lazily loaded image arrives.
const PLOT_SIZES: Record<string, [number, number]> = {
  'tic_bpc.png': [720, 288],
  'charge_histogram.png': [450, 288],
  'coverage_map.png': [720, 171],
  'mass_errors.png': [720, 288],
};
const DEFAULT_SIZE: [number, number] = [720, 288];

function plotSize(p: ResultDownload): [number, number] {
  return PLOT_SIZES[p.output ?? p.name] ?? DEFAULT_SIZE;
}

const PLOT_TITLES: Record<string, string> = {
  'tic_bpc.png': 'Total and base peak ion current',
  'charge_histogram.png': 'Precursor charge states',
  'coverage_map.png': 'Sequence coverage',
  'mass_errors.png': 'Precursor mass errors',
};

export function plotTitle(output: string): string {
  return PLOT_TITLES[output] ?? output.replace(/\.png$/i, '').replace(/[_-]+/g, ' ');
}

/**
 * The file's PNG plots, loaded lazily; a click opens one full size in a modal <dialog>
 * (Escape or "Close" closes it, and focus goes back to the thumbnail that opened it).
 */
export function PlotGallery({ plots, subject }: { plots: ResultDownload[]; subject: string }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLButtonElement | null>(null);
  const [open, setOpen] = useState<ResultDownload | null>(null);

  const show = (plot: ResultDownload, button: HTMLButtonElement) => {
    opener.current = button;
    setOpen(plot);
    dialog.current?.showModal();
  };
  const onClose = () => {
    setOpen(null);
    opener.current?.focus();
  };

  if (plots.length === 0) return null;
  return (
    <div className="plots">
      {plots.map((p) => {
        const title = `${plotTitle(p.output ?? p.name)} plot for ${subject}`;
        const [width, height] = plotSize(p);
        return (
          <figure key={p.name}>
            <button
              type="button"
              className="plot-open"
              aria-haspopup="dialog"
              onClick={(e) => show(p, e.currentTarget)}
              aria-label={`Open full size: ${title}`}
            >
              {/* Presigned S3 URLs: plain <img>, no image optimiser in between. */}
              {/* eslint-disable-next-line @next/next/no-img-element */}
              <img src={p.url} alt={title} loading="lazy" decoding="async" width={width} height={height} />
            </button>
            <figcaption>{p.name}</figcaption>
          </figure>
        );
      })}
      <dialog ref={dialog} className="plot-dialog" aria-labelledby="plot-dialog-title" onClose={onClose} data-testid="plot-dialog">
        <div className="plot-dialog-head">
          <h2 id="plot-dialog-title">{open ? `${plotTitle(open.output ?? open.name)} – ${subject}` : ''}</h2>
          <button type="button" className="button small" onClick={() => dialog.current?.close()}>
            Close
          </button>
        </div>
        {open ? (
          // eslint-disable-next-line @next/next/no-img-element
          <img src={open.url} alt={`${plotTitle(open.output ?? open.name)} plot for ${subject}, full size`} width={plotSize(open)[0]} height={plotSize(open)[1]} />
        ) : null}
      </dialog>
    </div>
  );
}
