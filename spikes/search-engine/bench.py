"""Run each engine x database as a child process; per-child CPU + peak RSS via os.wait4; uniform TDC metrics.
Usage: python bench.py [engines] [dbs]   e.g. python bench.py sage,openms bsa,0,2000,20000"""
import os, sys, json, subprocess, time
import numpy as np, pandas as pd
PY = "/tmp/science/venv/bin/python"; MZML = "/work/main/testdata/ms/BSA1.mzML.gz"
BSA_SEQ = "".join(l.strip() for l in open("/work/main/testdata/ms/P02769_BSA.fasta") if not l.startswith(">"))
DBS = {"bsa": "work/bsa.fasta", "0": "work/bsa_con_entrap0.fasta", "2000": "work/bsa_con_entrap2000.fasta",
       "20000": "work/bsa_con_entrap20000.fasta"}
CMDS = {"bare": lambda db, out: [PY, "bare_read.py", MZML],
        "sage": lambda db, out: [PY, "sage_search.py", MZML, db, out + ".tsv"],
        "openms": lambda db, out: [PY, "openms_search.py", MZML, db, out],
        "comet": lambda db, out: ["bash", "comet_run.sh", db, out]}

def child(cmd):
    t = time.time()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                         env=dict(os.environ, OMP_NUM_THREADS="1", RAYON_NUM_THREADS="1"))
    out = p.stdout.read(); _, status, ru = os.wait4(p.pid, 0)
    info = next((json.loads(l) for l in reversed(out.splitlines()) if l.startswith("{")), {})
    return dict(rc=os.waitstatus_to_exitcode(status), cpu=round(ru.ru_utime + ru.ru_stime, 2),
                rss_mb=round(ru.ru_maxrss / 1024), wall=round(time.time() - t, 2), info=info, raw=out[-300:])

def qvalues(score, decoy, plus1):
    o = np.argsort(-score, kind="stable"); d = np.cumsum(decoy[o]); t = np.cumsum(~decoy[o])
    fdr = (d + (1 if plus1 else 0)) / np.maximum(t, 1)
    q = np.minimum.accumulate(fdr[::-1])[::-1]; out = np.empty_like(q); out[o] = q; return out

def metrics(tsv):
    d = pd.read_csv(tsv, sep="\t")
    d["decoy"] = d.decoy.astype(bool)
    d = d.sort_values("score", ascending=False).drop_duplicates("spec")      # top hit per spectrum
    L = lambda s: s.replace("I", "L")
    res = {}
    for plus1 in (True, False):
        tag = "+1" if plus1 else "D/T"
        d["q"] = qvalues(d.score.values, d.decoy.values, plus1)
        acc = d[(~d.decoy) & (d.q <= 0.01)]
        ent = np.array([all(a.startswith("ENTRAP_") for a in p.split(";")) for p in acc.proteins.fillna("")], bool)
        con = np.array([all(a.startswith("CON_") for a in p.split(";")) for p in acc.proteins.fillna("")], bool)
        pep = d.drop_duplicates("peptide").copy()                              # best PSM per peptide
        pep["q"] = qvalues(pep.score.values, pep.decoy.values, plus1)
        peps = pep[(~pep.decoy) & (pep.q <= 0.01)].peptide
        bsa = sorted({p for p in peps if L(p) in L(BSA_SEQ)})
        cov = np.zeros(len(BSA_SEQ), bool)
        for p in bsa:
            i = L(BSA_SEQ).find(L(p))
            while i >= 0: cov[i:i + len(p)] = True; i = L(BSA_SEQ).find(L(p), i + 1)
        res[tag] = dict(psm=len(acc), entrap_share=round(ent.mean() * 100, 2) if len(acc) else None,
                        con_psm=int(con.sum()), peptides=int(len(peps)), bsa_peptides=len(bsa),
                        bsa_cov=round(cov.mean() * 100, 1), min_q=round(float(d.q[~d.decoy].min()), 4))
    if "engine_q" in d:
        res["engine_q<=1%"] = int(((~d.decoy) & (d.engine_q <= 0.01)).sum())
    return res

if __name__ == "__main__":
    engines = sys.argv[1].split(",") if len(sys.argv) > 1 else ["bare", "sage", "openms"]
    dbs = sys.argv[2].split(",") if len(sys.argv) > 2 else list(DBS)
    for eng in engines:
        for db in (["-"] if eng == "bare" else dbs):
            out = f"work/res_{eng}_{db}"
            r = child(CMDS[eng](DBS.get(db), out))
            row = dict(engine=eng, db=db, rc=r["rc"], cpu=r["cpu"], rss_mb=r["rss_mb"], wall=r["wall"],
                       timing=r["info"].get("timing"))
            if eng != "bare" and r["rc"] == 0: row.update(metrics(out + ".tsv"))
            if r["rc"] != 0: row["tail"] = r["raw"]
            print(json.dumps(row), flush=True)
            with open("work/bench_results.jsonl", "a") as fh: fh.write(json.dumps(row) + "\n")
