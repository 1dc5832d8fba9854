"""Where ledger rows go while a run is under way, and the file they end up in.

Rows are appended to a work file (`OUTPUT.rows.jsonl`) as they come, and each finished
input file is recorded in `OUTPUT.done`, so an interrupted run resumes where it stopped
without redoing finished inputs. At the end the work file becomes the output, by its
extension: `.jsonl`, `.csv`, `.parquet` (streamed in batches) or `.html` (a page; it
holds every row, so it is the one format that is built in memory). The output is written
under a temporary name and renamed when complete, and `OUTPUT.lock` keeps a second run
off the same output.
"""
import csv
import glob
import json
import os
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Set

from ..outputs import OutputLock, publish, temporary_name
from .rows import COLUMNS, OFFSET_COLUMNS, SCORE_COLUMNS, typed_row
from .sources import InputError

FORMATS = (".csv", ".jsonl", ".parquet", ".html")


def done_line(file: str, **counts) -> str:
    """One record of `OUTPUT.done`: a JSON line; the file name as the hex of its bytes, so
    any name (newlines, tabs, quotes, bytes that are not UTF-8) survives."""
    return json.dumps({**counts, "file": os.fsencode(file).hex()}) + "\n"


def read_done(path: Path):
    """(finished files, the counts of the last record, bytes of complete records): a last
    record cut by a crash or a full disk is not counted."""
    done: Set[str] = set()
    last: Dict = {}
    good = 0
    if not path.exists():
        return done, last, good
    data = path.read_bytes()
    for line in data.splitlines(keepends=True):
        if not line.endswith(b"\n"):
            break
        try:
            record = json.loads(line)
            file = os.fsdecode(bytes.fromhex(record["file"]))
            counts = {k: int(record[k]) for k in ("rows_bytes", "errors_bytes", "docs", "rows", "errors")}
        except (ValueError, KeyError, TypeError):
            break
        done.add(file)
        last = counts
        good += len(line)
    return done, last, good


class LedgerSink:
    def __init__(self, output: Path, errors: Path, resume: bool = False):
        if output.suffix not in FORMATS:
            raise ValueError(f"{output}: unknown output format {output.suffix!r}; use one of {', '.join(FORMATS)}")
        self.output, self.errors_path = output, errors
        self.work = output.with_name(output.name + ".rows.jsonl")
        self.done_path = output.with_name(output.name + ".done")
        output.parent.mkdir(parents=True, exist_ok=True)
        self.lock = OutputLock(output)
        self.lock.acquire()  # before anything of another run's is touched
        try:
            self._open(errors, resume)
        except BaseException:
            self.lock.release()
            raise

    def _open(self, errors: Path, resume: bool) -> None:
        # temporary outputs of a run that was killed while writing (the lock says none runs)
        for stale in self.output.parent.glob(f".{glob.escape(self.output.stem)}.*.tmp{glob.escape(self.output.suffix)}"):
            stale.unlink(missing_ok=True)
        if not resume:
            for path in (self.work, self.done_path, errors):
                path.unlink(missing_ok=True)
        # each finished file is recorded with the sizes of the rows and errors files at that
        # moment; a resumed run cuts both back to the last finished file, so the rows of a
        # file that was under way when the run stopped are not written twice
        self.done, last, good = read_done(self.done_path)
        for path, size in ((self.work, last.get("rows_bytes", 0)), (errors, last.get("errors_bytes", 0)), (self.done_path, good)):
            with path.open("ab") as handle:
                handle.truncate(size)
        # the counts of the whole run, the earlier part included
        self.n_docs, self.n_rows, self.n_errors = last.get("docs", 0), last.get("rows", 0), last.get("errors", 0)
        self._rows = self.work.open("a", encoding="utf-8")
        self._errors = errors.open("a", encoding="utf-8")
        self._done = self.done_path.open("a", encoding="utf-8")

    def add_rows(self, rows: Iterable[Dict]) -> None:
        for row in rows:
            self._rows.write(json.dumps(row, ensure_ascii=False) + "\n")
            self.n_rows += 1

    def add_error(self, error: InputError) -> None:
        self._errors.write(json.dumps(error.as_dict(), ensure_ascii=False) + "\n")
        self._errors.flush()
        self.n_errors += 1

    def file_done(self, file: str) -> None:
        """Everything of `file` is written: flush, then record it as finished."""
        self._rows.flush()
        self._errors.flush()
        self._done.write(done_line(file, rows_bytes=self._rows.tell(), errors_bytes=self._errors.tell(), docs=self.n_docs, rows=self.n_rows, errors=self.n_errors))
        self._done.flush()
        self.done.add(file)

    def close(self) -> None:
        """Stop (the work files stay for --resume); a write that fails now (a full disk) is
        cut off by the next --resume anyway."""
        for handle in (self._rows, self._errors, self._done):
            try:
                handle.close()
            except OSError:
                pass
        self.lock.release()

    def finish(self) -> None:
        """Write the output file from the work file, all at once, and remove the work files.
        If this fails (a full disk), the work files stay and `--resume` writes it again."""
        for handle in (self._rows, self._errors, self._done):
            handle.close()
        try:
            if self.output.suffix == ".jsonl":
                publish(self.work, self.output)
            else:
                tmp = temporary_name(self.output)
                try:
                    write_output(self.work, tmp)
                    publish(tmp, self.output)
                except BaseException:
                    tmp.unlink(missing_ok=True)
                    raise
                self.work.unlink()
            self.done_path.unlink()
        finally:
            self.lock.release()


def neutral_cell(value):
    """A CSV cell that a spreadsheet shows as text, never runs as a formula: text that
    starts with =, +, -, @, a tab or a carriage return gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def read_rows(path: Path) -> Iterator[Dict]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def write_output(rows_path: Path, output: Path) -> None:
    """Rows (JSONL) -> a .csv, .parquet or .html file."""
    suffix = output.suffix
    if suffix == ".csv":
        with output.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            writer.writeheader()
            for row in read_rows(rows_path):
                writer.writerow({key: neutral_cell(value) for key, value in row.items()})
    elif suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = pa.schema([(c, _arrow_type(c)) for c in COLUMNS])
        with pq.ParquetWriter(output, schema) as writer:
            batch: List[Dict] = []
            for row in read_rows(rows_path):
                batch.append(typed_row(row))
                if len(batch) == 10000:
                    writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                    batch = []
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
    else:
        from .html_page import render_ledger_html

        output.write_text(render_ledger_html(list(read_rows(rows_path))), encoding="utf-8")


def _arrow_type(column: str):
    """Parquet columns hold real values: nulls for missing parts, lists for assignees."""
    import pyarrow as pa

    if column == "assignees":
        return pa.list_(pa.string())
    if column == "assignee_offsets":
        return pa.list_(pa.struct([("start", pa.int64()), ("end", pa.int64())]))
    if column in SCORE_COLUMNS:
        return pa.float64()
    if column in OFFSET_COLUMNS:
        return pa.int64()
    return pa.string()
