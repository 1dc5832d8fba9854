"""The `vi-officials` command: `predict`, `evaluate` and `ledger`.

Each subcommand is a module (`python -m vi_officials.applications.predict`,
`python -m vi_officials.evaluation.evaluate`, `python -m vi_officials.applications.ledger`
work as well); MODEL is a pipeline directory or an installed package name.
"""
import sys
from typing import List, Optional

COMMANDS = {
    "predict": ("vi_officials.applications.predict", "text or canonical JSONL in, canonical JSONL with scores out"),
    "evaluate": ("vi_officials.evaluation.evaluate", "score a pipeline or a predictions file on canonical JSONL: metrics and reports"),
    "ledger": ("vi_officials.applications.ledger.run", "who committed to what, for whom, by when: CSV, JSONL, Parquet or HTML"),
}


def usage() -> str:
    lines = ["usage: vi-officials {predict,evaluate,ledger} ... (--help on each)", ""]
    lines += [f"  {name:9s} {help_text}" for name, (_, help_text) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    import importlib

    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(usage())
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command not in COMMANDS:
        print(f"vi-officials: unknown command {command!r}\n{usage()}", file=sys.stderr)
        return 2
    from .extras import missing_extra

    sys.argv[0] = f"vi-officials {command}"
    try:
        return importlib.import_module(COMMANDS[command][0]).main(rest)
    except ImportError as err:  # an optional dependency (--engine dask, .parquet): one line naming its extra
        error = missing_extra(err)
        if error is None:
            raise
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
