"""Database search with Comet and target-decoy FDR control.

Engine: Comet (Debian package ``comet-ms``, release 2019.01; Apache-2.0), run as a subprocess on an
MGF file the worker writes during its single streaming pass (Debian's Comet 2019.01 reads no spectra
from mzML, but reads MGF). Comet searches a concatenated target + reversed-decoy database
(``decoy_search = 1``) and reports one top hit per spectrum, so targets and decoys compete for each
spectrum (target-decoy competition). Chosen by measurement on BSA1 (ion-trap CID): it found the most
PSMs, no entrapment hits with up to 20,000 random proteins, and kept a flat ~240 MB peak RSS;
Sage (sagepy) reached 4 GB at 20,000 proteins and pyOpenMS's SimpleSearchEngine lost all
identifications there.

FDR: q-values by target-decoy competition (TDC) on Comet's E-value (score = -log10 E), at PSM
level, at peptide level (best PSM per peptide sequence) and at protein-group level (best peptide per
group). Two estimators, chosen by the ``fdrEstimator`` parameter:

* ``target-decoy`` (default): q = D/T, the classic TDC estimate (Elias & Gygi 2007), the one
  MaxQuant and Philosopher report. A level is estimable only when the search produced at least
  ceil(1/threshold) decoy winners at that level (100 at 1 %): with fewer, the decoys are too few to
  stand for the false targets and nothing is accepted there. A sample protein searched alone gives
  a handful of decoy winners; with the bundled contaminants BSA1 gives 220.
* ``target-decoy-plus-one``: q = (D+1)/T, which controls the FDR in finite samples but cannot
  reach 1 % with fewer than 100 accepted targets, so a single protein (20-60 peptides) never gets a
  peptide-level result at 1 %. A level is estimable when its smallest q-value is at or below the threshold.

Why D/T by default: the product characterises one protein per file, and peptide-level coverage
with (D+1)/T would be empty for nearly every such sample. The entrapment benchmark
(``worker/bench/entrapment_bench.py``) measures the real false share of what D/T accepts.
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
import shutil
import subprocess  # nosec B404
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import WorkerError
from .mapping import Protein
from .params import modification_table

COMET = "comet-ms"
DECOY_PREFIX = "DECOY_"
CONTAMINANT_PREFIX = "CON_"
ESTIMATORS = {
    "target-decoy": "target-decoy competition on Comet's E-value (concatenated reversed decoys), q = D/T",
    "target-decoy-plus-one": "target-decoy competition on Comet's E-value (concatenated reversed decoys), q = (D+1)/T",
}

# pyteomics enzyme names -> Comet 2019.01 enzyme numbers (COMET_ENZYME_INFO table of its params file).
COMET_ENZYMES = {
    "trypsin": 1,
    "lysc": 3,
    "lysn": 4,
    "arg-c": 5,
    "asp-n": 6,
    "cnbr": 7,
    "glutamyl endopeptidase": 8,
    "pepsin ph1.3": 9,
    "chymotrypsin high specificity": 10,
}

# Terminal modifications: name -> (Comet residue code, terminus code: 0 protein N, 2 peptide N).
TERMINAL_MODS = {"Pyro-glu:Q": ("Q", 2), "Acetyl:ProteinN-term": ("n", 0)}


@dataclass
class Database:
    path: Path
    sample: int
    contaminants: int
    background: int
    sha256: str
    accessions: set[str] = field(default_factory=set)
    contaminant_accessions: set[str] = field(default_factory=set)
    proteins: dict[str, Protein] = field(default_factory=dict)

    @property
    def targets(self) -> int:
        return self.sample + self.contaminants + self.background


def build_database(
    sample: list[Protein],
    contaminants: list[Protein],
    background: list[Protein],
    path: Path,
) -> Database:
    """Write the target FASTA: sample + contaminants + background, without duplicate sequences.

    A contaminant or background entry whose sequence equals a sample protein is dropped (the bundled
    contaminants contain bovine serum albumin, CON_P02769, identical to the BSA standard), so the
    sample's accession wins. Accessions are made unique.
    """
    seen_seq: set[str] = set()
    seen_acc: set[str] = set()
    db = Database(path=path, sample=0, contaminants=0, background=0, sha256="")
    h = hashlib.sha256()
    with open(path, "w", encoding="utf-8") as fh:
        for kind, entries in (("sample", sample), ("contaminant", contaminants), ("background", background)):
            for prot in entries:
                if prot.sequence in seen_seq:
                    continue
                acc = re.sub(r"[^A-Za-z0-9_.:|-]", "_", prot.accession) or "protein"
                if acc.startswith(DECOY_PREFIX):
                    raise WorkerError("BAD_FASTA", f"accession '{acc}' uses the reserved decoy prefix {DECOY_PREFIX}")
                base, n = acc, 2
                while acc in seen_acc:
                    acc, n = f"{base}_{n}", n + 1
                seen_seq.add(prot.sequence)
                seen_acc.add(acc)
                record = f">{acc} {prot.description[:200]}\n"
                record += "\n".join(prot.sequence[i : i + 60] for i in range(0, len(prot.sequence), 60)) + "\n"
                fh.write(record)
                h.update(record.encode())
                db.accessions.add(acc)
                db.proteins[acc] = Protein(accession=acc, description=prot.description, sequence=prot.sequence)
                if kind == "sample":
                    db.sample += 1
                elif kind == "contaminant":
                    db.contaminants += 1
                    db.contaminant_accessions.add(acc)
                else:
                    db.background += 1
    db.sha256 = h.hexdigest()
    return db


def comet_version() -> str:
    if shutil.which(COMET) is None:
        raise WorkerError(
            "INTERNAL",
            "the search engine comet-ms is not installed (run worker/scripts/install-system-deps.sh as root)",
        )
    out = subprocess.run([COMET], capture_output=True, text=True, check=False)  # nosec B603
    m = re.search(r"Comet version \"?([^\"\n]+)\"?", out.stdout + out.stderr)
    return m.group(1).strip() if m else "2019.01"


def fragment_settings(params: dict[str, Any], analyser: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Comet fragment settings and the fragment tolerance record for summary.json."""
    frag = params.get("fragmentTolerance")
    if frag is not None:
        value, unit = float(frag["value"]), str(frag["unit"])
        half_da = value if unit == "Da" else value * 1e-6 * 1000.0  # Comet bins in Da; ppm taken at m/z 1000
        high = half_da < 0.1
        tol = {"value": value, "unit": unit, "source": "parameter"}
    elif analyser == "high_res":
        half_da, high = 0.01, True
        tol = {"value": 0.02, "unit": "Da", "source": "analyser"}
    else:
        half_da, high = 0.5, False
        tol = {"value": 0.5, "unit": "Da", "source": "analyser" if analyser == "low_res" else "default"}
    if high:
        comet = {"fragment_bin_tol": round(max(2 * half_da, 0.01), 4), "fragment_bin_offset": 0.0,
                 "theoretical_fragment_ions": 0}
    else:
        comet = {"fragment_bin_tol": 1.0005, "fragment_bin_offset": 0.4, "theoretical_fragment_ions": 1}
    return comet, tol


def comet_settings(params: dict[str, Any], db_path: Path, fragment: dict[str, Any]) -> dict[str, Any]:
    enzyme = params["enzyme"]
    if enzyme not in COMET_ENZYMES:
        known = ", ".join(sorted(COMET_ENZYMES))
        raise WorkerError("BAD_PARAMETERS", f"enzyme: '{enzyme}' is not supported by the search engine (use one of: {known})")
    iso = max(params["isotopeErrors"]) if params["isotopeErrors"] else 0
    if min(params["isotopeErrors"] or [0]) < 0:
        raise WorkerError("BAD_PARAMETERS", "isotopeErrors: negative isotope errors are not supported by the search engine")
    charges = sorted(params["assumedCharges"]) or [2, 3]
    s: dict[str, Any] = {
        "database_name": str(db_path),
        "decoy_search": 1,
        "decoy_prefix": DECOY_PREFIX,
        "num_threads": 1,
        "peptide_mass_tolerance": float(params["precursorTolerancePpm"]),
        "peptide_mass_units": 2,
        "isotope_error": min(int(iso), 3),
        "search_enzyme_number": COMET_ENZYMES[enzyme],
        "num_enzyme_termini": 2,
        "allowed_missed_cleavage": min(int(params["missedCleavages"]), 5),
        "peptide_length_range": f"{params['minPeptideLength']} {min(int(params['maxPeptideLength']), 63)}",
        "max_variable_mods_in_peptide": int(params["maxVariableModifications"]),
        "precursor_charge": f"{charges[0]} {charges[-1]}",
        "num_output_lines": 1,
        "output_txtfile": 1,
        "output_pepxmlfile": 0,
        "minimum_peaks": 1,
        "add_C_cysteine": 0.0,
        "variable_mod01": "0.0 X 0 3 -1 0 0 0.0",
    }
    s.update(fragment)
    for name, residues, delta in modification_table(params["fixedModifications"]):
        if name in TERMINAL_MODS:
            raise WorkerError("BAD_PARAMETERS", f"fixedModifications: {name} can only be a variable modification")
        for aa in residues:
            key = f"add_{aa}_" + _COMET_AA_NAMES.get(aa, "")
            if aa not in _COMET_AA_NAMES:
                raise WorkerError("BAD_PARAMETERS", f"fixedModifications: residue '{aa}' of {name} is not supported")
            s[key] = float(s.get(key, 0.0)) + delta
    variables = modification_table(params["variableModifications"])
    if len(variables) > 9:
        raise WorkerError("BAD_PARAMETERS", "variableModifications: the search engine supports at most 9")
    for n, (name, residues, delta) in enumerate(variables, start=1):
        max_per = max(1, int(params["maxVariableModifications"]))
        if name in TERMINAL_MODS:
            code, term = TERMINAL_MODS[name]
            s[f"variable_mod{n:02d}"] = f"{delta} {code} 0 1 0 {term} 0 0.0"
        else:
            s[f"variable_mod{n:02d}"] = f"{delta} {residues} 0 {max_per} -1 0 0 0.0"
    return s


_COMET_AA_NAMES = {
    "G": "glycine", "A": "alanine", "S": "serine", "P": "proline", "V": "valine", "T": "threonine",
    "C": "cysteine", "L": "leucine", "I": "isoleucine", "N": "asparagine", "D": "aspartic_acid",
    "Q": "glutamine", "K": "lysine", "E": "glutamic_acid", "M": "methionine", "H": "histidine",
    "F": "phenylalanine", "R": "arginine", "Y": "tyrosine", "W": "tryptophan",
}


def write_params(workdir: Path, settings: dict[str, Any]) -> None:
    """Comet 2019.01 refuses hand-written params files ('outdated params file'): edit its own template."""
    proc = subprocess.run([COMET, "-p"], cwd=workdir, capture_output=True, check=False)  # nosec B603
    template = workdir / "comet.params.new"
    if proc.returncode != 0 or not template.exists():
        raise WorkerError("INTERNAL", "comet-ms -p did not write its parameter template")
    seen: set[str] = set()
    lines = []
    for line in template.read_text(encoding="utf-8").splitlines():
        key = line.split("=", 1)[0].strip() if "=" in line and not line.lstrip().startswith("#") else None
        if key in settings:
            lines.append(f"{key} = {settings[key]}")
            seen.add(key)
        elif key is not None and key.startswith("variable_mod") and key not in settings:
            lines.append(f"{key} = 0.0 X 0 3 -1 0 0 0.0")
        else:
            lines.append(line)
    missing = [k for k in settings if k not in seen]
    if missing:
        # keys the template lacks go before the enzyme table
        at = next(i for i, ln in enumerate(lines) if ln.startswith("[COMET_ENZYME_INFO]"))
        lines[at:at] = [f"{k} = {settings[k]}" for k in missing]
    (workdir / "comet.params").write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_comet(workdir: Path, mgf: Path, settings: dict[str, Any]) -> list[dict[str, str]]:
    write_params(workdir, settings)
    proc = subprocess.run(  # nosec B603
        [COMET, "-Pcomet.params", mgf.name], cwd=workdir, capture_output=True, text=True, check=False
    )
    txt = workdir / (mgf.stem + ".txt")
    if proc.returncode != 0 or not txt.exists():
        tail = (proc.stdout[-300:] + proc.stderr[-300:]).strip().replace("\n", " ")
        raise WorkerError("INTERNAL", f"comet-ms failed (exit {proc.returncode}): {tail}")
    with open(txt, encoding="utf-8") as fh:
        first = fh.readline()
        if not first.startswith("CometVersion"):
            fh.seek(0)
        return list(csv.DictReader(fh, delimiter="\t"))


def tdc_qvalues(score: np.ndarray, decoy: np.ndarray, plus_one: bool = False) -> np.ndarray:
    """q-values by target-decoy competition, q = D/T (or (D+1)/T) over a descending score threshold.

    Ties are resolved decoys first (conservative). Decoys get q-values too (for the tables).
    """
    if len(score) == 0:
        return np.zeros(0)
    order = np.lexsort((~decoy, -score))  # by score desc, decoys before targets on ties
    d = np.cumsum(decoy[order])
    t = np.cumsum(~decoy[order])
    fdr = (d + (1 if plus_one else 0)) / np.maximum(t, 1)
    q = np.minimum.accumulate(np.minimum(fdr, 1.0)[::-1])[::-1]
    out = np.empty_like(q)
    out[order] = q
    return out


@dataclass
class Psm:
    scan: int
    charge: int
    exp_mass: float
    calc_mass: float
    evalue: float
    xcorr: float
    peptide: str  # plain sequence
    modified: str
    proteins: list[str]
    decoy: bool
    score: float = 0.0
    mods: tuple[tuple[int, float], ...] | None = ()  # (1-based position, delta); None when not positional
    q: float = 1.0
    peptide_q: float = 1.0
    accepted: bool = False

    @property
    def ppm(self) -> float:
        # the observed mass may be off by a 13C isotope peak: report the error to the nearest isotope
        diff = self.exp_mass - self.calc_mass
        iso = round(diff / 1.0033548378)
        return (diff - iso * 1.0033548378) / self.calc_mass * 1e6


def parse_psms(rows: list[dict[str, str]]) -> list[Psm]:
    out = []
    for r in rows:
        try:
            prots = [p for p in re.split(r"[,;]", r.get("protein", "")) if p]
            ev = float(r["e-value"])
            psm = Psm(
                scan=int(r["scan"]),
                charge=int(r["charge"]),
                exp_mass=float(r["exp_neutral_mass"]),
                calc_mass=float(r["calc_neutral_mass"]),
                evalue=ev,
                xcorr=float(r.get("xcorr") or 0.0),
                peptide=r["plain_peptide"],
                modified=r.get("modified_peptide") or r.get("peptide") or r["plain_peptide"],
                proteins=prots,
                decoy=bool(prots) and all(p.startswith(DECOY_PREFIX) for p in prots),
                score=-math.log10(max(ev, 1e-300)),
                mods=_parse_mods(r.get("modifications") or "-"),
            )
        except (KeyError, ValueError) as exc:
            raise WorkerError("INTERNAL", f"unexpected comet-ms output row: {exc}") from exc
        # a peptide shared by a target and a decoy counts as target; the decoy accessions are dropped
        if not psm.decoy:
            psm.proteins = [p for p in prots if not p.startswith(DECOY_PREFIX)]
        out.append(psm)
    return out


def _parse_mods(text: str) -> tuple[tuple[int, float], ...] | None:
    """Comet's `modifications` column: '6_S_57.021464,3_V_15.994915' (position_kind_delta) or '-'."""
    if text.strip() in ("", "-"):
        return ()
    out = []
    for item in text.split(","):
        parts = item.strip().split("_")
        if len(parts) != 3 or not parts[0].isdigit():
            return None  # terminal or unknown notation: no fragment ladder computed
        out.append((int(parts[0]), float(parts[2])))
    return tuple(out)


PROTON = 1.007276466812
WATER = 18.0105646837


def fragment_ions(psm: Psm) -> np.ndarray | None:
    """Singly charged b and y ions (plus 2+ when the precursor is 3+ or more) of a PSM's peptide."""
    from pyteomics.mass import std_aa_mass

    if psm.mods is None or any(a not in std_aa_mass for a in psm.peptide):
        return None
    res = np.array([std_aa_mass[a] for a in psm.peptide], dtype=float)
    for pos, delta in psm.mods:
        if 1 <= pos <= len(res):
            res[pos - 1] += delta
    b = np.cumsum(res)[:-1] + PROTON
    y = np.cumsum(res[::-1])[:-1] + WATER + PROTON
    ions = [b, y]
    if psm.charge >= 3:
        ions += [(b + PROTON) / 2, (y + PROTON) / 2]
    return np.concatenate(ions)


def fragment_errors(theo: np.ndarray, peaks: np.ndarray, value: float, unit: str) -> tuple[np.ndarray, np.ndarray]:
    """(observed - theoretical m/z in Da, theoretical m/z) of the nearest peak within the tolerance, per matched ion."""
    if len(peaks) == 0 or len(theo) == 0:
        return np.zeros(0), np.zeros(0)
    peaks = np.sort(peaks)
    idx = np.clip(np.searchsorted(peaks, theo), 1, len(peaks) - 1)
    left, right = peaks[idx - 1], peaks[idx]
    nearest = np.where(np.abs(left - theo) <= np.abs(right - theo), left, right)
    err = nearest - theo
    tol = value if unit == "Da" else theo * value * 1e-6
    keep = np.abs(err) <= tol
    return np.asarray(err[keep]), np.asarray(theo[keep])


@dataclass
class Level:
    name: str
    floor: float | None
    accepted: int
    estimable: bool
    decoys: int = 0  # decoy winners at this level (the evidence D/T rests on)


@dataclass
class FdrResult:
    psms: list[Psm]
    peptides: list[dict[str, Any]]
    groups: list[dict[str, Any]]
    levels: dict[str, Level]
    threshold: float
    estimator: str = "target-decoy"


def control(psms: list[Psm], threshold: float, estimator: str = "target-decoy") -> FdrResult:
    """PSM, peptide and protein-group q-values; acceptance only at levels where the FDR is estimable."""
    if estimator not in ESTIMATORS:
        raise WorkerError("BAD_PARAMETERS", f"fdrEstimator: '{estimator}' is not one of {', '.join(ESTIMATORS)}")
    plus_one = estimator == "target-decoy-plus-one"
    score = np.array([p.score for p in psms])
    decoy = np.array([p.decoy for p in psms], dtype=bool)
    q = tdc_qvalues(score, decoy, plus_one)
    for p, qv in zip(psms, q, strict=True):
        p.q = float(qv)
    levels: dict[str, Level] = {}
    levels["psm"] = _level("psm", q, decoy, threshold, plus_one)

    # peptide level: best PSM per (plain sequence, decoy flag), I and L kept distinct as Comet reports them
    best: dict[tuple[str, bool], Psm] = {}
    counts: dict[tuple[str, bool], int] = {}
    for p in psms:
        key = (p.peptide, p.decoy)
        counts[key] = counts.get(key, 0) + 1
        if key not in best or p.score > best[key].score:
            best[key] = p
    keys = list(best)
    pscore = np.array([best[k].score for k in keys])
    pdecoy = np.array([k[1] for k in keys], dtype=bool)
    pq = tdc_qvalues(pscore, pdecoy, plus_one)
    levels["peptide"] = _level("peptide", pq, pdecoy, threshold, plus_one)
    peptides: list[dict[str, Any]] = []
    pep_q: dict[tuple[str, bool], float] = {}
    for k, qv in zip(keys, pq, strict=True):
        b = best[k]
        pep_q[k] = float(qv)
        peptides.append(
            {
                "peptide": k[0],
                "decoy": k[1],
                "proteins": sorted(set(b.proteins)),
                "psms": counts[k],
                "bestScore": b.score,
                "bestEvalue": b.evalue,
                "bestScan": b.scan,
                "bestCharge": b.charge,
                "qValue": float(qv),
                "accepted": bool(levels["peptide"].estimable and not k[1] and qv <= threshold),
            }
        )
    for p in psms:
        p.peptide_q = pep_q[(p.peptide, p.decoy)]
        p.accepted = bool(levels["psm"].estimable and not p.decoy and p.q <= threshold)

    # protein groups: proteins explained by the same set of peptides form one group; a group's score is
    # its best peptide's (decoy groups likewise), then the same competition.
    prot_peps: dict[str, set[str]] = {}
    for pep in peptides:
        for acc in pep["proteins"]:
            prot_peps.setdefault(acc, set()).add(pep["peptide"])
    groups_by_set: dict[frozenset[str], list[str]] = {}
    for acc, pset in prot_peps.items():
        groups_by_set.setdefault(frozenset(pset), []).append(acc)
    pep_by_seq = {(pp["peptide"], pp["decoy"]): pp for pp in peptides}
    groups: list[dict[str, Any]] = []
    for fset, accs in groups_by_set.items():
        is_decoy = all(a.startswith(DECOY_PREFIX) for a in accs)
        members = [pep_by_seq[(s, is_decoy)] for s in fset if (s, is_decoy) in pep_by_seq]
        if not members:
            continue
        groups.append(
            {
                "proteins": sorted(accs),
                "decoy": is_decoy,
                "peptides": sorted(m["peptide"] for m in members),
                "psms": sum(m["psms"] for m in members),
                "bestScore": max(m["bestScore"] for m in members),
            }
        )
    gscore = np.array([g["bestScore"] for g in groups])
    gdecoy = np.array([g["decoy"] for g in groups], dtype=bool)
    gq = tdc_qvalues(gscore, gdecoy, plus_one)
    levels["proteinGroup"] = _level("proteinGroup", gq, gdecoy, threshold, plus_one)
    for g, qv in zip(groups, gq, strict=True):
        g["qValue"] = float(qv)
        g["accepted"] = bool(levels["proteinGroup"].estimable and not g["decoy"] and qv <= threshold)
    return FdrResult(psms=psms, peptides=peptides, groups=groups, levels=levels, threshold=threshold,
                     estimator=estimator)


def min_decoys(threshold: float) -> int:
    """Decoy winners a level needs before D/T can stand for its false targets: ceil(1/threshold)."""
    return math.ceil(1 / threshold - 1e-9)


def _level(name: str, q: np.ndarray, decoy: np.ndarray, threshold: float, plus_one: bool) -> Level:
    targets = q[~decoy]
    if len(targets) == 0:
        return Level(name, None, 0, False, int(decoy.sum()))
    floor = float(targets.min())
    decoys = int(decoy.sum())
    estimable = floor <= threshold if plus_one else decoys >= min_decoys(threshold)
    accepted = int((targets <= threshold).sum()) if estimable else 0
    return Level(name, round(floor, 6), accepted, estimable, decoys)
