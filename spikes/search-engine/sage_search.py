"""Core search + FDR path: pyteomics reads mzML, sagepy (Sage core) searches, LDA + picked FDR.
Usage: python sage_search.py SPECTRA.mzML[.gz] DB.fasta OUT.tsv [--lowres|--highres]"""
import sys, gzip, time, json
import numpy as np
from psims.controlled_vocabulary import controlled_vocabulary as cv
cv.obo_cache.use_remote = False; cv.obo_cache.enabled = False   # no CV download per reader open
from pyteomics import mzml
from sagepy.core import (EnzymeBuilder, SageSearchConfiguration, Scorer, Tolerance, Precursor,
                         RawSpectrum, SpectrumProcessor, Representation)
from sagepy.core.fdr import sage_fdr_psm, lda_rescore_psms

THREADS = 1

def read_ms2(path):
    """Yield (id, rt_s, prec_mz, charge|None, iso_lo, iso_hi, mz, intensity) for MS2 spectra."""
    fh = gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")
    with mzml.MzML(fh, use_index=False, decode_binary=True) as reader:
        for s in reader:
            if s.get("ms level") != 2: continue
            prec = s["precursorList"]["precursor"][0]
            ion = prec["selectedIonList"]["selectedIon"][0]
            iso = prec.get("isolationWindow", {})
            scan = s["scanList"]["scan"][0]
            rt = float(scan.get("scan start time", 0.0))
            if getattr(scan.get("scan start time"), "unit_info", "") == "minute": rt *= 60
            z = ion.get("charge state")
            yield (s["id"], rt, float(ion["selected ion m/z"]), int(z) if z else None,
                   float(iso.get("isolation window lower offset", 1.0)),
                   float(iso.get("isolation window upper offset", 1.0)),
                   s["m/z array"], s["intensity array"])

def build_db(fasta_text, lowres):
    enzyme = EnzymeBuilder(missed_cleavages=2, min_len=7, max_len=50, cleave_at="KR", restrict="P",
                           c_terminal=True)
    cfg = SageSearchConfiguration(fasta=fasta_text, enzyme_builder=enzyme,
                                  static_mods={"C": "[UNIMOD:4]"}, variable_mods={"M": ["[UNIMOD:35]"]},
                                  max_variable_mods=2, generate_decoys=True, decoy_tag="rev_",
                                  bucket_size=65536 if lowres else 8192)   # sage docs: larger buckets for low-res
    return cfg.generate_indexed_database()

def search(spectra_path, fasta_text, lowres=True):
    t = {"t0": time.process_time()}
    proc = SpectrumProcessor(take_top_n=150, deisotope=not lowres)  # ion-trap CID: no deisotoping
    spectra = []
    for sid, rt, pmz, z, lo, hi, mz, inten in read_ms2(spectra_path):
        prec = Precursor(mz=pmz, charge=z, isolation_window=Tolerance(da=(-lo, hi)))
        raw = RawSpectrum(file_id=0, spec_id=sid, total_ion_current=float(inten.sum()), precursors=[prec],
                          mz=mz.astype(np.float32), intensity=inten.astype(np.float32),
                          representation=Representation("centroid"), scan_start_time=rt / 60.0, ms_level=2)
        spectra.append(proc.process(raw))
    t["read"] = time.process_time()
    db = build_db(fasta_text, lowres)
    t["db"] = time.process_time()
    prec_tol = Tolerance(ppm=(-10.0, 10.0))
    scorer = Scorer(precursor_tolerance=prec_tol,
                    fragment_tolerance=Tolerance(da=(-0.5, 0.5)) if lowres else Tolerance(ppm=(-20.0, 20.0)),
                    min_matched_peaks=4, min_isotope_err=0, max_isotope_err=1,
                    min_precursor_charge=2, max_precursor_charge=3,  # tried when a charge is missing
                    report_psms=1, max_fragment_charge=2,
                    static_mods={"C": "[UNIMOD:4]"}, variable_mods={"M": ["[UNIMOD:35]"]})
    psm_dict = scorer.score_collection_psm(db, spectra, num_threads=THREADS)
    psms = [p for v in psm_dict.values() for p in v]
    t["search"] = time.process_time()
    lda_ok = lda_rescore_psms(psms, prec_tol) if psms else False
    sage_fdr_psm(psms, db, use_hyper_score=not lda_ok)     # spectrum, picked-peptide, picked-protein q
    t["fdr"] = time.process_time()
    rows = []
    for p in psms:
        f = p.sage_feature
        rows.append(dict(spec=p.spec_idx, peptide=p.sequence, modified=p.sequence_modified,
                         proteins=";".join(p.proteins), decoy=bool(p.decoy), charge=f.charge,
                         score=f.discriminant_score if lda_ok else f.hyperscore, hyperscore=f.hyperscore, ppm=f.average_ppm,
                         engine_q=f.spectrum_q, peptide_q=f.peptide_q, protein_q=f.protein_q))
    timing = {k: round(t[k] - t[prev], 3) for prev, k in zip(["t0", "read", "db", "search"],
                                                             ["read", "db", "search", "fdr"])}
    return rows, dict(timing=timing, lda_ok=bool(lda_ok), n_spectra=len(spectra), n_peptides=db.num_peptides)

if __name__ == "__main__":
    spectra_path, fasta_path, out = sys.argv[1:4]
    lowres = "--highres" not in sys.argv
    rows, info = search(spectra_path, open(fasta_path).read(), lowres)
    import csv
    with open(out, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else ["spec"], delimiter="\t")
        w.writeheader(); w.writerows(rows)
    print(json.dumps(info))
