"""The ledger and predict under faults: full disks, bad output paths, two runs on one
output, a killed parent, dying Dask workers, bad records inside an archive, any file name,
spreadsheet formulas, fuzzed input. Each fault ends in a one-line error or an entry in the
errors file, never a traceback, and no row is lost or doubled."""
import contextlib
import json
import os
import random
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vi_officials.cli import main as cli

GOLD_ARGS = ["--gold", "--no-progress"]


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def run_cli(root, *args, limit_bytes=None, timeout=300):
    """The console command in a process of its own (optionally with a file size limit, a
    full disk for the files it writes): (exit status, stdout, stderr)."""

    def limit():
        if limit_bytes is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    done = subprocess.run([sys.executable, "-m", "vi_officials.cli", *map(str, args)], capture_output=True, text=True, cwd=root, preexec_fn=limit, timeout=timeout)
    return done.returncode, done.stdout, done.stderr


def one_line_error(stderr):
    lines = [l for l in stderr.splitlines() if l.strip()]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    return lines[0]


def n_commitments(records):
    return sum(1 for r in records for s in r["spans"] if s["label"] == "COMMITMENT")


def jsonl_rows(path):
    return [json.loads(l) for l in Path(path).read_text(encoding="utf-8").split("\n") if l]  # not splitlines: U+2028 is text


def row_keys(rows):
    return sorted((r["article_id"], r["commitment_start"], r["commitment_end"]) for r in rows)


@contextlib.contextmanager
def tiny_disk(path, size):
    """A tmpfs of `size` bytes at `path` (root only; skipped elsewhere)."""
    path.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


# --- output paths, checked before any work ---------------------------------------------

def test_bad_output_paths_are_one_line_errors_before_any_work(tmp_path, root, gold_records):
    src = write_jsonl(tmp_path / "in.jsonl", gold_records[:2])
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "a-folder.csv").mkdir()
    cases = {
        tmp_path / "a-file" / "sub" / "ledger.csv": "cannot create the output folder",
        tmp_path / "a-folder.csv": "is a folder",
        src: "is also an input",
        tmp_path / "ledger.xlsx": "unknown output format",
    }
    for output, message in cases.items():
        status, out, err = run_cli(root, "ledger", *GOLD_ARGS, src, "--output", output)
        assert status == 2 and message in one_line_error(err), (output, err)
        assert out == ""  # no document was read
    assert src.read_text(encoding="utf-8").count("\n") == 2  # the input is untouched
    # a disk that cannot take the probe file: refused before any document is read
    status, out, err = run_cli(root, "ledger", *GOLD_ARGS, src, "--output", tmp_path / "l.csv", limit_bytes=4096)
    assert status == 2 and "file too large" in one_line_error(err) and out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "a-folder.csv", "in.jsonl"]
    status, _, err = run_cli(root, "predict", "no-model", src, "--output", tmp_path / "a-file" / "p.jsonl")
    assert status == 2 and "cannot create the output folder" in one_line_error(err)


def test_a_full_tmpfs_is_refused_before_any_work(tmp_path, root, gold_records):
    src = write_jsonl(tmp_path / "in.jsonl", gold_records[:2])
    with tiny_disk(tmp_path / "disk", 32 * 1024) as disk:
        status, out, err = run_cli(root, "ledger", *GOLD_ARGS, src, "--output", disk / "ledger.csv")
        assert status == 2 and "no space left on the device" in one_line_error(err) and out == ""
        status, out, err = run_cli(root, "predict", "no-model", src, "--output", disk / "p.jsonl")
        assert status == 2 and "no space left on the device" in one_line_error(err)
        assert os.listdir(disk) == []


# --- a disk that fills up during the run -----------------------------------------------

@pytest.mark.parametrize("fault", ["file-size-limit", "tmpfs"])
def test_disk_full_mid_run_leaves_nothing_at_the_output_name_and_resume_completes(tmp_path, root, gold_records, fault):
    archive = tmp_path / "archive"
    archive.mkdir()
    for i in range(4):
        write_jsonl(archive / f"part{i}.jsonl", gold_records[i::4] * 3)
    expected = tmp_path / "expected.jsonl"
    assert cli(["ledger", *GOLD_ARGS, str(archive), "--output", str(expected)]) == 0
    rows = jsonl_rows(expected)
    assert len(rows) == 3 * n_commitments(gold_records)
    work_bytes = expected.stat().st_size
    with contextlib.ExitStack() as stack:
        if fault == "tmpfs":  # the rows file fits, the CSV next to it does not
            folder = stack.enter_context(tiny_disk(tmp_path / "disk", work_bytes + 96 * 1024))
            limit = None
        else:  # the rows file itself outgrows the limit
            folder, limit = tmp_path / "out", work_bytes // 2
        output = folder / "ledger.csv"
        status, _, err = run_cli(root, "ledger", *GOLD_ARGS, archive, "--output", output, limit_bytes=limit)
        line = one_line_error(err)
        assert status == 1 and ("no space left" in line or "file too large" in line) and "--resume" in line
        assert not output.exists()  # nothing half-written at the output name
        assert not [p for p in folder.iterdir() if p.name.endswith(".tmp.csv")]
        if fault == "tmpfs":  # room again: the run is resumed where it stopped
            subprocess.run(["mount", "-o", f"remount,size={8 * work_bytes}", str(folder)], check=True)
        status, out, err = run_cli(root, "ledger", *GOLD_ARGS, archive, "--output", output, "--resume")
        assert status == 0, err
        import csv

        with open(output, encoding="utf-8", newline="") as handle:
            found = list(csv.DictReader(handle))
        keys = row_keys([{k: int(v) if k.endswith(("_start", "_end")) else v for k, v in r.items()} for r in found])
        assert keys == row_keys(rows)  # none lost, none doubled
        assert f"{len(rows)} commitments" in out  # the summary counts the whole run


def test_predict_on_a_full_disk_writes_nothing_at_the_output_name(tmp_path, root, ledger_model, gold_records):
    src = write_jsonl(tmp_path / "in.jsonl", gold_records * 4)
    output = tmp_path / "pred.jsonl"
    status, _, err = run_cli(root, "predict", ledger_model, src, "--output", output, limit_bytes=96 * 1024)
    assert status == 1 and "file too large" in one_line_error(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


# --- two runs on one output ------------------------------------------------------------

def test_a_second_run_on_the_same_output_is_refused(tmp_path, root, gold_records):
    from vi_officials.applications.outputs import OutputLock

    src = write_jsonl(tmp_path / "in.jsonl", gold_records)
    output = tmp_path / "ledger.csv"
    assert cli(["ledger", *GOLD_ARGS, str(src), "--output", str(output)]) == 0
    before = output.read_bytes()
    with OutputLock(output):  # a run in progress on this output
        status, out, err = run_cli(root, "ledger", *GOLD_ARGS, src, "--output", output)
        assert status == 2 and "another run is writing" in one_line_error(err) and out == ""
        assert output.read_bytes() == before  # the first run's output is untouched
    status, out, err = run_cli(root, "ledger", *GOLD_ARGS, src, "--output", output)
    assert status == 0 and output.read_bytes() == before and not (tmp_path / "ledger.csv.lock").exists()


def test_two_concurrent_runs_never_lose_rows(tmp_path, root, gold_records):
    src = write_jsonl(tmp_path / "in.jsonl", gold_records * 30)
    output = tmp_path / "ledger.jsonl"
    command = [sys.executable, "-m", "vi_officials.cli", "ledger", *GOLD_ARGS, str(src), "--output", str(output)]
    runs = [subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in runs]
    ok = [r for r in results if r[0] == 0]
    assert ok and all(r[0] in (0, 2) and "Traceback" not in r[2] for r in results), results
    for status, _, err in results:
        if status == 2:
            assert "another run is writing" in one_line_error(err)
    assert len(jsonl_rows(output)) == 30 * n_commitments(gold_records)  # a run that said 0 wrote every row


# --- a killed parent -------------------------------------------------------------------

def test_workers_exit_when_their_parent_is_killed(tmp_path, root, ledger_model, gold_records):
    import psutil

    src = write_jsonl(tmp_path / "in.jsonl", gold_records * 20)
    output = tmp_path / "ledger.jsonl"
    parent = subprocess.Popen([sys.executable, "-m", "vi_officials.cli", "ledger", str(ledger_model), str(src), "--output", str(output), "--n-process", "2", "--no-progress"], cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    workers = []
    while time.monotonic() < deadline and len(workers) < 2:
        time.sleep(0.5)
        workers = psutil.Process(parent.pid).children()
    assert len(workers) >= 2 and parent.poll() is None
    time.sleep(1)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    gone, alive = psutil.wait_procs(workers, timeout=15)
    assert not alive, [p.pid for p in alive]
    assert not output.exists()


# --- Dask: a real scheduler and workers on loopback ------------------------------------

def _dask_worker(address, name):
    return subprocess.Popen(["dask", "worker", address, "--host", "127.0.0.1", "--nworkers", "1", "--nthreads", "1", "--no-nanny", "--no-dashboard", "--name", name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_dask_cluster_with_workers_killed_mid_run(tmp_path, root, ledger_model, gold_records):
    """A worker killed mid-run: its files move to the other; then no worker at all: the
    run ends in one line within the timeout, and --resume with a new worker finishes the
    ledger with every row once."""
    from distributed import Client

    files = [str(write_jsonl(tmp_path / f"part{i}.jsonl", gold_records[i % len(gold_records):][:2])) for i in range(8)]
    reference = tmp_path / "reference.jsonl"
    assert cli(["ledger", str(ledger_model), *files, "--output", str(reference), "--no-progress"]) == 0
    expected = row_keys(jsonl_rows(reference))
    info = tmp_path / "scheduler.json"
    processes = [subprocess.Popen(["dask", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", str(info)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        while not info.exists():
            time.sleep(0.2)
        time.sleep(0.5)
        address = json.loads(info.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        processes += [_dask_worker(address, "a"), _dask_worker(address, "b")]
        with Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=30)
        output = tmp_path / "ledger.jsonl"
        done_path = tmp_path / "ledger.jsonl.done"
        run = subprocess.Popen([sys.executable, "-m", "vi_officials.cli", "ledger", str(ledger_model), *files, "--output", str(output), "--engine", "dask", "--scheduler", address, "--dask-timeout", "5", "--no-progress"], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

        def files_done():
            return len(done_path.read_text().splitlines()) if done_path.exists() else 0

        for worker, after in ((processes[1], 1), (processes[2], 3)):
            while files_done() < after and run.poll() is None:
                time.sleep(0.05)
            worker.kill()  # mid-run: the other worker (then none) is left
        last_kill = time.monotonic()
        out, err = run.communicate(timeout=60)
        assert time.monotonic() - last_kill < 5 + 30  # no hang: the timeout, and the time to stop
        done_before = files_done()
        if run.returncode == 0:  # the last worker finished everything before its kill
            assert row_keys(jsonl_rows(output)) == expected
            return
        assert run.returncode == 1, (run.returncode, out[-1000:], err[-2000:])
        assert err.strip() and "no Dask worker for 5 s" in err.strip().splitlines()[-1] and "--resume" in err, (out[-2000:], err[-2000:])
        assert "Traceback" not in err and not output.exists() and 3 <= done_before < len(files)
        processes.append(_dask_worker(address, "c"))
        resumed = subprocess.run([sys.executable, "-m", "vi_officials.cli", "ledger", str(ledger_model), *files, "--output", str(output), "--engine", "dask", "--scheduler", address, "--resume", "--no-progress"], cwd=root, capture_output=True, text=True, timeout=120)
        assert resumed.returncode == 0, resumed.stderr
        found = row_keys(jsonl_rows(output))
        assert found == expected  # none lost, none doubled
        assert f"{len(expected)} commitments" in resumed.stdout
    finally:
        for process in processes:
            process.kill()
            process.wait()


# --- bad records inside an archive -----------------------------------------------------

def test_every_bad_record_goes_to_the_errors_file_and_the_run_goes_on(tmp_path, root, gold_records, monkeypatch):
    from vi_officials.applications.ledger import sources

    monkeypatch.setattr(sources, "MAX_CHARS", 20000)
    archive = tmp_path / "archive"
    archive.mkdir()
    good = gold_records[0]
    lines = [
        json.dumps(good, ensure_ascii=False),
        '{"id": "s", "text": "Chủ tịch \\ud800 yêu cầu"}',  # a lone surrogate
        "[" * 5000 + "]" * 5000,  # nested deeper than the parser goes
        json.dumps({"id": "long", "text": "." * 20001}),  # over the size limit
        json.dumps({"id": "types", "text": good["text"], "spans": "not a list", "relations": 7}),
        json.dumps({"id": "idx", "text": good["text"], "spans": [{"start": 0, "end": 5, "label": "COMMITMENT"}], "relations": [{"head": 9, "child": 0, "label": "COMMITS"}]}),
        json.dumps(gold_records[1], ensure_ascii=False),
    ]
    (archive / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (archive / "broken.txt").symlink_to(tmp_path / "nowhere.txt")
    (archive / "loop.txt").symlink_to(archive / "loop.txt")
    (archive / "io-error.txt").symlink_to("/proc/self/mem")  # a regular file whose read fails (EIO)
    write_jsonl(archive / "z.jsonl", gold_records[2:])
    output = tmp_path / "ledger.jsonl"
    assert cli(["ledger", *GOLD_ARGS, str(archive), "--output", str(output)]) == 1
    errors = {(Path(e["file"]).name, e["line"]): e["reason"] for e in jsonl_rows(tmp_path / "ledger.jsonl.errors.jsonl")}
    assert "lone surrogate" in errors[("a.jsonl", 2)]
    assert errors[("a.jsonl", 3)] == "JSON nested too deeply"
    assert "over the limit of 20000" in errors[("a.jsonl", 4)]
    assert errors[("a.jsonl", 5)].startswith("invalid annotations") and errors[("a.jsonl", 6)].startswith("invalid annotations")
    assert errors[("broken.txt", 0)].startswith("broken symbolic link")
    assert errors[("loop.txt", 0)] == "symbolic link loop"
    assert errors[("io-error.txt", 0)].startswith("read error")
    assert len(errors) == 8
    rows = jsonl_rows(output)
    assert row_keys(rows) == row_keys([r for r in jsonl_rows_of(tmp_path, root, [gold_records[0], gold_records[1], *gold_records[2:]])])
    # --resume after an interruption at the bad records does not fail on them again
    for name in ("ledger.jsonl", "ledger.jsonl.errors.jsonl"):
        (tmp_path / name).unlink()
    from vi_officials.applications.ledger.engines import run_local
    from vi_officials.applications.ledger.writers import LedgerSink

    files = sources.expand_inputs([str(archive)])
    sink = LedgerSink(output, tmp_path / "ledger.jsonl.errors.jsonl")
    run_local(None, files[:1], sink, progress=False)  # a.jsonl, then the run stops
    sink.close()
    assert cli(["ledger", *GOLD_ARGS, str(archive), "--output", str(output), "--resume"]) == 1
    assert row_keys(jsonl_rows(output)) == row_keys(rows)
    assert len(jsonl_rows(tmp_path / "ledger.jsonl.errors.jsonl")) == 8  # each once


def jsonl_rows_of(tmp_path, root, records):
    src = write_jsonl(tmp_path / "reference-in.jsonl", records)
    out = tmp_path / "reference.jsonl"
    assert cli(["ledger", *GOLD_ARGS, str(src), "--output", str(out)]) == 0
    return jsonl_rows(out)


def test_resume_records_survive_any_file_name(tmp_path, gold_records, capsys):
    from vi_officials.applications.ledger.engines import run_local
    from vi_officials.applications.ledger.sources import expand_inputs
    from vi_officials.applications.ledger.writers import LedgerSink

    archive = tmp_path / "archive"
    archive.mkdir()
    names = ["new\nline.jsonl", 'quote"\'s.jsonl', "tab\there.jsonl", os.fsdecode(b"latin\xe9\xff.jsonl"), "plain.jsonl"]
    for name, record in zip(names, gold_records):
        write_jsonl(archive / name, [record])
    files = expand_inputs([str(archive)])
    assert len(files) == len(names)
    output = tmp_path / "ledger.jsonl"
    sink = LedgerSink(output, tmp_path / "ledger.jsonl.errors.jsonl")
    run_local(None, files[:3], sink, progress=False)
    sink.add_rows([{"article_id": "half-written"}])  # rows of a file under way when it stopped
    sink.close()
    capsys.readouterr()
    assert cli(["ledger", *GOLD_ARGS, str(archive), "--output", str(output), "--resume"]) == 0
    captured = capsys.readouterr()
    assert "resuming: 3 of 5 input files already done" in captured.err
    rows = jsonl_rows(output)
    assert row_keys(rows) == row_keys(jsonl_rows_of(tmp_path, None, gold_records[:5]))
    assert f"5 documents, {len(rows)} commitments" in captured.out  # the whole run, not the resumed part


def test_long_text_is_processed_in_bounded_pieces_with_offsets_mapped_back():
    from vi_officials.applications.stream import merge_pieces, split_text, token_batches

    text = ("Câu một.\nCâu hai dài hơn một chút. " * 400) + "." * 5000
    pieces = split_text(text, 1000)
    assert "".join(p for _, p in pieces) == text and all(len(p) <= 1000 for _, p in pieces)
    assert all(text[o:o + len(p)] == p for o, p in pieces)
    assert all(p.endswith((" ", "\n")) for _, p in pieces[:-6])  # cut at boundaries, not mid-word
    parts = [(o, {"spans": [{"start": 0, "end": 3, "label": "ORG"}, {"start": 4, "end": 7, "label": "COMMITMENT"}], "relations": [{"head": 1, "child": 0, "label": "ASSIGNED_TO"}]}) for o, _ in pieces[:2]]
    merged = merge_pieces(parts, text, "d", {})
    second = pieces[1][0]
    assert merged["spans"][2] == {"start": second, "end": second + 3, "label": "ORG"}
    assert merged["relations"][1] == {"head": 3, "child": 2, "label": "ASSIGNED_TO"}
    docs = [(["token"] * n, {}) for n in (4, 4, 4, 9, 1)]  # anything with a length stands for a Doc
    assert [sum(len(d) for d, _ in b) for b in token_batches(docs, 8, max_tokens=8)] == [8, 4, 9, 1]
    assert [len(b) for b in token_batches(docs, 2, max_tokens=100)] == [2, 2, 1]


# --- spreadsheet formulas --------------------------------------------------------------

def test_csv_cells_that_start_a_formula_are_neutralised(tmp_path):
    import csv

    text = "=HYPERLINK(\"http://x\") yêu cầu @Sở Y tế -hoàn thành +1 trước ngày 30/6."
    spans = [(text.index("=HYPERLINK"), text.index(" yêu"), "TITLE"), (text.index("@Sở"), text.index(" -hoàn"), "ORG"), (text.index("-hoàn"), text.index(" trước"), "COMMITMENT")]
    record = {"id": "+id", "text": text, "meta": {"date": "2024-05"}, "spans": [{"start": s, "end": e, "label": l} for s, e, l in spans],
              "relations": [{"head": 0, "child": 2, "label": "COMMITS"}, {"head": 2, "child": 1, "label": "ASSIGNED_TO"}]}
    src = write_jsonl(tmp_path / "in.jsonl", [record])
    assert cli(["ledger", *GOLD_ARGS, str(src), "--output", str(tmp_path / "l.csv")]) == 0
    assert cli(["ledger", *GOLD_ARGS, str(src), "--output", str(tmp_path / "l.jsonl")]) == 0
    with open(tmp_path / "l.csv", encoding="utf-8", newline="") as handle:
        [row] = list(csv.DictReader(handle))
    assert row["article_id"] == "'+id" and row["committer"] == "'=HYPERLINK(\"http://x\")"
    assert row["assignees"] == "'@Sở Y tế" and row["commitment"] == "'-hoàn thành +1"
    [raw] = jsonl_rows(tmp_path / "l.jsonl")  # only the CSV is changed
    assert raw["commitment"] == "-hoàn thành +1" and raw["article_id"] == "+id"


# --- fuzzed input ----------------------------------------------------------------------

def _fuzzed_lines(rng, text):
    """(line, bad?) pairs: broken JSON, wrong types, odd unicode, huge and empty texts."""
    odd = ["\u200b\u200d", "\u202eđảo ngược", "e\u0301\u0301\u0301", "🙂" * 50, "\x07\x1b[31m", "\ufeffBOM", "\U0010ffff", "ﷺ" * 20, "\r\n\r\n", "\u2028"]
    bad = [
        lambda: json.dumps(text)[: rng.randrange(1, 40)],
        lambda: json.dumps([text]),
        lambda: json.dumps({"text": rng.choice([None, 3, 2.5, [], {}, True])}),
        lambda: json.dumps({"id": "e", "text": rng.choice(["", "   ", "\n\t"])}),
        lambda: '{"text": "\\udc80 x"}',
        lambda: "[" * rng.randrange(1500, 4000),
        lambda: "".join(rng.choice('{}[]":,\\') for _ in range(rng.randrange(1, 60))),
        lambda: "null",
    ]
    good = [
        lambda: json.dumps({"id": str(rng.random()), "text": rng.choice(odd) + text[: rng.randrange(1, 400)] + rng.choice(odd)}, ensure_ascii=rng.random() < 0.5),
        lambda: json.dumps({"id": rng.choice([None, 5, "", ["x"]]), "text": "".join(rng.choice(odd) for _ in range(rng.randrange(1, 8))), "meta": rng.choice([None, "x", {"date": 5}, {"date": "2024-13-45"}])}),
        lambda: json.dumps({"text": (text + " ") * rng.randrange(1, 3) + "." * rng.randrange(0, 3000)}),
    ]
    for _ in range(60):
        is_bad = rng.random() < 0.5
        yield rng.choice(bad if is_bad else good)(), is_bad


def test_fuzzed_input_never_ends_in_a_traceback(tmp_path, root, ledger_model, gold_records):
    rng = random.Random(16)
    text = gold_records[0]["text"][:600]
    bad_lines = {}
    for f in range(3):
        lines = list(_fuzzed_lines(rng, text))
        path = tmp_path / f"fuzz{f}.jsonl"
        path.write_bytes(b"\n".join(l.encode("utf-8", "surrogatepass") for l, _ in lines) + b"\n\xff\xfe not utf-8\n")
        bad_lines[path.name] = {i for i, (_, is_bad) in enumerate(lines, start=1) if is_bad} | {len(lines) + 1}
    inputs = sorted(tmp_path.glob("fuzz*.jsonl"))
    for command in (["predict", ledger_model], ["ledger", ledger_model], ["ledger", "--gold"]):
        output = tmp_path / f"{command[0]}-{command[1] == '--gold'}.jsonl"
        status, out, err = run_cli(root, *command, *inputs, "--output", output, *(["--no-progress"] if command[0] == "ledger" else []))
        assert status in (0, 1, 2) and "Traceback" not in err, err[-3000:]
        assert status == 1 and output.exists()
        listed = {}
        for error in jsonl_rows(output.with_name(output.name + ".errors.jsonl")):
            listed.setdefault(Path(error["file"]).name, set()).add(error["line"])
        for name, lines in bad_lines.items():
            assert lines <= listed[name], (command, name, sorted(lines - listed[name]))
        if command[0] == "predict":  # every record is predicted or listed, once
            predicted = jsonl_rows(output)
            n_lines = sum(61 for _ in bad_lines)
            n_listed = sum(len(v) for v in listed.values())
            assert len(predicted) + n_listed == n_lines and len({p["id"] for p in predicted}) >= len(predicted) - 60
