"""Output files that are either complete or absent, checked before any work starts.

- `check_output` fails with a one-line `OutputError` when the output cannot be written
  (a folder, a folder that cannot be created, no permission, a read-only or full disk),
  by writing and removing a small probe file next to it.
- `atomic_output` writes to a temporary name in the same folder, fsyncs it, then renames
  it to the output name (`os.replace`), so a file at the output name is always complete.
- `OutputLock` is an exclusive `fcntl.flock` on `OUTPUT.lock`, held for a whole run, so a
  second run on the same output is refused instead of mixing or dropping rows.
"""
import contextlib
import errno
import os
from pathlib import Path
from typing import Iterator

PROBE_BYTES = 64 * 1024


class OutputError(ValueError):
    """An output that cannot be written, in one line."""


def describe_os_error(err: OSError, path) -> str:
    """One line for an OSError on `path`: the usual causes in words."""
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        why = "no space left on the device"
    elif err.errno == errno.EFBIG:
        why = "file too large for this disk or limit"
    elif err.errno == errno.EROFS:
        why = "read-only file system"
    else:
        why = err.strerror or type(err).__name__
    return f"{path}: {why}"


def check_output(output: Path, what: str = "output") -> None:
    """Raise OutputError unless a file can be written at `output` (creates its folder)."""
    output = Path(output)
    if output.is_dir():
        raise OutputError(f"{what} {output} is a folder; give a file name")
    folder = output.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"cannot create the {what} folder: {describe_os_error(err, folder)}") from None
    if not folder.is_dir():
        raise OutputError(f"the {what} folder {folder} is not a folder")
    probe = folder / f".{output.name}.{os.getpid()}.probe"
    try:
        with open(probe, "wb") as handle:
            handle.write(b"\0" * PROBE_BYTES)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as err:
        raise OutputError(f"cannot write the {what}: {describe_os_error(err, folder)}") from None
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def temporary_name(output: Path) -> Path:
    """A hidden name in the same folder that keeps the extension (it names the format)."""
    return output.with_name(f".{output.stem}.{os.getpid()}.tmp{output.suffix}")


@contextlib.contextmanager
def atomic_output(output: Path, mode: str = "w", **kwargs) -> Iterator:
    """`with atomic_output(path) as handle:` writes `path` all at once or not at all."""
    output = Path(output)
    tmp = temporary_name(output)
    try:
        with open(tmp, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, output)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_folder(output.parent)


def publish(tmp: Path, output: Path) -> None:
    """fsync a finished file, then move it to `output` in one step."""
    with open(tmp, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, output)
    _fsync_folder(output.parent)


class OutputLock:
    """An exclusive lock on `OUTPUT.lock` for the length of a run (released at exit, even
    by `kill -9`, since the kernel drops a dead process's flock)."""

    def __init__(self, output: Path):
        self.path = Path(output).with_name(Path(output).name + ".lock")
        self._fd = None

    def acquire(self) -> None:
        import fcntl

        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise OutputError(f"another run is writing {self.path.with_suffix('')} (it holds {self.path}); wait for it to end or give another --output") from None
            # the file may have been removed by the run that held it: lock the one on disk
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                self._fd = fd
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
                return
            os.close(fd)

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            self.path.unlink()
        os.close(self._fd)
        self._fd = None

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()
