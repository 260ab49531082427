"""core: topic tree, implicit topics, parents, cycles, roll-ups."""

from __future__ import annotations

from kbsite.core.index import NoteIndex
from kbsite.core.model import Severity
from kbsite.core.parse import parse_note
from kbsite.core.topics import TopicTree


def tree(**files: str) -> TopicTree:
    ns = [parse_note(k + ".md", v.encode())[0] for k, v in files.items()]
    return TopicTree(NoteIndex(ns))


def test_hierarchy_and_rollup() -> None:
    t = tree(
        llm="---\ntype: topic\ntitle: 大模型\n---\n",
        align="---\ntype: topic\ntitle: 对齐\nparent: 大模型\naliases: [Alignment]\n---\n",
        rlhf="---\ntype: topic\ntitle: RLHF\nparent: align\n---\n",
        dpo="---\ntitle: DPO\ntopics: [alignment]\nstatus: done\n---\n",
        ppo="---\ntitle: PPO\ntopics: [RLHF, 强化学习]\n---\n",
        gpt="---\ntitle: GPT\ntopics: [llm]\n---\n",
    )
    assert [x.key for x in t.roots()] == ["llm", "name:强化学习"]  # sorted by title (code point)
    llm = t.topics["llm"]
    assert [c.key for c in llm.children] == ["align"]
    assert [n.title for n in llm.all_notes()] == ["DPO", "GPT", "PPO"]
    assert [n.title for n in t.topics["align"].all_notes()] == ["DPO", "PPO"]
    assert [a.key for a in t.topics["rlhf"].ancestors()] == ["llm", "align"]
    implicit = t.topics["name:强化学习"]
    assert implicit.note is None and implicit.slug == "强化学习"
    assert t.diagnostics == []


def test_missing_parent_is_an_error() -> None:
    t = tree(a="---\ntype: topic\nparent: nowhere\n---\n")
    assert [(d.line, d.severity) for d in t.diagnostics] == [(3, Severity.ERROR)]
    assert "parent 'nowhere' is not a topic" in t.diagnostics[0].message


def test_cycle_is_reported_and_broken() -> None:
    t = tree(a="---\ntype: topic\nparent: b\n---\n", b="---\ntype: topic\nparent: c\n---\n",
             c="---\ntype: topic\nparent: a\n---\n")
    cyc = [d for d in t.diagnostics if "cycle" in d.message]
    assert sorted(d.path for d in cyc) == ["notes/a.md", "notes/b.md", "notes/c.md"]
    assert all(d.severity is Severity.ERROR for d in cyc)
    assert len(t.roots()) == 1  # still a tree
    assert len(list(t.walk())) == 3


def test_self_parent_is_a_cycle() -> None:
    t = tree(a="---\ntype: topic\nparent: a\n---\n")
    assert any("cycle" in d.message for d in t.diagnostics)
    assert t.roots()[0].key == "a"


def test_topic_naming_a_non_topic_note_warns() -> None:
    t = tree(lora="---\ntitle: LoRA\n---\n", x="---\ntopics: [LoRA]\n---\n")
    assert any("not of type: topic" in d.message for d in t.diagnostics)
    assert "name:lora" in t.topics


def test_hostile_implicit_topic_names_get_safe_slugs() -> None:
    t = tree(x="---\ntopics: ['../../etc', '<script>', index]\n---\n")
    slugs = sorted(topic.slug for topic in t)
    assert all("/" not in s and ".." not in s and "<" not in s for s in slugs), slugs
    assert "index" not in slugs  # reserved for the topics index page
