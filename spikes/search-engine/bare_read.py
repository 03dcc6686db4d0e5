"""Baseline: read all spectra of BSA1 with pyteomics.mzml.MzML and decode arrays."""
import sys, time, gzip
from psims.controlled_vocabulary import controlled_vocabulary as cv
cv.obo_cache.use_remote = False
cv.obo_cache.enabled = False
from pyteomics import mzml
path = sys.argv[1] if len(sys.argv) > 1 else "/work/main/testdata/ms/BSA1.mzML.gz"
t0 = time.process_time()
fh = gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")
n = npk = 0
with mzml.MzML(fh, use_index=False, decode_binary=True) as r:
    for s in r:
        n += 1; npk += len(s["m/z array"]) + len(s["intensity array"])
import json; print(json.dumps(dict(spectra=n, values=npk, timing=dict(read=round(time.process_time()-t0, 3)))))
