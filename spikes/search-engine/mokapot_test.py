"""Does mokapot 0.10.0 rescoring help Sage PSMs? Usage: python mokapot_test.py DB.fasta"""
import sys, time, numpy as np, pandas as pd, warnings
warnings.filterwarnings("ignore")
sys.path.insert(0, "/tmp/science")
import sage_search as ss
from sagepy.core import Scorer, Tolerance, SpectrumProcessor, Precursor, RawSpectrum
from sagepy.utility import psm_collection_to_pandas
import mokapot
proc = SpectrumProcessor(take_top_n=150, deisotope=False)
spectra = [proc.process(RawSpectrum(file_id=0, spec_id=sid, total_ion_current=float(i.sum()),
           precursors=[Precursor(mz=pmz, charge=z, isolation_window=Tolerance(da=(-lo, hi)))],
           mz=m.astype(np.float32), intensity=i.astype(np.float32), scan_start_time=rt / 60, ms_level=2))
           for sid, rt, pmz, z, lo, hi, m, i in ss.read_ms2("/work/main/testdata/ms/BSA1.mzML.gz")]
db = ss.build_db(open(sys.argv[1]).read(), True)
sc = Scorer(precursor_tolerance=Tolerance(ppm=(-10, 10)), fragment_tolerance=Tolerance(da=(-0.5, 0.5)),
            min_matched_peaks=4, min_isotope_err=0, max_isotope_err=1, min_precursor_charge=2, max_precursor_charge=3,
            report_psms=1, max_fragment_charge=2, static_mods={"C": "[UNIMOD:4]"}, variable_mods={"M": ["[UNIMOD:35]"]})
psms = [p for v in sc.score_collection_psm(db, spectra, num_threads=1).values() for p in v]
df = psm_collection_to_pandas(psms, num_threads=1)
print("feature columns:", [c for c in df.columns][:60])
t = time.process_time()
feats = [c for c in ["hyperscore", "delta_next", "delta_best", "matched_peaks", "longest_b", "longest_y",
                     "longest_y_pct", "missed_cleavages", "matched_intensity_pct", "poisson", "charge",
                     "isotope_error", "average_ppm", "delta_mass", "peptide_len", "scored_candidates"] if c in df.columns]
df["label"] = ~df.decoy; df["specid"] = df.spec_idx
ds = mokapot.LinearPsmDataset(psms=df[["specid", "sequence", "label", "proteins"] + feats].assign(proteins=df.proteins.astype(str)),
                              target_column="label", spectrum_columns=["specid"], peptide_column="sequence",
                              protein_column="proteins", feature_columns=feats)
try:
    conf, models = mokapot.brew(ds, mokapot.PercolatorModel(train_fdr=0.05, rng=1), test_fdr=0.05, max_workers=1, rng=1)
    psm = conf.psms if hasattr(conf, "psms") else conf.confidence_estimates["psms"]
    pep = conf.peptides if hasattr(conf, "peptides") else conf.confidence_estimates["peptides"]
    print(f"mokapot: PSMs q<=1%: {(psm['mokapot q-value'] <= 0.01).sum()}  peptides q<=1%: {(pep['mokapot q-value'] <= 0.01).sum()}  cpu={time.process_time()-t:.2f}s")
except Exception as e:
    print("mokapot failed:", type(e).__name__, str(e)[:300])
