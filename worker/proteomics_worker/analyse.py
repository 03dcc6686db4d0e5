"""Analysis of one spectrum file in a single streaming pass.

The result files are written by outputs.py, and summary.json or error.json by summary.py.
"""

from __future__ import annotations

import shutil
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .acquisition import AcquisitionDetector
from .errors import WorkerError, one_line
from .log import log
from .mapping import Protein, parse_fasta
from .outputs import SpectraTable, describe_outputs, fill_identifications, write_mzqc, write_mztab, write_tables
from .params import resolve
from .qc import ErrorStats, FixedHistogram, Range, TraceDownsampler
from .readers import HIGH_RES, LOW_RES, classify_read_error, iter_spectra, sniff_format
from .storage import sha256_file
from .summary import (
    LOCAL_EXECUTION,
    accepted_counts,
    build_summary,
    counts_doc,
    experiment_type,
    fdr_flags,
    identification_doc,
    identification_qc,
    now_iso,
    qc_doc,
    write_error,
    write_summary,
)

LOW_QUALITY_PEAKS = 10


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
        execution_name: str = LOCAL_EXECUTION,
        background_text: str | None = None,
    ) -> None:
        self.input_path = input_path
        self.out_dir = out_dir
        self.params = params
        self.fasta_text = fasta_text
        self.background_text = background_text
        self.file_id = file_id
        self.analysis_id = analysis_id
        self.display_name = display_name or input_path.name
        self.expected_sha256 = expected_sha256
        self.execution_name = execution_name
        self.written: list[Path] = []
        self.warnings: list[str] = []
        self.engine: dict[str, str] = {"name": "none", "version": "none"}
        self._missed: dict[int, int] = {}
        self.scratch = out_dir.parent / f".{out_dir.name}.search"

    # ----------------------------------------------------------------- main
    def run(self) -> dict[str, Any]:
        started = now_iso()
        t0 = time.monotonic()
        proteins = parse_fasta(self.fasta_text) if self.fasta_text is not None else None
        background: list[Protein] = []
        if self.background_text is not None:
            background = parse_fasta(self.background_text)
        fmt = sniff_format(self.input_path)
        size = self.input_path.stat().st_size
        digest = sha256_file(self.input_path)
        self.input_info: dict[str, Any] = {"name": self.display_name, "sha256": digest, "sizeBytes": size, "format": fmt}
        if self.expected_sha256 and self.expected_sha256.lower() != digest:
            raise WorkerError("CHECKSUM_MISMATCH", f"input sha256 {digest} differs from the manifest's")
        self.out_dir.mkdir(parents=True, exist_ok=True)
        search = proteins is not None
        if search:
            if 2 not in self.params["filters"]["msLevels"]:
                raise WorkerError("BAD_PARAMETERS", "filters/msLevels must include 2 to search a sequence")
            from .search import comet_version

            self.engine = {"name": "Comet", "version": comet_version()}
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch.mkdir(parents=True)
        try:
            result = self._stream(fmt, search)
            acq = result["acquisition"].result()
            if acq["mode"] == "DIA":
                raise WorkerError(
                    "UNSUPPORTED_ACQUISITION",
                    f"data-independent acquisition (DIA) recognised: {acq['reason']}; the default worker searches "
                    "DDA data only (use a DIA tool such as DIA-NN or a custom worker image)",
                )
            ident = self._search(proteins or [], background, result) if search else None
            return self._finish(result, ident, proteins, acq, started, t0)
        finally:
            shutil.rmtree(self.scratch, ignore_errors=True)

    # --------------------------------------------------------------- stream
    def _stream(self, fmt: str, search: bool) -> dict[str, Any]:
        p = self.params
        flt = p["filters"]
        levels = set(flt["msLevels"])

        parquet_path = self.out_dir / "spectra.parquet"
        self.written.append(parquet_path)
        rows = SpectraTable(parquet_path)
        mgf = None
        if search:
            mgf = open(self.scratch / "spectra.mgf", "w", encoding="ascii")  # noqa: SIM115 - closed in finally
        scans: list[tuple[int, str, float | None, float]] = []  # MGF scan n -> (index, native id, rt, m/z)

        c: Counter[str] = Counter()
        classes: dict[str, Counter[str]] = {
            k: Counter() for k in ("charge", "dataMode", "quality", "identification", "filter", "polarity")
        }
        analysers: Counter[str] = Counter()
        ms1_profile: Counter[str] = Counter()
        trace_ms1 = TraceDownsampler(p["traceMaxPoints"])
        trace_all = TraceDownsampler(p["traceMaxPoints"])
        rt_range, mz_range, prec_range = Range(), Range(), Range()
        prec_hist = FixedHistogram(0.0, 6000.0, 50.0)
        acquisition = AcquisitionDetector()
        total_ms1_tic = 0.0
        best_ms1: tuple[float, np.ndarray, np.ndarray] | None = None

        try:
            for spec in iter_spectra(self.input_path, fmt):
                c["spectra"] += 1
                lvl = spec.ms_level
                acquisition.add(lvl, spec.isolation_target, spec.isolation_width)
                if lvl == 1:
                    c["ms1"] += 1
                    ms1_profile[spec.data_mode] += 1
                elif lvl == 2:
                    c["ms2"] += 1
                    analysers[spec.analyser or "unknown"] += 1
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
                    if lvl == 2 and mgf is not None:
                        ident = "unmatched"
                        if spec.precursor_mz is not None and n_kept:
                            scans.append((spec.index, spec.native_id, spec.rt_seconds, spec.precursor_mz))
                            _write_mgf(mgf, len(scans), spec.native_id, spec.precursor_mz, charge, spec.rt_seconds,
                                       mz, inten)
                else:
                    c["spectraFiltered"] += 1
                    if lvl == 2 and mgf is not None:
                        ident = "unmatched"
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
                        "peptide": None,
                        "ppm_error": None,
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
                if mgf is not None:
                    mgf.close()
        if c["spectra"] == 0:
            raise WorkerError("EMPTY", "the file holds no spectra")
        return {
            "counts": c,
            "classes": classes,
            "analysers": analysers,
            "ms1_profile": ms1_profile,
            "trace_ms1": trace_ms1,
            "trace_all": trace_all,
            "rt_range": rt_range,
            "mz_range": mz_range,
            "prec_range": prec_range,
            "prec_hist": prec_hist,
            "total_ms1_tic": total_ms1_tic,
            "best_ms1": best_ms1,
            "acquisition": acquisition,
            "scans": scans,
        }

    # --------------------------------------------------------------- search
    def _search(self, sample: list[Protein], background: list[Protein], r: dict[str, Any]) -> dict[str, Any]:
        from . import contaminants as con
        from .search import build_database, comet_settings, control, fragment_settings, parse_psms, run_comet

        p = self.params
        threshold = float(p["fdrThreshold"])
        estimator = str(p.get("fdrEstimator") or "target-decoy")
        cons = con.load() if p["contaminants"] else []
        db = build_database(sample, cons, background, self.scratch / "database.fasta")
        analysers: Counter[str] = r["analysers"]
        analyser = analysers.most_common(1)[0][0] if analysers else None
        if analyser not in (HIGH_RES, LOW_RES):
            analyser = None
        fragment, frag_tol = fragment_settings(p, analyser)
        settings = comet_settings(p, db.path, fragment)
        scans = r["scans"]
        import resource

        t0 = time.process_time() + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
        psms = parse_psms(run_comet(self.scratch, self.scratch / "spectra.mgf", settings)) if scans else []
        fdr = control(psms, threshold, estimator)
        log("INFO", "search_done", fileId=self.file_id, analysisId=self.analysis_id, engine="Comet",
            psms=len(psms),
            cpuSeconds=round(time.process_time() + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - t0, 3))
        doc = identification_doc(self.engine, settings, frag_tol, db, fdr, threshold, estimator,
                                  con.source() if p["contaminants"] else None, bool(background))
        return {"doc": doc, "fdr": fdr, "db": db, "scans": scans}

    def _coverage(self, ident: dict[str, Any], sample: list[Protein]) -> dict[str, Any]:
        """Coverage from peptides accepted at the peptide-level threshold only."""
        fdr = ident["fdr"]
        db = ident["db"]
        threshold = fdr.threshold
        accepted = [pp for pp in fdr.peptides if pp["accepted"]]
        psm_count: Counter[str] = Counter()
        for psm in fdr.psms:
            if psm.accepted:
                for acc in psm.proteins:
                    psm_count[acc] += 1
        per_protein: dict[str, list[str]] = {}
        for pep in accepted:
            for acc in pep["proteins"]:
                per_protein.setdefault(acc, []).append(pep["peptide"])
        sample_accs = list(db.proteins)[: db.sample]
        listed = sample_accs + sorted(a for a in per_protein if a not in sample_accs)
        prots = []
        covered_total = length_total = 0
        for acc in listed:
            prot = db.proteins.get(acc)
            if prot is None:
                continue
            mask = np.zeros(len(prot.sequence), dtype=bool)
            for seq in per_protein.get(acc, []):
                start = prot.sequence.find(seq)
                while start >= 0:
                    mask[start : start + len(seq)] = True
                    start = prot.sequence.find(seq, start + 1)
            pct = round(100.0 * float(mask.mean()), 2) if len(mask) else 0.0
            if acc in sample_accs:
                covered_total += int(mask.sum())
                length_total += len(mask)
            prots.append({
                "accession": acc,
                "description": prot.description[:200],
                "length": len(prot.sequence),
                "percent": pct,
                "peptides": len(set(per_protein.get(acc, []))),
                "psms": psm_count.get(acc, 0),
                "residueCoverage": "".join("+" if m else "." for m in mask),
            })
        if len(prots) > 200:
            self.warnings.append(f"coverage listed for the sample proteins and 200 of {len(prots)} proteins")
            prots = prots[:200]
        lv = fdr.levels["peptide"]
        if lv.estimable:
            basis = f"peptides accepted at peptide-level q <= {threshold:g} ({fdr.estimator})"
        else:
            floor = "none" if lv.floor is None else f"{lv.floor:.4f}"
            basis = (f"no peptide reaches peptide-level q <= {threshold:g} (smallest q {floor}): coverage is not "
                     "reported from unaccepted peptides")
        return {
            "percent": round(100.0 * covered_total / length_total, 2) if length_total else 0.0,
            "basis": basis[:300],
            "proteins": prots,
        }

    # --------------------------------------------------------------- finish
    def _finish(
        self,
        r: dict[str, Any],
        ident: dict[str, Any] | None,
        proteins: list[Protein] | None,
        acq: dict[str, Any],
        started: str,
        t0: float,
    ) -> dict[str, Any]:
        c: Counter[str] = r["counts"]
        experiment = experiment_type(c, r["ms1_profile"], proteins is not None)

        coverage_doc = None
        ident_doc = None
        ident_qc = None
        err = ErrorStats(max(float(self.params["precursorTolerancePpm"]), 1.0) * 2)
        accepted_rows: list[dict[str, Any]] = []
        counts_extra: dict[str, int] = {}
        qc_flags: list[dict[str, str]] = []
        if ident is not None and proteins is not None:
            ident_doc = ident["doc"]
            fdr = ident["fdr"]
            accepted_rows, by_index = write_tables(self.out_dir, fdr, ident["scans"], self.written)
            fill_identifications(self.out_dir / "spectra.parquet", by_index, r["classes"]["identification"])
            coverage_doc = self._coverage(ident, proteins)
            if not ident["scans"]:
                self.warnings.append("a sequence was given but the file has no MS2 spectra to search")
            accepted = [p for p in fdr.psms if p.accepted]
            for psm in accepted:
                err.add(psm.ppm, _rt_of(ident["scans"], psm.scan))
            ident_qc, self._missed = identification_qc(accepted, fdr.peptides, c["ms2"], self.params["enzyme"])
            counts_extra = accepted_counts(ident_doc)
            qc_flags = fdr_flags(ident_doc, fdr.levels["peptide"].estimable)
        mass_error = None
        prec = err.summary()
        if prec is not None:
            frag = self._fragment_errors(ident) if ident is not None else None
            mass_error = {"precursor": prec, "fragment": frag}

        trace = r["trace_ms1"] if c["ms1"] else r["trace_all"]
        rts, tics, bps = trace.result()
        decon = self._deconvolution(experiment[0], r["best_ms1"])
        counts = counts_doc(c, counts_extra)
        qc = qc_doc(r, (rts, tics, bps), decon, ident_qc)
        from .plots import write_plots

        for path in write_plots(self.out_dir, qc, coverage_doc, err, ident is not None):
            self.written.append(path)
        if ident_doc is not None:
            path = self.out_dir / "results.mzTab"
            write_mztab(path, self.display_name, self.engine, self.params, accepted_rows,
                        f"q <= {ident_doc['fdr']['threshold']:g}, {ident_doc['fdr']['estimator']}")
            self.written.append(path)
        path = self.out_dir / "qc.mzQC"
        qc_for_mzqc = dict(ident_qc, missedCleavageCounts=self._missed) if ident_qc else None
        write_mzqc(path, self.display_name, self.input_info["format"],
                   self.engine, __version__, counts, qc_for_mzqc,
                   prec, (rts, tics), mass_error["fragment"] if mass_error else None)
        self.written.append(path)
        return build_summary(
            execution_name=self.execution_name,
            analysis_id=self.analysis_id,
            file_id=self.file_id,
            params=self.params,
            input_info=self.input_info,
            experiment=experiment,
            acquisition=acq,
            counts=counts,
            classes=r["classes"],
            identification=ident_doc,
            coverage=coverage_doc,
            mass_error=mass_error,
            qc=qc,
            qc_flags=qc_flags,
            warnings=self.warnings,
            outputs=describe_outputs(self.written),
            started=started,
            t0=t0,
        )

    def _fragment_errors(self, ident: dict[str, Any]) -> dict[str, Any] | None:
        """b/y fragment errors of accepted PSMs only, matched at the search's fragment tolerance.

        The accepted spectra are read back from the MGF file the search used (the filtered peaks).
        PSMs with terminal modifications are skipped (no positional ladder).
        """
        from .search import fragment_errors, fragment_ions

        accepted = {p.scan: p for p in ident["fdr"].psms if p.accepted}
        tol = ident["doc"]["fragmentTolerance"]
        if not accepted:
            return None
        da: list[np.ndarray] = []
        ppm: list[np.ndarray] = []
        for scan, peaks in _mgf_peaks(self.scratch / "spectra.mgf", set(accepted)):
            theo = fragment_ions(accepted[scan])
            if theo is None:
                continue
            errs, matched = fragment_errors(theo, peaks, float(tol["value"]), str(tol["unit"]))
            if len(errs):
                da.append(errs)
                ppm.append(errs / matched * 1e6)
        if not da:
            return None
        e = np.concatenate(da)
        p = np.concatenate(ppm)
        return {
            "n": int(len(e)),
            "unit": str(tol["unit"]),
            "median": round(float(np.median(e if tol["unit"] == "Da" else p)), 4),
            "medianAbs": round(float(np.median(np.abs(e if tol["unit"] == "Da" else p))), 4),
            "medianPpm": round(float(np.median(p)), 3),
            "medianAbsPpm": round(float(np.median(np.abs(p))), 3),
            "meanPpm": round(float(p.mean()), 3),
            "sdPpm": round(float(p.std(ddof=1)), 3) if len(p) > 1 else 0.0,
            "minPpm": round(float(p.min()), 3),
            "maxPpm": round(float(p.max()), 3),
        }

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


def _write_mgf(fh: Any, scan: int, title: str, pmz: float, charge: int | None, rt: float | None,
               mz: np.ndarray, inten: np.ndarray) -> None:
    head = f"BEGIN IONS\nTITLE={_mgf_title(title)}\nSCANS={scan}\nPEPMASS={pmz:.6f}\n"
    if charge is not None and charge > 0:
        head += f"CHARGE={charge}+\n"
    if rt is not None:
        head += f"RTINSECONDS={rt:.3f}\n"
    fh.write(head + "".join(f"{m:.5f} {i:.2f}\n" for m, i in zip(mz.tolist(), inten.tolist(), strict=True))
             + "END IONS\n")


def _mgf_title(title: str) -> str:
    return "".join(ch if 32 < ord(ch) < 127 else "_" for ch in title)[:200] or "spectrum"


def _mgf_peaks(path: Path, wanted: set[int]) -> Any:
    """Yield (scan, m/z array) for the wanted SCANS of the MGF file this worker wrote."""
    scan = None
    mzs: list[float] = []
    with open(path, encoding="ascii") as fh:
        for line in fh:
            if line.startswith("SCANS="):
                scan = int(line[6:])
                mzs = []
            elif line.startswith("END IONS"):
                if scan in wanted:
                    yield scan, np.asarray(mzs, dtype=float)
                scan = None
            elif scan in wanted and line[:1].isdigit():
                mzs.append(float(line.split(" ", 1)[0]))


def _rt_of(scans: list[Any], scan: int) -> float | None:
    rt: float | None = scans[scan - 1][2]
    return rt


def analyse_file(
    input_path: Path,
    out_dir: Path,
    raw_params: dict[str, Any],
    fasta_text: str | None,
    file_id: str | None = None,
    analysis_id: str | None = None,
    display_name: str | None = None,
    expected_sha256: str | None = None,
    execution_name: str = LOCAL_EXECUTION,
    background_text: str | None = None,
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
        job = FileAnalysis(input_path, out_dir, params, fasta_text, file_id, analysis_id, display_name, expected_sha256,
                           execution_name, background_text)
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
            execution_name,
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
            execution_name,
        )
        raise err from exc
    write_summary(out_dir, summary)
    ident = summary.get("identification") or {}
    log("INFO", "file_succeeded", fileId=file_id, analysisId=analysis_id, executionName=execution_name,
        psmsAccepted=(ident.get("accepted") or {}).get("psms"), fdrEstimable=(ident.get("fdr") or {}).get("estimable"))
    return summary


def _cleanup(job: FileAnalysis | None) -> None:
    if job is None:
        return
    for path in job.written:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass
