"""Protein sequences: FASTA parsing and validation.

The search itself (digest, scoring, decoys) is Comet's, see search.py. The earlier home-made matcher
(precursor mass + a b/y check against one reversed decoy per candidate) controlled no false
discoveries and was removed.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from .errors import WorkerError

_VALID_RESIDUES = set("ACDEFGHIKLMNPQRSTVWYBXZUOJ")


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
