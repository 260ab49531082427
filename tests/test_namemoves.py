"""Which recorded link deps the serve page cache may trust without resolving them again (NameMoves)."""

from __future__ import annotations

from dataclasses import replace

from kbsite.core.index import NoteIndex
from kbsite.core.model import Note
from kbsite.plugin.pagecache import NameMoves


def _note(path: str, title: str, **kw: object) -> Note:
    return Note(path=path, src=f"notes/{path}", id=path[:-3], title=title, field_lines={"title": 2}, **kw)  # type: ignore[arg-type]


def test_only_names_that_resolve_elsewhere_or_to_a_new_title_are_checked_again() -> None:
    a, b, c = _note("a.md", "注意力"), _note("b.md", "蒸馏", aliases=("KD",)), _note("c.md", "量化")
    moves = NameMoves()
    files = (("a.md", "b.md", "c.md"), ())
    assert moves.compare(files, NoteIndex([a, b, c]), NoteIndex([])) is None  # nothing to compare with
    stable = moves.compare(files, NoteIndex([a, b, c]), NoteIndex([]))
    assert stable is not None and stable(("wiki", "注意力", None)) and stable(("wiki", "kd", "方法"))

    # b's title changes: every name of b now gives another title; a and c stay.
    stable = moves.compare(files, NoteIndex([a, replace(b, title="知识蒸馏"), c]), NoteIndex([]))
    assert stable is not None
    assert not stable(("wiki", "蒸馏", None)) and not stable(("wiki", "知识蒸馏", None))
    assert not stable(("wiki", "KD", None)) and not stable(("wiki", "b", None))
    assert stable(("wiki", "注意力", None)) and stable(("wiki", "c", None))
    assert stable(("md", "c.md", None)) and stable(("file", "x.png", None))
    # Paths, the page itself and embeds are always resolved again.
    assert not stable(("wiki", "folder/c", None)) and not stable(("wiki", "", "h"))
    assert not stable(("embed", "c", None))

    # Another file set: nothing is trusted.
    assert moves.compare((("a.md", "c.md"), ()), NoteIndex([a, c]), NoteIndex([])) is None
