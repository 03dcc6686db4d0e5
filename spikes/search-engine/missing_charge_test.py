"""Sage with every precursor charge removed (as in files lacking MS:1000041): does it try 2+ and 3+?"""
import sys, json; sys.path.insert(0, "/tmp/science")
import sage_search as ss, pandas as pd
orig = ss.read_ms2
ss.read_ms2 = lambda p: ((a, b, c, None, *rest) for a, b, c, z, *rest in orig(p))
rows, info = ss.search("/work/main/testdata/ms/BSA1.mzML.gz", open(sys.argv[1]).read(), True)
d = pd.DataFrame(rows); t = d[~d.decoy]
print(json.dumps(info), "PSMs:", len(d), "charges:", d.charge.value_counts().to_dict(), "target q<=1%:", int((t.engine_q <= 0.01).sum()))
# and on the real file lacking charges (ms_deisotope test data): must not crash
ss.read_ms2 = orig
r, i = ss.search("/work/main/testdata/ms/ms_deisotope_has_missing_charge_state_info.mzML", open(sys.argv[1]).read(), True)
print("ms_deisotope missing-charge file:", i, [(x["peptide"], x["charge"]) for x in r][:5])
