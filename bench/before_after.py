"""Before and after in one run: ``bench/run.py`` for an earlier kbsite and for this tree, on the
same generated notes, the same floor and the same machine, one after the other.

    python bench/before_after.py --before b267f4b --sizes 3000 -- --no-browser --repeat 2

The earlier kbsite is checked out with ``git worktree add`` into a temporary folder and imported
from there (``PYTHONPATH``); ``bench/run.py`` itself is this tree's, so both are measured the
same way. The floor (stock Material) is built in the first run and reused by the second
(``--reuse-floor``). Arguments after ``--`` go to both runs of ``bench/run.py``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run(src: Path, work: Path, sizes: str, extra: list[str], reuse_floor: bool) -> str:
    env = dict(os.environ, PYTHONPATH=str(src))
    cmd = [sys.executable, str(REPO / "bench" / "run.py"), "--sizes", sizes, "--work", str(work), *extra]
    if reuse_floor:
        cmd.append("--reuse-floor")
    print("$ PYTHONPATH=" + str(src) + " " + " ".join(cmd[1:]), file=sys.stderr, flush=True)
    return subprocess.run(cmd, env=env, check=True, stdout=subprocess.PIPE, text=True).stdout


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    extra: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, extra = argv[:at], argv[at + 1:]
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--before", required=True, help="a git revision of kbsite to compare with")
    ap.add_argument("--sizes", default="1000,3000", help="comma-separated note counts")
    ap.add_argument("--work", type=Path, help="keep the projects and sites here (default: a temp dir)")
    args = ap.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="kbsite-ba-"))
    work.mkdir(parents=True, exist_ok=True)
    old = work / "before-src"
    if not old.exists():
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(old), args.before], check=True)
    try:
        after = run(REPO / "src", work, args.sizes, extra, reuse_floor=False)
        before = run(old / "src", work, args.sizes, extra, reuse_floor="--no-floor" not in extra)
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(old)], check=False)
    rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"## Before: kbsite at {args.before}\n\n{before}\n## After: kbsite at {rev} (this tree)\n\n{after}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
