"""core: pure. Turn one file's bytes into a ``Note`` and its diagnostics (the field contract)."""

from __future__ import annotations

import datetime
import posixpath
import re
from typing import Any

from kbsite.core import frontmatter
from kbsite.core.comments import blank_comments
from kbsite.core.keys import is_safe_id, normalize_key, safe_slug
from kbsite.core.model import STATUSES, Diagnostic, Note, Severity
from kbsite.core.wikilinks import scan_body

STR_FIELDS = ("title", "id", "type", "status", "venue", "url", "parent")
LIST_FIELDS = ("aliases", "topics", "tags", "authors", "related")
KNOWN_FIELDS = set(STR_FIELDS) | set(LIST_FIELDS) | {"year"}
# Likely typos of known keys: reported so that a note does not silently lose its aliases.
NEAR_MISSES = {
    "alias": "aliases", "topic": "topics", "tag": "tags", "author": "authors",
    "relate": "related", "relates": "related", "parents": "parent", "state": "status",
}
# A body that is only a heading and "todo"/"TODO"/"待补充" lines is a placeholder.
_PLACEHOLDER_RE = re.compile(r"^\s*(?:todo|待补充|待修|tbd)?[\s.。:：]*$", re.IGNORECASE)
SUBSTANTIAL_CHARS = 200


def decode(raw: bytes) -> tuple[str, int | None]:
    """Decode UTF-8 (BOM accepted) and normalise newlines.

    Returns:
        The text, and the 1-based line of the first invalid byte (or None). Invalid bytes are
        replaced so the rest of the note still shows.
    """
    bad_line = None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_line = raw.count(b"\n", 0, exc.start) + 1
        text = raw.decode("utf-8-sig", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n"), bad_line


def derive_id(path: str) -> str:
    """The default id of a note: its file name without ``.md``, made a safe slug."""
    stem = posixpath.splitext(posixpath.basename(path))[0]
    return safe_slug(stem)


def parse_note(path: str, raw: bytes, src_prefix: str = "notes") -> tuple[Note, list[Diagnostic]]:
    """Parse one note. Never raises on bad content.

    Arguments:
        path: POSIX path relative to the notes folder, e.g. ``papers/lora.md``.
        raw: the file's bytes.
        src_prefix: how the notes folder is shown in diagnostics (relative to mkdocs.yml).

    Returns:
        The note (with defaults where a field is bad) and its diagnostics.
    """
    src = f"{src_prefix}/{path}" if src_prefix else path
    diags: list[Diagnostic] = []

    def report(line: int, message: str, severity: Severity = Severity.ERROR) -> None:
        diags.append(Diagnostic(src, line, severity, message))

    text, bad_line = decode(raw)
    if bad_line is not None:
        report(bad_line, "file is not valid UTF-8 (invalid bytes are shown as \ufffd)")
    fm = frontmatter.split(text)
    if fm.error:
        report(fm.error_line, fm.error)
    for key, line in fm.duplicate_keys:
        report(line, f"front-matter key '{key}' appears more than once; the last value is used",
               Severity.WARNING)
    data = fm.data
    lines = fm.key_lines
    values: dict[str, Any] = {}
    for key, value in data.items():
        line = lines.get(key, 1)
        if key in STR_FIELDS:
            coerced = _as_str(value)
            if coerced is None:
                report(line, f"'{key}' must be a string, not {_kind(value)}")
            elif coerced.strip():
                values[key] = coerced.strip()
        elif key in LIST_FIELDS:
            items = _as_list(value)
            if items is None:
                report(line, f"'{key}' must be a list of strings, not {_kind(value)}")
            else:
                values[key] = tuple(dict.fromkeys(i.strip() for i in items if i.strip()))
        elif key == "year":
            year = _as_year(value)
            if year is None:
                report(line, f"'year' must be an integer year such as 2021, not {value!r}")
            else:
                if not 1900 <= year <= datetime.date.today().year + 1:
                    report(line, f"'year' {year} looks wrong", Severity.WARNING)
                values["year"] = year
        elif key in NEAR_MISSES:
            report(line, f"unknown key '{key}': did you mean '{NEAR_MISSES[key]}'?", Severity.WARNING)

    scan = scan_body(blank_comments(fm.body), fm.body_line)  # %%comments%% count nowhere
    for line in scan.table_pipes:
        report(line, "a [[target|label]] link inside a table row splits the cell at '|': "
               "write [[target\\|label]]", Severity.WARNING)
    note_id = values.get("id")
    if note_id is not None and not is_safe_id(note_id):
        report(lines.get("id", 1), f"id {note_id!r} is not a safe slug (use letters, digits, '-', '_' "
               "and '.'; no '/', '..', spaces or absolute paths); using the file name instead")
        note_id = None
    status = values.get("status")
    if status is not None:
        status = status.lower()
        if status not in STATUSES:
            report(lines.get("status", 1), f"unknown status {values['status']!r}: use one of todo, draft, done")
            status = None
    url = values.get("url")
    if url and not url.lower().startswith(("http://", "https://")):
        report(lines.get("url", 1), f"url {url!r} is not http(s) and will not be linked", Severity.WARNING)
    note_type = values.get("type", "")
    if "parent" in values and note_type != "topic":
        report(lines.get("parent", 1), "'parent' only applies to notes of type: topic; ignored",
               Severity.WARNING)

    note = Note(
        path=path,
        src=src,
        id=note_id or derive_id(path),
        title=values.get("title") or scan.first_h1 or posixpath.splitext(posixpath.basename(path))[0],
        type=note_type,
        aliases=values.get("aliases", ()),
        topics=values.get("topics", ()),
        tags=values.get("tags", ()),
        year=values.get("year"),
        venue=values.get("venue"),
        authors=values.get("authors", ()),
        url=url,
        related=values.get("related", ()),
        parent=values.get("parent") if note_type == "topic" else None,
        body=fm.body,
        body_line=fm.body_line,
        has_front_matter=fm.present,
        lead_h1=scan.first_h1_line,
        headings=scan.headings,
        links=scan.links,
        tasks=scan.tasks,
        markers=scan.markers,
        field_lines=dict(lines),
        extra={k: v for k, v in data.items() if k not in KNOWN_FIELDS},
        valid=not any(d.severity is Severity.ERROR for d in diags),
    )
    if status is None:
        note.status = infer_status(note)
        note.status_inferred = True
    else:
        note.status = status
    # An alias equal to the note's own title or id adds nothing; drop it quietly.
    own = {normalize_key(note.title), normalize_key(note.id)}
    note.aliases = tuple(a for a in note.aliases if normalize_key(a) not in own)
    return note, diags


def infer_status(note: Note) -> str:
    """Status of a note whose front matter has none (documented in docs/format.md).

    - ``todo``: the body is empty, or only headings and placeholder words such as "todo";
    - ``draft``: it has text but has open tasks or TODO markers, or fewer than 200 characters;
    - ``done``: otherwise.
    """
    content = [ln for ln in note.body.split("\n")
               if ln.strip() and not ln.lstrip().startswith("#") and not _PLACEHOLDER_RE.match(ln)]
    if not content:
        return "todo"
    chars = sum(len(ln.strip()) for ln in content)
    open_tasks = any(not t.checked for t in note.tasks)
    if open_tasks or note.markers or chars < SUBSTANTIAL_CHARS:
        return "draft"
    return "done"


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    return type(value).__name__


def _as_str(value: Any) -> str | None:
    """Scalars become strings (``2017`` → "2017"); lists, mappings and null are refused."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float, datetime.date)):
        return str(value)
    return None


def _as_list(value: Any) -> list[str] | None:
    """A list of scalars, or one scalar taken as a one-item list; null is an empty list."""
    if value is None:
        return []
    if isinstance(value, list):
        out = []
        for item in value:
            s = _as_str(item)
            if s is None:
                return None
            out.append(s)
        return out
    s = _as_str(value)
    return None if s is None else [s]


def _as_year(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) == 4:
        return int(value.strip())
    return None

