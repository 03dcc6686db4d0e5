import sys, time, numpy as np, pandas as pd
sys.path.insert(0, "/tmp/science")
import sage_search as ss
from sagepy.core import Scorer, Tolerance, SpectrumProcessor, Precursor, RawSpectrum, Representation
from sagepy.core.scoring import ScoreType
from sagepy.core.fdr import sage_fdr_psm, lda_rescore_psms
fasta = sys.argv[1]
raw = list(ss.read_ms2("/work/main/testdata/ms/BSA1.mzML.gz"))
print("charges:", pd.Series([r[3] for r in raw]).value_counts(dropna=False).to_dict())
print("iso offsets:", set((r[4], r[5]) for r in raw))
def spectra(deiso, topn):
    proc = SpectrumProcessor(take_top_n=topn, deisotope=deiso)
    return [proc.process(RawSpectrum(file_id=0, spec_id=sid, total_ion_current=float(i.sum()),
            precursors=[Precursor(mz=pmz, charge=z, isolation_window=Tolerance(da=(-lo, hi)))],
            mz=m.astype(np.float32), intensity=i.astype(np.float32), scan_start_time=rt/60, ms_level=2))
            for sid, rt, pmz, z, lo, hi, m, i in raw]
BSA = "sp|P02769|ALBU_BOVIN"
for bucket in (8192, 65536):
    t=time.process_time(); db = ss.build_db(open(fasta).read(), lowres=(bucket==65536)); print("db", bucket, round(time.process_time()-t,2))
    for st in ("openmshyperscore", "hyperscore"):
      for ftol, fz, topn in ((0.5,1,150),(0.5,2,150),(0.3,1,150),(0.5,1,50)):
        sp = spectra(False, topn)
        sc = Scorer(precursor_tolerance=Tolerance(ppm=(-10,10)), fragment_tolerance=Tolerance(da=(-ftol,ftol)),
                    min_matched_peaks=4, min_isotope_err=0, max_isotope_err=1, min_precursor_charge=2,
                    max_precursor_charge=3, report_psms=1, max_fragment_charge=fz, score_type=ScoreType(st),
                    static_mods={"C": "[UNIMOD:4]"}, variable_mods={"M": ["[UNIMOD:35]"]})
        t=time.process_time(); psms=[p for v in sc.score_collection_psm(db, sp, num_threads=1).values() for p in v]; ts=time.process_time()-t
        res=[]
        for mode in ("hyper","lda"):
            if mode=="lda": ok=lda_rescore_psms(psms, Tolerance(ppm=(-10,10)))
            sage_fdr_psm(psms, db, use_hyper_score=(mode=="hyper"))
            acc=[p for p in psms if not p.decoy and p.sage_feature.spectrum_q<=0.01]
            pep={p.sequence for p in psms if not p.decoy and p.sage_feature.peptide_q<=0.01}
            res.append(f"{mode}: psm={len(acc)} pep={len(pep)} bsaPSM={sum(BSA in p.proteins for p in acc)}")
        print(f"bucket={bucket} {st} ftol={ftol} fz={fz} top{topn} search={ts:.2f}s n={len(psms)} dec={sum(p.decoy for p in psms)} | "+" | ".join(res), flush=True)
