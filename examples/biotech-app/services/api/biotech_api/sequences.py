"""Protein sequences typed or pasted by users, normalised to the FASTA the worker reads.

Users paste either a bare sequence (``MKWVTFISLL…``, with any line breaks and spaces) or FASTA
(one or more ``>header`` lines, each followed by its residue lines). The worker maps peptides
against FASTA only: it requires the text to start with a ``>`` header and refuses residues
outside the IUPAC protein letters (``worker/proteomics_worker/mapping.py``, ``parse_fasta``). So the
API checks and normalises at request time, and a problem is a 422 that names it, instead of a
file that fails later with ``BAD_FASTA``.

The output: every entry as a ``>`` header line, then its residues in upper case, 60 per line,
without a terminal ``*``; a bare sequence gets the header ``>`` + the protein's name (or
``protein``). This module has no dependencies, so the worker's tests can load it too.
"""

from __future__ import annotations

import re

# The worker's residue alphabet (mapping.py _VALID_RESIDUES): the 20 standard amino acids,
# B (D or N), Z (E or Q), J (I or L), X (any), U (selenocysteine), O (pyrrolysine).
VALID_RESIDUES = frozenset("ACDEFGHIKLMNPQRSTVWYBXZUOJ")
# Enough for any protein (titin, the largest known, has about 35,000 residues) and a few
# hundred alternatives; the normalised text stays far below the manifest's 5,000,000 characters.
MAX_RESIDUES = 1_000_000
MAX_ENTRIES = 1_000
LINE_WIDTH = 60
_HEADER_NAME = re.compile(r"[^A-Za-z0-9_.:|-]+")


class SequenceError(ValueError):
    """The sequence cannot be used; the message names the problem and how to fix it."""


def _residues(raw: str, where: str) -> str:
    seq = re.sub(r"\s+", "", raw).upper()
    seq = seq[:-1] if seq.endswith("*") else seq
    if not seq:
        raise SequenceError(f"{where} has no residues: give the amino-acid sequence after the header line")
    bad = sorted(set(seq) - VALID_RESIDUES)
    if bad:
        shown = ", ".join(repr(c) for c in bad[:10])
        raise SequenceError(
            f"{where} has invalid residue characters {shown}: use the one-letter amino-acid codes "
            "ACDEFGHIKLMNPQRSTVWY (and B, J, O, U, X, Z); remove numbers, spaces inside a line are ignored"
        )
    return seq


def _wrap(seq: str) -> list[str]:
    return [seq[i : i + LINE_WIDTH] for i in range(0, len(seq), LINE_WIDTH)]


def header_for(name: str | None) -> str:
    """A FASTA header for a bare sequence: the protein's name as one word, or ``protein``."""
    word = _HEADER_NAME.sub("_", (name or "").strip()).strip("_")
    return f">{word[:200] or 'protein'}"


def normalise_sequence(text: str, name: str | None = None) -> str:
    """Checks ``text`` (a bare sequence or FASTA) and returns it as normalised FASTA.

    Raises ``SequenceError`` naming the problem: empty, not text, invalid residues, an entry
    without residues, too long.
    """
    if "\x00" in text:
        raise SequenceError("the sequence contains a NUL character: paste plain text")
    stripped = text.strip()
    if not stripped:
        raise SequenceError(
            "the sequence is empty: paste the amino-acid sequence or FASTA text, or leave it out"
        )
    lines = stripped.splitlines()
    entries: list[tuple[str, str]] = []
    if stripped[0] in ">;":
        header: str | None = None
        body: list[str] = []
        for line in lines:
            if line.startswith(";"):
                continue  # a FASTA comment line, ignored by the worker too
            if line.startswith(">"):
                if header is not None:
                    entries.append((header, "".join(body)))
                header, body = line.rstrip(), []
            else:
                body.append(line)
        if header is None:
            raise SequenceError("the FASTA text has no '>' header line")
        entries.append((header, "".join(body)))
    else:
        if any(line.lstrip().startswith(">") for line in lines):
            raise SequenceError("text before the first '>' header: start FASTA with its header line")
        entries.append((header_for(name), stripped))
    if len(entries) > MAX_ENTRIES:
        raise SequenceError(
            f"the FASTA text holds {len(entries)} entries: at most {MAX_ENTRIES} are accepted"
        )
    out: list[str] = []
    total = 0
    for n, (header, raw) in enumerate(entries, start=1):
        title = header[1:].strip()
        where = f"entry {n} ('{title[:60]}')" if len(entries) > 1 or stripped[0] == ">" else "the sequence"
        if header.strip() == ">":
            raise SequenceError(f"entry {n} has an empty '>' header: give it a name, e.g. '>my_protein'")
        seq = _residues(raw, where)
        total += len(seq)
        if total > MAX_RESIDUES:
            raise SequenceError(
                f"the sequence is too long: more than {MAX_RESIDUES:,} residues in all; "
                "upload a FASTA file instead"
            )
        out.append(header)
        out.extend(_wrap(seq))
    return "\n".join(out)
