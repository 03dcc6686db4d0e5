"""DDA / DIA / targeted recognition from MSn isolation windows, accumulated during the streaming pass.

mzML records each MSn spectrum's isolation window (MS:1000827 target m/z, MS:1000828 lower offset,
MS:1000829 upper offset). Rules (width = lower + upper offset; centres rounded to 0.1 m/z):
- DIA: median width >= 4 m/z and >= 3 acquisitions per window centre (a repeating cycle);
- DDA: otherwise, narrow windows on many precursors (also wide windows that do not repeat);
- targeted (PRM-like): narrow windows on <= 50 centres, each acquired >= 10 times;
- undetermined: fewer than 20 MSn spectra, or windows missing on most (MGF, mzXML, all-ion data).
Validated on synthetic window lists and on a DIA-like file derived from a real one (test data has no
real DIA acquisition).
"""

from __future__ import annotations

import statistics
from collections import Counter
from typing import Any


class AcquisitionDetector:
    def __init__(self) -> None:
        self.widths: list[float] = []
        self.centres: Counter[float] = Counter()
        self.n_msn = 0

    def add(self, ms_level: int, target: float | None, width: float | None) -> None:
        if ms_level < 2:
            return
        self.n_msn += 1
        if target is None or width is None:
            return
        self.widths.append(width)
        self.centres[round(target, 1)] += 1

    def result(self) -> dict[str, Any]:
        n = len(self.widths)
        if self.n_msn < 20:
            return {"mode": "undetermined", "medianIsolationWidth": None,
                    "reason": f"{self.n_msn} MSn spectra (at least 20 are needed to tell DDA from DIA)"}
        if n < 0.5 * self.n_msn:
            return {"mode": "undetermined", "medianIsolationWidth": None,
                    "reason": "isolation windows are missing on most MSn spectra (MGF/mzXML input or all-ion data)"}
        med = float(statistics.median(self.widths))
        distinct = len(self.centres)
        repeats = n / distinct
        if med >= 4.0 and repeats >= 3:
            mode, why = "DIA", f"isolation windows of {med:g} m/z repeating in a cycle ({repeats:.1f} per centre)"
        elif med >= 4.0:
            mode, why = "DDA", f"wide isolation windows of {med:g} m/z whose centres rarely repeat"
        elif distinct <= 50 and repeats >= 10:
            mode, why = "targeted", f"narrow windows on {distinct} targets, each acquired {repeats:.0f} times"
        else:
            mode, why = "DDA", f"isolation windows of {med:g} m/z whose centres rarely repeat ({repeats:.2f} per centre)"
        return {"mode": mode, "medianIsolationWidth": round(med, 3), "reason": why}
