"""Format detection and streaming spectrum readers built on pyteomics.

Every reader yields :class:`Spectrum` records one at a time; nothing keeps
more than the current spectrum's peak arrays, so memory does not grow with
the file. The readers are not thread-safe: the worker uses one process per
file.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
from lxml import etree

from .errors import WorkerError
from .offline import configure as configure_offline

GZIP_MAGIC = b"\x1f\x8b"
SNIFF_BYTES = 4096

# Analyser families used to pick a default fragment tolerance.
HIGH_RES = "high_res"
LOW_RES = "low_res"

_ANALYSER_WORDS = (
    ("orbitrap", HIGH_RES),
    ("fourier transform", HIGH_RES),
    ("time-of-flight", HIGH_RES),
    ("ion trap", LOW_RES),
    ("quadrupole", LOW_RES),
)


@dataclass
class Spectrum:
    index: int
    native_id: str
    ms_level: int
    rt_seconds: float | None
    polarity: str  # positive | negative | unknown
    data_mode: str  # centroid | profile | unknown
    mz: np.ndarray
    intensity: np.ndarray
    precursor_mz: float | None
    precursor_charges: tuple[int, ...]  # empty when unknown
    filter_string: str | None
    analyser: str | None  # HIGH_RES | LOW_RES | None
    # Isolation window (mzML MS:1000827 target, MS:1000828 lower / MS:1000829 upper offset), for DIA detection.
    isolation_target: float | None = None
    isolation_width: float | None = None


def sniff_format(path: Path) -> str:
    """Return 'mzML', 'mzML.gz', 'mzXML' or 'mgf' from the file's content."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        raise WorkerError("UNREADABLE", f"cannot open input: {exc.strerror or exc}") from exc
    if size == 0:
        raise WorkerError("EMPTY", "input file is empty (0 bytes)")
    gz = head[:2] == GZIP_MAGIC
    if gz:
        try:
            with gzip.open(path, "rb") as fh:
                head = fh.read(SNIFF_BYTES)
        except EOFError as exc:
            raise WorkerError("TRUNCATED", "gzip stream ends before its end-of-stream marker") from exc
        except (OSError, zlib.error) as exc:
            raise WorkerError("CORRUPT", f"damaged gzip data: {exc}") from exc
        if not head:
            raise WorkerError("EMPTY", "gzip input decompresses to nothing")
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    lower = text.lower()
    if text.startswith("<") and ("<mzml" in lower or "<indexedmzml" in lower):
        return "mzML.gz" if gz else "mzML"
    if text.startswith("<") and "<mzxml" in lower:
        return "mzXML.gz" if gz else "mzXML"
    if "BEGIN IONS" in text.upper():
        return "mgf.gz" if gz else "mgf"
    if text.startswith("<"):
        raise WorkerError("UNKNOWN_FORMAT", "XML input is neither mzML nor mzXML")
    raise WorkerError("UNKNOWN_FORMAT", "input is not mzML, mzML.gz, mzXML or MGF")


def open_binary(path: Path, fmt: str) -> IO[bytes]:
    if fmt.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def base_format(fmt: str) -> str:
    return fmt[:-3] if fmt.endswith(".gz") else fmt


def _family(text: str) -> str | None:
    low = text.lower()
    if low.startswith("ftms") or " ftms" in low:
        return HIGH_RES
    if low.startswith("itms") or " itms" in low:
        return LOW_RES
    if low.startswith("tof") or " tof " in low:
        return HIGH_RES
    for word, fam in _ANALYSER_WORDS:
        if word in low:
            return fam
    return None


def mzml_instrument_analysers(path: Path, fmt: str) -> tuple[dict[str, str], str | None]:
    """Map instrumentConfiguration id -> analyser family from the mzML header.

    Parses only up to <run>; returns the mapping and the run's default id.
    """
    configs: dict[str, str] = {}
    default_ref: str | None = None
    current: str | None = None
    in_analyser = False
    try:
        with open_binary(path, fmt) as fh:
            for event, elem in etree.iterparse(fh, events=("start", "end"), huge_tree=True, recover=False):
                tag = etree.QName(elem).localname
                if event == "start":
                    if tag == "instrumentConfiguration":
                        current = elem.get("id")
                    elif tag == "analyzer":
                        in_analyser = True
                    elif tag == "cvParam" and in_analyser and current is not None:
                        fam = _family(elem.get("name", ""))
                        if fam is not None:
                            configs[current] = fam
                    elif tag == "run":
                        default_ref = elem.get("defaultInstrumentConfigurationRef")
                        break
                else:
                    if tag == "analyzer":
                        in_analyser = False
                    elem.clear()
    except Exception:  # noqa: BLE001 - header hints are optional; the main pass reports errors
        return configs, default_ref
    return configs, default_ref


def _unit_seconds(value: Any, default_unit: str = "second") -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    unit = str(getattr(value, "unit_info", None) or default_unit).lower()
    if unit.startswith("minute") or unit == "min":
        return number * 60.0
    if unit.startswith("millisecond") or unit == "ms":
        return number / 1000.0
    if unit.startswith("hour"):
        return number * 3600.0
    return number


def _arrays(spec: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    mz = spec.get("m/z array")
    inten = spec.get("intensity array")
    mz_a = np.asarray(mz if mz is not None else (), dtype=np.float64)
    in_a = np.asarray(inten if inten is not None else (), dtype=np.float64)
    if mz_a.shape != in_a.shape:
        raise WorkerError("CORRUPT", f"m/z and intensity arrays differ in length in spectrum {spec.get('id', '?')}")
    return mz_a, in_a


def _charges_from(value: Any) -> tuple[int, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        out: list[int] = []
        for v in value:
            out.extend(_charges_from(v))
        return tuple(out)
    try:
        z = int(value)
    except (TypeError, ValueError):
        return ()
    return (abs(z),) if z != 0 else ()


def iter_mzml(path: Path, fmt: str) -> Iterator[Spectrum]:
    configure_offline()
    from pyteomics import mzml

    configs, default_ref = mzml_instrument_analysers(path, fmt)
    only = next(iter(configs.values())) if len(set(configs.values())) == 1 else None
    with open_binary(path, fmt) as fh:
        reader = mzml.MzML(fh, use_index=False, read_schema=False, decode_binary=True, huge_tree=True)
        with reader:
            for i, spec in enumerate(reader):
                level = spec.get("ms level")
                if level is None:
                    level = 2 if "MSn spectrum" in spec else 1
                scans = (spec.get("scanList") or {}).get("scan") or [{}]
                scan0 = scans[0]
                rt = _unit_seconds(scan0.get("scan start time"), "minute")
                filt = spec.get("filter string") or scan0.get("filter string")
                analyser = _family(str(filt)) if filt else None
                if analyser is None:
                    ref = scan0.get("instrumentConfigurationRef") or default_ref
                    analyser = configs.get(ref, only) if ref else only
                if "positive scan" in spec:
                    pol = "positive"
                elif "negative scan" in spec:
                    pol = "negative"
                else:
                    pol = "unknown"
                if "centroid spectrum" in spec:
                    mode = "centroid"
                elif "profile spectrum" in spec:
                    mode = "profile"
                else:
                    mode = "unknown"
                pmz: float | None = None
                charges: tuple[int, ...] = ()
                iso_target: float | None = None
                iso_width: float | None = None
                precs = (spec.get("precursorList") or {}).get("precursor") or []
                if precs:
                    iwin = precs[0].get("isolationWindow") or {}
                    lo, hi = iwin.get("isolation window lower offset"), iwin.get("isolation window upper offset")
                    if iwin.get("isolation window target m/z") is not None and lo is not None and hi is not None:
                        iso_target, iso_width = float(iwin["isolation window target m/z"]), float(lo) + float(hi)
                    ions = (precs[0].get("selectedIonList") or {}).get("selectedIon") or []
                    if ions:
                        ion = ions[0]
                        if ion.get("selected ion m/z") is not None:
                            pmz = float(ion["selected ion m/z"])
                        charges = _charges_from(ion.get("charge state"))
                        if not charges:
                            charges = _charges_from(ion.get("possible charge state"))
                    if pmz is None:
                        win = precs[0].get("isolationWindow") or {}
                        if win.get("isolation window target m/z") is not None:
                            pmz = float(win["isolation window target m/z"])
                mz_a, in_a = _arrays(spec)
                yield Spectrum(
                    index=i,
                    native_id=str(spec.get("id", i)),
                    ms_level=int(level),
                    rt_seconds=rt,
                    polarity=pol,
                    data_mode=mode,
                    mz=mz_a,
                    intensity=in_a,
                    precursor_mz=pmz,
                    precursor_charges=charges,
                    filter_string=str(filt) if filt else None,
                    analyser=analyser,
                    isolation_target=iso_target,
                    isolation_width=iso_width,
                )


def iter_mzxml(path: Path, fmt: str) -> Iterator[Spectrum]:
    configure_offline()
    from pyteomics import mzxml

    with open_binary(path, fmt) as fh:
        reader = mzxml.MzXML(fh, use_index=False, read_schema=False, decode_binary=True, huge_tree=True)
        with reader:
            for i, spec in enumerate(reader):
                pol_raw = spec.get("polarity")
                pol = {"+": "positive", "-": "negative"}.get(str(pol_raw), "unknown")
                cent = spec.get("centroided")
                mode = "unknown" if cent is None else ("centroid" if str(cent) in ("1", "True", "true") else "profile")
                filt = spec.get("filterLine")
                pmz = None
                charges: tuple[int, ...] = ()
                precs = spec.get("precursorMz") or []
                if precs:
                    pmz = float(precs[0]["precursorMz"]) if precs[0].get("precursorMz") is not None else None
                    charges = _charges_from(precs[0].get("precursorCharge"))
                mz_a, in_a = _arrays(spec)
                yield Spectrum(
                    index=i,
                    native_id=str(spec.get("id", spec.get("num", i))),
                    ms_level=int(spec.get("msLevel", 1)),
                    rt_seconds=_unit_seconds(spec.get("retentionTime"), "second"),
                    polarity=pol,
                    data_mode=mode,
                    mz=mz_a,
                    intensity=in_a,
                    precursor_mz=pmz,
                    precursor_charges=charges,
                    filter_string=str(filt) if filt else None,
                    analyser=_family(str(filt)) if filt else None,
                )


def iter_mgf(path: Path, fmt: str) -> Iterator[Spectrum]:
    from pyteomics import mgf

    with open_binary(path, fmt) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", errors="replace")
        reader = mgf.MGF(text, use_header=True, convert_arrays=1, read_charges=False, read_ions=False)
        with reader:
            for i, spec in enumerate(reader):
                params = spec.get("params", {})
                pep = params.get("pepmass")
                pmz = None
                if isinstance(pep, tuple) and pep and pep[0] is not None:
                    pmz = float(pep[0])
                elif pep is not None:
                    pmz = float(pep)
                charges = _charges_from(params.get("charge"))
                rt: float | None = None
                if params.get("rtinseconds") is not None:
                    rt = _unit_seconds(params["rtinseconds"], "second")
                elif params.get("rtinminutes") is not None:
                    rt = _unit_seconds(params["rtinminutes"], "minute")
                mz_a, in_a = _arrays(spec)
                title = params.get("title")
                yield Spectrum(
                    index=i,
                    native_id=str(title) if title else f"index={i}",
                    ms_level=int(params.get("mslevel", 2) or 2),
                    rt_seconds=rt,
                    polarity="unknown",
                    data_mode="centroid",
                    mz=mz_a,
                    intensity=in_a,
                    precursor_mz=pmz,
                    precursor_charges=charges,
                    filter_string=None,
                    analyser=None,
                )


def iter_spectra(path: Path, fmt: str) -> Iterator[Spectrum]:
    base = base_format(fmt)
    if base == "mzML":
        return iter_mzml(path, fmt)
    if base == "mzXML":
        return iter_mzxml(path, fmt)
    if base == "mgf":
        return iter_mgf(path, fmt)
    raise WorkerError("UNKNOWN_FORMAT", f"unsupported format {fmt}")


_CLOSING_TAGS = {"mzML": (b"</mzML>", b"</indexedmzML>"), "mzXML": (b"</mzXML>",), "mgf": (b"END IONS",)}


def _tail(path: Path, fmt: str, size: int = 8192) -> bytes:
    tail = b""
    try:
        with open_binary(path, fmt) as fh:
            while True:
                block = fh.read(1 << 20)
                if not block:
                    break
                tail = (tail + block)[-size:]
    except (OSError, EOFError, zlib.error):
        return tail
    return tail


def looks_truncated(path: Path, fmt: str) -> bool:
    """True when the document's closing element (or MGF's last END IONS) is missing."""
    closing = _CLOSING_TAGS.get(base_format(fmt))
    if not closing:
        return False
    tail = _tail(path, fmt).rstrip()
    return not any(tag in tail for tag in closing)


def classify_read_error(exc: BaseException, path: Path | None = None, fmt: str | None = None) -> WorkerError:
    """Turn a parser/decompressor exception into a contract error."""
    if isinstance(exc, WorkerError):
        return exc
    text = f"{type(exc).__name__}: {exc}"
    low = text.lower()
    if isinstance(exc, EOFError) or "end-of-stream" in low or "compressed file ended" in low:
        return WorkerError("TRUNCATED", "input ends before the end of its compressed stream")
    if path is not None and fmt is not None and looks_truncated(path, fmt):
        return WorkerError("TRUNCATED", f"input ends before the document is complete ({exc})")
    if isinstance(exc, etree.XMLSyntaxError):
        if "premature end" in low or "end of data" in low or "unexpected end" in low:
            return WorkerError("TRUNCATED", f"input ends before the document is complete ({exc})")
        return WorkerError("CORRUPT", f"damaged XML ({exc})")
    if isinstance(exc, (zlib.error, gzip.BadGzipFile)):
        return WorkerError("CORRUPT", f"damaged compressed data ({exc})")
    if "numpress" in low:
        return WorkerError("CORRUPT", f"numpress-compressed arrays need the pynumpress decoder ({exc})")
    if isinstance(exc, (ValueError, TypeError, KeyError, IndexError, AttributeError)) or "binascii" in low:
        return WorkerError("CORRUPT", f"damaged spectrum data ({text})")
    if isinstance(exc, OSError):
        return WorkerError("UNREADABLE", f"cannot read input ({text})")
    return WorkerError("UNREADABLE", f"cannot parse input ({text})")
