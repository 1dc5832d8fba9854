"""Render a ledger HTML page in headless Chromium and save a PNG screenshot.

    python scripts/screenshot_ledger.py LEDGER.html OUT.png [--width 1400 --height 1000]

Tries `chromium`, `chromium-browser` and `google-chrome` on PATH, in that order.
"""
import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def find_browser():
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def screenshot(html_path: Path, out_path: Path, width: int = 1400, height: int = 1000,
               timeout: float = 120.0) -> None:
    browser = find_browser()
    if browser is None:
        raise FileNotFoundError("no headless browser found: install one of " + ", ".join(BROWSERS))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    if out_path.exists():
        out_path.unlink()
    with tempfile.TemporaryDirectory(prefix="ledger-chromium-") as profile:
        cmd = [browser, "--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars",
               "--no-first-run", "--no-default-browser-check", f"--user-data-dir={profile}",
               f"--screenshot={out_path.resolve()}", f"--window-size={width},{height}",
               html_path.resolve().as_uri()]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=timeout)
    if not out_path.exists():
        tail = (proc.stderr or proc.stdout or "").strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
        raise RuntimeError(f"{Path(browser).name} wrote no screenshot: {tail[0]}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("html", type=Path, help="the ledger page (.html)")
    ap.add_argument("out", type=Path, help="the PNG to write")
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--height", type=int, default=1000)
    args = ap.parse_args(argv)
    if not args.html.is_file():
        print(f"error: {args.html} does not exist", file=sys.stderr)
        return 2
    try:
        screenshot(args.html, args.out, args.width, args.height)
    except (FileNotFoundError, RuntimeError, subprocess.TimeoutExpired) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {args.out} ({args.width}x{args.height})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
