"""The seam between the API and the worker for a typed protein sequence.

The API normalises what a user types or pastes (a bare sequence or FASTA) to FASTA
(examples/biotech-app/services/api/biotech_api/sequences.py); a start writes that FASTA to the
uploads bucket next to the input and the manifest references it (``sequence.key``; the worker
downloads it, see test_s3.py), and the worker maps against it with ``parse_fasta``. Here the
worker's real parser reads the API's real output: whatever the API accepts, the worker accepts
with the same residues, and what the API refuses the worker would have failed with BAD_FASTA.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from proteomics_worker.errors import WorkerError
from proteomics_worker.mapping import parse_fasta

API_SEQUENCES = Path(__file__).resolve().parents[2] / "examples/biotech-app/services/api/biotech_api/sequences.py"


def _load_api_sequences() -> ModuleType:
    # By path: the module has no dependencies, and the API's package needs FastAPI.
    spec = importlib.util.spec_from_file_location("api_sequences", API_SEQUENCES)
    assert spec and spec.loader, API_SEQUENCES
    module = importlib.util.module_from_spec(spec)
    sys.modules["api_sequences"] = module
    spec.loader.exec_module(module)
    return module


api = _load_api_sequences()
BSA = "MKWVTFISLLLLFSSAYSRGVFRRDTHKSEIAHRFKDLGEEHFKGLVLIAFSQYLQQCPFDEHVKLVNELTEFAKTCVADESHAGCEKS"

ACCEPTED = [
    # (what the user typed, protein name, the residues of each entry)
    (BSA, "BSA", [BSA]),
    (BSA[:30].lower() + "\n" + BSA[30:] + "*", "BSA", [BSA]),  # typed, with a break and a stop
    ("MKWV TFIS\r\nLLLL", None, ["MKWVTFISLLLL"]),
    ("ACDEFGHIKLMNPQRSTVWYBXZUOJ", "all letters", ["ACDEFGHIKLMNPQRSTVWYBXZUOJ"]),
    (f">sp|P02769|ALBU_BOVIN Albumin\n{BSA[:45]}\n{BSA[45:]}\n", "x", [BSA]),
    (">a first\nMKWV\n\n>b second\nmsrq\nfssk\n", None, ["MKWV", "MSRQFSSK"]),
    ("; comment\n>x\nAC", None, ["AC"]),
]


@pytest.mark.parametrize(("typed", "name", "residues"), ACCEPTED)
def test_worker_reads_what_the_api_stores(typed: str, name: str | None, residues: list[str]) -> None:
    fasta = api.normalise_sequence(typed, name)
    proteins = parse_fasta(fasta)
    assert [p.sequence for p in proteins] == residues
    assert fasta.startswith(">")


def test_a_bare_sequence_was_refused_by_the_worker_before_normalisation() -> None:
    # What the web app sent before: whitespace stripped, no header.
    with pytest.raises(WorkerError) as info:
        parse_fasta(BSA)
    assert info.value.code == "BAD_FASTA"
    assert len(parse_fasta(api.normalise_sequence(BSA, "BSA"))) == 1


@pytest.mark.parametrize("typed", ["MKWV1TFIS", "MKWV-TFIS", ">x\nMK@W", ">x\n"])
def test_what_the_api_refuses_the_worker_refuses_too(typed: str) -> None:
    with pytest.raises(api.SequenceError):
        api.normalise_sequence(typed)
    as_fasta = typed if typed.startswith(">") else f">x\n{typed}"
    with pytest.raises(WorkerError) as info:
        parse_fasta(as_fasta)
    assert info.value.code == "BAD_FASTA"


def test_same_residue_alphabet() -> None:
    from proteomics_worker import mapping

    assert set(api.VALID_RESIDUES) == set(mapping._VALID_RESIDUES)
