"""Created/updated dates (front matter, then git, then file times), the recent page and the feed."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import feedparser
import pytest

from kbtest import MKDOCS_YML, build_kb, make_kb
from test_coverage_history import git
from kbsite.core.dates import front_matter_date, git_file_dates, note_dates
from kbsite.core.history import COMMIT_MARK, load_git_log, parse_log
from kbsite.core.parse import parse_note

DAY = 86400
T0 = 1_700_438_400  # 2023-11-20 00:00 UTC
SITE_YML = MKDOCS_YML.replace("site_name: 测试知识库\n", "site_name: 测试知识库\nsite_url: https://example.org/kb/\n")


def _day(ts: int) -> str:
    return dt.datetime.fromtimestamp(ts, tz=dt.timezone.utc).date().isoformat()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = make_kb(tmp_path, {}, SITE_YML)
    git(root, "init", "-q", "-b", "main")
    notes = root / "notes"

    def commit(files: dict[str, str], when: int) -> None:
        for rel, text in files.items():
            path = notes / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "c", when=when)

    commit({"旧笔记.md": "# 旧笔记\n\n最早写的一篇。\n", "b.md": "# B\n\n第二篇。\n",
            "fm.md": "---\ntitle: 写了日期的\ncreated: 2020-05-06\nupdated: 2021-01-02\n---\n正文\n"}, T0)
    commit({"b.md": "# B\n\n第二篇，改过。\n"}, T0 + 10 * DAY)
    git(root, "mv", "notes/旧笔记.md", "notes/改名后.md")  # a rename keeps the created date
    git(root, "commit", "-q", "-m", "mv", when=T0 + 20 * DAY)
    (notes / "new.md").write_text("# 没提交的\n", encoding="utf-8")  # not in git: file time
    os.utime(notes / "new.md", (T0 + 30 * DAY, T0 + 30 * DAY))
    return root


def test_dates_follow_front_matter_then_git_then_file(repo: Path) -> None:
    log = load_git_log(repo / "notes")
    assert log.available and not log.shallow
    git_dates = git_file_dates(log.commits)
    assert git_dates == {"b.md": (T0, T0 + 10 * DAY), "fm.md": (T0, T0), "改名后.md": (T0, T0 + 20 * DAY)}
    notes = [parse_note(p.name, p.read_bytes())[0] for p in sorted((repo / "notes").glob("*.md"))]
    dates = note_dates(notes, repo / "notes", git_dates)
    got = {path: (d.created.date().isoformat(), d.updated.date().isoformat(), d.created_from, d.updated_from)
           for path, d in dates.items()}
    assert got == {
        "b.md": (_day(T0), _day(T0 + 10 * DAY), "git", "git"),
        "fm.md": ("2020-05-06", "2021-01-02", "front matter", "front matter"),
        "改名后.md": (_day(T0), _day(T0 + 20 * DAY), "git", "git"),
        "new.md": (_day(T0 + 30 * DAY), _day(T0 + 30 * DAY), "file", "file"),
    }


def test_front_matter_date_forms() -> None:
    utc = dt.timezone.utc
    assert front_matter_date(dt.date(2024, 3, 1)) == dt.datetime(2024, 3, 1, tzinfo=utc)
    assert front_matter_date("2024-03-01 10:30") == dt.datetime(2024, 3, 1, 10, 30, tzinfo=utc)
    assert front_matter_date("2024/03/01") == dt.datetime(2024, 3, 1, tzinfo=utc)
    assert front_matter_date("2024-03-01T10:30:00+08:00").utcoffset() == dt.timedelta(hours=8)
    assert front_matter_date("下周") is None
    assert front_matter_date(20240301) is None


def test_git_pass_is_reused_until_head_moves(repo: Path) -> None:
    calls: list[str] = []

    def runner(args, cwd):  # type: ignore[no-untyped-def]
        from kbsite.core.history import run_git
        calls.append(" ".join(a for a in args if a in ("log", "rev-parse")))
        return run_git(args, cwd)

    first = load_git_log(repo / "notes", runner)
    assert sum("log" in c for c in calls) == 1
    again = load_git_log(repo / "notes", runner, reuse=first)
    assert again is first and sum("log" in c for c in calls) == 1  # HEAD unchanged: no second pass
    git(repo, "commit", "-q", "--allow-empty", "-m", "e", when=T0 + 40 * DAY)
    moved = load_git_log(repo / "notes", runner, reuse=first)
    assert moved is not first and sum("log" in c for c in calls) == 2


def test_shallow_clone_is_warned_about(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)], check=True)
    result = build_kb(clone)
    warnings = [line for line in result.logs if "shallow" in line]
    assert warnings == ["WARNING:kbsite: the git checkout is shallow, so every note would get the date of its "
                        "one commit: fetch the whole history (in GitHub Actions: actions/checkout with "
                        "fetch-depth: 0)"]


def test_note_header_recent_page_and_feed(repo: Path) -> None:
    result = build_kb(repo)
    header = result.page("notes/b/index.html").find("span", cls="kb-dates")
    assert header["text"] == f"创建 {_day(T0)} · 更新 {_day(T0 + 10 * DAY)}"
    recent = result.page("recent/index.html").find("ol", cls="kb-recent")
    order = [li["children"][0]["text"] for li in recent["children"]]
    assert order == ["没提交的", "旧笔记", "B", "写了日期的"]  # newest update first
    feed = feedparser.parse((result.site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "测试知识库"
    assert [e.title for e in feed.entries] == order
    assert feed.entries[2].link == "https://example.org/kb/notes/b/"
    assert feed.entries[1].link == "https://example.org/kb/notes/%E6%94%B9%E5%90%8D%E5%90%8E/"
    assert feed.entries[2].updated_parsed[:3] == dt.datetime.fromtimestamp(T0 + 10 * DAY, dt.timezone.utc).timetuple()[:3]
    assert feed.entries[3].published.startswith("2020-05-06")
    assert feed.entries[2].summary == "第二篇，改过。"
    head = result.html("index.html")
    assert '<link rel="alternate" type="application/atom+xml" title="测试知识库" href="feed.xml">' in head


def test_no_site_url_no_feed(tmp_path: Path) -> None:
    result = build_kb(make_kb(tmp_path, {"notes/a.md": "# A\n"}))
    assert not (result.site / "feed.xml").exists()
    assert result.page("recent/index.html").find("ol", cls="kb-recent")
    assert "application/atom+xml" not in result.html("index.html")


def test_parse_log_relative_paths_match_note_paths() -> None:
    text = "\n".join([f"{COMMIT_MARK}aaa 100", "diff --git a/x/y.md b/x/y.md", "new file mode 100644",
                      "--- /dev/null", "+++ b/x/y.md", "@@ -0,0 +1 @@", "+正文"])
    assert git_file_dates(parse_log(text)) == {"x/y.md": (100, 100)}
