"""The knowledge base is written in the owner's own voice.

The notes grew out of the owner's raw reading notes. Early drafts talked about that material in the
third person ("用户笔记", "种子资料", "用户课程概览", "在用户笔记中的位置" ...), as if someone else had
written it. This test keeps that wording out of notes/: a note refers to its source as 我的原始笔记 /
课程笔记 / 读书笔记, or names the paper or article directly.

Only phrases that point at a *source* are flagged. The plain word 用户 in its technical sense
(用户意图, 返回给用户, 每个用户的数据) and 随机种子 (a random seed) are fine.
"""

from __future__ import annotations

import re
from pathlib import Path

NOTES = Path(__file__).resolve().parent.parent / "notes"

# "用户" followed (optionally via 的 / 种子) by a word for notes or source material, or "用户在" + such a word.
_USER_SOURCE = r"用户(?:的)?(?:种子)?(?:笔记|课程|资料|材料|文章|概览)|用户在(?:课程|笔记|读书|资料)"
# "种子" used as "the seed material": 种子笔记 / 种子资料 / 种子中 / 种子提到 / 笔记种子 / 来自种子 ...
_SEED_SOURCE = (
    r"(?<!随机)种子(?:笔记|资料|材料|文章|文本|内容|来源|中|里|提到|给出|引用|记|写|所|的笔记)"
    r"|(?:笔记|用户|原始)种子|来自种子|(?:seed|种子)\s*(?:笔记|notes?)\b"
)
# Material handed to the writer rather than written by the owner: 提供的资料 / 所给材料 / 原始素材 ...
_GIVEN_SOURCE = r"(?:提供|所给)的?(?:笔记|资料|材料|素材)|原始(?:资料|材料|素材)"
SOURCE_PATTERN = re.compile(f"{_USER_SOURCE}|{_SEED_SOURCE}|{_GIVEN_SOURCE}", re.IGNORECASE)

# Lines the old notes really contained: each must be caught, so the pattern cannot silently rot.
OLD_WORDING = [
    "## 在用户笔记中的位置",
    "## 在用户笔记中的出现",
    "## 一个评测结论（来自种子资料）",
    "用户课程概览把它作为\"模型部署\"一节的延伸阅读。",
    "用户在课程概览里把它作为\"多模态数据融合\"的延伸阅读。",
    "种子笔记没有讲 QLoRA，本条根据论文本身整理。",
    "用户种子笔记没有直接讨论它，只在 DeepSeek-R1 的介绍里出现。",
    "种子中英飞流的文章在 MLDR 长文档检索数据集上",
    "种子提到 Anthropic 的 RLHF 研究中取 β = 0.001 效果最好。",
    "笔记种子里写它\"原本设计用于语音模型的微调\"",
    "按用户笔记整理的 Llama 3 报告：",
    "种子材料提到 Llama 3 405B 的 SFT 学习率为 1e-5",
    # The same idea in other words: the source as something handed over.
    "根据提供的资料，Llama 3 用了 GQA。",
    "原始材料里没有给出 β 的取值。",
    "所给笔记只列了标题。",
]

# Technical uses of the same characters that must stay allowed.
LEGITIMATE = [
    "对齐让模型按用户真正想要的去做，理解用户意图。",
    "交叉编码器逐条打分重排，取前几条返回给用户。",
    "每个用户的数据分布差别很大。",
    "只需保存初始化的随机种子和每个检查点的压缩结果。",
    "用户画一条运动路线，Tora 生成的视频里对应物体就沿这条路线运动。",
    "我的原始笔记没有讲 QLoRA；课程笔记把它列为延伸阅读。",
    "幻觉指输出与事实、与给定材料或与自身前文不符。",
]


def _offending_lines() -> list[str]:
    hits = []
    for path in sorted(NOTES.rglob("*.md")):
        text = path.read_text(encoding="utf-8-sig")
        for lineno, line in enumerate(text.splitlines(), start=1):
            if SOURCE_PATTERN.search(line):
                hits.append(f"{path.relative_to(NOTES.parent)}:{lineno}: {line.strip()[:120]}")
    return hits


def test_pattern_catches_the_old_wording() -> None:
    missed = [line for line in OLD_WORDING if not SOURCE_PATTERN.search(line)]
    assert not missed, f"pattern no longer catches: {missed}"


def test_pattern_allows_technical_uses() -> None:
    flagged = [line for line in LEGITIMATE if SOURCE_PATTERN.search(line)]
    assert not flagged, f"pattern flags legitimate text: {flagged}"


def test_notes_exist() -> None:
    assert len(list(NOTES.rglob("*.md"))) > 100, f"expected the knowledge base under {NOTES}"


def test_notes_speak_in_the_owners_voice() -> None:
    hits = _offending_lines()
    assert not hits, (
        "notes refer to their source material in the third person; write 我的原始笔记 / 课程笔记 / "
        "读书笔记, or name the source directly:\n" + "\n".join(hits)
    )


# --- A `done` note must really be finished -------------------------------------------------------
#
# `status: done` is what the coverage report counts, so it has to tell the truth: a done note has
# at least MIN_DONE_BODY characters of body (front matter excluded, surrounding whitespace
# stripped), and a done paper carries the metadata a reader needs to find the paper.

MIN_DONE_BODY = 800
PAPER_FIELDS = ("year", "venue", "authors", "url")

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.DOTALL)


def _split(text: str) -> tuple[dict, str]:
    """Front matter (parsed YAML, {} when absent or unreadable) and body of a note."""
    import yaml

    text = text.lstrip("\ufeff")
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError:
        meta = {}
    return (meta if isinstance(meta, dict) else {}), match.group(2)


def _too_short(text: str) -> int | None:
    """Body length of a done note that is under MIN_DONE_BODY, else None."""
    meta, body = _split(text)
    if str(meta.get("status", "")).strip().lower() != "done":
        return None
    length = len(body.strip())
    return length if length < MIN_DONE_BODY else None


def _missing_paper_fields(text: str) -> list[str]:
    """Metadata fields a done paper lacks (empty values count as missing)."""
    meta, _ = _split(text)
    if str(meta.get("status", "")).strip().lower() != "done" or meta.get("type") != "paper":
        return []
    missing = []
    for field in PAPER_FIELDS:
        value = meta.get(field)
        if value is None or (isinstance(value, (str, list)) and not value) or value == [None]:
            missing.append(field)
        elif field == "url" and not str(value).startswith(("http://", "https://")):
            missing.append(field)
    return missing


_GOOD_PAPER = (
    "---\ntitle: X\ntype: paper\nstatus: done\nyear: 2024\nvenue: ICML 2024\n"
    "authors: [A. Author]\nurl: https://arxiv.org/abs/0000.00000\n---\n\n# X\n\n" + "正文。" * 300
)


def test_length_check_catches_a_short_done_note() -> None:
    short = "---\ntitle: X\nstatus: done\n---\n\n# X\n\n" + "字" * 790
    # Front matter does not count: a long YAML block cannot pad a short body.
    padded = "---\ntitle: X\nstatus: done\ntags: [" + ", ".join(["标签"] * 400) + "]\n---\n\n短正文。\n"
    assert _too_short(short) is not None
    assert _too_short(padded) is not None
    assert _too_short(short.replace("status: done", "status: draft")) is None
    assert _too_short(_GOOD_PAPER) is None


def test_metadata_check_catches_an_incomplete_done_paper() -> None:
    assert _missing_paper_fields(_GOOD_PAPER) == []
    assert _missing_paper_fields(_GOOD_PAPER.replace("venue: ICML 2024\n", "")) == ["venue"]
    assert _missing_paper_fields(_GOOD_PAPER.replace("[A. Author]", "[]")) == ["authors"]
    assert _missing_paper_fields(_GOOD_PAPER.replace("https://arxiv.org/abs/0000.00000", "待核实")) == ["url"]
    assert _missing_paper_fields(_GOOD_PAPER.replace("year: 2024\n", "").replace("status: done", "status: draft")) == []
    # Only papers are held to the paper fields.
    assert _missing_paper_fields(_GOOD_PAPER.replace("type: paper", "type: model").replace("year: 2024\n", "")) == []


def test_every_done_note_has_a_real_body() -> None:
    short = []
    for path in sorted(NOTES.rglob("*.md")):
        length = _too_short(path.read_text(encoding="utf-8-sig"))
        if length is not None:
            short.append(f"{path.relative_to(NOTES.parent)}: {length} characters")
    assert not short, (
        f"done notes with under {MIN_DONE_BODY} characters of body; expand them or set them back to "
        "draft:\n" + "\n".join(short)
    )


def test_every_done_paper_has_its_metadata() -> None:
    incomplete = []
    for path in sorted(NOTES.rglob("*.md")):
        missing = _missing_paper_fields(path.read_text(encoding="utf-8-sig"))
        if missing:
            incomplete.append(f"{path.relative_to(NOTES.parent)}: missing {', '.join(missing)}")
    assert not incomplete, "done papers without year / venue / authors / url:\n" + "\n".join(incomplete)


def test_admonition_titles_use_straight_quotes() -> None:
    """Curly quotes are for prose; `!!! note “标题”` is not an admonition to Python-Markdown and
    shows as a raw line."""
    import re

    bad = [f"{path.relative_to(NOTES.parent).as_posix()}:{i}: {line}"
           for path in sorted(NOTES.rglob("*.md"))
           for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
           if re.match(r"^(!!!|\?\?\?\+?) ?[\w-]+ +[“”]", line)]
    assert not bad, "\n".join(bad)


# --- Chinese prose uses curly quotes ---------------------------------------------------------------
#
# One convention for quotation marks in Chinese prose: “…”. A straight "…" pair that holds CJK
# fails, outside code, math, front matter, URLs, HTML and admonition titles (tests/prose_quotes.py
# finds them, and converts a folder with --write).

QUOTE_GUARD_FOLDERS = ("concepts", "models", "papers", "techniques", "topics")


def test_quote_guard_covers_every_notes_folder() -> None:
    folders = {p.name for p in NOTES.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))}
    assert set(QUOTE_GUARD_FOLDERS) == folders, sorted(folders)


_QUOTES_SAMPLE = """\
---
title: "引号"
aliases: ["直引号 \\"别名\\""]
---

# 引号

正文里写"直引号"要报错，写“弯引号”不报错。
代码 `print("代码里的引号")` 与公式 $\\text{"数学"}$ 不算；链接 [论文](https://x.org/a "标题") 也不算。

```python
s = "围栏代码里的中文"
```

$$
\\text{"块级公式"}
$$

!!! note "提示框标题"
    提示框正文里的"直引号"也要报错。

<span title="属性里的中文">HTML 属性</span>，英文的 "quoted word" 不含中文，不算。
"""


def test_quote_check_finds_straight_pairs_in_prose_only() -> None:
    from prose_quotes import straight_pairs

    found = [(p.line, p.text) for p in straight_pairs(_QUOTES_SAMPLE) if p.has_cjk]
    assert found == [(8, "直引号"), (20, "直引号")]


def test_quote_fix_converts_prose_and_leaves_the_rest() -> None:
    from prose_quotes import curly, straight_pairs

    fixed = curly(_QUOTES_SAMPLE)
    assert [p for p in straight_pairs(fixed) if p.has_cjk] == []
    assert "写“直引号”要报错" in fixed and "正文里的“直引号”也要" in fixed
    # A quoted English word inside Chinese prose takes the Chinese marks too.
    assert "英文的 “quoted word” 不含中文" in fixed
    for kept in ('print("代码里的引号")', '"数学"', '"标题")', 's = "围栏代码里的中文"', '"块级公式"',
                 '!!! note "提示框标题"', 'title="属性里的中文"', 'aliases: ["直引号 \\"别名\\""]'):
        assert kept in fixed, kept


def test_chinese_prose_uses_curly_quotes() -> None:
    from prose_quotes import straight_pairs

    hits = []
    for folder in QUOTE_GUARD_FOLDERS:
        for path in sorted((NOTES / folder).rglob("*.md")):
            for pair in straight_pairs(path.read_text(encoding="utf-8")):
                if pair.has_cjk:
                    hits.append(f"{path.relative_to(NOTES.parent).as_posix()}:{pair.line}: \"{pair.text[:60]}\"")
    assert not hits, (
        "straight quotes around Chinese prose; write “…” (python tests/prose_quotes.py --write "
        "notes/<folder> converts them):\n" + "\n".join(hits)
    )
