"""Running the pipeline over the inputs: on this machine, or on a Dask cluster.

Both engines produce the same rows: the local one streams every document through one
`nlp.pipe` (with `--n-process` workers), the Dask one partitions by input file and each
worker loads the model once. A file counts as finished only when all its rows are
written, which is what makes `--resume` safe.
"""
import contextlib
import functools
import sys
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from ..stream import predicted_records, reason_of
from .rows import ledger_rows
from .sources import InputError, read_file
from .writers import LedgerSink


def progress_bar(enabled: bool = True, total: Optional[int] = None, unit: str = "doc"):
    """Documents (or files) per second on standard error."""
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, file=sys.stderr, dynamic_ncols=True, smoothing=0.1, disable=not enabled)


class EngineError(RuntimeError):
    """The run cannot go on (no Dask workers, a lost scheduler): the rows of the finished
    files are kept for --resume."""


def annotated_rows(records, on_error, default_date: str) -> Iterator[List[Dict]]:
    """--gold: rows from the records' own annotations; an invalid record is an error."""
    from ...corpus.corpus_io import CorpusError
    from ...corpus.validate import validate_records

    for record in records:
        canonical = {k: record.get(k) for k in ("id", "text", "meta", "spans", "relations")}
        try:
            validate_records([canonical], record["file"], [record["line"]])
            rows = ledger_rows(canonical, default_date)
        except (CorpusError, ValueError) as err:
            on_error(InputError(record["file"], record["line"], f"invalid annotations: {str(err).strip().splitlines()[-1].strip()}"))
            continue
        except Exception as err:  # noqa: BLE001 - one bad record must not end the run
            on_error(InputError(record["file"], record["line"], f"invalid annotations: {reason_of(err)}"))
            continue
        yield rows


def ledger_events(nlp, files: Sequence[str], batch_size: int = 32, n_process: int = 1, default_date: str = "") -> Iterator[Tuple]:
    """("rows", rows of one document), ("error", InputError), ("file_done", file), in
    input order, from the model (or from the annotations, nlp None)."""
    if nlp is None:
        for file in files:
            errors: List[InputError] = []
            try:
                for rows in annotated_rows(read_file(file, errors.append), errors.append, default_date):
                    for error in errors:
                        yield "error", error
                    errors.clear()
                    yield "rows", rows
            except Exception as err:  # noqa: BLE001
                errors.append(InputError(file, 0, f"cannot be read: {reason_of(err)}"))
            for error in errors:
                yield "error", error
            yield "file_done", file
        return
    for event in predicted_records(nlp, files, batch_size, n_process):
        if event[0] != "record":
            yield event
            continue
        _, predicted, source = event
        try:
            yield "rows", ledger_rows(predicted, default_date)
        except Exception as err:  # noqa: BLE001
            yield "error", InputError(source["file"], source["line"], f"cannot be processed: {reason_of(err)}")


def run_local(nlp, files: Sequence[str], sink: LedgerSink, batch_size: int = 32, n_process: int = 1, default_date: str = "", progress: bool = True) -> None:
    todo = [f for f in files if f not in sink.done]
    bar = progress_bar(progress)
    for event in ledger_events(nlp, todo, batch_size, n_process, default_date):
        if event[0] == "rows":
            sink.add_rows(event[1])
            sink.n_docs += 1
            bar.update()
        elif event[0] == "error":
            sink.add_error(event[1])
        else:
            sink.file_done(event[1])
    bar.close()


# one model per Dask worker process, loaded on its first task
_WORKER_MODELS: Dict[str, object] = {}


def process_file(file: str, model: Optional[str], batch_size: int, default_date: str) -> Tuple[str, List[Dict], List[Dict], int]:
    """A Dask task: the rows and read errors of one input file."""
    from ..predict import load_pipeline

    nlp = None
    if model is not None:
        nlp = _WORKER_MODELS.get(model)
        if nlp is None:
            nlp = _WORKER_MODELS[model] = load_pipeline(model)
    rows: List[Dict] = []
    errors: List[Dict] = []
    n_docs = 0
    for event in ledger_events(nlp, [file], batch_size, 1, default_date):
        if event[0] == "rows":
            rows.extend(event[1])
            n_docs += 1
        elif event[0] == "error":
            errors.append(event[1]._asdict())
    return file, rows, errors, n_docs


def run_dask(model: Optional[str], files: Sequence[str], sink: LedgerSink, batch_size: int = 32, n_workers: int = 2, scheduler: Optional[str] = None, default_date: str = "", progress: bool = True, retries: int = 3, timeout: float = 60.0) -> None:
    """Files as Dask tasks. A task whose worker dies is retried on another worker up to
    `retries` times (the scheduler's allowed-failures); a file that still fails, or no
    worker for `timeout` seconds, ends the run with an EngineError once the finished files
    are recorded, so that `--resume` goes on from there."""
    import time

    import dask
    from dask.distributed import Client, LocalCluster, wait
    from distributed.scheduler import KilledWorker

    todo = [f for f in files if f not in sink.done]
    if "-" in todo:
        raise ValueError("the dask engine reads files, not standard input")
    cluster = None
    with dask.config.set({"distributed.scheduler.allowed-failures": retries}):
        try:
            if scheduler:
                client = Client(scheduler, timeout=timeout)
            else:
                cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None)
                client = Client(cluster, timeout=timeout)
        except (OSError, TimeoutError) as err:
            raise EngineError(f"cannot reach the Dask scheduler {scheduler or '(local)'}: {reason_of(err)}") from None
    bar = progress_bar(progress, total=len(todo), unit="file")
    lost: List[str] = []
    try:
        # a partial, not keyword arguments: Client.map has a batch_size of its own
        task = functools.partial(process_file, model=model, batch_size=batch_size, default_date=default_date)
        futures = client.map(task, todo, pure=False)
        file_of = {future.key: file for future, file in zip(futures, todo)}
        pending = set(futures)
        alone_since = None  # when the cluster was last seen with no worker
        while pending:
            try:
                done, pending = wait(pending, timeout=2, return_when="FIRST_COMPLETED")
            except TimeoutError:
                done = set()
            except Exception as err:  # noqa: BLE001 - cancelled tasks: the scheduler is gone
                raise EngineError(f"lost the Dask scheduler: {reason_of(err)}") from None
            for future in done:
                file = file_of[future.key]
                try:
                    _, rows, errors, n_docs = future.result()
                except KilledWorker:
                    lost.append(file)
                    continue
                except Exception as err:  # noqa: BLE001 - a task error: the file goes to the errors file
                    if future.status == "cancelled":
                        raise EngineError(f"the Dask scheduler cancelled the tasks (lost connection?): {reason_of(err)}") from None
                    rows, errors, n_docs = [], [InputError(file, 0, f"failed on a Dask worker: {reason_of(err)}")._asdict()], 0
                for error in errors:
                    sink.add_error(InputError(**error))
                sink.add_rows(rows)
                sink.n_docs += n_docs
                sink.file_done(file)
                bar.update()
            if done or not pending:
                alone_since = None
                continue
            try:
                n_live = len(client.scheduler_info().get("workers", {}))
            except Exception as err:  # noqa: BLE001
                raise EngineError(f"lost the Dask scheduler: {reason_of(err)}") from None
            if n_live:
                alone_since = None
            elif alone_since is None:
                alone_since = time.monotonic()
            elif time.monotonic() - alone_since > timeout:
                raise EngineError(f"no Dask worker for {timeout:.0f} s; {len(pending)} of {len(todo)} input files not done")
        if lost:
            raise EngineError(f"Dask workers died {retries} times on {len(lost)} input file(s) (first: {lost[0]})")
    finally:
        bar.close()
        with contextlib.suppress(Exception):
            client.close(timeout=10)
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close(timeout=10)
