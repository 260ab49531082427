"""core: progress over time from git history (a temp repo per test), and the SVG chart geometry."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from kbsite.core.chart import progress_chart
from kbsite.core.history import COMMIT_MARK, WeekPoint, load_history, parse_log, weekly_series

DAY = 86400
MONDAY = 1_700_438_400  # 2023-11-20 00:00 UTC, a Monday


def git(repo: Path, *args: str, when: int | None = None) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    if when is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"@{when} +0000"
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def note(status: str | None, kind: str = "paper") -> str:
    lines = ["---", "title: x", f"type: {kind}"] + ([f"status: {status}"] if status else []) + ["---", "正文"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    try:
        git(tmp_path, "init", "-q", "-b", "main")
    except (FileNotFoundError, subprocess.CalledProcessError):
        pytest.fail("git is needed for the progress-history tests")
    notes = tmp_path / "notes"
    notes.mkdir()

    def commit(files: dict[str, str | None], when: int) -> None:
        for rel, text in files.items():
            path = notes / rel
            if text is None:
                path.unlink()
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
        git(tmp_path, "add", "-A")
        git(tmp_path, "commit", "-q", "-m", "c", when=when)

    # Week 1: two notes, one done, plus a topic note (not counted).
    commit({"a.md": note("done"), "b.md": note("todo"), "t.md": note("done", "topic")}, MONDAY + DAY)
    # Week 2: nothing. Week 3: b is done, c added, a renamed (status kept).
    commit({"b.md": note("done"), "c.md": note(None)}, MONDAY + 15 * DAY)
    (notes / "sub").mkdir()
    git(tmp_path, "mv", "notes/a.md", "notes/sub/a2.md")
    git(tmp_path, "commit", "-q", "-m", "mv", when=MONDAY + 16 * DAY)
    # Week 4: b deleted; a2 loses its status line.
    commit({"b.md": None, "sub/a2.md": note(None)}, MONDAY + 22 * DAY)
    return notes


def test_weekly_series_from_git(repo: Path) -> None:
    history = load_history(repo)
    assert history.available, history.reason
    monday = dt.date(2023, 11, 20)
    assert history.weeks == [
        WeekPoint(monday, 2, 1),
        WeekPoint(monday + dt.timedelta(days=7), 2, 1),  # a week without commits repeats
        WeekPoint(monday + dt.timedelta(days=14), 3, 2),
        WeekPoint(monday + dt.timedelta(days=21), 2, 0),
    ]


def test_no_git_repository_is_graceful(tmp_path: Path) -> None:
    history = load_history(tmp_path)
    assert not history.available and history.reason


@pytest.mark.parametrize("code, err, reason", [
    (127, "", "没有 git"),
    (128, "fatal: not a git repository (or any of the parent directories): .git", "不是从 git 仓库构建"),
    (128, "fatal: your current branch 'main' does not have any commits yet", "还没有提交"),
    (1, "fatal: boom", "boom"),
])
def test_git_failures_become_reasons(tmp_path: Path, code: int, err: str, reason: str) -> None:
    history = load_history(tmp_path, runner=lambda args, cwd: (code, "", err))
    assert not history.available and reason in history.reason


def test_parse_log_handles_new_deleted_renamed_and_status_lines() -> None:
    text = "\n".join([
        f"{COMMIT_MARK}aaa 100",
        "diff --git a/notes/x y.md b/notes/x y.md", "new file mode 100644", "--- /dev/null",
        "+++ b/notes/x y.md", "@@ -0,0 +1,3 @@", "+---", "+status: 'draft'", "+---",
        f"{COMMIT_MARK}bbb 200",
        "diff --git a/notes/x y.md b/notes/z.md", "similarity index 90%", "rename from notes/x y.md",
        "rename to notes/z.md", "@@ -2 +2 @@", "-status: 'draft'", "+status: done",
        "diff --git a/notes/old.md b/notes/old.md", "deleted file mode 100644",
    ])
    commits = parse_log(text)
    assert [c.sha for c in commits] == ["aaa", "bbb"]
    first = commits[0].changes[0]
    assert (first.old, first.new, first.added) == (None, "notes/x y.md", {"status": "draft"})
    moved, gone = commits[1].changes
    assert (moved.old, moved.new, moved.added, moved.removed) == ("notes/x y.md", "notes/z.md", {"status": "done"}, {"status"})
    assert (gone.old, gone.new) == ("notes/old.md", None)
    assert weekly_series(commits) == [WeekPoint(dt.date(1970, 1, 1) - dt.timedelta(days=3), 1, 1)]


def test_chart_geometry() -> None:
    monday = dt.date(2024, 1, 1)
    weeks = [WeekPoint(monday + dt.timedelta(days=7 * i), total, done)
             for i, (total, done) in enumerate([(2, 0), (5, 1), (12, 4)])]
    chart = progress_chart(weeks)
    assert [t["label"] for t in chart["ticks"]] == ["0", "10", "20"]
    assert chart["total_points"].count(",") == 3 and chart["dots"] == []
    xs = [float(p.split(",")[0]) for p in chart["total_points"].split()]
    assert xs == sorted(xs) and xs[0] == chart["left"] and xs[-1] == chart["right"]
    assert chart["labels"][0]["label"] == "2024-01-01" and chart["last_done"] == 4
    one = progress_chart(weeks[:1])
    assert len(one["dots"]) == 2
