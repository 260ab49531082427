"""The serve view cache's decisions (viewcache.py) and the fingerprint serialiser (viewdigest.py).

The differential test (test_incremental.py) shows that reusing view models gives the clean
build's bytes; these tests pin down when reuse is allowed at all.
"""

from __future__ import annotations

from dataclasses import replace

from kbsite.core.model import Link, Note
from kbsite.plugin.viewcache import ViewCache, public_signature
from kbsite.plugin.viewdigest import ViewDigest
from kbsite.plugin.viewmodels import Backlink, Counts, NoteRef, TopicRef


def _note(path: str, body: str = "正文", **kw: object) -> Note:
    return Note(path=path, src=f"notes/{path}", id=path[:-3], title=path[:-3], body=body, **kw)  # type: ignore[arg-type]


def _ref(title: str) -> NoteRef:
    return NoteRef("a/", title, "paper", "论文", "done", "完成", 2020, None, (), "2020", None)


def test_public_signature_ignores_the_body_only() -> None:
    link = Link("b", None, None, 3, "见 b。")
    a = _note("a.md", links=(link,))
    assert public_signature(a) == public_signature(replace(a, body="完全不同的正文"))
    assert public_signature(a) != public_signature(replace(a, links=(replace(link, line=4),)))
    assert public_signature(a) != public_signature(replace(a, links=(replace(link, snippet="另一句。"),)))
    assert public_signature(a) != public_signature(replace(a, title="新标题"))


def test_view_digest_follows_content_not_identity() -> None:
    digest = ViewDigest()
    one = [Backlink(_ref("甲"), "句子"), TopicRef("t/", "主题", "t", Counts(3, 1, 1, 1), True)]
    same = [Backlink(_ref("甲"), "句子"), TopicRef("t/", "主题", "t", Counts(3, 1, 1, 1), True)]
    assert digest.text(one) == digest.text(same)
    assert digest.text(one) != digest.text([Backlink(_ref("乙"), "句子"), one[1]])
    assert digest.text(one) != digest.text([Backlink(_ref("甲"), "另一句"), one[1]])
    assert digest.text(one) != digest.text([one[0], TopicRef("t/", "主题", "t", Counts(4, 2, 1, 1), True)])
    assert digest.text([1, "1"]) != digest.text(["1", 1]) and digest.text([[1], 2]) != digest.text([[1, 2]])


def test_view_cache_reuses_only_after_body_only_edits() -> None:
    cache = ViewCache()
    a, b = _note("a.md"), _note("b.md")
    dates = {"a.md": 1, "b.md": 1}
    cache.compare([a, b], dates)
    assert not cache.same_notes and cache.start(b"k") is None  # nothing to compare with
    cache.remember("notes/b.md", "b's view", "b's data")

    cache.compare([a, b], dates)  # nothing re-parsed
    reuse = cache.start(b"k")
    assert reuse is not None and reuse.stale_notes == set() and cache.parts("notes/b.md") == ("b's view", "b's data")

    a2 = replace(a, body="改过的正文")  # re-parsed, only the body differs; its date moved
    cache.compare([a2, b], {"a.md": 2, "b.md": 1})
    reuse = cache.start(b"k")
    assert reuse is not None and reuse.stale_notes == {"a.md"} and reuse.dates_moved

    cache.compare([replace(a2, title="新标题"), b], {"a.md": 2, "b.md": 1})  # another page shows titles
    assert not cache.same_notes and cache.changed == {"a.md"} and cache.start(b"k") is None
    assert cache.same_key and cache.parts("notes/b.md") is not None  # viewdeps.py decides which go

    cache.compare([a2, b], {"a.md": 2, "b.md": 1})  # the title back: a full rebuild again
    assert cache.start(b"k") is None
    cache.remember("notes/b.md", "b's view", "b's data")
    cache.compare([a2, b], {"a.md": 2, "b.md": 1})
    assert cache.same_notes
    assert cache.start(b"other key") is None  # the configuration, nav or file set changed
    assert not cache.same_key and cache.parts("notes/b.md") is None

    cache.compare([b, a2], {"a.md": 2, "b.md": 1})  # another order (a note renamed or added)
    assert not cache.same_notes

    b.id = "b-2"  # the index gave b a path id: compared again, though not re-parsed
    cache.compare([b, a2], {"a.md": 2, "b.md": 1})
    assert not cache.same_notes
