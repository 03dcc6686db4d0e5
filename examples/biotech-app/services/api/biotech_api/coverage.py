"""Sequence coverage of one file: the summary's proteins, the file's FASTA and its peptides.csv."""

from __future__ import annotations

from typing import Any

from .tables import Table


def parse_fasta(text: str | None) -> list[tuple[str, str]]:
    """(header without '>', residues) of each entry; [] for no text."""
    entries: list[tuple[str, list[str]]] = []
    for line in (text or "").splitlines():
        line = line.strip()
        if line.startswith(">"):
            entries.append((line[1:].strip(), []))
        elif line and entries:
            entries[-1][1].append(line.upper())
    return [(header, "".join(parts).rstrip("*")) for header, parts in entries]


def _identifiers(header: str) -> set[str]:
    """``sp|P02769|ALBU_BOVIN Albumin`` -> {"sp|P02769|ALBU_BOVIN", "sp", "P02769", "ALBU_BOVIN"}."""
    token = header.split(maxsplit=1)[0] if header.strip() else ""
    return {token, *token.split("|")} - {""}


def sequence_for(accession: str, fasta: list[tuple[str, str]]) -> str | None:
    """The entry whose header names ``accession``; a single-sequence FASTA is taken as is."""
    for header, residues in fasta:
        if accession in _identifiers(header):
            return residues or None
    if len(fasta) == 1:
        return fasta[0][1] or None
    return None


def positions(peptide: str, sequence: str | None) -> list[tuple[int, int]]:
    """1-based inclusive (start, end) of every place ``peptide`` occurs (overlaps included)."""
    if not sequence or not peptide:
        return []
    found: list[tuple[int, int]] = []
    at = sequence.find(peptide)
    while at >= 0:
        found.append((at + 1, at + len(peptide)))
        at = sequence.find(peptide, at + 1)
    return found


def _peptides_of(table: Table | None) -> dict[str, list[dict[str, Any]]]:
    """Target peptides of peptides.csv, by each accession in their ``proteins``."""
    if table is None:
        return {}
    idx = {c: table.index(c) for c in ("peptide", "proteins", "decoy", "psms", "qValue", "accepted")}
    if idx["peptide"] is None or idx["proteins"] is None:
        return {}

    def cell(row: tuple[Any, ...], column: str) -> Any:
        i = idx[column]
        return row[i] if i is not None else None

    by_accession: dict[str, list[dict[str, Any]]] = {}
    for row in table.rows:
        if cell(row, "decoy") is True:
            continue
        entry = {
            "peptide": cell(row, "peptide"),
            "psms": cell(row, "psms"),
            "best_q_value": cell(row, "qValue"),
            "accepted": cell(row, "accepted"),
        }
        proteins = cell(row, "proteins")
        for accession in proteins.split(";") if isinstance(proteins, str) else []:
            by_accession.setdefault(accession, []).append(entry)
    return by_accession


def build(summary: dict[str, Any], fasta_text: str | None, peptides: Table | None) -> list[dict[str, Any]]:
    """The proteins of ``summary.coverage.proteins`` with their sequence and peptide positions."""
    coverage = summary.get("coverage")
    listed = coverage.get("proteins") if isinstance(coverage, dict) else None
    fasta = parse_fasta(fasta_text)
    by_accession = _peptides_of(peptides)
    proteins: list[dict[str, Any]] = []
    for p in listed if isinstance(listed, list) else []:
        if not isinstance(p, dict) or not isinstance(p.get("accession"), str):
            continue
        accession = p["accession"]
        sequence = sequence_for(accession, fasta)
        peptide_entries: list[dict[str, Any]] = []
        for pep in by_accession.get(accession, []):
            places: list[tuple[int | None, int | None]] = [(None, None)]
            places = list(positions(str(pep["peptide"]), sequence)) or places
            peptide_entries.extend({**pep, "start": start, "end": end} for start, end in places)
        peptide_entries.sort(key=lambda e: (e["start"] is None, e["start"] or 0, str(e["peptide"])))
        proteins.append(
            {
                "accession": accession,
                "description": p.get("description") if isinstance(p.get("description"), str) else None,
                "length": p.get("length") if isinstance(p.get("length"), int) else None,
                "percent": p.get("percent") if isinstance(p.get("percent"), int | float) else None,
                "sequence": sequence,
                "residue_coverage": p.get("residueCoverage")
                if isinstance(p.get("residueCoverage"), str)
                else "",
                "peptides": peptide_entries,
            }
        )
    return proteins
