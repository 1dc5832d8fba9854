"""Running the pipeline over the inputs: on this machine, or on a Dask cluster.

Both engines produce the same rows: the local one streams every document through one
`nlp.pipe` (with `--n-process` workers), the Dask one partitions by input file and each
worker loads the model once. A file counts as finished only when all its rows are
written, which is what makes `--resume` safe.
"""
import functools
import sys
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from .rows import ledger_rows
from .sources import InputError, read_file
from .writers import LedgerSink


def progress_bar(enabled: bool = True, total: Optional[int] = None, unit: str = "doc"):
    """Documents (or files) per second on standard error."""
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, file=sys.stderr, dynamic_ncols=True, smoothing=0.1, disable=not enabled)


def predicted_record(doc, record: Dict) -> Dict:
    from ...corpus.convert import doc_to_record

    return doc_to_record(doc, record["id"], record.get("meta", {}), with_scores=True)


def annotated_rows(records, on_error, default_date: str) -> Iterator[List[Dict]]:
    """--gold: rows from the records' own annotations; an invalid record is an error."""
    from ...corpus.corpus_io import CorpusError
    from ...corpus.validate import validate_records

    for record in records:
        canonical = {k: record.get(k) for k in ("id", "text", "meta", "spans", "relations")}
        try:
            validate_records([canonical], record["file"], [record["line"]])
        except (CorpusError, ValueError) as err:
            on_error(InputError(record["file"], record["line"], f"invalid annotations: {str(err).splitlines()[-1].strip()}"))
            continue
        yield ledger_rows(canonical, default_date)


def run_local(nlp, files: Sequence[str], sink: LedgerSink, batch_size: int = 32, n_process: int = 1, default_date: str = "", progress: bool = True) -> None:
    todo = [f for f in files if f not in sink.done]
    bar = progress_bar(progress)
    if nlp is None:
        for file in todo:
            for rows in annotated_rows(read_file(file, sink.add_error), sink.add_error, default_date):
                sink.add_rows(rows)
                sink.n_docs += 1
                bar.update()
            sink.file_done(file)
        bar.close()
        return

    def stream() -> Iterator[Tuple[str, Dict]]:
        for file in todo:
            for record in read_file(file, sink.add_error):
                yield record["text"], record
            yield "", {"end_of_file": file}  # a marker that comes back after the file's last document

    for doc, record in nlp.pipe(stream(), as_tuples=True, batch_size=batch_size, n_process=n_process):
        if "end_of_file" in record:
            sink.file_done(record["end_of_file"])
            continue
        sink.add_rows(ledger_rows(predicted_record(doc, record), default_date))
        sink.n_docs += 1
        bar.update()
    bar.close()


# one model per Dask worker process, loaded on its first task
_WORKER_MODELS: Dict[str, object] = {}


def process_file(file: str, model: Optional[str], batch_size: int, default_date: str) -> Tuple[str, List[Dict], List[Dict], int]:
    """A Dask task: the rows and read errors of one input file."""
    from ..predict import load_pipeline

    errors: List[InputError] = []
    records = list(read_file(file, errors.append))
    rows: List[Dict] = []
    if model is None:  # --gold
        n_docs = 0
        for doc_rows in annotated_rows(records, errors.append, default_date):
            rows.extend(doc_rows)
            n_docs += 1
        return file, rows, [e._asdict() for e in errors], n_docs
    nlp = _WORKER_MODELS.get(model)
    if nlp is None:
        nlp = _WORKER_MODELS[model] = load_pipeline(model)
    for doc, record in zip(nlp.pipe((r["text"] for r in records), batch_size=batch_size), records):
        rows.extend(ledger_rows(predicted_record(doc, record), default_date))
    return file, rows, [e._asdict() for e in errors], len(records)


def run_dask(model: Optional[str], files: Sequence[str], sink: LedgerSink, batch_size: int = 32, n_workers: int = 2, scheduler: Optional[str] = None, default_date: str = "", progress: bool = True) -> None:
    from dask.distributed import Client, LocalCluster, as_completed

    todo = [f for f in files if f not in sink.done]
    if "-" in todo:
        raise ValueError("the dask engine reads files, not standard input")
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    bar = progress_bar(progress, total=len(todo), unit="file")
    try:
        # a partial, not keyword arguments: Client.map has a batch_size of its own
        task = functools.partial(process_file, model=model, batch_size=batch_size, default_date=default_date)
        futures = client.map(task, todo, pure=False)
        for future in as_completed(futures):
            file, rows, errors, n_docs = future.result()
            for error in errors:
                sink.add_error(InputError(**error))
            sink.add_rows(rows)
            sink.n_docs += n_docs
            sink.file_done(file)
            bar.update()
    finally:
        bar.close()
        client.close()
        if cluster is not None:
            cluster.close()
