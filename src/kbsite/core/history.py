"""core: pure (plus one ``git log`` subprocess). Done and total notes per week, from git history.

One pass: ``git log --first-parent -p --unified=0`` over the notes folder, oldest first; the same
commits give every note its created and updated dates (``kbsite.core.dates``). A file's
status is followed through the ``status:`` (and ``type:``) lines its diffs add and remove, so
no file is read per commit. A note counts as *done* when its front matter says ``status: done``
(an inferred status needs the whole text and is not followed: such notes count towards the total
only). Topic overview notes (``type: topic``) are left out, as on the report page.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

COMMIT_MARK = "\x1ekbsite-commit "
# The front-matter lines followed through diffs: ``status:`` (done or not) and ``type:`` (topic
# overview notes are not counted, as on the report page).
FIELD_RE = re.compile(r"""^(?P<key>status|type):\s*["']?(?P<value>[A-Za-z]+)""")
GIT_TIMEOUT = 60

Runner = Callable[[Sequence[str], Path], "tuple[int, str, str]"]


# ---- Classes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekPoint:
    week: dt.date  # the Monday (UTC) the week starts on
    total: int
    done: int


@dataclass
class FileChange:
    old: str | None  # None: the file is new
    new: str | None  # None: the file was deleted
    added: dict[str, str] = field(default_factory=dict)  # key -> the last value the diff adds
    removed: set[str] = field(default_factory=set)  # keys whose line the diff removes


@dataclass
class Commit:
    sha: str
    time: int  # committer time, seconds since the epoch
    changes: list[FileChange] = field(default_factory=list)


@dataclass
class GitLog:
    """The one ``git log`` pass of a build: commits oldest first, or why there are none."""

    available: bool
    reason: str = ""  # why git history is unavailable, for the page
    commits: list[Commit] = field(default_factory=list)
    shallow: bool = False  # a shallow clone: every note would get the date of the one commit
    head: str = ""  # HEAD's sha and the folder read: a later build reuses the pass if both match
    root: str = ""


@dataclass
class History:
    available: bool
    reason: str = ""  # why there is no chart, for the page
    weeks: list[WeekPoint] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"History({len(self.weeks)} weeks)" if self.available else f"History(unavailable: {self.reason})"


# ---- Parsing --------------------------------------------------------------------------------


def _unquote(path: str) -> str:
    """Git quotes unusual paths C-style ("a/x\\ty.md"); undo the simple cases."""
    if len(path) >= 2 and path[0] == path[-1] == '"':
        raw = path[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
        return raw.encode("latin-1", "ignore").decode("utf-8", "replace")
    return path


def _split_header(rest: str) -> tuple[str, str]:
    """``a/X b/Y`` of a ``diff --git`` line; X == Y unless renamed (then ``rename`` lines win)."""
    if rest.startswith('"'):
        end = rest.index('"', 1) + 1
        return _unquote(rest[:end])[2:], _unquote(rest[end + 1:])[2:]
    half = (len(rest) - 1) // 2
    if rest[:half][2:] == rest[half + 1:][2:]:
        return rest[:half][2:], rest[half + 1:][2:]
    a, _, b = rest.partition(" b/")
    return a[2:], b


def parse_log(text: str) -> list[Commit]:
    """Parse the output of ``git log -p --unified=0 --format=<COMMIT_MARK>%H %ct``."""
    commits: list[Commit] = []
    change: FileChange | None = None
    for line in text.split("\n"):
        if line.startswith(COMMIT_MARK):
            sha, _, when = line[len(COMMIT_MARK):].partition(" ")
            commits.append(Commit(sha, int(when or 0)))
            change = None
            continue
        if not commits:
            continue
        commit = commits[-1]
        if line.startswith("diff --git "):
            old, new = _split_header(line[len("diff --git "):])
            change = FileChange(old, new)
            commit.changes.append(change)
        elif change is None:
            continue
        elif line.startswith("new file mode"):
            change.old = None
        elif line.startswith("deleted file mode"):
            change.new = None
        elif line.startswith("rename from "):
            change.old = _unquote(line[len("rename from "):])
        elif line.startswith("rename to "):
            change.new = _unquote(line[len("rename to "):])
        elif line.startswith(("--- ", "+++ ", "@@")):
            continue
        elif line.startswith(("+", "-")):
            m = FIELD_RE.match(line[1:])
            if m and line[0] == "+":
                change.added[m.group("key")] = m.group("value").lower()
            elif m:
                change.removed.add(m.group("key"))
    return commits


def _monday(timestamp: int) -> dt.date:
    day = dt.datetime.fromtimestamp(timestamp, tz=dt.timezone.utc).date()
    return day - dt.timedelta(days=day.weekday())


def weekly_series(commits: list[Commit], is_note: Callable[[str], bool] | None = None) -> list[WeekPoint]:
    """Replay the commits (oldest first) and sample total and done notes at the end of each week.

    Weeks without commits repeat the previous week, so the x axis is regular.
    """
    is_note = is_note or (lambda p: p.endswith(".md"))
    files: dict[str, dict[str, str]] = {}  # path -> {"status": ..., "type": ...}
    by_week: dict[dt.date, tuple[int, int]] = {}
    week: dt.date | None = None
    for commit in commits:
        for ch in commit.changes:
            fields = files.pop(ch.old, {}) if ch.old is not None else {}
            fields = {k: v for k, v in fields.items() if k not in ch.removed or k in ch.added}
            fields.update(ch.added)
            if ch.new is not None and is_note(ch.new):
                files[ch.new] = fields
        this = _monday(commit.time)
        week = this if week is None or this > week else week  # committer clocks can go backwards
        notes = [f for f in files.values() if f.get("type") != "topic"]
        by_week[week] = (len(notes), sum(1 for f in notes if f.get("status") == "done"))
    if not by_week:
        return []
    out: list[WeekPoint] = []
    day, last = min(by_week), max(by_week)
    current = by_week[day]
    while day <= last:
        current = by_week.get(day, current)
        out.append(WeekPoint(day, *current))
        day += dt.timedelta(days=7)
    return out


# ---- Git ------------------------------------------------------------------------------------


def run_git(args: Sequence[str], cwd: Path) -> tuple[int, str, str]:
    """Run git; (returncode, stdout, stderr). A missing git is returncode 127."""
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT, check=False)
    except FileNotFoundError:
        return 127, "", "git is not installed"
    except (OSError, subprocess.TimeoutExpired) as exc:
        return 1, "", str(exc)
    return (proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))


def git_head(root: Path, runner: Runner = run_git) -> str:
    """HEAD's sha, or "" outside a repository (cheap: no history is read)."""
    code, out, _ = runner(["rev-parse", "HEAD"], Path(root))
    return out.strip() if code == 0 else ""


def load_git_log(root: Path, runner: Runner = run_git, reuse: GitLog | None = None) -> GitLog:
    """The notes folder's history, oldest first, paths relative to ``root``.

    Arguments:
        reuse: the previous build's pass: returned as is when HEAD has not moved (``mkdocs
            serve`` does not re-read the history on every edit).
    """
    if not Path(root).is_dir():
        return GitLog(False, "笔记目录不存在")
    head = git_head(root, runner)
    where = str(Path(root).resolve())
    # The same HEAD in another clone (a shallow one, say) can have another history: key on both.
    if reuse is not None and head and reuse.head == head and reuse.root == where:
        return reuse
    args = ["-c", "core.quotepath=off", "log", "--first-parent", "--diff-merges=first-parent",
            "--reverse", "--no-color", "--no-ext-diff", "-M", "--relative",
            "--unified=0", f"--format={COMMIT_MARK}%H %ct", "-p", "--", "."]
    code, out, err = runner(args, Path(root))
    if code == 127:
        return GitLog(False, "构建环境中没有 git")
    if code != 0:
        if "not a git repository" in err:
            return GitLog(False, "站点不是从 git 仓库构建的")
        if "does not have any commits" in err:
            return GitLog(False, "git 仓库里还没有提交")
        return GitLog(False, "读取 git 历史失败：" + (err.strip().splitlines() or ["未知错误"])[-1])
    code, shallow, _ = runner(["rev-parse", "--is-shallow-repository"], Path(root))
    return GitLog(True, "", parse_log(out), shallow=code == 0 and shallow.strip() == "true", head=head, root=where)


def history_from(log: GitLog) -> History:
    """Weekly done/total notes from a git pass (unavailable, with the reason, without one)."""
    if not log.available:
        return History(False, log.reason)
    weeks = weekly_series(log.commits)
    if not weeks:
        return History(False, "git 历史中还没有提交过笔记")
    return History(True, "", weeks)


def load_history(root: Path, runner: Runner = run_git) -> History:
    """Weekly done/total notes of the notes folder ``root`` from git; unavailable without git.

    Returns:
        A ``History``; when ``available`` is False, ``reason`` says why (for the page).
    """
    return history_from(load_git_log(root, runner))
