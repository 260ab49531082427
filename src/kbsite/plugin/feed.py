"""plugin: the Atom feed of new and updated notes (feedgen), with absolute links from site_url."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from feedgen.feed import FeedGenerator

from kbsite.core.comments import strip_comments
from kbsite.core.wikilinks import plain_text

if TYPE_CHECKING:
    from kbsite.core.dates import NoteDates
    from kbsite.core.model import Note

FEED_PATH = "feed.xml"
ENTRIES = 50
SUMMARY_CHARS = 200


_NOISE_RE = re.compile(r"\[\^[^\]]*\]|==|\$\$?")


def summary(note: Note) -> str:
    """The note's opening prose, plain, for the feed reader's preview (no code, tables or
    admonition markers)."""
    prose: list[str] = []
    fence = False
    for line in strip_comments(note.body).split("\n"):
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fence = not fence
            continue
        if fence or not stripped or stripped.startswith(("#", "|", "!!!", "???", "[^", "---", "<")):
            continue
        prose.append(plain_text(stripped))
        if sum(map(len, prose)) > SUMMARY_CHARS:
            break
    text = _NOISE_RE.sub("", " ".join(prose))
    return text[:SUMMARY_CHARS] + ("…" if len(text) > SUMMARY_CHARS else "")


def atom(site_name: str, site_url: str, notes: list[tuple[Note, str, NoteDates]], *,
         language: str = "zh", description: str = "") -> bytes:
    """An Atom 1.0 document; ``notes`` are (note, site-relative URL, dates), newest first."""
    base = site_url if site_url.endswith("/") else site_url + "/"
    fg = FeedGenerator()
    fg.id(base)
    fg.title(site_name)
    fg.subtitle(description or f"{site_name}：新建与更新的笔记")
    fg.link(href=base, rel="alternate")
    fg.link(href=urljoin(base, FEED_PATH), rel="self")
    fg.language(language)
    newest = max((d.updated for _, _, d in notes), default=None)
    if newest is not None:
        fg.updated(newest)
    # feedgen prepends entries; add the oldest first so the document lists the newest first.
    for note, url, dates in reversed(notes[:ENTRIES]):
        entry = fg.add_entry()
        link = urljoin(base, url)
        entry.id(link)
        entry.title(note.title)
        entry.link(href=link, rel="alternate")
        entry.published(dates.created)
        entry.updated(dates.updated)
        text = summary(note)
        if text:
            entry.summary(text)
    return fg.atom_str(pretty=True)
