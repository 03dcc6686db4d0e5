"""Analysis of one spectrum file in a single streaming pass."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import platform
import sys
import time
from collections import Counter
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from . import TOOL_NAME, __version__
from .errors import WorkerError, one_line
from .mapping import Coverage, PeptideIndex, count_matches, fragment_ions, parse_fasta, scoring_peaks
from .params import resolve
from .qc import ErrorStats, FixedHistogram, Range, TraceDownsampler
from .readers import HIGH_RES, LOW_RES, Spectrum, classify_read_error, iter_spectra, looks_truncated, sniff_format
from .schemas import errors as schema_errors

ROW_GROUP = 10000
LOW_QUALITY_PEAKS = 10
CONTENT_TYPES = {
    ".parquet": "application/vnd.apache.parquet",
    ".csv": "text/csv",
    ".png": "image/png",
    ".json": "application/json",
}

PARQUET_SCHEMA = pa.schema(
    [
        ("index", pa.int64()),
        ("native_id", pa.string()),
        ("ms_level", pa.int16()),
        ("rt_seconds", pa.float64()),
        ("polarity", pa.string()),
        ("data_mode", pa.string()),
        ("peak_count", pa.int32()),
        ("peaks_kept", pa.int32()),
        ("tic", pa.float64()),
        ("base_peak_mz", pa.float64()),
        ("base_peak_intensity", pa.float64()),
        ("precursor_mz", pa.float64()),
        ("precursor_charge", pa.int16()),
        ("charge_class", pa.string()),
        ("analyser", pa.string()),
        ("filter_string", pa.string()),
        ("filter_status", pa.string()),
        ("quality_class", pa.string()),
        ("identification", pa.string()),
        ("peptide", pa.string()),
        ("ppm_error", pa.float64()),
    ]
)

PSM_COLUMNS = [
    "spectrum_index",
    "native_id",
    "rt_seconds",
    "precursor_mz",
    "charge",
    "charge_assumed",
    "isotope_error",
    "peptide",
    "modifications",
    "protein",
    "start",
    "end",
    "theoretical_mass",
    "observed_mass",
    "ppm_error",
    "fragment_matched",
    "fragment_total",
    "decoy_matched",
    "fragment_confirmed",
    "rank",
]
PEPTIDE_COLUMNS = [
    "peptide",
    "modifications",
    "proteins",
    "start",
    "end",
    "length",
    "theoretical_mass",
    "psms",
    "fragment_confirmed_psms",
    "status",
    "best_native_id",
    "best_rt_seconds",
    "best_charge",
    "best_ppm_error",
    "best_fragment_matched",
    "best_fragment_total",
]


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def library_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("pyteomics", "psims", "lxml", "numpy", "pyarrow", "matplotlib", "jsonschema", "ms_deisotope"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


class _RowBuffer:
    def __init__(self, path: Path) -> None:
        self.writer = pq.ParquetWriter(str(path), PARQUET_SCHEMA, compression="zstd")
        self.cols: dict[str, list[Any]] = {f.name: [] for f in PARQUET_SCHEMA}
        self.n = 0

    def add(self, row: dict[str, Any]) -> None:
        for k, v in row.items():
            self.cols[k].append(v)
        self.n += 1
        if self.n >= ROW_GROUP:
            self.flush()

    def flush(self) -> None:
        if self.n:
            self.writer.write_table(pa.Table.from_pydict(self.cols, schema=PARQUET_SCHEMA))
            self.cols = {f.name: [] for f in PARQUET_SCHEMA}
            self.n = 0

    def close(self) -> None:
        self.flush()
        self.writer.close()


def _filter_peaks(mz: np.ndarray, inten: np.ndarray, flt: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    if len(mz) == 0:
        return mz, inten
    mask = None
    if flt["mzMin"] > 0 or flt["mzMax"] is not None:
        mask = mz >= flt["mzMin"]
        if flt["mzMax"] is not None:
            mask &= mz <= flt["mzMax"]
    if flt["relativeIntensityFloor"] > 0:
        m = inten >= flt["relativeIntensityFloor"] * float(inten.max())
        mask = m if mask is None else mask & m
    if flt["noiseFactor"] > 0:
        m = inten >= flt["noiseFactor"] * float(np.median(inten))
        mask = m if mask is None else mask & m
    if mask is not None:
        mz, inten = mz[mask], inten[mask]
    top = flt["topN"]
    if top is not None and len(mz) > top:
        keep = np.sort(np.argpartition(inten, -top)[-top:])
        mz, inten = mz[keep], inten[keep]
    return mz, inten


class FileAnalysis:
    def __init__(
        self,
        input_path: Path,
        out_dir: Path,
        params: dict[str, Any],
        fasta_text: str | None,
        file_id: str | None,
        analysis_id: str | None,
        display_name: str | None,
        expected_sha256: str | None,
    ) -> None:
        self.input_path = input_path
        self.out_dir = out_dir
        self.params = params
        self.fasta_text = fasta_text
        self.file_id = file_id
        self.analysis_id = analysis_id
        self.display_name = display_name or input_path.name
        self.expected_sha256 = expected_sha256
        self.written: list[Path] = []
        self.warnings: list[str] = []

    # ----------------------------------------------------------------- main
    def run(self) -> dict[str, Any]:
        started = now_iso()
        t0 = time.monotonic()
        proteins = parse_fasta(self.fasta_text) if self.fasta_text is not None else None
        fmt = sniff_format(self.input_path)
        size = self.input_path.stat().st_size
        digest = sha256_file(self.input_path)
        self.input_info = {"name": self.display_name, "sha256": digest, "sizeBytes": size, "format": fmt}
        if self.expected_sha256 and self.expected_sha256.lower() != digest:
            raise WorkerError("CHECKSUM_MISMATCH", f"input sha256 {digest} differs from the manifest's")
        index = PeptideIndex(proteins, self.params) if proteins else None
        if index is not None and index.skipped_nonstandard:
            self.warnings.append(f"{index.skipped_nonstandard} digest peptides with non-standard residues skipped")
        if index is not None and len(index) == 0:
            self.warnings.append("the digest produced no peptides with the given parameters")
        self.out_dir.mkdir(parents=True, exist_ok=True)
        result = self._stream(fmt, index)
        summary = self._finish(result, index, proteins, fmt, started, t0)
        return summary

    # --------------------------------------------------------------- stream
    def _stream(self, fmt: str, index: PeptideIndex | None) -> dict[str, Any]:
        p = self.params
        flt = p["filters"]
        levels = set(flt["msLevels"])
        frag_param = p["fragmentTolerance"]
        confirm = bool(p["fragmentConfirmation"])
        min_ions = int(p["minFragmentIons"])
        margin = float(p["minFragmentScoreMargin"])

        parquet_path = self.out_dir / "spectra.parquet"
        self.written.append(parquet_path)
        rows = _RowBuffer(parquet_path)
        psm_fh = None
        psm_writer = None
        if index is not None:
            psm_path = self.out_dir / "psms.csv"
            self.written.append(psm_path)
            psm_fh = open(psm_path, "w", newline="", encoding="utf-8")
            psm_writer = csv.writer(psm_fh)
            psm_writer.writerow(PSM_COLUMNS)

        c: Counter[str] = Counter()
        classes: dict[str, Counter[str]] = {
            k: Counter() for k in ("charge", "dataMode", "quality", "identification", "filter", "polarity")
        }
        ms1_profile: Counter[str] = Counter()
        trace_ms1 = TraceDownsampler(p["traceMaxPoints"])
        trace_all = TraceDownsampler(p["traceMaxPoints"])
        rt_range, mz_range, prec_range = Range(), Range(), Range()
        prec_hist = FixedHistogram(0.0, 6000.0, 50.0)
        err = ErrorStats(p["precursorTolerancePpm"])
        tol_used: Counter[tuple[float, str, str]] = Counter()
        pep_stats: dict[int, dict[str, Any]] = {}
        coverage = Coverage(index.proteins) if index is not None else None
        total_ms1_tic = 0.0
        best_ms1: tuple[float, np.ndarray, np.ndarray] | None = None

        try:
            for spec in iter_spectra(self.input_path, fmt):
                c["spectra"] += 1
                lvl = spec.ms_level
                if lvl == 1:
                    c["ms1"] += 1
                    ms1_profile[spec.data_mode] += 1
                elif lvl == 2:
                    c["ms2"] += 1
                else:
                    c["msn"] += 1
                n_raw = len(spec.mz)
                c["peaksRead"] += n_raw
                tic = float(spec.intensity.sum()) if n_raw else 0.0
                bp_mz: float | None = None
                bp_int: float | None = None
                if n_raw:
                    bi = int(np.argmax(spec.intensity))
                    bp_mz, bp_int = float(spec.mz[bi]), float(spec.intensity[bi])
                    mz_range.add(float(spec.mz.min()), float(spec.mz.max()))
                if spec.rt_seconds is not None:
                    rt_range.add(spec.rt_seconds)
                classes["dataMode"][spec.data_mode] += 1
                classes["polarity"][spec.polarity] += 1
                charge = spec.precursor_charges[0] if len(spec.precursor_charges) == 1 else None
                if lvl >= 2:
                    charge_class = str(charge) if charge is not None else "unknown"
                    classes["charge"][charge_class] += 1
                    if charge is None:
                        c["precursorsChargeUnknown"] += 1
                    else:
                        c["precursorsWithCharge"] += 1
                    if spec.precursor_mz is not None:
                        c["precursors"] += 1
                        prec_range.add(spec.precursor_mz)
                        prec_hist.add(spec.precursor_mz)
                else:
                    charge_class = "not_applicable"

                # filtering
                if lvl not in levels:
                    status = "dropped_ms_level"
                    mz, inten = spec.mz[:0], spec.intensity[:0]
                else:
                    mz, inten = _filter_peaks(spec.mz, spec.intensity, flt)
                    if len(mz) == 0 and flt["dropEmpty"]:
                        status = "dropped_empty"
                    elif len(mz) < flt["minPeaks"]:
                        status = "dropped_min_peaks"
                    else:
                        status = "kept"
                n_kept = len(mz)
                classes["filter"][status] += 1
                quality = "empty" if n_kept == 0 else ("low" if n_kept < LOW_QUALITY_PEAKS else "good")
                classes["quality"][quality] += 1
                ident = "not_applicable"
                peptide_label = None
                ppm_best = None
                if status == "kept":
                    c["spectraKept"] += 1
                    c["peaksKept"] += n_kept
                    kept_tic = float(inten.sum())
                    kept_bp = float(inten.max()) if n_kept else 0.0
                    if spec.rt_seconds is not None:
                        trace_all.add(spec.rt_seconds, kept_tic, kept_bp)
                        if lvl == 1:
                            trace_ms1.add(spec.rt_seconds, kept_tic, kept_bp)
                    if lvl == 1:
                        total_ms1_tic += kept_tic
                        if best_ms1 is None or kept_tic > best_ms1[0]:
                            best_ms1 = (kept_tic, mz.copy(), inten.copy())
                    if lvl >= 2 and index is not None:
                        ident, peptide_label, ppm_best = self._map_spectrum(
                            spec,
                            mz,
                            inten,
                            index,
                            coverage,
                            pep_stats,
                            err,
                            tol_used,
                            psm_writer,
                            frag_param,
                            confirm,
                            min_ions,
                            margin,
                            c,
                        )
                else:
                    c["spectraFiltered"] += 1
                    if lvl >= 2 and index is not None:
                        ident = "unidentified"
                classes["identification"][ident] += 1
                rows.add(
                    {
                        "index": spec.index,
                        "native_id": spec.native_id,
                        "ms_level": lvl,
                        "rt_seconds": spec.rt_seconds,
                        "polarity": spec.polarity,
                        "data_mode": spec.data_mode,
                        "peak_count": n_raw,
                        "peaks_kept": n_kept,
                        "tic": tic,
                        "base_peak_mz": bp_mz,
                        "base_peak_intensity": bp_int,
                        "precursor_mz": spec.precursor_mz,
                        "precursor_charge": charge,
                        "charge_class": charge_class,
                        "analyser": spec.analyser,
                        "filter_string": spec.filter_string,
                        "filter_status": status,
                        "quality_class": quality,
                        "identification": ident,
                        "peptide": peptide_label,
                        "ppm_error": ppm_best,
                    }
                )
        except WorkerError:
            raise
        except MemoryError:
            raise
        except Exception as exc:  # noqa: BLE001 - mapped to contract error codes
            raise classify_read_error(exc, self.input_path, fmt) from exc
        finally:
            try:
                rows.close()
            finally:
                if psm_fh is not None:
                    psm_fh.close()
        if c["spectra"] == 0:
            raise WorkerError("EMPTY", "input holds no spectra")
        if fmt.startswith("mgf") and looks_truncated(self.input_path, fmt):
            raise WorkerError("TRUNCATED", "MGF input ends inside a spectrum (no final END IONS)")
        return {
            "counts": c,
            "classes": classes,
            "ms1_profile": ms1_profile,
            "trace_ms1": trace_ms1,
            "trace_all": trace_all,
            "rt_range": rt_range,
            "mz_range": mz_range,
            "prec_range": prec_range,
            "prec_hist": prec_hist,
            "err": err,
            "tol_used": tol_used,
            "pep_stats": pep_stats,
            "coverage": coverage,
            "total_ms1_tic": total_ms1_tic,
            "best_ms1": best_ms1,
        }

    def _map_spectrum(
        self,
        spec: Spectrum,
        mz: np.ndarray,
        inten: np.ndarray,
        index: PeptideIndex,
        coverage: Coverage | None,
        pep_stats: dict[int, dict[str, Any]],
        err: ErrorStats,
        tol_used: Counter[tuple[float, str, str]],
        psm_writer: Any,
        frag_param: dict[str, Any] | None,
        confirm: bool,
        min_ions: int,
        margin: float,
        c: Counter[str],
    ) -> tuple[str, str | None, float | None]:
        if spec.precursor_mz is None:
            return "unidentified", None, None
        cands = index.match(spec.precursor_mz, spec.precursor_charges, spec.polarity)
        if not cands:
            return "unidentified", None, None
        if frag_param is not None:
            tol = (float(frag_param["value"]), str(frag_param["unit"]), "parameter")
        elif spec.analyser == HIGH_RES:
            tol = (20.0, "ppm", "analyser")
        elif spec.analyser == LOW_RES:
            tol = (0.5, "Da", "analyser")
        else:
            tol = (0.5, "Da", "default")
        tol_used[tol] += 1
        peaks = scoring_peaks(mz, inten) if confirm else mz[:0]
        best_confirmed = None
        results = []
        for rank, cand in enumerate(cands, start=1):
            matched = total = decoy = 0
            confirmed = False
            if confirm:
                res = index.residue_masses[cand.peptide]
                theo = fragment_ions(res, cand.charge)
                total = len(theo)
                matched = count_matches(theo, peaks, tol[0], tol[1])
                decoy = count_matches(
                    fragment_ions(index.decoy_residues(cand.peptide), cand.charge), peaks, tol[0], tol[1]
                )
                confirmed = matched >= min_ions and total > 0 and (matched - decoy) / total >= margin
            results.append((rank, cand, matched, total, decoy, confirmed))
            if confirmed and best_confirmed is None:
                best_confirmed = (cand, matched, total)
        c["psmsPrecursor"] += 1
        best = cands[0]
        err.add(best.ppm, spec.rt_seconds)
        for rank, cand, matched, total, decoy, confirmed in results:
            label = index.label(cand.peptide)
            seq = index.seqs[cand.peptide]
            occ = index.occurrences[cand.peptide]
            if coverage is not None:
                coverage.mark(occ, len(seq), 2 if confirmed else 1, label)
            st = pep_stats.setdefault(cand.peptide, {"psms": 0, "confirmed": 0, "best": None, "best_key": None})
            st["psms"] += 1
            if confirmed:
                st["confirmed"] += 1
            key = (0 if confirmed else 1, abs(cand.ppm))
            if st["best_key"] is None or key < st["best_key"]:
                st["best_key"] = key
                st["best"] = (spec.native_id, spec.rt_seconds, cand.charge, cand.ppm, matched, total)
            p_idx, start = occ[0]
            psm_writer.writerow(
                [
                    spec.index,
                    spec.native_id,
                    _fmt(spec.rt_seconds),
                    f"{spec.precursor_mz:.5f}",
                    cand.charge,
                    int(cand.charge_assumed),
                    cand.isotope_error,
                    seq,
                    index.mods[cand.peptide],
                    index.proteins[p_idx].accession,
                    start + 1,
                    start + len(seq),
                    f"{index.masses[cand.peptide]:.5f}",
                    f"{cand.observed_mass:.5f}",
                    f"{cand.ppm:.3f}",
                    matched,
                    total,
                    decoy,
                    int(confirmed),
                    rank,
                ]
            )
        if best_confirmed is not None:
            c["psmsFragmentConfirmed"] += 1
            cand = best_confirmed[0]
            return "fragment_confirmed", index.label(cand.peptide), round(cand.ppm, 4)
        return "precursor_only", index.label(best.peptide), round(best.ppm, 4)

    # --------------------------------------------------------------- finish
    def _finish(
        self,
        r: dict[str, Any],
        index: PeptideIndex | None,
        proteins: list[Any] | None,
        fmt: str,
        started: str,
        t0: float,
    ) -> dict[str, Any]:
        c: Counter[str] = r["counts"]
        msn = c["ms2"] + c["msn"]
        ms1_profile = r["ms1_profile"]
        if msn > 0 and (proteins is not None or c["precursors"] > 0):
            exp = "peptide_map"
            reason = (
                "MSn spectra present and a protein sequence was given"
                if proteins is not None
                else "MSn spectra with precursors present; no sequence given, so nothing was mapped"
            )
        elif msn == 0 and c["ms1"] > 0 and ms1_profile["profile"] > c["ms1"] / 2:
            exp = "intact_ms1"
            reason = "MS1 only, profile mode"
        else:
            exp = "qc_only"
            reason = "MS1 only in centroid mode" if msn == 0 else "MSn spectra without precursor information"

        coverage_doc = None
        mapped = index is not None and exp == "peptide_map"
        peptides_pre = peptides_conf = 0
        if index is not None:
            pep_stats = r["pep_stats"]
            peptides_pre = len(pep_stats)
            peptides_conf = sum(1 for s in pep_stats.values() if s["confirmed"])
            self._write_peptides(index, pep_stats)
            cov: Coverage = r["coverage"]
            tol_used = r["tol_used"]
            prots: list[dict[str, Any]] = []
            for i, prot in enumerate(index.proteins):
                prots.append(
                    {
                        "accession": prot.accession,
                        "description": prot.description[:200],
                        "length": len(prot.sequence),
                        "precursorOnlyPercent": cov.percent(i, 1),
                        "fragmentConfirmedPercent": cov.percent(i, 2),
                        "peptidesPrecursorOnly": len(cov.peptides[i][1]),
                        "peptidesFragmentConfirmed": len(cov.peptides[i][2]),
                        "residueCoverage": cov.residue_string(i),
                    }
                )
            prots.sort(key=lambda d: (-float(d["precursorOnlyPercent"]), str(d["accession"])))
            if len(prots) > 200:
                self.warnings.append(f"coverage listed for the 200 best-covered of {len(prots)} proteins")
                prots = prots[:200]
            coverage_doc = {
                "precursorOnlyPercent": cov.overall(1),
                "fragmentConfirmedPercent": cov.overall(2) if self.params["fragmentConfirmation"] else 0.0,
                "proteins": prots,
            }
            if tol_used:
                (value, unit, source), _n = tol_used.most_common(1)[0]
                coverage_doc["fragmentTolerance"] = {"value": value, "unit": unit, "source": source}
            if not mapped:
                self.warnings.append("a sequence was given but the file has no MSn spectra to map")

        trace = r["trace_ms1"] if c["ms1"] else r["trace_all"]
        rts, tics, bps = trace.result()
        decon = self._deconvolution(exp, r["best_ms1"])
        charge_hist = dict(sorted(r["classes"]["charge"].items(), key=lambda kv: (kv[0] == "unknown", kv[0].zfill(3))))
        counts = {
            "spectra": c["spectra"],
            "ms1": c["ms1"],
            "ms2": c["ms2"],
            "msn": c["msn"],
            "spectraKept": c["spectraKept"],
            "spectraFiltered": c["spectraFiltered"],
            "peaksRead": c["peaksRead"],
            "peaksKept": c["peaksKept"],
            "precursorsWithCharge": c["precursorsWithCharge"],
            "precursorsChargeUnknown": c["precursorsChargeUnknown"],
        }
        if index is not None:
            counts.update(
                {
                    "candidatePeptides": len(index),
                    "psmsPrecursor": c["psmsPrecursor"],
                    "psmsFragmentConfirmed": c["psmsFragmentConfirmed"],
                    "peptidesPrecursorOnly": peptides_pre,
                    "peptidesFragmentConfirmed": peptides_conf,
                }
            )
        qc = {
            "retentionTimeSeconds": r["rt_range"].result(),
            "mz": r["mz_range"].result(),
            "precursorMz": r["prec_range"].result(),
            "totalIonCurrent": float(r["total_ms1_tic"]),
            "ticTrace": {"rtSeconds": rts, "intensity": tics},
            "basePeakTrace": {"rtSeconds": rts, "intensity": bps},
            "chargeHistogram": charge_hist,
            "precursorMzHistogram": r["prec_hist"].result(),
            "ms2PerMs1": round(msn / c["ms1"], 3) if c["ms1"] else None,
            "deconvolution": decon,
        }
        from .plots import write_plots

        for path in write_plots(self.out_dir, qc, coverage_doc, r["err"], index is not None):
            self.written.append(path)
        outputs = []
        for path in self.written:
            if path.exists():
                outputs.append(
                    {
                        "name": path.name,
                        "sizeBytes": path.stat().st_size,
                        "sha256": sha256_file(path),
                        "contentType": CONTENT_TYPES.get(path.suffix, "application/octet-stream"),
                    }
                )
        summary: dict[str, Any] = {"schemaVersion": 1, "status": "SUCCEEDED"}
        if self.analysis_id:
            summary["analysisId"] = self.analysis_id
        if self.file_id:
            summary["fileId"] = self.file_id
        summary.update(
            {
                "tool": {"name": TOOL_NAME, "version": __version__},
                "libraries": library_versions(),
                "parameters": self.params,
                "input": self.input_info,
                "experimentType": exp,
                "experimentTypeReason": reason,
                "counts": counts,
                "classes": {k: dict(v) for k, v in r["classes"].items()},
                "coverage": coverage_doc,
                "massError": r["err"].summary(),
                "qc": qc,
                "warnings": [one_line(w) for w in self.warnings],
                "outputs": outputs,
                "startedAt": started,
                "finishedAt": now_iso(),
                "durationSeconds": round(time.monotonic() - t0, 3),
            }
        )
        problems = schema_errors("file-summary", summary)
        if problems:
            raise WorkerError("INTERNAL", f"summary does not match its schema: {problems[0]}")
        return summary

    def _write_peptides(self, index: PeptideIndex, pep_stats: dict[int, dict[str, Any]]) -> None:
        path = self.out_dir / "peptides.csv"
        self.written.append(path)
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(PEPTIDE_COLUMNS)
            for idx in sorted(pep_stats, key=lambda i: index.occurrences[i][0]):
                st = pep_stats[idx]
                seq = index.seqs[idx]
                p_idx, start = index.occurrences[idx][0]
                prots = ";".join(sorted({index.proteins[p].accession for p, _s in index.occurrences[idx]}))
                native, rt, z, ppm, matched, total = st["best"]
                w.writerow(
                    [
                        seq,
                        index.mods[idx],
                        prots,
                        start + 1,
                        start + len(seq),
                        len(seq),
                        f"{index.masses[idx]:.5f}",
                        st["psms"],
                        st["confirmed"],
                        "fragment_confirmed" if st["confirmed"] else "precursor_only",
                        native,
                        _fmt(rt),
                        z,
                        f"{ppm:.3f}",
                        matched,
                        total,
                    ]
                )

    def _deconvolution(self, exp: str, best_ms1: Any) -> dict[str, Any]:
        if exp != "intact_ms1":
            return {"performed": False, "reason": f"not an intact_ms1 experiment ({exp})"}
        if not self.params["deconvolution"]:
            return {"performed": False, "reason": "disabled by parameter"}
        if best_ms1 is None or len(best_ms1[1]) == 0:
            return {"performed": False, "reason": "no MS1 peaks to deconvolute"}
        from .deconvolution import deconvolute

        try:
            masses, how = deconvolute(best_ms1[1], best_ms1[2])
        except Exception as exc:  # noqa: BLE001 - deconvolution is best effort
            self.warnings.append(f"deconvolution failed: {exc}")
            return {"performed": False, "reason": one_line(f"deconvolution failed: {exc}")}
        return {"performed": True, "reason": how, "masses": masses}


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def analyse_file(
    input_path: Path,
    out_dir: Path,
    raw_params: dict[str, Any],
    fasta_text: str | None,
    file_id: str | None = None,
    analysis_id: str | None = None,
    display_name: str | None = None,
    expected_sha256: str | None = None,
) -> dict[str, Any]:
    """Analyse one file into out_dir; write summary.json last or error.json.

    Returns the summary; raises WorkerError after writing error.json.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in ("summary.json", "error.json"):
        (out_dir / stale).unlink(missing_ok=True)
    job = None
    try:
        params = resolve(raw_params)
        job = FileAnalysis(input_path, out_dir, params, fasta_text, file_id, analysis_id, display_name, expected_sha256)
        summary = job.run()
    except WorkerError as exc:
        _cleanup(job)
        write_error(
            out_dir,
            exc,
            file_id,
            analysis_id,
            getattr(job, "input_info", None) if job else None,
            input_path,
            display_name,
        )
        raise
    except Exception as exc:  # noqa: BLE001 - anything else is an internal error
        _cleanup(job)
        err = WorkerError("INTERNAL", f"{type(exc).__name__}: {exc}")
        write_error(
            out_dir,
            err,
            file_id,
            analysis_id,
            getattr(job, "input_info", None) if job else None,
            input_path,
            display_name,
        )
        raise err from exc
    tmp = out_dir / "summary.json.tmp"
    tmp.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, out_dir / "summary.json")
    return summary


def _cleanup(job: FileAnalysis | None) -> None:
    if job is None:
        return
    for path in job.written:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass


def write_error(
    out_dir: Path,
    exc: WorkerError,
    file_id: str | None,
    analysis_id: str | None,
    input_info: dict[str, Any] | None,
    input_path: Path | None = None,
    display_name: str | None = None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {"schemaVersion": 1, "status": "FAILED"}
    if analysis_id:
        doc["analysisId"] = analysis_id
    if file_id:
        doc["fileId"] = file_id
    doc["errorCode"] = exc.code
    doc["message"] = exc.message
    info = input_info
    if info is None and input_path is not None:
        info = {"name": display_name or input_path.name}
        try:
            info["sizeBytes"] = input_path.stat().st_size
            info["sha256"] = sha256_file(input_path)
        except OSError:
            pass
    if info is not None:
        doc["input"] = info
    doc["tool"] = {"name": TOOL_NAME, "version": __version__}
    doc["failedAt"] = now_iso()
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "summary.json").unlink(missing_ok=True)
    (out_dir / "error.json").write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    print(f"error: {exc.code}: {exc.message}", file=sys.stderr)
    return doc
