"""core + cli: ``kbsite import`` on the real seed 000 outline and on small outlines."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kbsite.cli import main
from kbsite.core.outline import parse_outline
from kbtest import make_kb

SEED = Path("/work/shared/seeds/000_46d8775827c9c572.txt")
REPO_SEED = Path(__file__).resolve().parent / "fixtures" / "outline-000.txt"

# Written by hand from reading the seed: (number, title, parent topic number).
TOPICS = [
    ("1", "大模型相关技术", None),
    ("1.1", "Superalignment", "1"),
    ("1.2", "RLHF", "1"),
    ("1.3", "幻觉抑制", "1"),
    ("1.4", "RAG", "1"),
    ("1.5", "推理加速", "1"),
    ("1.6", "模型压缩与量化", "1"),
    ("1.7", "多模态", "1"),
    ("1.8", "Openai Papers", "1"),
    ("2", "模型加速", None),
]
# (number, title, year, topic number, status, aliases, tags, venue)
PAPERS = [
    ("1.1.1", "Deep Reinforcement Learning from Human Preferences", 2023, "1.1", "draft", [], [], None),
    ("1.1.2", "Reward Learning from Human Preferences and Demonstrations in Atari", 2018, "1.1", "todo", [], [], None),
    ("1.1.3", "Align Before Fuse: Vision and Language Representation Learning with Momentum Distillation", 2021, "1.1", "todo", [], [], None),
    ("1.1.4", "Fine-Grained Semantically Aligned Vision-Language Pre-Training", 2022, "1.1", "todo", [], [], None),
    ("1.1.5", "Scaling Up Visual and Vision-Language Representation Learning With Noisy Text Supervision", 2021, "1.1", "todo", [], [], None),
    ("1.1.6", "PyramidCLIP: Hierarchical Feature Alignment for Vision-Language Model Pretraining", 2022, "1.1", "todo", [], [], None),
    ("1.1.7", "FLAVA: A Foundational Language And Vision Alignment Model", 2022, "1.1", "todo", [], [], None),
    ("1.2.1", "Fine-Tuning Language Models from Human Preference", 2017, "1.2", "todo", [], [], None),
    ("1.2.2", "Learning to Summarize with Human Feedback", 2020, "1.2", "todo", [], [], None),
    ("1.3.1", "Faithful and Controllable Summarization", 2020, "1.3", "todo", [], [], None),
    ("1.3.2", "Reducing Transformer Depth on Demand with Structured Dropout", 2020, "1.3", "todo", [], [], None),
    ("1.4.1", "REALM: Retrieval-Augmented Language Model Pre-Training", 2020, "1.4", "todo", [], [], None),
    ("1.4.2", "RAG: Retrieval-Augmented Generation for Knowledge-Intensive NLP Tasks", 2020, "1.4", "todo", [], [], None),
    ("1.5.1", "Knowledge Distillation: A Survey", 2021, "1.5", "todo", [], [], None),
    ("1.5.2", "LayerDrop: Structured Dropout with Conditional Computation", 2019, "1.5", "todo", [], [], None),
    ("1.6.1", "Distilling the Knowledge in a Neural Network", 2015, "1.6", "todo", [], [], None),
    ("1.6.2", "Deep Compression: Compressing Deep Neural Networks with Pruning, Trained Quantization and Huffman Coding", 2016, "1.6", "todo", [], [], None),
    ("1.7.1", "ViLBERT: Pretraining Task-Agnostic Visiolinguistic Representations for Vision-And-Language Tasks", None, "1.7", "todo", [], [], None),
    ("1.7.2", "Multimodal Transformers: Vision-And-Language Pretraining with Limited Data", 2020, "1.7", "todo", [], [], None),
    ("1.8.1", "Improving Language Understanding by Generative Pre-Training", 2018, "1.8", "todo", ["Gpt1"], ["GPT系列"], None),
    ("1.8.2", "Language Models Are Unsupervised Multitask Learners", 2019, "1.8", "todo", ["Gpt2"], ["GPT系列"], None),
    ("1.8.3", "Language Models Are Few-Shot Learners", 2020, "1.8", "todo", ["Gpt3"], ["GPT系列"], None),
    ("1.8.4", "Zero-Shot Text-To-Image Generation", 2021, "1.8", "todo", ["DALL-E"], ["DALL-E系列"], None),
    ("1.8.5", "Hierarchical Text-Conditional Image Generation with CLIP Latents", 2022, "1.8", "todo", ["DALL-E2"], ["DALL-E系列"], None),
    ("1.8.6", "Learning Transferable Visual Models From Natural Language Supervision", 2021, "1.8", "todo", ["CLIP"], [], None),
    ("1.8.7", "Playing Atari with Deep Reinforcement Learning", 2013, "1.8", "todo", [], ["Reinforcement Learning系列"], None),
    ("1.8.8", "Learning Dexterous In-Hand Manipulation", 2018, "1.8", "todo", [], ["Reinforcement Learning系列"], None),
    ("1.8.9", "OpenAI Five", 2019, "1.8", "todo", [], ["Reinforcement Learning系列"], None),
    ("1.8.10", "Aligning Superhuman AI with Human Intentions: A Bayesian Approach", 2019, "1.8", "todo", [], ["安全性与对齐"], None),
    ("1.8.11", "AI Safety Via Debate", 2019, "1.8", "todo", [], ["安全性与对齐"], None),
    ("1.8.12", "AI and Compute", 2018, "1.8", "todo", [], ["AI Policy与影响力"], None),
    ("2.1", "Rethinking the Value of Network Pruning", 2019, "2", "draft", [], [], "ICLR"),
    ("2.2", "Neural Network Pruning with Residual-Connections and Limited-Data", 2020, "2", "draft", [], [], "CVPR"),
]
# The "todo" lines of the two-column block, each for the last entry of its own column.
TODO_LINES = {"1.1.3", "1.4.2", "1.5.1", "1.5.2", "1.2.1", "1.6.1", "1.2.2", "1.6.2", "1.3.1", "1.3.2",
              "1.7.1", "1.4.1", "1.7.2"}


def seed_text() -> str:
    path = REPO_SEED if REPO_SEED.is_file() else SEED
    if not path.is_file():
        pytest.fail(f"seed outline 000 is missing: {REPO_SEED}")
    return path.read_text(encoding="utf-8")


def test_seed_topics_and_papers_match_the_hand_made_list() -> None:
    outline = parse_outline(seed_text())
    topics = [(t.number, t.title, (outline.topic_of(t).number if outline.topic_of(t) else None))
              for t in outline.topics]
    assert sorted(topics) == sorted(TOPICS)
    papers = []
    for p in outline.papers:
        topic = outline.topic_of(p)
        papers.append((p.number, p.title, p.year, topic.number if topic else None, p.status, p.aliases,
                       p.tags, p.venue))
    assert sorted(papers) == sorted(PAPERS)
    assert {p.number for p in outline.papers if p.todo} == TODO_LINES
    assert outline.preamble[0] == "知识点总结" and "2024 年 8 月 14 日" in outline.preamble


def test_seed_text_under_an_entry_becomes_its_body() -> None:
    outline = parse_outline(seed_text())
    by = outline.by_number()
    assert by["1.1.1"].body[0].startswith("这篇题为《从人类偏好中学习的深度强化学习》")
    # Numbered section headings inside a paper become Markdown headings of its body.
    assert "## 创新点" in by["2.1"].body
    assert "## 有限数据集剪枝的策略" in by["2.2"].body
    # The tab-separated table inside 2.2 stays text of 2.2 (it is not two columns of entries).
    assert any(line.startswith("特性\t结构化剪枝") for line in by["2.2"].body)
    assert not by["1.1.2"].body and not by["1.4.2"].body


def test_seed_import_into_an_empty_kb_writes_every_note(tmp_path: Path) -> None:
    make_kb(tmp_path, {})
    (tmp_path / "seed.txt").write_text(seed_text(), encoding="utf-8")
    runner = CliRunner()
    dry = runner.invoke(main, ["import", "--config", str(tmp_path / "mkdocs.yml"), str(tmp_path / "seed.txt")])
    assert dry.exit_code == 0, dry.output
    assert "43 to create, 0 skipped" in dry.stdout and "dry run" in dry.stdout
    assert not list((tmp_path / "notes").rglob("*.md"))  # nothing written
    wet = runner.invoke(main, ["import", "-f", str(tmp_path / "mkdocs.yml"), str(tmp_path / "seed.txt"), "--write"])
    assert wet.exit_code == 0, wet.output
    assert "wrote 43 notes" in wet.stdout
    check = runner.invoke(main, ["check", "-f", str(tmp_path / "mkdocs.yml")])
    assert check.exit_code == 0 and "43 notes, 10 topics: 0 errors, 0 warnings" in check.stdout
    lora = (tmp_path / "notes" / "papers" / "paper-gpt1.md").read_text(encoding="utf-8")
    assert 'title: "Improving Language Understanding by Generative Pre-Training"' in lora
    assert 'topics: ["openai-papers"]' in lora and "year: 2018" in lora and "status: todo" in lora
    assert (tmp_path / "notes" / "topics" / "推理加速.md").read_text(encoding="utf-8").count('parent: "大模型相关技术"') == 1
    # Importing again creates nothing and overwrites nothing.
    before = {p: p.read_bytes() for p in (tmp_path / "notes").rglob("*.md")}
    again = runner.invoke(main, ["import", "-f", str(tmp_path / "mkdocs.yml"), str(tmp_path / "seed.txt"), "--write"])
    assert again.exit_code == 0 and "0 to create, 43 skipped" in again.stdout
    assert {p: p.read_bytes() for p in (tmp_path / "notes").rglob("*.md")} == before


SMALL = "1 检索\n1.1 Dense Passage Retrieval, 2020\ntodo\n1.2 ColBERT, 2020\n我读过的总结。\n1.3 A New Paper, 2024\n"


def test_existing_note_by_title_or_alias_is_skipped_and_kept(tmp_path: Path) -> None:
    make_kb(tmp_path, {
        "notes/papers/dpr.md": "---\ntitle: Dense Passage Retrieval\n---\n原有内容\n",
        "notes/papers/colbert.md": "---\ntitle: ColBERT paper\naliases: [ColBERT]\n---\n原有内容\n",
    })
    (tmp_path / "o.txt").write_text(SMALL, encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "-f", str(tmp_path / "mkdocs.yml"), str(tmp_path / "o.txt"), "--write"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "skip    论文 1.1 Dense Passage Retrieval: exists: notes/papers/dpr.md (title 'Dense Passage Retrieval')" in out
    assert "skip    论文 1.2 ColBERT: exists: notes/papers/colbert.md (title 'ColBERT')" in out
    assert "create  论文 1.3 papers/paper-a-new-paper.md" in out
    assert (tmp_path / "notes/papers/dpr.md").read_text(encoding="utf-8").endswith("原有内容\n")
    assert "status: todo" in (tmp_path / "notes/papers/paper-a-new-paper.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("text, expected", [
    # A yearless leaf next to papers is a paper; a heading with children is a topic.
    ("1 T\n1.1 A, 2020\n1.2 B without year\n", [("1", "topic"), ("1.1", "paper"), ("1.2", "paper")]),
    # Text under an entry makes it a draft; a "todo" line does not.
    ("1 T\n1.1 A, 2020\ntodo\n1.2 B, 2021\nsummary\n", [("1", "topic"), ("1.1", "paper"), ("1.2", "paper")]),
    # "2024 年" is not a heading; stray numbers without a parent are text.
    ("2024 年 8 月\n1 T\n1.1 A, 2020\n3.4 not a heading\n", [("1", "topic"), ("1.1", "paper")]),
])
def test_small_outlines(text: str, expected: list[tuple[str, str]]) -> None:
    outline = parse_outline(text)
    assert [(n.number, n.kind) for n in outline.nodes] == expected


def test_status_from_text_under_entry() -> None:
    outline = parse_outline("1 T\n1.1 A, 2020\ntodo\n1.2 B, 2021\nsummary\n")
    assert [(p.title, p.status, p.todo) for p in outline.papers] == [("A", "todo", True), ("B", "draft", False)]


def test_two_columns_todo_belongs_to_its_column() -> None:
    text = "1 L\n1.1 Left A, 2020\tR\n2 R\n1.2 Left B, 2021\t2.1 Right A, 2019\ntodo\t\n\ttodo\n"
    outline = parse_outline(text.replace("\tR\n2 R", "\t2 R"))
    by = outline.by_number()
    assert by["1.2"].todo and by["2.1"].todo and not by["1.1"].todo
    assert outline.topic_of(by["2.1"]).number == "2"
