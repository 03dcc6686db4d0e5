"""False discoveries measured with entrapment: BSA1 searched against BSA + 2,000 random proteins.

Any accepted PSM whose proteins are all random (ENTRAP_) is false by construction; the random proteins
outnumber BSA 2,000 to 1, so an uncontrolled matcher fails this badly (the retired precursor + b/y
matcher put 94 % of its fragment-confirmed PSMs on random proteins). The search runs with the
defaults (1 %, q = D/T); measured: 100 PSMs, 18 BSA peptides, no PSM on a random protein.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from conftest import WORKER_DIR, analyse

sys.path.insert(0, str(WORKER_DIR / "bench"))
from entrapment import PREFIX, write_fasta  # noqa: E402


def accepted_psms(psms_csv: Path) -> list[dict[str, str]]:
    """Accepted rows of psms.csv: the `accepted` column (earlier tables called it `fragment_confirmed`)."""
    with open(psms_csv, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    flag = "accepted" if rows and "accepted" in rows[0] else "fragment_confirmed"
    return [r for r in rows if r.get(flag) == "1"]


def proteins_of(row: dict[str, str]) -> list[str]:
    return [p for p in (row.get("proteins") or row.get("protein") or "").split(";") if p]


def test_entrapment_share_of_accepted_psms_is_within_two_percent(tmp_path: Path, data: Path) -> None:
    db = write_fasta(tmp_path / "bsa_entrap2000.fasta", (data / "P02769_BSA.fasta").read_text(), 2000)
    out = tmp_path / "out"
    proc = analyse(out, data / "BSA1.mzML.gz", "--fasta", str(db))
    assert proc.returncode == 0, proc.stderr
    accepted = accepted_psms(out / "psms.csv")
    assert len(accepted) >= 50, f"only {len(accepted)} PSMs accepted at 1 % FDR"
    entrapped = [r for r in accepted if proteins_of(r) and all(p.startswith(PREFIX) for p in proteins_of(r))]
    share = len(entrapped) / len(accepted)
    assert share <= 0.02, f"{len(entrapped)} of {len(accepted)} accepted PSMs ({share:.1%}) hit random proteins"
    # the accepted peptides cover BSA with at least 15 peptides, none of them random
    with open(out / "peptides.csv", encoding="utf-8") as fh:
        peptides = [r for r in csv.DictReader(fh) if r["accepted"] == "1"]
    bsa = [r for r in peptides if "P02769" in proteins_of(r)]
    assert len(bsa) >= 15, f"{len(bsa)} BSA peptides accepted at 1 % peptide-level FDR"
    assert sum(all(p.startswith(PREFIX) for p in proteins_of(r)) for r in peptides) <= 0.02 * len(peptides) + 1
