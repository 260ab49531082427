"""core: pure. ``![[note]]``, ``![[note#heading]]``, ``![[note#^block]]``: what is shown, and cycles.

The Markdown a transclusion shows is cut from the embedded note's body by the positions the one
scan found (its headings and block ids), so code that looks like a heading never ends a section.
Embeds of embeds are followed to ``MAX_DEPTH``; a note that embeds itself, directly or through
others, is a cycle: a warning here, and a link instead of content on the page.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Callable, Iterable

from kbsite.core.model import Diagnostic, Link, Note, Severity
from kbsite.core.wikilinks import LIST_SPACING_ITEM_RE

MAX_DEPTH = 4  # embeds of embeds shown; deeper ones are links
_INDENT_RE = re.compile(r"^[ \t]*")


@dataclass(frozen=True)
class Section:
    """The Markdown an embed shows: the whole body, or one heading's section, or one block."""

    markdown: str
    heading: str | None  # the heading or "^block" embedded, as written (None: the whole note)

    @property
    def digest(self) -> str:
        """What a page that embeds this depends on (``mkdocs serve`` re-renders when it changes)."""
        return hashlib.blake2b(self.markdown.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def section(note: Note, heading: str | None, slugify: Callable[[str], str] | None = None) -> Section | None:
    """What ``![[note#heading]]`` shows, or None when the note has no such heading or block."""
    lines = note.body.split("\n")
    if not heading:
        if note.lead_h1 is not None:  # the page prints the title itself; so does the embed
            lines = lines[:note.lead_h1] + lines[note.lead_h1 + 1:]
        return Section("\n".join(lines).strip("\n"), None)
    if heading.startswith("^"):
        block = next((b for b in note.blocks if b.id == heading[1:]), None)
        if block is None:
            return None
        return Section(_block_text(lines, block.line - note.body_line), heading)
    key = slugify(heading) if slugify else heading.strip()
    for i, h in enumerate(note.headings):
        if (slugify(h.text) if slugify else h.text.strip()) != key:
            continue
        start = h.line - note.body_line
        end = next((o.line - note.body_line for o in note.headings[i + 1:] if o.level <= h.level), len(lines))
        return Section("\n".join(lines[start:end]).strip("\n"), heading)
    return None


def _block_text(lines: list[str], at: int) -> str:
    """The paragraph or list item that line ``at`` ends (or, for a lone ``^id`` line, the block before)."""
    if lines[at].strip().startswith("^") and " " not in lines[at].strip():
        end = at - 1
        while end >= 0 and not lines[end].strip():
            end -= 1
        start = end
        while start > 0 and lines[start - 1].strip():
            start -= 1
        return "\n".join(lines[start:end + 1] + [""] + [lines[at]]) if end >= 0 else ""
    if LIST_SPACING_ITEM_RE.match(lines[at]):  # a list item: the item and its continuation lines
        indent = len(_INDENT_RE.match(lines[at]).group())  # type: ignore[union-attr]
        end = at + 1
        while end < len(lines) and lines[end].strip() and len(_INDENT_RE.match(lines[end]).group()) > indent \
                and not LIST_SPACING_ITEM_RE.match(lines[end]):  # type: ignore[union-attr]
            end += 1
        return "\n".join(line[indent:] for line in lines[at:end])
    start = at
    while start > 0 and lines[start - 1].strip() and not LIST_SPACING_ITEM_RE.match(lines[start]):
        start -= 1
    return "\n".join(lines[start:at + 1])


def embed_links(note: Note) -> Iterable[Link]:
    return (link for link in note.links if link.embed and not link.markdown)


def cycle_diagnostics(notes: Iterable[Note], resolve: Callable[[Note, Link], Note | None]) -> list[Diagnostic]:
    """A warning for every ``![[x]]`` through which a note ends up embedding itself."""
    edges: dict[str, list[tuple[Link, Note]]] = {}
    by_path: dict[str, Note] = {}
    for note in notes:
        by_path[note.path] = note
        # A note showing one of its own sections elsewhere in itself (![[#其他]]) is no cycle.
        out = [(link, target) for link in embed_links(note) if (target := resolve(note, link)) is not None
               and not (target is note and link.heading)]
        if out:
            edges[note.path] = out
    out_diags: list[Diagnostic] = []
    for path, links in edges.items():
        note = by_path[path]
        for link, target in links:
            if _reaches(target.path, path, edges):
                written = f"![[{link.target}{'#' + link.heading if link.heading else ''}]]"
                back = "itself" if target is note else f"'{target.id}', which embeds this note back"
                out_diags.append(Diagnostic(note.src, link.line, Severity.WARNING,
                                            f"{written} is a cycle: it embeds {back}; where the embed would "
                                            "repeat, the page shows a link instead",
                                            code="embed-cycle"))
    return out_diags


def _reaches(start: str, goal: str, edges: dict[str, list[tuple[Link, Note]]]) -> bool:
    seen: set[str] = set()
    todo = [start]
    while todo:
        path = todo.pop()
        if path == goal:
            return True
        if path in seen:
            continue
        seen.add(path)
        todo.extend(t.path for _, t in edges.get(path, ()))
    return False
