"""Command-line interface: analyse, batch, chunk, rollup."""

from __future__ import annotations

import argparse
import json
import os
import shutil
from pathlib import Path

from .errors import WorkerError
from .log import log
from .storage import download, is_s3, read_text, upload_dir, work_dir


def _params_arg(value: str | None) -> str | None:
    """--params may be an s3:// URL; fetch its text (inline JSON and paths are handled by load_raw)."""
    if value and is_s3(value):
        return read_text(value)
    return value


def execution_name(value: str | None) -> str:
    """--execution-name, else EXECUTION_NAME (set by the pipeline), else 'local' for runs outside it."""
    import re

    name = value or os.environ.get("EXECUTION_NAME") or "local"
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,79}", name):
        raise WorkerError("BAD_PARAMETERS", f"execution name {name!r} must match [A-Za-z0-9][A-Za-z0-9_-]{{0,79}}")
    return name


def cmd_analyse(args: argparse.Namespace) -> int:
    from .analyse import analyse_file
    from .params import load_raw
    from .summary import write_error

    exec_name = execution_name(args.execution_name)
    remote_out = is_s3(args.output)
    try:
        scratch = work_dir()
    except WorkerError as exc:
        if remote_out:
            raise
        write_error(Path(args.output), exc, args.file_id, args.analysis_id, None, None,
                    args.name or Path(args.input).name, exec_name)
        return 1
    out_dir = scratch / "out" if remote_out else Path(args.output)
    try:
        try:
            if is_s3(args.input):
                name = args.input.rstrip("/").rsplit("/", 1)[-1] or "input"
                local_in = download(args.input, scratch / "in" / name)
            else:
                local_in = Path(args.input)
            fasta_text = None
            if args.fasta:
                fasta_text = read_text(args.fasta) if is_s3(args.fasta) else _read_local(args.fasta)
            background_text = None
            if args.background:
                background_text = read_text(args.background) if is_s3(args.background) else _read_local(args.background)
            raw_params = load_raw(_params_arg(args.params))
        except WorkerError as exc:
            write_error(out_dir, exc, args.file_id, args.analysis_id, None, None, args.name or Path(args.input).name,
                        exec_name)
            if remote_out:
                upload_dir(out_dir, args.output)
            return 1
        try:
            analyse_file(
                local_in,
                out_dir,
                raw_params,
                fasta_text,
                file_id=args.file_id,
                analysis_id=args.analysis_id,
                display_name=args.name,
                expected_sha256=args.sha256,
                execution_name=exec_name,
                background_text=background_text,
            )
            code = 0
        except WorkerError:
            code = 1
        if remote_out:
            upload_dir(out_dir, args.output)
        return code
    except WorkerError as exc:
        log("ERROR", "file_failed", code=exc.code, fileId=args.file_id, analysisId=args.analysis_id, message=exc.message)
        return 1
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _read_local(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise WorkerError("BAD_FASTA", f"cannot read FASTA {path}: {exc}") from exc


def cmd_batch(args: argparse.Namespace) -> int:
    from .batch import run_batch

    return run_batch(args.manifest, args.output, args.files_per_task, args.array_index,
                     execution_name(args.execution_name))


def cmd_chunk(args: argparse.Namespace) -> int:
    from .batch import run_chunk

    result = run_chunk(args.manifest, args.chunk_size)
    print(json.dumps(result))
    return 0


def cmd_rollup(args: argparse.Namespace) -> int:
    from .batch import CostRates, run_rollup

    given = [args.task_vcpu, args.task_memory_gib, args.vcpu_hour_usd, args.gb_hour_usd]
    if any(v is not None for v in given) and not all(v is not None for v in given):
        raise WorkerError(
            "BAD_PARAMETERS",
            "rollup: give all of --task-vcpu, --task-memory-gib, --vcpu-hour-usd and --gb-hour-usd, or none",
        )
    rates = (
        CostRates(args.task_vcpu, args.task_memory_gib, args.vcpu_hour_usd, args.gb_hour_usd, args.price_source)
        if args.task_vcpu is not None
        else None
    )
    doc = run_rollup(args.manifest, args.results, execution_name(args.execution_name), rates)
    print(json.dumps(doc, indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m proteomics_worker", description="Proteomics analysis worker")
    sub = p.add_subparsers(dest="command", required=True)

    a = sub.add_parser("analyse", help="analyse one spectrum file")
    a.add_argument("--input", required=True, help="path or s3:// URL of an mzML, mzML.gz, mzXML or MGF file")
    a.add_argument("--output", required=True, help="output directory or s3:// prefix")
    a.add_argument("--fasta", help="path or s3:// URL of the sample's FASTA (enables the database search)")
    a.add_argument("--background", help="path or s3:// URL of a background-proteome FASTA searched as extra targets")
    a.add_argument("--execution-name", help="Step Functions execution name recorded in summary.json (env EXECUTION_NAME)")
    a.add_argument("--params", help="inline JSON, a JSON file path or an s3:// URL")
    a.add_argument("--file-id", help="fileId recorded in summary.json / error.json")
    a.add_argument("--analysis-id", help="analysisId recorded in summary.json / error.json")
    a.add_argument("--name", help="display name of the input")
    a.add_argument("--sha256", help="expected SHA-256 of the input")
    a.set_defaults(func=cmd_analyse)

    b = sub.add_parser("batch", help="analyse this array task's slice of a manifest")
    b.add_argument("--manifest", required=True, help="s3:// URL (or path) of an analysis or chunk manifest")
    b.add_argument("--output", required=True, help="s3:// prefix (or dir) receiving <fileId>/...")
    b.add_argument("--files-per-task", type=int, default=1)
    b.add_argument(
        "--array-index",
        type=int,
        default=None,
        help="overrides AWS_BATCH_JOB_ARRAY_INDEX (default 0 when unset)",
    )
    b.add_argument("--execution-name", help="Step Functions execution name (env EXECUTION_NAME)")
    b.set_defaults(func=cmd_batch)

    c = sub.add_parser("chunk", help="split an analysis manifest into chunk manifests")
    c.add_argument("--manifest", required=True)
    c.add_argument("--chunk-size", type=int, default=10000)
    c.set_defaults(func=cmd_chunk)

    r = sub.add_parser("rollup", help="write the analysis roll-up summary")
    r.add_argument("--manifest", required=True)
    r.add_argument("--results", required=True, help="s3://<results-bucket>/analyses/<analysisId>/ (or dir)")
    r.add_argument("--execution-name", help="this execution's name (env EXECUTION_NAME); only its files count")
    r.add_argument("--task-vcpu", type=float, help="vCPU of one analysis task (with the three below: writes cost)")
    r.add_argument("--task-memory-gib", type=float, help="memory of one analysis task, GiB")
    r.add_argument("--vcpu-hour-usd", type=float, help="Fargate (Spot) price per vCPU-hour, USD")
    r.add_argument("--gb-hour-usd", type=float, help="Fargate (Spot) price per GB-hour, USD")
    r.add_argument("--price-source", default="prices given on the command line", help="where the prices come from")
    r.set_defaults(func=cmd_rollup)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except WorkerError as exc:
        log("ERROR", "command_failed", code=exc.code, message=exc.message)
        return 2 if exc.code in ("BAD_MANIFEST", "BAD_PARAMETERS") else 1
    except KeyboardInterrupt:  # pragma: no cover
        return 130
