"""`vi-officials ledger MODEL INPUT… --output FILE`: who committed to what, for whom, by when.

INPUT is a folder of .txt files, a .txt or canonical .jsonl file, or `-` (JSONL on
standard input). The output format follows the extension: .csv, .jsonl, .parquet, .html.
Records that cannot be read go to the errors file (default OUTPUT.errors.jsonl) with their
file, line and reason; the run goes on, prints a summary and exits 1 if anything failed.
`--resume` continues an interrupted run without redoing finished input files. The output is
checked before any work starts and written under a temporary name, then renamed, so a file at
the output name is complete; a second run on the same output is refused while one runs.
"""
import argparse
import os
import re
import sys
from pathlib import Path


def build_parser(parser=None) -> argparse.ArgumentParser:
    parser = parser or argparse.ArgumentParser(prog="vi-officials ledger", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", metavar="[MODEL] INPUT", help="MODEL: pipeline directory or installed package name (omitted with --gold); INPUT: folders of .txt, .txt or .jsonl files, or - for JSONL on standard input")
    parser.add_argument("--gold", action="store_true", help="no model: build the ledger from the annotations in canonical JSONL inputs")
    parser.add_argument("--output", type=Path, required=True, help="FILE.csv, .jsonl, .parquet or .html")
    parser.add_argument("--errors", type=Path, default=None, help="where unreadable records are listed (default: OUTPUT.errors.jsonl)")
    parser.add_argument("--date", default="", help="article date (YYYY-MM or YYYY-MM-DD) for inputs without meta.date or a dateline")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--n-process", type=int, default=1, help="local worker processes (or Dask workers for a LocalCluster)")
    parser.add_argument("--engine", choices=["local", "dask"], default="local")
    parser.add_argument("--scheduler", default=None, help="Dask scheduler address (tcp://host:8786); without it a LocalCluster is started")
    parser.add_argument("--dask-retries", type=int, default=3, help="times a file is retried when its Dask worker dies")
    parser.add_argument("--dask-timeout", type=float, default=60.0, help="seconds to wait for a Dask scheduler or, with none left, a worker")
    parser.add_argument("--resume", action="store_true", help="continue an interrupted run: skip the input files it finished")
    parser.add_argument("--no-progress", action="store_true")
    return parser


def _check_paths(args, inputs, errors: Path) -> str:
    """'' when the output and errors files can be written, else why not (one line)."""
    from ..outputs import OutputError, check_output
    from .writers import FORMATS

    if args.output.suffix not in FORMATS:
        return f"{args.output}: unknown output format {args.output.suffix!r}; use one of {', '.join(FORMATS)}"
    targets = {args.output.resolve(): "--output", errors.resolve(): "--errors"}
    if len(targets) < 2:
        return f"--errors {errors} is the output file"
    for raw in inputs:
        if raw != "-" and Path(raw).resolve() in targets:
            return f"{targets[Path(raw).resolve()]} {raw} is also an input; give another file"
    try:
        check_output(args.output)
        check_output(errors, "errors file")
    except OutputError as err:
        return str(err)
    return ""


def run(args) -> int:
    from ..outputs import OutputError, describe_os_error
    from ..predict import PipelineLoadError, load_pipeline
    from ..stream import reason_of
    from .engines import EngineError, run_dask, run_local
    from .sources import expand_inputs
    from .writers import LedgerSink

    if args.date and not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", args.date):
        print(f"error: --date {args.date!r}: expected YYYY-MM or YYYY-MM-DD", file=sys.stderr)
        return 2
    model, inputs = (None, args.paths) if args.gold else (args.paths[0], args.paths[1:])
    if not inputs:
        print("error: give MODEL and at least one INPUT (or --gold and INPUTs)", file=sys.stderr)
        return 2
    errors = args.errors or args.output.with_name(args.output.name + ".errors.jsonl")
    problem = _check_paths(args, inputs, errors)  # before any work starts
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    try:
        sink = LedgerSink(args.output, errors, resume=args.resume)
    except (OutputError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"error: cannot start the run: {describe_os_error(err, err.filename or args.output)}", file=sys.stderr)
        return 2
    earlier = len(sink.done)
    try:
        files = expand_inputs(inputs)
        skipped = sum(1 for f in files if f in sink.done)
        if skipped:
            print(f"resuming: {skipped} of {len(files)} input files already done", file=sys.stderr)
        if args.engine == "dask":
            run_dask(model, files, sink, args.batch_size, max(1, args.n_process), args.scheduler, args.date, not args.no_progress, retries=args.dask_retries, timeout=args.dask_timeout)
        else:
            nlp = load_pipeline(model) if model else None
            run_local(nlp, files, sink, args.batch_size, args.n_process, args.date, not args.no_progress)
    except (PipelineLoadError, ValueError) as err:
        sink.close()
        print(f"error: {err}", file=sys.stderr)
        return 1
    except EngineError as err:
        sink.close()
        print(f"error: {err}; the rows of {len(sink.done)} finished input files are kept: rerun with --resume", file=sys.stderr)
        return 1
    except OSError as err:
        sink.close()
        print(f"error: {describe_os_error(err, err.filename or args.output)}; the rows of {len(sink.done)} finished input files are kept: rerun with --resume", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        sink.close()
        print(f"interrupted: rerun with --resume to continue ({len(sink.done)} input files done)", file=sys.stderr)
        return 130
    except ImportError as err:  # an optional dependency (--engine dask, .parquet) that is not installed
        from ...extras import missing_extra

        sink.close()
        extra = missing_extra(err)
        if extra is None and os.environ.get("VI_OFFICIALS_DEBUG"):
            raise
        print(f"error: {extra or reason_of(err)}", file=sys.stderr)
        return 1
    except Exception as err:  # noqa: BLE001 - a bug: one line, and the run can be resumed
        sink.close()
        if os.environ.get("VI_OFFICIALS_DEBUG"):
            raise
        print(f"error: unexpected {reason_of(err)} (VI_OFFICIALS_DEBUG=1 shows where); the rows of {len(sink.done)} finished input files are kept: rerun with --resume", file=sys.stderr)
        return 1
    try:
        sink.finish()
    except KeyboardInterrupt:
        print(f"interrupted while writing {args.output}: nothing was written there; rerun with --resume", file=sys.stderr)
        return 130
    except OSError as err:
        print(f"error: cannot write {args.output}: {describe_os_error(err, err.filename or args.output)}; nothing was written there, the rows are kept: rerun with --resume", file=sys.stderr)
        return 1
    resumed = f" ({earlier} input files from the earlier run)" if earlier else ""
    print(f"{sink.n_docs} documents, {sink.n_rows} commitments, {sink.n_errors} errors -> {args.output}{resumed}" + (f" (errors: {errors})" if sink.n_errors else ""))
    if not sink.n_errors:
        errors.unlink(missing_ok=True)
    return 1 if sink.n_errors else 0


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except KeyboardInterrupt:  # before the run started: nothing to resume
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
