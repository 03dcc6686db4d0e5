"""Peptide mapping: FASTA, in-silico digest, precursor matching, b/y check.

Precursor matching compares the neutral mass of every MSn precursor
((m/z - proton) x z, minus the isotope error x 1.00336 Da) with the masses of
the digest's peptides, in ppm. A precursor match is *fragment-confirmed* when
the spectrum's b/y ions fit the peptide clearly better than a decoy: the same
peptide reversed (or shuffled) with its C-terminal residue kept, which has the
same precursor mass but a different fragment ladder.
"""

from __future__ import annotations

import io
import itertools
import re
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import WorkerError
from .params import modification_table

PROTON = 1.007276466812
WATER = 18.0105646837
C13_DELTA = 1.0033548378
SCORING_PEAKS = 150  # most intense peaks used for the fragment check

_VALID_RESIDUES = set("ACDEFGHIKLMNPQRSTVWYBXZUOJ")
_STANDARD = set("ACDEFGHIKLMNPQRSTVWY")


@dataclass
class Protein:
    accession: str
    description: str
    sequence: str


def parse_fasta(text: str) -> list[Protein]:
    """Parse FASTA text with pyteomics; raise BAD_FASTA on anything odd."""
    from pyteomics import fasta

    if not text or not text.strip():
        raise WorkerError("BAD_FASTA", "FASTA is empty")
    if not text.lstrip().startswith((">", ";")):
        raise WorkerError("BAD_FASTA", "FASTA must start with a '>' header line")
    proteins: list[Protein] = []
    try:
        for desc, seq in fasta.read(io.StringIO(text), ignore_comments=True, use_index=False):
            seq = re.sub(r"\s+", "", seq).upper().rstrip("*")
            if not seq:
                raise WorkerError("BAD_FASTA", f"entry '{desc[:60]}' has no sequence")
            bad = set(seq) - _VALID_RESIDUES
            if bad:
                raise WorkerError(
                    "BAD_FASTA", f"entry '{desc[:60]}' has invalid residue characters: {''.join(sorted(bad))[:20]}"
                )
            first = desc.split()[0] if desc.split() else f"protein{len(proteins) + 1}"
            parts = first.split("|")
            accession = parts[1] if len(parts) >= 3 and parts[0] in ("sp", "tr") else first
            proteins.append(Protein(accession=accession, description=desc, sequence=seq))
    except WorkerError:
        raise
    except Exception as exc:  # noqa: BLE001 - pyteomics raises several types
        raise WorkerError("BAD_FASTA", f"cannot parse FASTA: {exc}") from exc
    if not proteins:
        raise WorkerError("BAD_FASTA", "FASTA holds no sequence entries")
    return proteins


@dataclass
class Candidate:
    peptide: int
    charge: int
    charge_assumed: bool
    isotope_error: int
    observed_mass: float
    ppm: float


@dataclass
class PeptideStats:
    psms: int = 0
    confirmed: int = 0
    best_abs_ppm: float = float("inf")
    best: dict[str, Any] = field(default_factory=dict)


class PeptideIndex:
    """Digest of the proteins, sorted by monoisotopic neutral mass."""

    def __init__(self, proteins: list[Protein], params: dict[str, Any]) -> None:
        from pyteomics import mass, parser

        self.proteins = proteins
        self.params = params
        aa = dict(mass.std_aa_mass)
        fixed: dict[str, float] = {}
        for _name, residues, delta in modification_table(params["fixedModifications"]):
            for r in residues:
                fixed[r] = fixed.get(r, 0.0) + delta
        variable = modification_table(params["variableModifications"])
        max_var = int(params["maxVariableModifications"])
        rule = parser.expasy_rules[params["enzyme"]]
        self.skipped_nonstandard = 0
        occ: dict[str, list[tuple[int, int]]] = {}
        for p_idx, prot in enumerate(proteins):
            for start, seq in parser.icleave(
                prot.sequence,
                rule,
                missed_cleavages=int(params["missedCleavages"]),
                min_length=int(params["minPeptideLength"]),
                max_length=int(params["maxPeptideLength"]),
            ):
                if not set(seq) <= _STANDARD:
                    self.skipped_nonstandard += 1
                    continue
                occ.setdefault(seq, []).append((p_idx, start))
        seqs: list[str] = []
        mods: list[str] = []
        residue_masses: list[np.ndarray] = []
        masses: list[float] = []
        occurrences: list[list[tuple[int, int]]] = []
        for seq, where in occ.items():
            base = np.array([aa[r] + fixed.get(r, 0.0) for r in seq], dtype=np.float64)
            variants: list[tuple[str, np.ndarray]] = [("", base)]
            if variable and max_var > 0:
                sites = [(i, name, delta) for i, r in enumerate(seq) for name, res, delta in variable if r in res]
                for k in range(1, max_var + 1):
                    for combo in itertools.combinations(sites, k):
                        if len({c[0] for c in combo}) < k:
                            continue
                        arr = base.copy()
                        for pos, _name, delta in combo:
                            arr[pos] += delta
                        label = ";".join(f"{seq[pos]}{pos + 1}:{name.split(':')[0]}" for pos, name, _d in combo)
                        variants.append((label, arr))
            for label, arr in variants:
                seqs.append(seq)
                mods.append(label)
                residue_masses.append(arr)
                masses.append(float(arr.sum() + WATER))
                occurrences.append(where)
        order = np.argsort(np.asarray(masses, dtype=np.float64), kind="stable")
        self.seqs = [seqs[i] for i in order]
        self.mods = [mods[i] for i in order]
        self.residue_masses = [residue_masses[i] for i in order]
        self.masses = np.asarray(masses, dtype=np.float64)[order] if masses else np.zeros(0)
        self.occurrences = [occurrences[i] for i in order]
        self.tolerance_ppm = float(params["precursorTolerancePpm"])
        self.isotopes = [int(e) for e in params["isotopeErrors"]]
        self.assumed = [int(z) for z in params["assumedCharges"]]
        self.decoy_method = params["decoyMethod"]

    def __len__(self) -> int:
        return len(self.seqs)

    def label(self, idx: int) -> str:
        return self.seqs[idx] + (f"[{self.mods[idx]}]" if self.mods[idx] else "")

    def match(self, precursor_mz: float, charges: tuple[int, ...], polarity: str) -> list[Candidate]:
        if precursor_mz is None or len(self.masses) == 0:
            return []
        tried = [(z, False) for z in charges] if charges else [(z, True) for z in self.assumed]
        sign = -1.0 if polarity == "negative" else 1.0
        out: list[Candidate] = []
        tol = self.tolerance_ppm * 1e-6
        for z, assumed in tried:
            neutral = (precursor_mz - sign * PROTON) * z
            for iso in self.isotopes:
                observed = neutral - iso * C13_DELTA
                lo = np.searchsorted(self.masses, observed / (1 + tol), side="left")
                hi = np.searchsorted(self.masses, observed / (1 - tol), side="right")
                for idx in range(int(lo), int(hi)):
                    theo = float(self.masses[idx])
                    ppm = (observed - theo) / theo * 1e6
                    if abs(ppm) <= self.tolerance_ppm:
                        out.append(Candidate(idx, z, assumed, iso, observed, ppm))
        out.sort(key=lambda c: abs(c.ppm))
        return out

    def decoy_residues(self, idx: int) -> np.ndarray:
        arr = self.residue_masses[idx]
        if len(arr) < 3:
            return arr[::-1].copy()
        if self.decoy_method == "shuffle":
            rng = np.random.default_rng(zlib.crc32(self.label(idx).encode()))
            head = arr[:-1].copy()
            rng.shuffle(head)
            return np.concatenate([head, arr[-1:]])
        return np.concatenate([arr[:-1][::-1], arr[-1:]])


def fragment_ions(residues: np.ndarray, charge: int) -> np.ndarray:
    """Singly charged b and y ions (plus 2+ ions for precursors of charge >= 3)."""
    prefix = np.cumsum(residues)[:-1]
    total = residues.sum()
    b = prefix + PROTON
    y = (total - prefix) + WATER + PROTON
    ions = np.concatenate([b, y])
    if charge >= 3:
        ions = np.concatenate([ions, (ions + PROTON) / 2.0])
    return ions


def count_matches(theoretical: np.ndarray, peaks_sorted: np.ndarray, value: float, unit: str) -> int:
    if len(peaks_sorted) == 0 or len(theoretical) == 0:
        return 0
    idx = np.searchsorted(peaks_sorted, theoretical)
    left = peaks_sorted[np.clip(idx - 1, 0, len(peaks_sorted) - 1)]
    right = peaks_sorted[np.clip(idx, 0, len(peaks_sorted) - 1)]
    nearest = np.minimum(np.abs(theoretical - left), np.abs(theoretical - right))
    tol = value if unit == "Da" else theoretical * value * 1e-6
    return int(np.count_nonzero(nearest <= tol))


def scoring_peaks(mz: np.ndarray, intensity: np.ndarray) -> np.ndarray:
    if len(mz) > SCORING_PEAKS:
        keep = np.argpartition(intensity, -SCORING_PEAKS)[-SCORING_PEAKS:]
        mz = mz[keep]
    return np.sort(mz)


class Coverage:
    """Per-residue coverage: 0 none, 1 precursor match, 2 fragment-confirmed."""

    def __init__(self, proteins: list[Protein]) -> None:
        self.levels = [np.zeros(len(p.sequence), dtype=np.int8) for p in proteins]
        self.peptides: list[dict[int, set[str]]] = [{1: set(), 2: set()} for _ in proteins]

    def mark(self, occurrences: list[tuple[int, int]], length: int, level: int, label: str) -> None:
        for p_idx, start in occurrences:
            seg = self.levels[p_idx][start : start + length]
            np.maximum(seg, level, out=seg)
            self.peptides[p_idx][1].add(label)
            if level >= 2:
                self.peptides[p_idx][2].add(label)

    def percent(self, p_idx: int, level: int) -> float:
        arr = self.levels[p_idx]
        return round(100.0 * float(np.count_nonzero(arr >= level)) / max(len(arr), 1), 2)

    def overall(self, level: int) -> float:
        total = sum(len(a) for a in self.levels)
        covered = sum(int(np.count_nonzero(a >= level)) for a in self.levels)
        return round(100.0 * covered / max(total, 1), 2)

    def residue_string(self, p_idx: int) -> str:
        lookup = np.array([ord("."), ord("p"), ord("F")], dtype=np.uint8)
        return lookup[self.levels[p_idx]].tobytes().decode("ascii")
