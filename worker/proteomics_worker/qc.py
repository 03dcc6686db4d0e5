"""Constant-memory accumulators for QC metrics."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


class TraceDownsampler:
    """Keeps at most ``max_points`` evenly bucketed (rt, tic, base peak) points.

    Buckets hold `step` consecutive spectra; when the buffer reaches twice the
    limit, neighbouring buckets are merged and `step` doubles. Memory stays
    bounded whatever the number of spectra.
    """

    def __init__(self, max_points: int) -> None:
        self.max_points = max(int(max_points), 2)
        self.step = 1
        self.points: list[list[float]] = []  # [rt_sum, n, tic_sum, bp_max]
        self.pending: list[float] | None = None

    def add(self, rt: float, tic: float, bp: float) -> None:
        if self.pending is None:
            self.pending = [rt, 1.0, tic, bp]
        else:
            p = self.pending
            p[0] += rt
            p[1] += 1
            p[2] += tic
            p[3] = max(p[3], bp)
        if self.pending[1] >= self.step:
            self.points.append(self.pending)
            self.pending = None
            if len(self.points) >= 2 * self.max_points:
                self.points = self._halve(self.points)
                self.step *= 2

    @staticmethod
    def _halve(points: list[list[float]]) -> list[list[float]]:
        out = []
        for i in range(0, len(points) - 1, 2):
            a, b = points[i], points[i + 1]
            out.append([a[0] + b[0], a[1] + b[1], a[2] + b[2], max(a[3], b[3])])
        if len(points) % 2:
            out.append(points[-1])
        return out

    def result(self) -> tuple[list[float], list[float], list[float]]:
        pts = list(self.points)
        if self.pending is not None:
            pts.append(self.pending)
        while len(pts) > self.max_points:
            pts = self._halve(pts)
        rts = [round(p[0] / p[1], 3) for p in pts]
        tics = [float(p[2] / p[1]) for p in pts]
        bps = [float(p[3]) for p in pts]
        return rts, tics, bps


class ErrorStats:
    """Running mean/sd/min/max plus a 0.01-ppm histogram for medians."""

    def __init__(self, limit_ppm: float) -> None:
        self.limit = float(limit_ppm)
        self.bin = 0.01
        self.nbins = int(math.ceil(2 * self.limit / self.bin)) + 1
        self.hist = np.zeros(self.nbins, dtype=np.int64)
        self.abs_hist = np.zeros(int(math.ceil(self.limit / self.bin)) + 1, dtype=np.int64)
        self.n = 0
        self.mean = 0.0
        self.m2 = 0.0
        self.min = math.inf
        self.max = -math.inf
        self.sample: list[tuple[float, float]] = []
        self._rng = np.random.default_rng(0)  # reservoir sampling for the plot only

    def add(self, ppm: float, rt: float | None) -> None:
        self.n += 1
        delta = ppm - self.mean
        self.mean += delta / self.n
        self.m2 += delta * (ppm - self.mean)
        self.min = min(self.min, ppm)
        self.max = max(self.max, ppm)
        i = int(round((ppm + self.limit) / self.bin))
        self.hist[min(max(i, 0), self.nbins - 1)] += 1
        j = int(round(abs(ppm) / self.bin))
        self.abs_hist[min(j, len(self.abs_hist) - 1)] += 1
        if rt is not None:
            if len(self.sample) < 5000:
                self.sample.append((rt, ppm))
            else:
                k = int(self._rng.integers(self.n))
                if k < 5000:
                    self.sample[k] = (rt, ppm)

    @staticmethod
    def _median(hist: np.ndarray, offset: float, width: float, n: int) -> float:
        cum = np.cumsum(hist)
        idx = int(np.searchsorted(cum, (n + 1) / 2.0))
        return round(offset + idx * width, 3)

    def summary(self) -> dict[str, Any] | None:
        if self.n == 0:
            return None
        sd = math.sqrt(self.m2 / (self.n - 1)) if self.n > 1 else 0.0
        return {
            "n": self.n,
            "medianPpm": self._median(self.hist, -self.limit, self.bin, self.n),
            "medianAbsPpm": self._median(self.abs_hist, 0.0, self.bin, self.n),
            "meanPpm": round(self.mean, 4),
            "sdPpm": round(sd, 4),
            "minPpm": round(self.min, 4),
            "maxPpm": round(self.max, 4),
        }


class FixedHistogram:
    def __init__(self, start: float, stop: float, width: float) -> None:
        self.start, self.width = start, width
        self.counts = np.zeros(int(math.ceil((stop - start) / width)), dtype=np.int64)

    def add(self, value: float) -> None:
        i = int((value - self.start) // self.width)
        self.counts[min(max(i, 0), len(self.counts) - 1)] += 1

    def result(self) -> dict[str, list[Any]]:
        nz = np.nonzero(self.counts)[0]
        if len(nz) == 0:
            return {"binEdges": [], "counts": []}
        lo, hi = int(nz[0]), int(nz[-1]) + 1
        edges = [round(self.start + i * self.width, 4) for i in range(lo, hi + 1)]
        return {"binEdges": edges, "counts": [int(c) for c in self.counts[lo:hi]]}


class Range:
    def __init__(self) -> None:
        self.min = math.inf
        self.max = -math.inf

    def add(self, lo: float, hi: float | None = None) -> None:
        self.min = min(self.min, lo)
        self.max = max(self.max, lo if hi is None else hi)

    def result(self) -> dict[str, float | None]:
        if self.min == math.inf:
            return {"min": None, "max": None}
        return {"min": round(float(self.min), 6), "max": round(float(self.max), 6)}
