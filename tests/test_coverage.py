"""core: coverage rules. Each todo kind is counted, parents roll up sub-topics, JSON is stable."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from kbsite.core.coverage import Coverage, compute_coverage
from kbsite.core.report import display_width, render, text_bar, to_json
from coverage_notes import NOTES
from kbsite.core.vault import load_vault

def vault_of(tmp_path: Path, notes: dict[str, str] = NOTES):
    root = tmp_path / "notes"
    for rel, text in notes.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_vault(root)


@pytest.fixture
def cov(tmp_path: Path) -> Coverage:
    return compute_coverage(vault_of(tmp_path))


def kinds(row) -> list[tuple[str, str]]:
    return [(i.kind, i.text) for i in row.items]


def test_rows_follow_the_hierarchy(cov: Coverage) -> None:
    assert [(r.id, r.depth) for r in cov.topics] == [("ml", 0), ("compression", 1), ("pruning", 2), ("蒸馏", 0)]
    assert [r.to_dict()["parent"] for r in cov.topics] == [None, "ml", "compression", None]


def test_leaf_counts_and_items(cov: Coverage) -> None:
    pruning = cov.get("剪枝")  # by title
    assert pruning is not None
    c = pruning.counts
    assert (c.notes, c.done, c.draft, c.todo) == (2, 0, 1, 1)
    assert c.coverage == 0
    # Ordered by kind, then note path, then line.
    assert kinds(pruning) == [
        ("note", "Todo Paper"),  # status: todo
        ("task", "精读"),
        ("marker", "TODO: 补充实验设置"),
        ("marker", "待补充: 实验细节"),
        ("wanted", "想要的笔记"),
    ]
    assert c.open_tasks == 1 and c.markers == 2 and c.wanted == 1
    distill = cov.get("蒸馏")
    assert distill is not None
    assert kinds(distill) == [("overview", "蒸馏"), ("note", "Todo Paper"), ("task", "精读"),
                              ("wanted", "想要的笔记")]


@pytest.mark.parametrize("topic, kind, count", [
    ("ml", "note", 1), ("ml", "task", 2), ("ml", "marker", 2), ("ml", "wanted", 2), ("ml", "overview", 0),
    ("蒸馏", "overview", 1), ("compression", "task", 1), ("pruning", "note", 1),
])
def test_each_todo_kind_is_counted(cov: Coverage, topic: str, kind: str, count: int) -> None:
    row = cov.get(topic)
    assert row is not None
    assert sum(1 for i in row.items if i.kind == kind) == count


def test_parent_rolls_up_sub_topics(cov: Coverage) -> None:
    ml, comp = cov.get("ml"), cov.get("Compression")  # by id and by alias
    assert ml is not None and comp is not None
    # Draft Paper is in both compression and 剪枝: counted once.
    assert (comp.counts.notes, comp.counts.done, comp.counts.draft, comp.counts.todo) == (3, 1, 1, 1)
    assert ml.counts.notes == 3 and ml.coverage == pytest.approx(1 / 3)
    # The overview note's own open task belongs to its topic (and not to sub-topics).
    assert ("task", "写总览的阅读路径") in kinds(ml)
    assert ("task", "写总览的阅读路径") not in kinds(comp)
    assert [w.name for w in ml.wanted] == ["想要的笔记", "另一个想要的"]  # most wanted first
    assert [n.id for n, _ in ml.wanted[0].referrers] == ["p-done", "p-todo"]


def test_code_is_not_counted(cov: Coverage) -> None:
    texts = " ".join(i.text for r in cov.topics for i in r.items)
    assert "fence" not in texts and "neither" not in texts and "代码里" not in texts


def test_items_know_their_heading_and_line(cov: Coverage) -> None:
    row = cov.get("pruning")
    assert row is not None
    marker = next(i for i in row.items if i.kind == "marker" and i.text.startswith("TODO"))
    assert (marker.note.id, marker.line, marker.heading) == ("p-draft", 9, "方法")


def test_totals(cov: Coverage) -> None:
    t = cov.totals_dict()
    assert t == {
        "notes": 4, "done": 2, "draft": 1, "todo": 1, "coverage": 0.5, "open_tasks": 2,
        "markers": 3, "wanted": 2, "topics": 4, "topics_without_overview": 1, "unfiled": 1,
    }


def test_least_covered_first(cov: Coverage) -> None:
    assert [r.id for r in cov.least_covered()] == ["pruning", "蒸馏", "ml", "compression"]


def test_coverage_is_zero_without_notes(tmp_path: Path) -> None:
    cov = compute_coverage(vault_of(tmp_path, {"topics/empty.md": "---\ntitle: 空主题\ntype: topic\n---\n"}))
    (row,) = cov.topics
    assert row.counts.notes == 0 and row.coverage == 0 and row.to_dict()["coverage"] == 0


def test_json_shape_is_documented_and_stable(cov: Coverage) -> None:
    text = to_json(cov)
    assert text == to_json(cov)  # byte-stable
    data = json.loads(text)
    assert set(data) == {"totals", "topics"}
    row = data["topics"][2]
    assert set(row) == {"id", "title", "parent", "has_overview", "notes", "done", "draft", "todo",
                        "coverage", "open_tasks", "markers", "wanted", "items"}
    assert (row["id"], row["title"], row["parent"], row["coverage"]) == ("pruning", "剪枝", "compression", 0)
    assert row["wanted"] == [{"name": "想要的笔记", "count": 1, "referrers": ["p-todo"]}]
    item = next(i for i in row["items"] if i["kind"] == "task")
    assert item == {"kind": "task", "text": "精读", "note": "p-todo", "path": "notes/papers/todo.md",
                    "line": 9, "heading": None, "topic": None}
    assert "剪枝" in text  # ensure_ascii=False


def test_select_one_topic(cov: Coverage) -> None:
    sub = cov.select("compression")
    assert sub is not None
    assert [r.id for r in sub.topics] == ["compression", "pruning"]
    assert sub.totals.notes == 3
    assert cov.select("nope") is None


def test_table_and_markdown(cov: Coverage) -> None:
    table = render(cov, "table")
    lines = table.splitlines()
    assert lines[0].split() == ["主题", "笔记", "完成", "草稿", "待写", "覆盖", "进度", "任务", "想要"]
    # Every row of the table has the same display width up to the bar column.
    body = [ln for ln in lines[2:5]]
    assert len({display_width(ln[: ln.index("%")]) for ln in body}) == 1
    assert "    剪枝\n" not in table and "    剪枝 " in table and "蒸馏 *" in table and "合计" in table
    md = render(cov, "markdown")
    assert "| 主题 | 笔记 |" in md and "### 被引用但尚未创建" in md and "想要的笔记（2）" in md
    with pytest.raises(ValueError):
        render(cov, "xml")


@pytest.mark.parametrize("done, draft, total, bar", [
    (0, 0, 0, "··········"), (5, 0, 10, "█████░░░░░"), (2, 3, 10, "██▒▒▒░░░░░"), (10, 0, 10, "██████████"),
])
def test_text_bar(done: int, draft: int, total: int, bar: str) -> None:
    assert text_bar(done, draft, total, 10) == bar


def test_counts_alone_match_the_full_listing(tmp_path: Path) -> None:
    """The site computes counts without the rolled-up lists (``listing=False``): the numbers
    must be the report's, here and on a generated corpus with wanted notes three levels deep."""
    import sys

    bench = str(Path(__file__).resolve().parent.parent / "bench")
    sys.path.insert(0, bench)
    try:
        from gen_corpus import write_corpus
    finally:
        sys.path.remove(bench)
    write_corpus(tmp_path / "generated", 150, seed=4)
    for vault in (vault_of(tmp_path / "handwritten"), load_vault(tmp_path / "generated" / "notes")):
        full, counts = compute_coverage(vault), compute_coverage(vault, listing=False)
        assert [(r.topic.key, r.counts) for r in counts.topics] == [(r.topic.key, r.counts) for r in full.topics]
        assert counts.totals == full.totals and counts.wanted == full.wanted
        assert any(r.counts.wanted and r.counts.open_tasks and r.counts.markers for r in full.topics)
        assert all(not r.items and not r.wanted for r in counts.topics)
