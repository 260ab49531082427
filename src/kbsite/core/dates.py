"""core: pure. Every note's created and updated dates.

Precedence, per date: the front matter (``created``; ``updated``; ``date`` counts as created),
then git (the first and the last commit that touched the file, renames followed, from the one
``git log`` pass in ``kbsite.core.history``), then the file's modification time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from kbsite.core.history import Commit
from kbsite.core.model import Note

UTC = dt.timezone.utc


@dataclass(frozen=True)
class NoteDates:
    created: dt.datetime
    updated: dt.datetime
    created_from: str  # "front matter" | "git" | "file"
    updated_from: str


def git_file_dates(commits: Iterable[Commit]) -> dict[str, tuple[int, int]]:
    """Current path -> (first, last) commit time of the file, following renames (oldest first)."""
    dates: dict[str, tuple[int, int]] = {}
    for commit in commits:
        for ch in commit.changes:
            before = dates.pop(ch.old, None) if ch.old is not None else None
            if ch.new is None:
                continue
            first = before[0] if before is not None else dates.get(ch.new, (commit.time, 0))[0]
            dates[ch.new] = (first, commit.time)
    return dates


def front_matter_date(value: Any) -> dt.datetime | None:
    """A YAML date, datetime, or ISO string ("2024-03-01", "2024-03-01 10:00") as an aware datetime."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        text = value.strip().replace("/", "-")
        for parse in (dt.datetime.fromisoformat, lambda t: dt.datetime.fromisoformat(t[:10])):
            try:
                found = parse(text)
            except ValueError:
                continue
            return found if found.tzinfo else found.replace(tzinfo=UTC)
    return None


def note_dates(notes: Iterable[Note], root: Path, git: dict[str, tuple[int, int]]) -> dict[str, NoteDates]:
    """note.path -> its dates."""
    out: dict[str, NoteDates] = {}
    for note in notes:
        fm_created = front_matter_date(note.extra.get("created")) or front_matter_date(note.extra.get("date"))
        fm_updated = front_matter_date(note.extra.get("updated"))
        in_git = git.get(note.path)
        file_time: dt.datetime | None = None
        if in_git is None and (fm_created is None or fm_updated is None):
            try:
                file_time = dt.datetime.fromtimestamp((root / note.path).stat().st_mtime, tz=UTC)
            except OSError:
                file_time = dt.datetime.fromtimestamp(0, tz=UTC)

        def pick(fm: dt.datetime | None, index: int) -> tuple[dt.datetime, str]:
            if fm is not None:
                return fm, "front matter"
            if in_git is not None:
                return dt.datetime.fromtimestamp(in_git[index], tz=UTC), "git"
            assert file_time is not None
            return file_time, "file"

        created, created_from = pick(fm_created, 0)
        updated, updated_from = pick(fm_updated, 1)
        if updated < created:  # e.g. a front-matter "created" later than git's last commit
            updated = created
        out[note.path] = NoteDates(created, updated, created_from, updated_from)
    return out
