"""cli + core: ``kbsite new`` writes complete front matter and never overwrites or reuses names."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kbsite.cli import main
from kbsite.core.newnote import derive_id, slug_words
from kbsite.core.parse import parse_note
from kbtest import make_kb

EXISTING = {
    "notes/topics/pruning.md": "---\nid: pruning\ntitle: 剪枝\ntype: topic\n---\n",
    "notes/papers/lora.md": "---\nid: paper-lora\ntitle: LoRA\naliases: [低秩适配]\n---\n",
}


@pytest.fixture
def config(tmp_path: Path) -> str:
    make_kb(tmp_path, EXISTING)
    return str(tmp_path / "mkdocs.yml")


def new(config: str, *args: str):
    return CliRunner().invoke(main, ["new", "--config", config, *args])


def test_new_paper_has_complete_front_matter(config: str, tmp_path: Path) -> None:
    result = new(config, "LayerDrop: Structured Dropout", "--topic", "剪枝", "--alias", "层丢弃", "--year", "2019")
    assert result.exit_code == 0, result.output
    path = tmp_path / "notes" / "papers" / "paper-layerdrop.md"
    assert result.stdout.strip().endswith("notes/papers/paper-layerdrop.md")
    note, diags = parse_note("papers/paper-layerdrop.md", path.read_bytes())
    assert diags == []
    assert (note.id, note.title, note.type, note.status, note.year) == (
        "paper-layerdrop", "LayerDrop: Structured Dropout", "paper", "todo", 2019)
    assert note.topics == ("pruning",) and note.aliases == ("层丢弃",) and not note.status_inferred
    text = path.read_text(encoding="utf-8")
    for key in ("tags: []", "authors: []", "related: []"):
        assert key in text
    assert new(config, "Check it", "--type", "concept").exit_code == 0
    assert (tmp_path / "notes" / "concepts" / "check-it.md").is_file()


def test_new_topic_goes_to_topics_with_parent(config: str, tmp_path: Path) -> None:
    result = new(config, "结构化剪枝", "--type", "topic", "--topic", "pruning")
    assert result.exit_code == 0, result.output
    note, diags = parse_note("topics/结构化剪枝.md", (tmp_path / "notes/topics/结构化剪枝.md").read_bytes())
    assert diags == [] and note.type == "topic" and note.parent == "pruning"


@pytest.mark.parametrize("args, message", [
    (["LoRA", "--id", "lora-again"], "title 'LoRA' is already used by note 'paper-lora'"),
    (["Other", "--alias", "低秩适配"], "alias '低秩适配' is already used by note 'paper-lora'"),
    (["Other", "--id", "paper-lora"], "id 'paper-lora' is already used by note 'paper-lora'"),
    (["Other", "--id", "../../x"], "is not a safe slug"),
    (["  "], "the title is empty"),
])
def test_new_refuses_to_reuse(config: str, tmp_path: Path, args: list[str], message: str) -> None:
    before = sorted(p.name for p in (tmp_path / "notes").rglob("*.md"))
    result = new(config, *args)
    assert result.exit_code == 1 and message in result.stderr
    assert sorted(p.name for p in (tmp_path / "notes").rglob("*.md")) == before


def test_new_never_overwrites_a_file(config: str, tmp_path: Path) -> None:
    # A file that is not a note of the vault yet (e.g. hidden by a parse error) still blocks.
    target = tmp_path / "notes" / "papers" / "paper-x.md"
    target.write_text("---\nid: something-else\ntitle: 不同\n---\n手写内容\n", encoding="utf-8")
    result = new(config, "X")
    assert result.exit_code == 1 and "already exists" in result.stderr
    assert target.read_text(encoding="utf-8").endswith("手写内容\n")
    first = new(config, "Stable Title")
    second = new(config, "Stable Title")
    assert first.exit_code == 0 and second.exit_code == 1


@pytest.mark.parametrize("title, kind, expected", [
    ("LayerDrop: Structured Dropout with Conditional Computation", "paper", "paper-layerdrop"),
    ("Deep Reinforcement Learning from Human Preferences", "paper", "paper-deep-reinforcement-learning-from-human-preferences"),
    ("Knowledge Distillation: A Survey", "paper", "paper-knowledge-distillation"),
    ("知识蒸馏", "concept", "知识蒸馏"),
    ("Paper-Prefixed", "paper", "paper-prefixed"),
])
def test_derive_id_is_stable(title: str, kind: str, expected: str) -> None:
    assert derive_id(title, kind) == expected
    assert derive_id(title, kind) == derive_id(title, kind)


def test_slug_words_short_name() -> None:
    assert slug_words("CLIP") == "clip"
