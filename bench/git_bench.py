"""What the git pass for note dates costs: one ``git log`` process for the whole notes folder.

    .venv/bin/python bench/git_bench.py                  # the repo's notes, and 3,000 generated notes
    .venv/bin/python bench/git_bench.py --sizes 300      # a quick look

For the generated corpus a temporary repository is made with one commit per 50 notes (so the
history has many commits touching many files), then the pass is timed cold (first build) and
again with the same HEAD, which ``mkdocs serve`` rebuilds take (the history is reused, not
re-read). One table is printed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from gen_corpus import write_corpus  # noqa: E402

from kbsite.core.dates import git_file_dates  # noqa: E402
from kbsite.core.history import load_git_log  # noqa: E402


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@x", "GIT_COMMITTER_NAME": "b",
                        "GIT_COMMITTER_EMAIL": "b@x", "PATH": "/usr/bin:/bin"})


def make_repo(root: Path, n: int) -> Path:
    write_corpus(root, n)
    notes = root / "notes"
    files = sorted(p.relative_to(root).as_posix() for p in notes.rglob("*.md"))
    _git(root, "init", "-q")
    for i in range(0, len(files), 50):
        _git(root, "add", *files[i:i + 50])
        _git(root, "commit", "-q", "-m", f"notes {i}")
    return notes


def timed(notes: Path) -> tuple[float, float, int, int]:
    start = time.perf_counter()
    log = load_git_log(notes)
    dates = git_file_dates(log.commits) if log.available else {}
    cold = time.perf_counter() - start
    start = time.perf_counter()
    again = load_git_log(notes, reuse=log)
    warm = time.perf_counter() - start
    assert again is log
    return cold, warm, len(log.commits), len(dates)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="3000")
    args = ap.parse_args()
    rows = [("repo notes/", *timed(HERE.parent / "notes"))]
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            rows.append((f"{n} generated", *timed(make_repo(Path(tmp), n))))
    print("| notes | git pass, first build | serve rebuild (same HEAD) | commits | files dated |")
    print("|---|---:|---:|---:|---:|")
    for name, cold, warm, commits, files in rows:
        print(f"| {name} | {cold * 1000:.0f} ms | {warm * 1000:.1f} ms | {commits} | {files} |")


if __name__ == "__main__":
    main()
