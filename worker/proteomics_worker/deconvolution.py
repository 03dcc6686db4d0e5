"""Intact-mass deconvolution with ms_deisotope (PyPI, Apache-2.0).

Used for ``intact_ms1`` files: the most intense MS1 scan (profile) is
peak-picked with ms_peak_picker, deconvoluted with ms_deisotope's averagine
deconvoluter (charges 1-50, MSDeconV scoring), and the per-charge results are
grouped into neutral masses (within 20 ppm) whose intensities are summed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

GROUP_PPM = 20.0
MAX_MASSES = 10


def deconvolute(mz: np.ndarray, intensity: np.ndarray) -> tuple[list[dict[str, Any]], str]:
    import ms_deisotope
    from ms_deisotope.averagine import peptide
    from ms_peak_picker import pick_peaks

    order = np.argsort(mz)
    peaks = pick_peaks(
        np.asarray(mz[order], dtype=float), np.asarray(intensity[order], dtype=float), fit_type="quadratic"
    )
    if peaks is None or len(peaks) == 0:
        return [], "ms_deisotope: no peaks picked in the most intense MS1 scan"
    result = ms_deisotope.deconvolute_peaks(
        peaks,
        averagine=peptide,
        charge_range=(1, 50),
        truncate_after=0.95,
        scorer=ms_deisotope.MSDeconVFitter(10.0),
    )
    found = sorted(
        ((float(p.neutral_mass), int(p.charge), float(p.intensity)) for p in result.peak_set), key=lambda t: t[0]
    )
    groups: list[dict[str, Any]] = []
    for mass, charge, inten in found:
        if groups and abs(mass - groups[-1]["_ref"]) / mass * 1e6 <= GROUP_PPM:
            g = groups[-1]
            g["_wsum"] += mass * inten
            g["intensity"] += inten
            g["charges"].add(abs(charge))
        else:
            groups.append({"_ref": mass, "_wsum": mass * inten, "intensity": inten, "charges": {abs(charge)}})
    out = []
    for g in groups:
        out.append(
            {
                "neutralMass": round(g["_wsum"] / g["intensity"], 4) if g["intensity"] > 0 else round(g["_ref"], 4),
                "intensity": round(g["intensity"], 2),
                "charges": sorted(g["charges"]),
            }
        )
    out.sort(key=lambda d: (-len(d["charges"]), -d["intensity"]))
    return out[
        :MAX_MASSES
    ], "ms_deisotope averagine deconvolution of the most intense MS1 scan (monoisotopic neutral masses)"
