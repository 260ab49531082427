"""core: pure. The value objects every other module passes around."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import Any

STATUSES = ("todo", "draft", "done")
_UNPRINTABLE_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\u202a-\u202e\u2066-\u2069]")


def _printable(text: str) -> str:
    return _UNPRINTABLE_RE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text) if _UNPRINTABLE_RE.search(text) else text
KNOWN_TYPES = ("paper", "technique", "concept", "model", "topic")


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in a note; ``str()`` is the ``path:line: severity: message`` line."""

    path: str
    line: int
    severity: Severity
    message: str
    code: str = ""  # a stable kind, e.g. "wanted", for callers that treat some kinds differently

    def __str__(self) -> str:
        # One printable line, whatever a note's text holds (ESC sequences, U+2028 ...): a message
        # that quotes a note must not drive the terminal or split into two lines.
        return _printable(f"{self.path}:{self.line}: {self.severity}: {self.message}")


@dataclass(frozen=True)
class Heading:
    level: int
    text: str  # plain text, inline markup removed
    line: int  # 1-based line in the file


@dataclass(frozen=True)
class Link:
    """A link written in a note body: a ``[[wikilink]]`` or a Markdown link to another note."""

    target: str  # as written: an id, title, alias, or a relative ``.md`` path
    heading: str | None
    label: str | None
    line: int  # 1-based line in the file
    snippet: str  # the sentence around the link, as plain text
    markdown: bool = False  # True for ``[label](other.md)`` links
    embed: bool = False  # True for ``![[note]]``: the note's content is shown here (transclusion)
    prop: str | None = None  # the front-matter key of a link written there (``up: "[[MOC]]"``)

    @property
    def text(self) -> str:
        return self.label or self.target or (self.heading or "")


@dataclass(frozen=True)
class Task:
    text: str
    line: int
    checked: bool
    heading: str | None  # the nearest heading above, for linking to it


@dataclass(frozen=True)
class Marker:
    """A ``TODO`` / ``待补充`` / ``待修`` marker in a body, outside code."""

    kind: str
    text: str  # the rest of the line, as plain text
    line: int
    heading: str | None


@dataclass(eq=False)  # a note is itself: identity, not a field-by-field compare of its whole body
class Note:
    """A parsed note. ``path`` is POSIX and relative to the notes folder."""

    path: str
    src: str  # path shown in diagnostics, relative to the project (e.g. ``notes/a.md``)
    id: str
    title: str
    type: str = ""
    aliases: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    status: str = "todo"
    status_inferred: bool = False
    year: int | None = None
    venue: str | None = None
    authors: tuple[str, ...] = ()
    url: str | None = None
    related: tuple[str, ...] = ()
    parent: str | None = None
    body: str = ""
    body_line: int = 1  # file line of the body's first line
    has_front_matter: bool = False
    lead_h1: int | None = None  # body line index of a leading "# Title" (the page shows its own)
    headings: tuple[Heading, ...] = ()
    links: tuple[Link, ...] = ()
    tasks: tuple[Task, ...] = ()
    markers: tuple[Marker, ...] = ()
    embeds: tuple[Any, ...] = ()  # kbsite.core.wikilinks.Embed: ![[file]] and [[file.pdf]], attachments
    blocks: tuple[Any, ...] = ()  # kbsite.core.wikilinks.BlockId: ^id block reference targets
    field_lines: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    valid: bool = True  # False when the note has an error and is shown with defaults

    @property
    def is_topic(self) -> bool:
        return self.type == "topic"

    @property
    def is_paper(self) -> bool:
        return self.type == "paper"

    @property
    def safe_url(self) -> str | None:
        """The paper URL, only when it is http(s): anything else is never linked."""
        if self.url and self.url.lower().startswith(("http://", "https://")):
            return self.url
        return None

    def line_of(self, key: str) -> int:
        """The file line of a front-matter key, or 1."""
        return self.field_lines.get(key, 1)

    def __repr__(self) -> str:
        return f"Note({self.id!r}, title={self.title!r}, path={self.path!r}, status={self.status!r})"
