"""PNG plots (matplotlib, Agg backend)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .qc import ErrorStats

DPI = 90


def write_plots(
    out_dir: Path,
    qc: dict[str, Any],
    coverage: dict[str, Any] | None,
    err: ErrorStats,
    mapped: bool,
) -> list[Path]:
    written: list[Path] = []

    # TIC and base-peak chromatograms
    fig, ax = _figure(8, 3.2)
    rt = np.asarray(qc["ticTrace"]["rtSeconds"], dtype=float) / 60.0
    ax.plot(rt, qc["ticTrace"]["intensity"], lw=0.8, label="TIC (mean per bucket)")
    ax.plot(rt, qc["basePeakTrace"]["intensity"], lw=0.8, label="base peak (max per bucket)")
    ax.set_xlabel("retention time (min)")
    ax.set_ylabel("intensity")
    ax.set_title("Total ion current and base peak chromatogram")
    ax.legend(fontsize=8)
    path = out_dir / "tic_bpc.png"
    _save(fig, path)
    written.append(path)

    # precursor charge states (all MSn spectra: an acquisition property, not an identification result)
    fig, ax = _figure(5, 3.2)
    hist = qc["chargeHistogram"]
    if hist:
        ax.bar(list(hist.keys()), list(hist.values()), color="tab:blue")
    else:
        ax.text(0.5, 0.5, "no MSn spectra", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("precursor charge")
    ax.set_ylabel("MSn spectra")
    ax.set_title("Precursor charge states")
    path = out_dir / "charge_histogram.png"
    _save(fig, path)
    written.append(path)

    if mapped and coverage is not None:
        written.append(_coverage_map(out_dir, coverage))
        written.append(_mass_errors(out_dir, err))
    return written


def _figure(width: float, height: float, ncols: int = 1) -> tuple[Any, Any]:
    """A Figure on the Agg canvas, without pyplot (faster to import, no global state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    fig.subplots_adjust(left=0.14, right=0.97, bottom=0.17, top=0.88, wspace=0.35)
    axes = fig.subplots(1, ncols)
    return fig, axes


def _save(fig: Any, path: Path) -> None:
    # light PNG compression: the plots are small and encoding time matters for throughput
    fig.savefig(path, dpi=DPI, pil_kwargs={"compress_level": 1})


def _coverage_map(out_dir: Path, coverage: dict[str, Any]) -> Path:
    proteins = coverage["proteins"][:10]
    fig, ax = _figure(8, 1.4 + 0.5 * max(len(proteins), 1))
    fig.subplots_adjust(bottom=0.4, top=0.82)
    colours = {".": (0.9, 0.9, 0.9), "+": (0.1, 0.3, 0.75)}
    labels = []
    for row, prot in enumerate(proteins):
        cov = prot.get("residueCoverage", "")
        img = np.array([[colours[ch] for ch in cov]]) if cov else np.zeros((1, 1, 3))
        ax.imshow(img, aspect="auto", extent=(0, max(len(cov), 1), row + 0.1, row + 0.9), interpolation="nearest")
        labels.append(f"{prot['accession']}\n{prot['percent']:.1f}% ({prot['peptides']} pept.)")
    ax.set_ylim(0, max(len(proteins), 1))
    ax.set_xlim(0, max((p["length"] for p in proteins), default=1))
    ax.set_yticks([row + 0.5 for row in range(len(proteins))])
    ax.set_yticklabels(labels, fontsize=7)
    ax.set_xlabel("residue (dark: covered by a peptide accepted at the peptide-level FDR threshold)")
    ax.set_title("Sequence coverage (accepted peptides only)")
    path = out_dir / "coverage_map.png"
    _save(fig, path)
    return path


def _mass_errors(out_dir: Path, err: ErrorStats) -> Path:
    fig, (a1, a2) = _figure(8, 3.2, ncols=2)
    if err.n:
        width = max(int(len(err.hist) / 40), 1)
        usable = (len(err.hist) // width) * width
        coarse = err.hist[:usable].reshape(-1, width).sum(axis=1)
        edges = -err.limit + np.arange(len(coarse) + 1) * width * err.bin
        a1.stairs(coarse, edges, fill=True, color="tab:green")
        if err.sample:
            pts = np.asarray(err.sample)
            a2.scatter(pts[:, 0] / 60.0, pts[:, 1], s=4, color="tab:green")
    a1.set_xlabel("precursor error (ppm), accepted PSMs only")
    a1.set_ylabel("accepted PSMs")
    a2.set_xlabel("retention time (min)")
    a2.set_ylabel("ppm")
    a1.set_title("Precursor mass error")
    a2.set_title("Error over time")
    path = out_dir / "mass_errors.png"
    _save(fig, path)
    return path
