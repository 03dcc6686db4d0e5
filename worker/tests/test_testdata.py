"""The repository's real test data is complete and byte for byte as published.

A copy whose line endings were converted, or a truncated download, would still parse and give
odd figures elsewhere; here it fails by name.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from conftest import TESTDATA


def _listed() -> dict[str, str]:
    sums = {}
    for line in (TESTDATA / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        sums[name.strip()] = digest
    return sums


def test_every_file_matches_its_published_checksum(data: Path) -> None:
    listed = _listed()
    wrong = {name: digest for name, digest in listed.items() if hashlib.sha256((data / name).read_bytes()).hexdigest() != digest}
    assert not wrong, f"test data differs from testdata/ms/SHA256SUMS: {wrong}"


def test_every_data_file_is_listed_and_documented() -> None:
    data_files = {p.name for p in TESTDATA.iterdir() if p.name not in {"README.md", "SHA256SUMS"}}
    assert data_files == set(_listed()), "SHA256SUMS must list exactly the data files"
    readme = (TESTDATA / "README.md").read_text(encoding="utf-8")
    undocumented = sorted(name for name in data_files if f"`{name}`" not in readme)
    assert not undocumented, f"testdata/ms/README.md gives no source or licence for {undocumented}"
