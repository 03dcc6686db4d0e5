"""Keep third-party libraries off the network.

psims, which pyteomics 5 uses to resolve mzML controlled-vocabulary terms,
tries to download the PSI-MS ontology every time a reader opens (with no
timeout). Setting ``obo_cache.use_remote`` to False makes it fall back at once
to the copy bundled in the psims wheel. The attribute was checked against
psims 1.4.0 (``psims.controlled_vocabulary.controlled_vocabulary.obo_cache``).
"""

from __future__ import annotations

import os


def configure() -> None:
    """Idempotent; call before opening any pyteomics XML reader."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        from psims.controlled_vocabulary import controlled_vocabulary as cv
    except ImportError:  # pragma: no cover - psims is a pinned dependency
        return
    cache = getattr(cv, "obo_cache", None)
    if cache is not None:
        cache.use_remote = False
        cache.enabled = False
