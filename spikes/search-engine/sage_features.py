"""Which single Sage feature separates best on low-res BSA1? (TDC D/T and +1, PSM level)"""
import sys, numpy as np, pandas as pd; sys.path.insert(0, "/tmp/science")
import sage_search as ss
from bench import qvalues
from sagepy.core import Scorer, Tolerance, SpectrumProcessor, Precursor, RawSpectrum
from sagepy.utility import psm_collection_to_pandas
proc = SpectrumProcessor(take_top_n=150, deisotope=False)
spectra = [proc.process(RawSpectrum(file_id=0, spec_id=sid, total_ion_current=float(i.sum()),
           precursors=[Precursor(mz=pmz, charge=z, isolation_window=Tolerance(da=(-lo, hi)))],
           mz=m.astype(np.float32), intensity=i.astype(np.float32), scan_start_time=rt / 60, ms_level=2))
           for sid, rt, pmz, z, lo, hi, m, i in ss.read_ms2("/work/main/testdata/ms/BSA1.mzML.gz")]
for fa in sys.argv[1:]:
    db = ss.build_db(open(fa).read(), True)
    sc = Scorer(precursor_tolerance=Tolerance(ppm=(-10, 10)), fragment_tolerance=Tolerance(da=(-0.5, 0.5)),
                min_matched_peaks=4, min_isotope_err=0, max_isotope_err=1, min_precursor_charge=2, max_precursor_charge=3,
                report_psms=1, max_fragment_charge=2, static_mods={"C": "[UNIMOD:4]"}, variable_mods={"M": ["[UNIMOD:35]"]})
    df = psm_collection_to_pandas([p for v in sc.score_collection_psm(db, spectra, num_threads=1).values() for p in v], num_threads=1)
    dec = df.decoy.values.astype(bool)
    for name, s in [("hyperscore", df.hyperscore), ("-log poisson", -np.log10(df.poisson.clip(lower=1e-300))),
                    ("sage fallback", np.log1p(-df.poisson) + df.longest_y_pct / 3), ("matched_peaks", df.matched_peaks + 1e-3 * df.hyperscore),
                    ("delta_next", df.delta_next), ("hyper+delta", df.hyperscore + df.delta_next)]:
        s = np.asarray(s, float)
        print(fa.split("/")[-1], f"{name:14s}", "D/T:", int(((~dec) & (qvalues(s, dec, False) <= 0.01)).sum()),
              " +1:", int(((~dec) & (qvalues(s, dec, True) <= 0.01)).sum()))
