"""DDA vs DIA from mzML isolation windows (MS:1000827 target m/z, MS:1000828 lower offset, MS:1000829 upper offset).
Streaming accumulator; lxml iterparse reads only <precursor> metadata (no binary decoding)."""
import sys, gzip, statistics
from collections import Counter
from lxml import etree

class AcquisitionDetector:
    def __init__(self): self.widths, self.targets, self.n_ms2, self.n_no_window = [], Counter(), 0, 0
    def add(self, ms_level, target, lower, upper):
        if ms_level < 2: return
        self.n_ms2 += 1
        if target is None or lower is None or upper is None: self.n_no_window += 1; return
        self.widths.append(lower + upper); self.targets[round(target, 1)] += 1
    def result(self):
        n = len(self.widths)
        if self.n_ms2 < 20: return dict(mode="undetermined", reason="fewer than 20 MSn spectra", n_ms2=self.n_ms2)
        if n < 0.5 * self.n_ms2: return dict(mode="undetermined", reason="isolation window missing on most MSn spectra "
                                             "(all-ion/MSE data or stripped metadata)", n_ms2=self.n_ms2)
        med = statistics.median(self.widths); distinct = len(self.targets)
        repeats = n / distinct                                   # mean acquisitions per distinct window centre
        if med >= 4.0 and repeats >= 3: mode = "DIA"                     # wide windows, fixed repeating cycle
        elif med >= 4.0: mode = "DDA (wide isolation windows)"            # wide but not repeating
        elif distinct <= 50 and repeats >= 10: mode = "targeted (PRM-like)"  # narrow windows on a short target list
        else: mode = "DDA"
        return dict(mode=mode, n_ms2=self.n_ms2, median_width_da=round(med, 3), distinct_window_centres=distinct,
                    acquisitions_per_centre=round(repeats, 2))

def scan_mzml(path):
    det = AcquisitionDetector(); ns = "{http://psi.hupo.org/ms/mzml}"
    fh = gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")
    for _, el in etree.iterparse(fh, events=("end",), tag=ns + "spectrum", huge_tree=True):
        lvl = el.find(f"{ns}cvParam[@accession='MS:1000511']")
        win = el.find(f".//{ns}isolationWindow")
        get = lambda acc: (lambda p: float(p.get("value")) if p is not None and p.get("value") else None)(
            win.find(f"{ns}cvParam[@accession='{acc}']")) if win is not None else None
        det.add(int(lvl.get("value")) if lvl is not None else 1, get("MS:1000827"), get("MS:1000828"), get("MS:1000829"))
        el.clear()
        while el.getprevious() is not None: del el.getparent()[0]
    return det.result()

if __name__ == "__main__":
    for p in sys.argv[1:]: print(p.rsplit("/", 1)[-1], scan_mzml(p))
    # synthetic checks: 32 x 25-Da SWATH windows x 40 cycles; DDA with 2-Da windows on unique precursors; PRM
    import random; random.seed(1)
    for name, rows in [("synthetic DIA 32x25Da", [(2, 400 + 25 * w + 12.5, 12.5, 12.5) for c in range(40) for w in range(32)]),
                       ("synthetic DDA 2Da", [(2, random.uniform(350, 1500), 1.0, 1.0) for _ in range(1000)]),
                       ("synthetic DDA wide 4.5Da", [(2, random.uniform(350, 1500), 2.25, 2.25) for _ in range(500)]),
                       ("synthetic PRM 0.7Da", [(2, t, 0.35, 0.35) for c in range(100) for t in (500.25, 622.8, 785.3)])]:
        d = AcquisitionDetector(); [d.add(*r) for r in rows]; print(name, d.result())
