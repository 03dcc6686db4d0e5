"""pyOpenMS 3.6.0 path: SimpleSearchEngineAlgorithm (decoys generated) + FalseDiscoveryRate + IDFilter,
then mzTab + mzIdentML export. Usage: python openms_search.py SPECTRA.mzML DB.fasta OUTPREFIX"""
import os, sys, time, json
os.environ.setdefault("OMP_NUM_THREADS", "1")
import pyopenms as oms

def run(mzml, fasta, out, lowres=True):
    t0 = time.process_time()
    t_read = time.process_time()   # pyopenms 3.6.0 binds only the file-based search(): it reads mzML itself
    se = oms.SimpleSearchEngineAlgorithm(); p = se.getDefaults()
    p.setValue("decoys", "true")
    p.setValue("precursor:mass_tolerance", 10.0); p.setValue("precursor:mass_tolerance_unit", "ppm")
    p.setValue("precursor:min_charge", 2); p.setValue("precursor:max_charge", 4)
    p.setValue("fragment:mass_tolerance", 0.5 if lowres else 20.0)
    p.setValue("fragment:mass_tolerance_unit", "Da" if lowres else "ppm")
    p.setValue("peptide:missed_cleavages", 2); p.setValue("peptide:max_size", 50)
    p.setValue("modifications:fixed", [b"Carbamidomethyl (C)"])
    p.setValue("modifications:variable", [b"Oxidation (M)"])
    se.setParameters(p)
    pep_ids = oms.PeptideIdentificationList()
    rc, prot_ids = se.search(mzml, fasta, pep_ids)   # .pyi lists in-memory overloads; not bound at runtime
    t_search = time.process_time()
    fdr = oms.FalseDiscoveryRate(); fp = fdr.getDefaults()
    fp.setValue("add_decoy_peptides", "true"); fdr.setParameters(fp)   # keep decoys for counting
    hyperscores = [[h.getScore() for h in pid.getHits()] for pid in pep_ids]
    fdr.apply(pep_ids)                         # PSM-level q-values, (D+1)/T ("conservative"); score := q
    rows = []
    for pid, hs in zip(pep_ids, hyperscores):
        for h, score in zip(pid.getHits(), hs):
            rows.append(dict(score=score, spec=pid.getMetaValue("spectrum_reference"), peptide=h.getSequence().toUnmodifiedString(),
                             modified=h.getSequence().toString(), charge=h.getCharge(), engine_q=h.getScore(),
                             decoy=h.getMetaValue("target_decoy") == "decoy",
                             proteins=";".join(e.getProteinAccession() for e in h.getPeptideEvidences())))
    t_fdr = time.process_time()
    IDFilter = oms.IDFilter()
    IDFilter.removeDecoyHits(pep_ids); IDFilter.filterHitsByScore(pep_ids, 0.01)
    IDFilter.removeEmptyIdentifications(pep_ids)
    oms.MzTabFile().store(out + ".mzTab", prot_ids, pep_ids, False, False, True)
    oms.MzIdentMLFile().store(out + ".mzid", prot_ids, pep_ids)
    t_write = time.process_time()
    timing = dict(read=t_read - t0, search=t_search - t_read, fdr=t_fdr - t_search, write=t_write - t_fdr)
    return rows, {k: round(v, 3) for k, v in timing.items()}

if __name__ == "__main__":
    rows, timing = run(sys.argv[1], sys.argv[2], sys.argv[3], "--highres" not in sys.argv)
    import csv
    with open(sys.argv[3] + ".tsv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter="\t"); w.writeheader(); w.writerows(rows)
    print(json.dumps(dict(timing=timing, n=len(rows))))
