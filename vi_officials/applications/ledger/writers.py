"""Where ledger rows go while a run is under way, and the file they end up in.

Rows are appended to a work file (`OUTPUT.rows.jsonl`) as they come, and each finished
input file is recorded in `OUTPUT.done`, so an interrupted run resumes where it stopped
without redoing finished inputs. At the end the work file becomes the output, by its
extension: `.jsonl`, `.csv`, `.parquet` (streamed in batches) or `.html` (a page; it
holds every row, so it is the one format that is built in memory).
"""
import csv
import json
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Set

from .rows import COLUMNS, OFFSET_COLUMNS, SCORE_COLUMNS, typed_row
from .sources import InputError

FORMATS = (".csv", ".jsonl", ".parquet", ".html")


class LedgerSink:
    def __init__(self, output: Path, errors: Path, resume: bool = False):
        if output.suffix not in FORMATS:
            raise ValueError(f"{output}: unknown output format {output.suffix!r}; use one of {', '.join(FORMATS)}")
        self.output, self.errors_path = output, errors
        self.work = output.with_name(output.name + ".rows.jsonl")
        self.done_path = output.with_name(output.name + ".done")
        output.parent.mkdir(parents=True, exist_ok=True)
        if not resume:
            for path in (self.work, self.done_path, errors):
                path.unlink(missing_ok=True)
        # each finished file is recorded with the sizes of the rows and errors files at that
        # moment; a resumed run cuts both back to the last finished file, so the rows of a
        # file that was under way when the run stopped are not written twice
        self.done: Set[str] = set()
        rows_size = errors_size = 0
        if self.done_path.exists():
            for line in self.done_path.read_text(encoding="utf-8").splitlines():
                rows_at, errors_at, file = line.split("\t", 2)
                rows_size, errors_size = int(rows_at), int(errors_at)
                self.done.add(file)
        for path, size in ((self.work, rows_size), (errors, errors_size)):
            with path.open("ab") as handle:
                handle.truncate(size)
        self.n_rows = self.n_errors = self.n_docs = 0
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
        self._done.write(f"{self._rows.tell()}\t{self._errors.tell()}\t{file}\n")
        self._done.flush()
        self.done.add(file)

    def close(self) -> None:
        for handle in (self._rows, self._errors, self._done):
            handle.close()

    def finish(self) -> None:
        """Write the output file from the work file and remove the work files."""
        self.close()
        if self.output.suffix == ".jsonl":
            self.work.replace(self.output)
        else:
            write_output(self.work, self.output)
            self.work.unlink()
        self.done_path.unlink()


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
                writer.writerow(row)
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
