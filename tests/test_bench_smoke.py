"""The benchmark (bench/run.py) runs end to end on a tiny corpus and prints its table.

No timing is asserted: this only keeps the script working. The real numbers are in
docs/performance.md.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kbtest import REPO

BENCH = REPO / "bench"


def test_corpus_is_deterministic(tmp_path: Path) -> None:
    sys.path.insert(0, str(BENCH))
    try:
        from gen_corpus import generate
    finally:
        sys.path.remove(str(BENCH))
    first, again = generate(100, seed=3), generate(100, seed=3)
    assert first == again
    assert len(first) == 100
    assert generate(100, seed=4) != first
    kinds = {path.split("/")[1] for path in first}
    assert kinds == {"topics", "papers", "techniques", "concepts", "models"}
    text = "\n".join(first.values())
    for feature in ("[[", "- [ ]", "$$", "```python", "| 方法 |", "parent: ", "未写的笔记"):
        assert feature in text, feature


def _run(tmp_path: Path, *extra: str) -> str:
    cmd = [sys.executable, str(BENCH / "run.py"), "--sizes", "12", "--work", str(tmp_path / "work"), *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def _rows(out: str, head: str) -> list[list[str]]:
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(head))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_bench_prints_the_table(tmp_path: Path) -> None:
    out = _run(tmp_path, "--no-browser", "--no-serve-browser")
    assert out.startswith("Machine: ")
    builds = _rows(out, "| N | build |")
    assert [(r[0], r[1]) for r in builds] == [("12", "floor"), ("12", "kbsite")]
    ratios = _rows(out, "| N | time kbsite/floor |")
    assert len(ratios) == 1 and ratios[0][0] == "12"
    assert ratios[0][1].endswith("×")  # build time ratio
    head = [c.strip() for c in next(line for line in out.splitlines()
                                    if line.startswith("| N | time kbsite/floor |")).strip("|").split("|")]
    assert ratios[0][head.index("reload/cold")].endswith("×")  # the serve reload ran
    assert ratios[0][head.index("edit shown s")] == "–"  # not measured without the browser


@pytest.mark.browser
def test_bench_measures_first_search_result(tmp_path: Path) -> None:
    out = _run(tmp_path, "--no-reload")
    builds = _rows(out, "| N | build |")
    assert all(row[-1] != "–" for row in builds), out
