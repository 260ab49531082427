"""core: pure. What a note's body embeds beyond links: files (``Note.embeds``, from the one scan)."""

from __future__ import annotations

from kbsite.core.attachments import AttachmentIndex
from kbsite.core.model import Diagnostic, Note, Severity


def attachment_diagnostics(notes: list[Note], attachments: AttachmentIndex) -> list[Diagnostic]:
    """A warning for every ``![[file]]`` (or ``[[file.pdf]]``) that names no file in the vault."""
    out: list[Diagnostic] = []
    for note in notes:
        for embed in note.embeds:
            if attachments.resolve(embed.target, note.path) is None:
                written = f"{'!' if embed.embed else ''}[[{embed.target}]]"
                out.append(Diagnostic(note.src, embed.line, Severity.WARNING,
                                      f"missing attachment: {written} matches no file in the vault",
                                      code="missing-attachment"))
    return out
