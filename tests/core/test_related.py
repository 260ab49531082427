"""core: related notes on a long-tailed corpus equal the plain definition (count shared topics,
sort everything by (-count, title), keep the first few), which the fast path avoids computing."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from kbtest import REPO
from kbsite.core.vault import load_vault


def _plain_related(vault, note, limit: int = 8) -> list:  # type: ignore[no-untyped-def]
    graph = vault.graph
    out = list(graph.related_of.get(note.path, []))
    for other in graph.related_by.get(note.path, []):
        if other not in out:
            out.append(other)
    shared: Counter[str] = Counter()
    for members in vault.topic_peers(note):
        for other in members:
            if other is not note and other not in out and not other.is_topic:
                shared[other.path] += 1
    ranked = sorted(shared.items(), key=lambda kv: (-kv[1], graph.index.by_path[kv[0]].title))
    return (out + [graph.index.by_path[p] for p, _ in ranked])[:limit]


def test_related_equals_the_plain_definition(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from gen_corpus import write_corpus
    finally:
        sys.path.remove(str(REPO / "bench"))
    write_corpus(tmp_path, 400, seed=11)  # Zipf topics: a few with ~100 members
    # Equal titles in one topic: ties must break as the full sort breaks them.
    for i in range(3):
        (tmp_path / "notes" / "concepts" / f"twin-{i}.md").write_text(
            f"---\ntitle: \"同名\"\ntopics: [topic-0000, topic-0001]\nrelated: [twin-{(i + 1) % 3}]\n---\n# 同名\n",
            encoding="utf-8")
    vault = load_vault(tmp_path / "notes")
    sizes = sorted((len(t.notes) for t in vault.topics), reverse=True)
    assert sizes[0] > 50 and sizes[-1] < 10  # the long tail the fast path is for
    checked = 0
    for note in vault.notes:
        for limit in (8, 3):
            assert vault.related(note, limit) == _plain_related(vault, note, limit), (note.path, limit)
        checked += bool(vault.related(note))
    assert checked > 300
