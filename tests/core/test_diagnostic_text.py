"""A diagnostic is one printable line, whatever the note it quotes holds."""

from __future__ import annotations

from kbsite.core.graph import LinkGraph
from kbsite.core.index import NoteIndex
from kbsite.core.parse import parse_note


def test_control_and_bidi_characters_are_escaped_in_messages() -> None:
    body = "见 [[坏\x1bc名\x07字\u202e反]]。\n"
    note, _ = parse_note("a.md", body.encode("utf-8"))
    [line] = [str(d) for d in LinkGraph(NoteIndex([note])).diagnostics]
    assert line == ("notes/a.md:1: warning: wanted note: [[坏\\u001bc名\\u0007字\\u202e反]] matches no note "
                    "(id, title or alias)")
    assert line.isprintable()
