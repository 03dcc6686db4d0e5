"""Goal 4: PSMs accepted (D/T, 1%) when searching BSA alone -- what do the same spectra become with
contaminants + 2,000 entrapment proteins?"""
import sys, pandas as pd, numpy as np; sys.path.insert(0, "/tmp/science")
from bench import qvalues
L = lambda s: str(s).replace("I", "L")
def top(tsv):
    d = pd.read_csv(tsv, sep="\t"); d["decoy"] = d.decoy.astype(bool)
    d = d.sort_values("score", ascending=False).drop_duplicates("spec"); d["spec"] = d.spec.astype(str)
    d["q"] = qvalues(d.score.values, d.decoy.values, False); return d.set_index("spec")
for eng in ("sage", "comet", "openms"):
    a = top(f"work/res_{eng}_bsa.tsv"); b = top(f"work/res_{eng}_2000.tsv")
    acc = a[(~a.decoy) & (a.q <= 0.01)]
    print(f"{eng}: BSA-alone decoy top hits {int(a.decoy.sum())}/{len(a)}; accepted {len(acc)}", end="; ")
    same = diff = dec = gone = 0; still = 0
    for s, r in acc.iterrows():
        if s not in b.index: gone += 1; continue
        rb = b.loc[s]
        if rb.decoy: dec += 1
        elif L(rb.peptide) == L(r.peptide): same += 1; still += int(rb.q <= 0.01)
        else: diff += 1
    print(f"with con+2000 entrapment: same peptide {same} (still accepted {still}), other target {diff}, decoy {dec}, no hit {gone}")
