"""core: pure. What a note's body embeds and marks beyond links: files, block ids, inline tags.

The scanner (``kbsite.core.wikilinks.scan_body``) finds them with everything else; until the
note model carries them (``Note.embeds`` ...), :func:`note_scan` scans a note's body again,
once per body (cached), the way ``kbsite.core.parse`` does.
"""

from __future__ import annotations

import functools

from kbsite.core.attachments import AttachmentIndex
from kbsite.core.comments import blank_comments
from kbsite.core.model import Diagnostic, Note, Severity
from kbsite.core.wikilinks import BodyScan, scan_body


@functools.lru_cache(maxsize=8192)
def _scan(body: str, body_line: int) -> BodyScan:
    return scan_body(blank_comments(body), body_line)


def note_scan(note: Note) -> BodyScan:
    """The scan of ``note``'s body (its %%comments%% blanked, as parse_note scans it)."""
    return _scan(note.body, note.body_line)


def attachment_diagnostics(notes: list[Note], attachments: AttachmentIndex) -> list[Diagnostic]:
    """A warning for every ``![[file]]`` (or ``[[file.pdf]]``) that names no file in the vault."""
    out: list[Diagnostic] = []
    for note in notes:
        for embed in note_scan(note).embeds:
            if attachments.resolve(embed.target, note.path) is None:
                written = f"{'!' if embed.embed else ''}[[{embed.target}]]"
                out.append(Diagnostic(note.src, embed.line, Severity.WARNING,
                                      f"missing attachment: {written} matches no file in the vault",
                                      code="missing-attachment"))
    return out
