"""Core search + FDR path (low-res MS2): worker's pyteomics pass -> MGF -> Debian comet-ms 2019.01 -> own TDC.
Usage: python comet_search.py SPECTRA.mzML[.gz] DB.fasta [--highres]      (apt-get install comet-ms)"""
import sys, os, gzip, json, math, csv, subprocess, tempfile, time
import numpy as np
from psims.controlled_vocabulary import controlled_vocabulary as cv
cv.obo_cache.use_remote = False; cv.obo_cache.enabled = False      # psims: no PSI-MS download per open
from pyteomics import mzml

def write_mgf(mzml_path, mgf_path):
    """MS2 spectra -> MGF (in the worker this happens inside the existing single streaming pass)."""
    fh = gzip.open(mzml_path, "rb") if mzml_path.endswith(".gz") else open(mzml_path, "rb")
    n = 0
    with mzml.MzML(fh, use_index=False, decode_binary=True) as reader, open(mgf_path, "w") as out:
        for s in reader:
            if s.get("ms level") != 2: continue
            ion = s["precursorList"]["precursor"][0]["selectedIonList"]["selectedIon"][0]
            n += 1; z = ion.get("charge state")
            out.write(f"BEGIN IONS\nTITLE={s['id']}\nSCANS={n}\nPEPMASS={float(ion['selected ion m/z']):.6f}\n")
            if z: out.write(f"CHARGE={int(z)}+\n")          # missing: Comet tries precursor_charge 2..3
            out.write("".join(f"{m:.5f} {i:.1f}\n" for m, i in zip(s["m/z array"].tolist(),
                                                                 s["intensity array"].tolist())) + "END IONS\n")
    return n

def comet_params(db, highres, workdir):
    """Comet 2019.01 rejects hand-written params ('outdated params file'): edit its own '-p' template."""
    subprocess.run(["comet-ms", "-p"], cwd=workdir, capture_output=True, check=True)
    p = {"database_name": db, "decoy_search": 1, "decoy_prefix": "DECOY_", "num_threads": 1,
         "peptide_mass_tolerance": 10.0, "peptide_mass_units": 2, "isotope_error": 1,
         "search_enzyme_number": 1, "num_enzyme_termini": 2, "allowed_missed_cleavage": 2,
         "variable_mod01": "15.9949 M 0 2 -1 0 0 0.0", "add_C_cysteine": 57.021464,
         "precursor_charge": "2 3", "num_output_lines": 1, "output_txtfile": 1, "output_pepxmlfile": 0}
    p.update({"fragment_bin_tol": 0.02, "fragment_bin_offset": 0.0, "theoretical_fragment_ions": 0}
             if highres else {"fragment_bin_tol": 1.0005, "fragment_bin_offset": 0.4, "theoretical_fragment_ions": 1})
    lines = open(f"{workdir}/comet.params.new").read().splitlines()
    lines = [f"{l.split('=')[0].strip()} = {p[l.split('=')[0].strip()]}" if "=" in l and l.split("=")[0].strip() in p
             else l for l in lines]
    open(f"{workdir}/comet.params", "w").write("\n".join(lines) + "\n")

def tdc(score, decoy, plus_one=True):
    """Target-decoy competition q-values. plus_one: (D+1)/T (finite-sample control); else D/T (Elias-Gygi)."""
    o = np.argsort(-score, kind="stable"); d = np.cumsum(decoy[o]); t = np.cumsum(~decoy[o])
    q = np.minimum.accumulate(((d + plus_one) / np.maximum(t, 1))[::-1])[::-1]
    out = np.empty_like(q); out[o] = q
    return out

def search(mzml_path, fasta, highres=False, fdr=0.01):
    t0 = time.process_time()
    with tempfile.TemporaryDirectory() as w:
        n = write_mgf(mzml_path, f"{w}/run.mgf"); t_mgf = time.process_time()
        comet_params(os.path.abspath(fasta), highres, w)
        child = subprocess.run(["comet-ms", "-Pcomet.params", "run.mgf"], cwd=w, capture_output=True, text=True)
        if child.returncode: raise RuntimeError(child.stdout[-500:] + child.stderr[-500:])
        with open(f"{w}/run.txt") as fh:
            next(fh)                                            # "CometVersion ..." banner line
            psms = [r for r in csv.DictReader(fh, delimiter="\t")]
    decoy = np.array([all(p.startswith("DECOY_") for p in r["protein"].split(",")) for r in psms], bool)
    score = np.array([-math.log10(max(float(r["e-value"]), 1e-300)) for r in psms])
    q_plus1, q_dt = tdc(score, decoy, True), tdc(score, decoy, False)
    # peptide level: best PSM per peptide, then the same competition
    best = {}
    for i, r in enumerate(psms):
        k = r["plain_peptide"]
        if k not in best or score[i] > score[best[k]]: best[k] = i
    idx = np.array(list(best.values()), int)
    pq_plus1, pq_dt = tdc(score[idx], decoy[idx], True), tdc(score[idx], decoy[idx], False)
    n_t, n_tp = int((~decoy).sum()), int((~decoy[idx]).sum())
    report = dict(ms2=n, psms=len(psms), decoy_top_hits=int(decoy.sum()),
                  psm_q_floor=round(float(q_plus1[~decoy].min()), 4) if n_t else None,   # best (D+1)/T reachable
                  peptide_q_floor=round(float(pq_plus1[~decoy[idx]].min()), 4) if n_tp else None,
                  psms_at_fdr={"(D+1)/T": int(((~decoy) & (q_plus1 <= fdr)).sum()), "D/T": int(((~decoy) & (q_dt <= fdr)).sum())},
                  peptides_at_fdr={"(D+1)/T": int(((~decoy[idx]) & (pq_plus1 <= fdr)).sum()),
                                   "D/T": int(((~decoy[idx]) & (pq_dt <= fdr)).sum())},
                  fdr_estimable={"psm": bool(n_t and q_plus1[~decoy].min() <= fdr),
                                 "peptide": bool(n_tp and pq_plus1[~decoy[idx]].min() <= fdr)},
                  cpu=dict(mgf=round(t_mgf - t0, 2), rest_in_process=round(time.process_time() - t_mgf, 2)))
    rows = [dict(spec=r["scan"], peptide=r["plain_peptide"], proteins=r["protein"], charge=r["charge"],
                 score=score[i], decoy=bool(decoy[i]), q=float(q_plus1[i]), q_dt=float(q_dt[i])) for i, r in enumerate(psms)]
    return rows, report

if __name__ == "__main__":
    rows, report = search(sys.argv[1], sys.argv[2], "--highres" in sys.argv)
    print(json.dumps(report))
