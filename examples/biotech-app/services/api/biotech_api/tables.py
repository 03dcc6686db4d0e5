"""The worker's result tables (psms.csv, peptides.csv, proteins.csv): parse, filter, sort, page.

The API reads them from the results bucket and answers pages of rows, so the browser never
downloads a whole table. Parsed tables are kept in a small per-process LRU keyed by
bucket/key/ETag: paging through a table reads it from S3 once (a HEAD per page checks the ETag).
"""

from __future__ import annotations

import csv
import io
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

TableKind = Literal["psms", "peptides", "proteins"]
TABLE_KINDS: tuple[TableKind, ...] = ("psms", "peptides", "proteins")
# Parsed rows take about five times their CSV, so 96 MiB of CSV is ~480 MiB of rows: inside the
# API pod's 1 GiB memory limit with room for the requests around it. Larger tables: the CSV download.
MAX_TABLE_BYTES = 96 * 1024 * 1024
BOOLEAN_COLUMNS = frozenset({"accepted", "decoy"})

Cell = str | int | float | bool | None
Row = tuple[Cell, ...]

_INT = re.compile(r"^[+-]?\d{1,18}$")
_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_TRUE = {"1", "true", "True", "TRUE"}
_FALSE = {"0", "false", "False", "FALSE"}


class TableError(ValueError):
    """The object is not a table this module can read (no header, a row of another width, …)."""


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    numeric: frozenset[str]

    @property
    def text_indexes(self) -> tuple[int, ...]:
        return tuple(
            i for i, c in enumerate(self.columns) if c not in self.numeric and c not in BOOLEAN_COLUMNS
        )

    def index(self, column: str) -> int | None:
        return self.columns.index(column) if column in self.columns else None


def _number(text: str) -> int | float:
    return int(text) if _INT.match(text) else float(text)


def _boolean(text: str) -> bool:
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise TableError(f"not a boolean: {text[:40]!r}")


def _reader(data: bytes) -> Iterator[list[str]]:
    try:
        text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
        yield from csv.reader(text)
    except UnicodeDecodeError as exc:
        raise TableError("the table is not UTF-8 text") from exc


def parse_table(data: bytes) -> Table:
    """CSV bytes (UTF-8, header row) to typed rows.

    ``accepted``/``decoy`` become booleans; a column whose every non-empty cell is a number
    becomes numbers (int or float); empty cells are None; everything else stays text. Two passes
    over the bytes (types, then rows), so no untyped copy of the rows is ever held.
    """
    rows_in = _reader(data)
    header = next(rows_in, None)
    if not header or any(not c for c in header):
        raise TableError("the table has no header row")
    width = len(header)
    numeric = [c not in BOOLEAN_COLUMNS for c in header]
    for line, cells in enumerate(rows_in, start=2):
        if not cells:
            continue
        if len(cells) != width:
            raise TableError(f"line {line} has {len(cells)} cells, the header {width}")
        for i, cell in enumerate(cells):
            if numeric[i] and cell and not _FLOAT.match(cell):
                numeric[i] = False
    converters = [
        _boolean if header[i] in BOOLEAN_COLUMNS else (_number if numeric[i] else str) for i in range(width)
    ]
    typed = _reader(data)
    next(typed)
    rows = tuple(
        tuple(conv(cell) if cell else None for conv, cell in zip(converters, cells, strict=True))
        for cells in typed
        if cells
    )
    return Table(
        columns=tuple(header),
        rows=rows,
        numeric=frozenset(c for c, n in zip(header, numeric, strict=True) if n and c not in BOOLEAN_COLUMNS),
    )


@dataclass(frozen=True)
class TableQuery:
    sort: str | None = None
    descending: bool = False
    text: str | None = None
    accepted: bool | None = None
    peptide: str | None = None
    protein: str | None = None


def _split(cell: Cell) -> list[str]:
    return cell.split(";") if isinstance(cell, str) else []


def select_rows(table: Table, query: TableQuery) -> list[Row]:
    """Rows matching every given filter, sorted (empty cells last in either order)."""
    rows: Iterable[Row] = table.rows
    if query.accepted is not None and (i := table.index("accepted")) is not None:
        wanted = query.accepted
        rows = (r for r in rows if r[i] is wanted)
    if query.peptide:
        peptide = query.peptide
        if (i := table.index("peptide")) is not None:
            rows = (r for r in rows if r[i] == peptide)
        elif (i := table.index("peptides")) is not None:  # proteins.csv lists its peptides
            rows = (r for r in rows if peptide in _split(r[i]))
        else:
            rows = ()
    if query.protein:
        protein = query.protein
        i = table.index("proteins")
        rows = (r for r in rows if protein in _split(r[i])) if i is not None else ()
    if query.text:
        needle = query.text.casefold()
        texts = table.text_indexes
        rows = (r for r in rows if any(isinstance(r[i], str) and needle in r[i].casefold() for i in texts))  # type: ignore[union-attr]
    selected = list(rows)
    if query.sort is not None:
        i = table.columns.index(query.sort)
        present = [r for r in selected if r[i] is not None]
        missing = [r for r in selected if r[i] is None]
        if query.sort in table.numeric or query.sort in BOOLEAN_COLUMNS:
            present.sort(key=lambda r: r[i], reverse=query.descending)  # type: ignore[arg-type,return-value]
        else:
            present.sort(key=lambda r: str(r[i]).casefold(), reverse=query.descending)
        selected = present + missing
    return selected


def as_objects(table: Table, rows: Sequence[Row]) -> list[dict[str, Cell]]:
    return [dict(zip(table.columns, r, strict=True)) for r in rows]


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"  # as the worker writes them
    return str(value)


def iter_csv(table: Table, rows: Sequence[Row], chunk_rows: int = 1000) -> Iterator[str]:
    """The header and ``rows`` as CSV text, in chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.columns)
    for n, row in enumerate(rows, start=1):
        writer.writerow([_csv_cell(v) for v in row])
        if n % chunk_rows == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


class TableCache:
    """A thread-safe LRU of parsed tables, bounded by entries and by the CSV bytes they came from.

    Parsed rows take about five times their CSV's size (measured: a 12 MiB psms.csv holds about
    60 MiB as tuples), so 64 MiB of CSV is about 320 MiB of the API's memory at most.
    """

    def __init__(self, max_entries: int = 8, max_source_bytes: int = 64 * 1024 * 1024) -> None:
        self._entries: OrderedDict[tuple[str, str, str], tuple[Table, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.max_entries = max_entries
        self.max_source_bytes = max_source_bytes
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[str, str, str]) -> Table | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, key: tuple[str, str, str], table: Table, source_bytes: int) -> None:
        if source_bytes > self.max_source_bytes:
            return  # read again on the next page rather than pin a huge table in memory
        with self._lock:
            self._entries[key] = (table, source_bytes)
            self._entries.move_to_end(key)
            total = sum(size for _, size in self._entries.values())
            while len(self._entries) > self.max_entries or total > self.max_source_bytes:
                _, (_, size) = self._entries.popitem(last=False)
                total -= size

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0


CACHE = TableCache()
