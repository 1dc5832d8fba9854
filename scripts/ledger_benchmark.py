"""Ledger throughput and memory on this machine: local engine with 1 and 2 processes and a
Dask LocalCluster with 2 workers, over the same input, at two input sizes.

    python scripts/ledger_benchmark.py --model training/model-last --docs 2000 4000 --output reports/ledger_benchmark.md

The input is the written articles repeated (with new ids) to N documents, in files of 100
documents, so that Dask has partitions. Each run is its own process (`python -m
vi_officials.applications.ledger`); peak memory is the largest total RSS of that process and all its
children, sampled every 0.1 s with psutil. Memory that does not grow with the input size
is what "streamed with constant memory" means.
"""
import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent


def make_inputs(articles: Path, n_docs: int, folder: Path, per_file: int = 100) -> int:
    records = [json.loads(line) for line in articles.read_text(encoding="utf-8").splitlines() if line.strip()]
    folder.mkdir(parents=True, exist_ok=True)
    syllables = 0
    for start in range(0, n_docs, per_file):
        with (folder / f"part{start // per_file:04d}.jsonl").open("w", encoding="utf-8") as handle:
            for k in range(start, min(start + per_file, n_docs)):
                record = records[k % len(records)]
                syllables += len(record["text"].split())
                handle.write(json.dumps({"id": f"{record['id']}#{k}", "text": record["text"], "meta": record["meta"]}, ensure_ascii=False) + "\n")
    return syllables


def run(command, env=None):
    start = time.perf_counter()
    process = psutil.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    peak = 0
    while process.poll() is None:
        try:
            procs = [process] + process.children(recursive=True)
            peak = max(peak, sum(p.memory_info().rss for p in procs if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.1)
    elapsed = time.perf_counter() - start
    out, err = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{err.decode()[-2000:]}")
    return elapsed, peak / 2**20, out.decode().strip()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="training/model-last")
    parser.add_argument("--articles", type=Path, default=ROOT / "corpus" / "written" / "articles.jsonl")
    parser.add_argument("--docs", type=int, nargs="+", default=[2000, 4000])
    parser.add_argument("--output", type=Path, default=ROOT / "reports" / "ledger_benchmark.md")
    args = parser.parse_args(argv)
    setups = [("local, --n-process 1", ["--n-process", "1"]), ("local, --n-process 2", ["--n-process", "2"]), ("Dask LocalCluster, 2 workers", ["--engine", "dask", "--n-process", "2"])]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for n_docs in args.docs:
            folder = tmp / f"in{n_docs}"
            syllables = make_inputs(args.articles, n_docs, folder)
            for name, options in setups:
                out = tmp / f"ledger-{n_docs}-{len(rows)}.csv"
                command = [sys.executable, "-m", "vi_officials.applications.ledger", args.model, str(folder), "--output", str(out), "--no-progress", *options]
                elapsed, peak, summary = run(command)
                rows.append((name, n_docs, syllables, elapsed, peak, summary.split(" -> ")[0]))
                print(f"{name}, {n_docs} docs: {elapsed:.1f} s, {n_docs / elapsed:.1f} docs/s, {syllables / elapsed:,.0f} syllables/s, peak RSS {peak:,.0f} MB ({summary.split(' -> ')[0]})", flush=True)
    lines = [
        f"Ledger throughput, model `{args.model}`, {psutil.cpu_count()} CPUs; input: the written articles repeated, files of 100 documents",
        "",
        "| engine | documents | syllables | seconds | documents/s | syllables/s | peak memory, all processes (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, n_docs, syllables, elapsed, peak, _ in rows:
        lines.append(f"| {name} | {n_docs:,} | {syllables:,} | {elapsed:.1f} | {n_docs / elapsed:.1f} | {syllables / elapsed:,.0f} | {peak:,.0f} |")
    report = "\n".join(lines) + "\n"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report, encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
