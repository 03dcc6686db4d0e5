"""Entrapment databases: random proteins that cannot be in the sample, so any hit to one is false.

Residues are drawn from the amino-acid composition of UniProtKB/Swiss-Prot (release statistics page,
"amino acid composition" table, percent; values of a 2021-2022 release, which differ between releases
by at most 0.02 percentage points; not re-checked against the live page from this offline machine).
Lengths are log-normal (median 400, sigma 0.6, clipped to 50..3,000), each protein starts with M, and
the generator is seeded, so a database is reproducible. Accessions are ENTRAP_000000, ...
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

SWISSPROT_AA_PERCENT = {
    "A": 8.25, "R": 5.53, "N": 4.06, "D": 5.46, "C": 1.38, "Q": 3.93, "E": 6.72, "G": 7.07, "H": 2.27, "I": 5.91,
    "L": 9.65, "K": 5.80, "M": 2.41, "F": 3.86, "P": 4.74, "S": 6.64, "T": 5.35, "W": 1.10, "Y": 2.92, "V": 6.86,
}
PREFIX = "ENTRAP_"
SEED = 20240601


def random_proteins(n: int, seed: int = SEED) -> list[tuple[str, str]]:
    rng = np.random.default_rng(seed)
    aas = np.array(list(SWISSPROT_AA_PERCENT))
    p = np.array(list(SWISSPROT_AA_PERCENT.values()))
    p = p / p.sum()
    lengths = np.clip(rng.lognormal(np.log(400), 0.6, n).astype(int), 50, 3000)
    return [(f"{PREFIX}{i:06d}", "M" + "".join(rng.choice(aas, int(length) - 1, p=p))) for i, length in enumerate(lengths)]


def write_fasta(path: Path, sample_fasta: str, n: int) -> Path:
    """The sample FASTA followed by n entrapment proteins."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(sample_fasta.rstrip("\n") + "\n")
        for acc, seq in random_proteins(n):
            fh.write(f">{acc} random entrapment protein\n")
            for i in range(0, len(seq), 60):
                fh.write(seq[i : i + 60] + "\n")
    return path
