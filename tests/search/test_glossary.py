"""The bilingual glossary and the 繁→简 / pinyin data the index ships (kbsite.search, pure)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from kbsite.search import SearchIndexBuilder, Segmenter, page_from_html
from kbsite.search import glossary
from kbsite.search import variants
from kbsite.search.variants import pinyin, release_pinyin, t2s_table
from kbtest import MKDOCS_YML, make_kb


def test_the_shipped_glossary_is_a_few_hundred_concepts_each_name_once() -> None:
    groups = glossary.shipped()
    assert len(groups) >= 300
    keys = Counter(glossary.key(name) for group in groups for name in group)
    assert [k for k, n in keys.items() if n > 1] == []  # no name stands for two concepts
    by_name = {glossary.key(name): group for group in groups for name in group}
    # The examples, each reachable from every one of its names.
    for names in (["speculative decoding", "投机解码", "推测解码"],
                  ["low-rank adaptation", "LoRA", "低秩适配"],
                  ["knowledge distillation", "KD", "知识蒸馏"],
                  ["reward model", "RM", "奖励模型"],
                  ["mixture of experts", "MoE", "混合专家"],
                  ["dropout", "随机失活"], ["tree of thoughts", "ToT", "思维树"]):
        group = by_name[glossary.key(names[0])]
        assert all(by_name[glossary.key(n)] is group for n in names), names


@pytest.mark.parametrize("text, message", [
    ("- [LoRA, 低秩适配]\n- LoRA\n", "glossary.yml:2: an entry is a list of names"),
    ("- [LoRA]\n", "glossary.yml:1: an entry needs two or more different names"),
    ("- [LoRA, lora]\n", "glossary.yml:1: an entry needs two or more different names"),
    ("- [LoRA, 低秩适配]\n- [a, [b]]\n", "glossary.yml:2: a name is a non-empty string"),
    ("lora: 低秩适配\n", "glossary.yml:1: a glossary is a list of entries"),
    ("- [LoRA, 低秩适配\n- [x, y]\n", "glossary.yml:2: not valid YAML"),
])
def test_a_bad_glossary_file_says_where(text: str, message: str) -> None:
    with pytest.raises(glossary.GlossaryError) as err:
        glossary.parse(text, "glossary.yml")
    assert str(err.value).startswith(message), str(err.value)


def test_entries_sharing_a_name_merge_and_the_first_file_leads() -> None:
    mine = glossary.parse("- [LoRA, 低秩微调]\n- [向量库, vector database]\n", "g.yml")
    merged = glossary.merge(mine, glossary.shipped())
    lora = next(g for g in merged if "LoRA" in g)
    assert lora[:2] == ("LoRA", "低秩微调") and "low-rank adaptation" in lora and "低秩适配" in lora
    assert next(g for g in merged if "向量库" in g) == ("向量库", "vector database", "向量数据库")
    assert len(merged) == len(glossary.shipped())  # both user lines joined shipped concepts


def test_only_concepts_the_notes_mention_reach_the_index() -> None:
    groups = glossary.parse("- [dropout, 随机失活]\n- [speculative decoding, 投机解码]\n"
                            "- [Tree-of-Thoughts, ToT, 思维树]\n", "g.yml")
    kept = glossary.relevant(groups, ["训练时用 Dropout 防止过拟合", "思维树 tree of thoughts"])
    assert [g[0] for g in kept] == ["dropout", "Tree-of-Thoughts"]  # hyphens and spaces alike


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text("ab 知识蒸馏x", min_size=1, max_size=5), max_size=12), st.text("ab 知识蒸馏x", max_size=40))
def test_present_finds_exactly_the_names_in_the_corpus(names: list[str], corpus: str) -> None:
    # The pair filter may only skip names that are not there (one character names included).
    assert glossary.present(names, corpus) == {n for n in names if n in corpus}


def test_t2s_pairs_cover_the_notes_characters_only() -> None:
    table = t2s_table(["参数高效微调与强化学习"])
    assert table["參"] == "参" and table["數"] == "数" and table["強"] == "强" and table["學"] == "学"
    assert "語" not in table  # 语 occurs nowhere in the notes
    assert t2s_table(["強化學習"])["學"] == "学"  # Traditional notes: a 简体 query finds them
    assert all(len(k) == len(v) for k, v in table.items())  # folding keeps offsets


def test_pinyin_keeps_other_readings_and_latin_words() -> None:
    assert pinyin("强化学习") == "qiang hua xue xi"
    assert pinyin("监督微调") == "jian du wei diao|tiao"  # 调: tiao here, pypinyin says diao
    assert pinyin("策略梯度").startswith("ce lve|lue ti")
    assert pinyin("KV 缓存") == "kv huan cun"
    assert pinyin("思维树（tot）") == "si wei shu tot"
    assert pinyin("LoRA") == ""  # nothing to spell


def test_pinyin_after_pypinyin_is_released() -> None:
    """``release_pinyin`` drops pypinyin; names already spelled stay, a new one imports it again."""
    spelled = pinyin("监督微调")
    loaded_here = variants._LOADED_HERE[0]
    if not loaded_here:  # another test's import: release only what kbsite loaded
        assert release_pinyin() is False and "pypinyin" in sys.modules
        variants._LOADED_HERE[0] = True  # as if kbsite had imported it
    assert release_pinyin() is True
    assert not [m for m in sys.modules if m.startswith("pypinyin")]
    assert pinyin("监督微调") == spelled  # kept
    assert "pypinyin" not in sys.modules
    assert pinyin("知识蒸馏") == "zhi shi zheng liu"  # a new name: pypinyin comes back
    assert "pypinyin" in sys.modules and variants._LOADED_HERE[0]


BUILD = """
import json, sys
from mkdocs.commands.build import build
from mkdocs.config import load_config
cfg = load_config(config_file=sys.argv[1])
cfg.plugins.on_startup(command="build", dirty=False)  # as `mkdocs build` does
build(cfg)
print(json.dumps([m for m in sys.modules if m.startswith("pypinyin")]))
"""


def test_mkdocs_build_spells_every_name_then_drops_pypinyin(tmp_path: Path) -> None:
    make_kb(tmp_path, {"notes/rl.md": "---\ntitle: 强化学习\naliases: [RL 基础]\n---\n正文。\n",
                       "notes/kd.md": "---\ntitle: 知识蒸馏\n---\n见 [[强化学习]]。\n"})
    run = subprocess.run([sys.executable, "-c", BUILD, str(tmp_path / "mkdocs.yml")],
                         capture_output=True, text=True, check=True)
    assert json.loads(run.stdout.strip().splitlines()[-1]) == []  # gone by the end of the build
    index = "".join(p.read_text("utf-8") for p in (tmp_path / "site/search").rglob("*.json"))
    for spelled in ("qiang hua xue xi", "rl ji chu", "zhi shi zheng liu"):
        assert spelled in index


def test_the_index_ships_the_mentioned_concepts_t2s_and_pinyin() -> None:
    b = SearchIndexBuilder(Segmenter())
    b.add(page_from_html("d/", "3.dropout", "<p>训练时以概率 p 把神经元置零。</p>"))
    b.add(page_from_html("r/", "强化学习", "<p>智能体根据奖励学习策略。</p>", aliases=["RL 基础"]))
    docs = b.data()["docs"]
    assert ["dropout", "随机失活", "丢弃法"] in docs["glossary"]
    assert ["reinforcement learning", "RL", "强化学习"] in docs["glossary"]
    assert not any("投机解码" in g for g in docs["glossary"])  # not mentioned: not shipped
    assert "随机失活" in docs["words"].split(" ")[: docs["domain"]]  # a query keeps it whole
    pairs = dict(zip(docs["t2s"][::2], docs["t2s"][1::2]))
    assert pairs["強"] == "强" and pairs["習"] == "习"
    rows = {row[0]: row for row in docs["pages"]}
    assert rows["r/"][6] == ["qiang hua xue xi", "rl ji chu"] and len(rows["d/"]) == 5
    # Without a glossary nothing of it is shipped.
    empty = SearchIndexBuilder(Segmenter(), glossary=[])
    empty.add(page_from_html("d/", "3.dropout", "<p>dropout</p>"))
    assert empty.data()["docs"]["glossary"] == []


def test_a_project_glossary_file_extends_the_shipped_one(kb) -> None:  # type: ignore[no-untyped-def]
    yml = MKDOCS_YML.replace("  - kbsite\n", "  - kbsite:\n      search_glossary: glossary.yml\n")
    notes = {"notes/kv.md": "# 向量库选型\n\nMilvus 与 Qdrant 的对比。\n",
             "glossary.yml": "# 我们的叫法\n- [向量库, vector store]\n"}
    result = kb(notes, mkdocs_yml=yml)
    index = json.loads((result.site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert ["向量库", "vector store"] in index["docs"]["glossary"]


def test_a_bad_project_glossary_stops_the_build_with_its_line(kb, caplog) -> None:  # type: ignore[no-untyped-def]
    from mkdocs.exceptions import Abort

    yml = MKDOCS_YML.replace("  - kbsite\n", "  - kbsite:\n      search_glossary: glossary.yml\n")
    with pytest.raises(Abort):
        kb({"notes/a.md": "# A\n", "glossary.yml": "- [a, b]\n\n- [c]\n"}, mkdocs_yml=yml)
    assert "search_glossary: glossary.yml:3: an entry needs two or more different names" in caplog.text


def test_a_glossary_outside_the_project_is_refused(kb, caplog, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    from mkdocs.exceptions import Abort

    outside = tmp_path_factory.mktemp("elsewhere") / "g.yml"
    outside.write_text("- [a, b]\n", encoding="utf-8")
    yml = MKDOCS_YML.replace("  - kbsite\n", f"  - kbsite:\n      search_glossary: {outside}\n")
    with pytest.raises(Abort):
        kb({"notes/a.md": "# A\n"}, mkdocs_yml=yml)
    assert "is outside the project" in caplog.text and "reads nothing outside it" in caplog.text
