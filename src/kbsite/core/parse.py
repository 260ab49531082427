"""core: pure. Turn one file's bytes into a ``Note`` and its diagnostics (the field contract)."""

from __future__ import annotations

import datetime
import json
import posixpath
import re
from typing import Any, Callable, Iterable

from kbsite.core import frontmatter
from kbsite.core.comments import blank_comments
from kbsite.core.keys import is_safe_id, normalize_key, safe_slug
from kbsite.core.attachments import is_attachment_name
from kbsite.core.model import STATUSES, Diagnostic, Link, Note, Severity
from kbsite.core.wikilinks import FENCE_RE, WIKILINK_RE, mask_code_spans, scan_body, unlink

STR_FIELDS = ("title", "id", "type", "status", "venue", "url", "parent")
LIST_FIELDS = ("aliases", "topics", "tags", "authors", "related")
KNOWN_FIELDS = set(STR_FIELDS) | set(LIST_FIELDS) | {"year"}
# Likely typos of known keys: reported so that a note does not silently lose its aliases.
NEAR_MISSES = {
    "topic": "topics", "author": "authors",
    "relate": "related", "relates": "related", "parents": "parent", "state": "status",
}
# A body that is only a heading and "todo"/"TODO"/"待补充" lines is a placeholder: a line that
# is an optional placeholder word, then only spaces and dots/colons (two anchored pieces, not
# one pattern with two adjacent \s runs, which backtracks quadratically on a long blank line).
_PLACEHOLDER_WORD_RE = re.compile(r"(?:todo|待补充|待修|tbd)?", re.IGNORECASE)
_PLACEHOLDER_REST_RE = re.compile(r"[\s.。:：]*")
SUBSTANTIAL_CHARS = 200
# Obsidian's own property names: the same fields, merged into them without a word.
KEY_SYNONYMS = {"alias": "aliases", "tag": "tags"}
# Obsidian's tags: "学习, 笔记" or "学习 笔记" in one string, with or without "#" (or "＃").
_TAG_SPLIT_RE = re.compile(r"[,，、\s]+")
# Fields whose values name notes or topics: "[[x]]" there is the name x (Obsidian writes them so).
LINK_NAME_FIELDS = ("topics", "related", "parent")
# List fields Obsidian itself lets one write as a single string (tags: 学习, aliases: 别名).
OBSIDIAN_STRING_LISTS = ("tags", "aliases")
# One item of each list field, for "read as one alias".
_ITEM_NOUN = {"aliases": "alias", "topics": "topic", "tags": "tag", "authors": "author",
              "related": "related note"}
# Characters a one-line field value cannot hold: line breaks (folded into a space), and control
# characters and lone surrogates (shown as U+FFFD). Tabs are kept.
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_BREAK_RE = re.compile(f"[{_LINE_BREAKS}]")
_BAD_CHAR_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
# What a diagnostic message may not hold raw: it is one line of terminal output.
_UNPRINTABLE_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
# A wikilink with nothing before its #heading or |label: [[]], [[ ]], [[|label]], [[#]], [[#h|l]].
# ([[#heading]] and [[#^id]] name a place in the same note: they are links.)
_EMPTY_LINK_RE = re.compile(r"\[\[[ \t]*(?:#[ \t]*)?(?:\\?\|[^\]\[\n]*)?\]\]")
_SHOWN_CHARS = 60  # longest value quoted whole in a message
_WHOLE_WIKILINK_RE = re.compile(WIKILINK_RE.pattern)


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
        # Lines as the rest of kbsite counts them: after CRLF and lone CR became LF.
        head = raw[: exc.start].decode("utf-8", errors="replace")
        bad_line = head.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
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

    def report(line: int, message: str, severity: Severity = Severity.ERROR, code: str = "") -> None:
        # One printable line whatever a note holds: control characters are shown escaped.
        if _UNPRINTABLE_RE.search(message):
            message = _UNPRINTABLE_RE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), message)
        diags.append(Diagnostic(src, line, severity, message, code))

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
    extra: dict[str, Any] = {}
    property_links: list[Link] = []
    for key, value in data.items():
        line = lines.get(key, 1)
        key = KEY_SYNONYMS.get(key, key)
        if key == "tags":
            value = _obsidian_tags(value)
        value = _unflow_wikilinks(value, key in LIST_FIELDS)
        if key in LINK_NAME_FIELDS:  # topics: ["[[大模型]]"] names the topic 大模型
            value = _link_names(value)
        elif key not in KNOWN_FIELDS:  # up: "[[MOC]]": a link from this note, as in Obsidian
            property_links += _property_links(key, value, line)
        if key in STR_FIELDS:
            as_text, kind = _scalar(value, fm.plain_values.get(key))
            if as_text is None:
                report(line, f"'{key}' must be a string, not {_kind(value)}")
                continue
            if kind is not None:
                report(line, _coerced(f"'{key}'", kind, as_text, f"{key}: "), Severity.WARNING, "coerced")
            as_text = _one_line(f"'{key}'", as_text, line, report)
            if as_text:
                values[key] = as_text
        elif key in LIST_FIELDS:
            items = _list_field(key, value, line, fm, report)
            if items is None:
                report(line, f"'{key}' must be a list of strings, not {_kind(value)}")
            else:
                values[key] = tuple(dict.fromkeys([*values.get(key, ()), *items]))
        elif key == "year":
            year = _as_year(value)
            if year is None:
                report(line, f"'year' must be an integer year such as 2021, not {_shorten(repr(value))}")
            else:
                if not 1900 <= year <= datetime.date.today().year + 1:
                    report(line, f"'year' {year} looks wrong", Severity.WARNING)
                values["year"] = year
        else:
            if key in NEAR_MISSES:
                report(line, f"unknown key '{key}': did you mean '{NEAR_MISSES[key]}'?", Severity.WARNING)
            extra[key] = _scrub_deep(key, value, line, report)

    scan = scan_body(blank_comments(fm.body), fm.body_line)  # %%comments%% count nowhere
    for line in scan.table_pipes:
        report(line, "a [[target|label]] link inside a table row splits the cell at '|': "
               "write [[target\\|label]]", Severity.WARNING)
    for line, link in empty_links(fm.body, fm.body_line):
        report(line, f"empty wikilink {_shorten(link)} names no note; it is not linked", Severity.WARNING,
               "empty-link")
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

    note_id = note_id or derive_id(path)
    note = Note(
        path=path,
        src=src,
        id=note_id,
        # A heading is the title only when it opens the note (then the page prints it as the
        # title); "# 概念" further down is a section, and the file name names the note.
        title=_title(values.get("title"), scan.first_h1 if scan.first_h1_line is not None else None,
                     path, note_id),
        type=note_type,
        aliases=values.get("aliases", ()),
        topics=values.get("topics", ()),
        tags=_merge_tags(values.get("tags", ()), (t.name for t in scan.tags)),
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
        links=scan.links + tuple(property_links),
        tasks=scan.tasks,
        markers=scan.markers,
        embeds=scan.embeds,
        blocks=scan.blocks,
        field_lines=dict(lines),
        extra=extra,
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
               if ln.strip() and not ln.lstrip().startswith("#") and not _is_placeholder(ln)]
    if not content:
        return "todo"
    chars = sum(len(ln.strip()) for ln in content)
    open_tasks = any(not t.checked for t in note.tasks)
    if open_tasks or note.markers or chars < SUBSTANTIAL_CHARS:
        return "draft"
    return "done"


def _is_placeholder(line: str) -> bool:
    """Is the line only an optional "todo"/"待补充"/"待修"/"tbd", then spaces, dots or colons?"""
    rest = line.lstrip()
    rest = rest[_PLACEHOLDER_WORD_RE.match(rest).end():]  # type: ignore[union-attr]  # always matches
    return _PLACEHOLDER_REST_RE.fullmatch(rest) is not None


def empty_links(body: str, body_line: int) -> list[tuple[int, str]]:
    """``(file line, link text)`` of each wikilink with no note name, outside code.

    ``[[]]``, ``[[ ]]``, ``[[|label]]`` and ``[[#]]`` name no note: they show
    as plain text or an empty span, so they are reported instead of silently dropped. Fenced
    code and inline code are skipped the way the wikilink scanner skips them.
    """
    if "[[" not in body or _EMPTY_LINK_RE.search(body) is None:
        return []
    found: list[tuple[int, str]] = []
    fence: str | None = None
    for index, raw in enumerate(body.split("\n")):
        if fence is not None:
            stripped = raw.strip()
            if stripped.startswith(fence[0] * len(fence)) and not stripped.strip(fence[0]):
                fence = None
            continue
        m = FENCE_RE.match(raw)
        if m:
            fence = m.group("fence")
            continue
        if "[[" in raw:
            for lm in _EMPTY_LINK_RE.finditer(mask_code_spans(raw)):
                found.append((body_line + index, lm.group()))
    return found


def _title(title: str | None, first_h1: str | None, path: str, note_id: str) -> str:
    """The front-matter title, else the first H1, else the file name, else the id: never blank."""
    for candidate in (title, first_h1, posixpath.splitext(posixpath.basename(path))[0]):
        if candidate and candidate.strip():
            return candidate.strip()
    return note_id


def _unflow_wikilinks(value: Any, as_list: bool) -> Any:
    """``up: [[MOC]]`` unquoted is YAML for a list in a list: read it as the text ``[[MOC]]``
    (as one item of a list field), and likewise each ``- [[x]]`` item of a block list."""
    def one(v: Any) -> Any:
        if isinstance(v, list) and len(v) == 1 and isinstance(v[0], list) and len(v[0]) == 1 \
                and isinstance(v[0][0], str):
            return f"[[{v[0][0]}]]"
        return v
    whole = one(value)
    if whole is not value:
        return [whole] if as_list else whole
    return [one(v) for v in value] if isinstance(value, list) else value


def _link_names(value: Any) -> Any:
    """Every ``[[name|label]]`` string in a field value made ``name``."""
    if isinstance(value, str):
        m = _WHOLE_WIKILINK_RE.fullmatch(value.strip())
        return m.group("target").strip() if m else value
    if isinstance(value, (list, tuple)):
        return [_link_names(v) for v in value]
    return value


def _property_links(key: str, value: Any, line: int) -> list[Link]:
    """Wikilinks written in an unknown field's strings: links of the note (graph, backlinks)."""
    out: list[Link] = []
    stack = [value]
    while stack:
        v = stack.pop(0)
        if isinstance(v, str) and "[[" in v:
            for m in WIKILINK_RE.finditer(v):
                target = m.group("target").strip()
                if target and not is_attachment_name(target, embed=False):
                    out.append(Link(target, (m.group("heading") or "").strip() or None,
                                    (m.group("label") or "").strip() or None, line,
                                    f"{key}: {unlink(v)}"[:140], prop=key))
        elif isinstance(v, (list, tuple)):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.values())
    return out


def _merge_tags(declared: tuple[str, ...], inline: Iterable[str]) -> tuple[str, ...]:
    """Front-matter tags, then inline ``#tags`` not already there (compared as tags are)."""
    out = list(declared)
    seen = {normalize_key(t) for t in out}
    for name in inline:
        if normalize_key(name) not in seen:
            seen.add(normalize_key(name))
            out.append(name)
    return tuple(out)


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, (set, frozenset)):
        return "a set"
    if isinstance(value, (bytes, bytearray)):
        return "binary data"
    if value is None:
        return "empty"
    return type(value).__name__


def _scalar(value: Any, plain: str | None) -> tuple[str | None, str | None]:
    """A scalar as text, and what YAML read it as when that is not a string.

    Arguments:
        value: the loaded value.
        plain: the value as written, when it was a plain scalar: ``0x10`` stays "0x10" (YAML
            reads 16), ``1:30`` stays "1:30" (YAML reads 90), ``True`` stays "True".

    Returns:
        ``(text, None)`` for a string; ``(text, "number" | "boolean" | "date")`` for a number,
        boolean or date; ``(None, None)`` for null, lists, mappings and anything else.
    """
    if isinstance(value, str):
        return value, None
    if isinstance(value, bool):
        kind, text = "boolean", "true" if value else "false"
    elif isinstance(value, (int, float)):
        kind, text = "number", str(value)
    elif isinstance(value, datetime.date):  # also datetime.datetime
        kind, text = "date", str(value)
    else:
        return None, None
    return (plain.strip() if plain is not None and plain.strip() else text), kind


def _coerced(what: str, kind: str, text: str, quote_as: str = "") -> str:
    """The warning for a number/boolean/date read as text, e.g. ``'title' is a number; read as "123"``."""
    if kind == "boolean":
        return f"{what} is a YAML boolean; read as the text {_quote(text)} (quote it: {quote_as}{_quote(text)})"
    return f"{what} is a {kind}; read as {_quote(text)}"


def _obsidian_tags(value: Any) -> Any:
    """Tags as Obsidian reads them: a string of several tags is split at commas and spaces, and a
    leading "#" (or full-width "＃") is dropped from every tag; anything else, a one-word string
    included (told as a one-item list), is left to the list rules."""
    def bare(tag: Any) -> Any:
        return tag.strip().lstrip("#＃").strip() if isinstance(tag, str) else tag
    if isinstance(value, str):
        parts = [t for t in (bare(p) for p in _TAG_SPLIT_RE.split(value)) if t]
        return parts if len(parts) > 1 else (parts[0] if parts else value)
    if isinstance(value, list):
        return [bare(t) for t in value]
    return value


def _list_field(key: str, value: Any, line: int, fm: frontmatter.FrontMatter,
                report: Callable[..., None]) -> list[str] | None:
    """The items of a list field, with a warning for each item read loosely or skipped.

    A list of scalars; one scalar is a one-item list (told); null is an empty list. An empty,
    null, list or mapping item is skipped (told, with its own line). None when the value is a
    mapping or another non-list, non-scalar.
    """
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        text, kind = _scalar(value, fm.plain_values.get(key))
        if text is None:
            return None
        text = _one_line(f"'{key}'", text, line, report)
        if not text:
            return []
        noun = _ITEM_NOUN[key]
        shown = _quote(text)
        if kind is None and key in OBSIDIAN_STRING_LISTS:
            return [text]  # Obsidian writes one tag or alias as a plain string: nothing to tell
        if kind is None:
            report(line, f"'{key}' is a string; read as one {noun} {shown} (write a list: [{_flow_item(text)}])",
                   Severity.WARNING, "coerced")
        else:
            what = "a YAML boolean" if kind == "boolean" else f"a {kind}"
            report(line, f"'{key}' is {what}; read as one {noun} {shown} (write a list: [{shown}])",
                   Severity.WARNING, "coerced")
        return [text]
    item_lines = fm.item_lines.get(key, ())
    plain_items = fm.plain_items.get(key, ())
    out: list[str] = []
    for i, item in enumerate(value):
        at = item_lines[i] if i < len(item_lines) else line
        what = f"'{key}' item {i + 1}"
        if item is None:
            report(at, f"{what} is empty; skipped", Severity.WARNING, "bad-item")
            continue
        text, kind = _scalar(item, plain_items[i] if i < len(plain_items) else None)
        if text is None:
            hint = " (quote an item that holds ': ')" if isinstance(item, dict) else ""
            report(at, f"{what} is {_kind(item)}, not a string; skipped{hint}", Severity.WARNING, "bad-item")
            continue
        if kind is not None:
            report(at, _coerced(what, kind, text), Severity.WARNING, "coerced")
        text = _one_line(what, text, at, report)
        if not text:
            report(at, f"{what} is empty; skipped", Severity.WARNING, "bad-item")
            continue
        out.append(text)
    return out


def _one_line(what: str, text: str, line: int, report: Callable[..., None]) -> str:
    """``text`` stripped, line breaks folded into spaces and control characters made U+FFFD (told)."""
    text = text.strip()
    if _BREAK_RE.search(text):
        text = " ".join(part.strip() for part in _BREAK_RE.split(text) if part.strip())
        report(line, f"{what} has a line break; read as one line {_quote(text)}", Severity.WARNING, "coerced")
    bad = _BAD_CHAR_RE.search(text)
    if bad:
        report(line, f"{what} contains {_char_name(bad.group())}; shown as \ufffd", Severity.WARNING, "bad-char")
        text = _BAD_CHAR_RE.sub("\ufffd", text).strip()
    return text


def _scrub_deep(key: str, value: Any, line: int, report: Callable[..., None]) -> Any:
    """An unknown field's value with lone surrogates made U+FFFD (they cannot be written as UTF-8).

    Keys are walked too; YAML without aliases builds a tree, so the recursion ends.
    """
    found: list[str] = []

    def walk(v: Any) -> Any:
        if isinstance(v, str):
            m = _SURROGATE_RE.search(v)
            if m is None:
                return v
            found.append(m.group())
            return _SURROGATE_RE.sub("\ufffd", v)
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, dict):
            return {walk(k): walk(x) for k, x in v.items()}
        return v

    try:
        cleaned = walk(value)
    except RecursionError:  # pragma: no cover - a tree deeper than YAML itself builds
        return value
    if found:
        report(line, f"'{key}' contains {_char_name(found[0])}; shown as \ufffd", Severity.WARNING, "bad-char")
    return cleaned


def _char_name(char: str) -> str:
    code = ord(char)
    what = "a lone surrogate" if 0xD800 <= code <= 0xDFFF else "a control character"
    return f"U+{code:04X} ({what})"


def _shorten(text: str, limit: int = _SHOWN_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _quote(text: str) -> str:
    """``text`` in double quotes (JSON escapes, which YAML reads back), shortened when long."""
    return json.dumps(_shorten(text), ensure_ascii=False)


def _flow_item(text: str) -> str:
    """``text`` as it would be written in a flow list ``[...]``: bare when safe, else quoted."""
    plain_ok = (
        len(text) <= _SHOWN_CHARS
        and not any(c in text for c in ",[]{}#:&*!|>'\"%@`\\")
        and not text.startswith(("-", "?", " "))
        and frontmatter.plain_is_string(text)
    )
    return text if plain_ok else _quote(text)


def _as_year(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) == 4:
        return int(value.strip())
    return None
