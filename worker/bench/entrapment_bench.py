#!/usr/bin/env python3
"""Entrapment benchmark (a script, not a timed test): false discoveries, sensitivity and cost.

BSA1 (LTQ Orbitrap XL, ion-trap CID MS2) is searched by the worker against BSA + the bundled
contaminants + N random entrapment proteins (bench/entrapment.py: UniProtKB/Swiss-Prot amino-acid
composition, log-normal lengths, seeded), for N = 0, 2,000 and 20,000. A PSM whose proteins are all
random (ENTRAP_) is false by construction. For each N, at the default 1 % threshold, it reports:

* accepted PSMs; BSA peptides (distinct peptides of accepted PSMs that map to P02769) and BSA
  peptides accepted at peptide level; BSA coverage from the summary (peptide-level accepted only);
* the entrapment share of accepted PSMs, from psms.csv by accession (target <= 2 %);
* the smallest PSM and peptide q-values (the threshold is unreachable above them);
* CPU seconds (user + system) and peak RSS of the whole analysis child process (os.wait4,
  interpreter start-up included), fastest of BENCH_REPEATS runs, and the CPU of the search + FDR
  step alone (the worker's search_done log line: Comet child + q-values);
* the same figures for a bare pyteomics read of BSA1 in a child process, for reference.

    worker/.venv/bin/python worker/bench/entrapment_bench.py        # ~3-5 min on 2 shared cores
    BENCH_REPEATS=1 BENCH_N=0,2000 ... for a quicker look
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from entrapment import PREFIX, write_fasta  # noqa: E402

WORKER = Path(__file__).resolve().parent.parent
REPO = WORKER.parent
DATA = Path(os.environ.get("PROTEOMICS_TESTDATA", REPO / "testdata" / "ms"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
NS = [int(n) for n in os.environ.get("BENCH_N", "0,2000,20000").split(",")]
THRESHOLD = float(os.environ.get("BENCH_FDR", "0.01"))

BARE = """
import gzip, sys
from pyteomics import mzml
n = 0
with gzip.open(sys.argv[1], "rb") as fh, mzml.MzML(fh, use_index=False, decode_binary=True, read_schema=False,
                                                   huge_tree=True) as reader:
    for spec in reader:
        n += len(spec["m/z array"])
print(n)
"""


def run(cmd: list[str]) -> tuple[float, float, str]:
    env = dict(os.environ, PYTHONPATH=str(WORKER))
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _pid, status, ru = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} failed: {err[-800:]}")
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, err


def analyse(fasta: Path, out: Path) -> tuple[float, float, float]:
    cmd = [sys.executable, "-m", "proteomics_worker", "analyse", "--input", str(DATA / "BSA1.mzML.gz"),
           "--fasta", str(fasta), "--output", str(out), "--params", json.dumps({"fdrThreshold": THRESHOLD})]
    cpu, rss, err = run(cmd)
    step = next(json.loads(ln)["cpuSeconds"] for ln in err.splitlines() if '"search_done"' in ln)
    return cpu, rss, step


def figures(out: Path) -> dict[str, object]:
    summary = json.loads((out / "summary.json").read_text())
    with open(out / "psms.csv", encoding="utf-8") as fh:
        accepted = [r for r in csv.DictReader(fh) if r["accepted"] == "1"]
    with open(out / "peptides.csv", encoding="utf-8") as fh:
        pep_acc = [r for r in csv.DictReader(fh) if r["accepted"] == "1"]
    entrap = [r for r in accepted if all(p.startswith(PREFIX) for p in r["proteins"].split(";"))]
    bsa = {r["peptide"] for r in accepted if "P02769" in r["proteins"].split(";")}
    bsa_pep = {r["peptide"] for r in pep_acc if "P02769" in r["proteins"].split(";")}
    cov = next((p["percent"] for p in summary["coverage"]["proteins"] if p["accession"] == "P02769"), 0.0)
    fdr = summary["identification"]["fdr"]
    return {
        "psms": len(accepted),
        "bsaPeptidesOfAcceptedPsms": len(bsa),
        "bsaPeptidesPeptideLevel": len(bsa_pep),
        "bsaCoveragePercent": cov,
        "entrapmentPsms": len(entrap),
        "entrapmentShare": (len(entrap) / len(accepted)) if accepted else None,
        "psmQFloor": fdr["psmQValueFloor"],
        "peptideQFloor": fdr["peptideQValueFloor"],
        "estimable": fdr["estimable"],
    }


def main() -> int:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        bare = [run([sys.executable, "-c", BARE, str(DATA / "BSA1.mzML.gz")])[:2] for _ in range(REPEATS)]
        bare_cpu, bare_rss = min(c for c, _ in bare), max(r for _, r in bare)
        sample = (DATA / "P02769_BSA.fasta").read_text()
        for n in NS:
            fasta = write_fasta(Path(tmp) / f"bsa_entrap{n}.fasta", sample, n)
            runs = [analyse(fasta, Path(tmp) / f"out{n}-{i}") for i in range(REPEATS)]
            fig = figures(Path(tmp) / f"out{n}-0")
            cpu = min(r[0] for r in runs)
            rows.append({"n": n, **fig, "cpu": cpu, "rss": max(r[1] for r in runs), "step": min(r[2] for r in runs)})
    print(f"BSA1, fdrThreshold {THRESHOLD:g}, fastest of {REPEATS}; bare pyteomics read: {bare_cpu:.2f} s CPU, "
          f"{bare_rss:.0f} MB peak RSS")
    print("| N random | PSMs | BSA pept. (of PSMs) | BSA pept. (pept.-level) | BSA cov. % | entrapment | "
          "PSM q floor | pept. q floor | CPU s (x bare) | search+FDR s | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        share = "-" if r["entrapmentShare"] is None else f"{r['entrapmentShare']:.1%} ({r['entrapmentPsms']})"
        print(f"| {r['n']:,} | {r['psms']} | {r['bsaPeptidesOfAcceptedPsms']} | {r['bsaPeptidesPeptideLevel']} | "
              f"{r['bsaCoveragePercent']} | {share} | {r['psmQFloor']} | {r['peptideQFloor']} | "
              f"{r['cpu']:.2f} ({r['cpu'] / bare_cpu:.2f}x) | {r['step']:.2f} | {r['rss']:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
