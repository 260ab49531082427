"""The search worker's matching and ranking, run in Node (the same file the browser loads)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from kbsite.plugin.search import WORKER_FILE
from kbsite.search import SearchIndexBuilder, Segmenter, page_from_html

NODE = shutil.which("node")


def _index() -> dict:
    b = SearchIndexBuilder(Segmenter())
    b.add(page_from_html("kd/", "知识蒸馏", "<p>学生模型模仿教师的软标签。</p><h2 id='t'>温度</h2><p>温度让分布平缓</p>",
                         aliases=["KD", "Knowledge Distillation", "模型蒸馏"], links=3))
    b.add(page_from_html("temp/", "蒸馏温度", "<p>知识蒸馏里最关键的超参数 &lt;T&gt;。</p>"))
    b.add(page_from_html("kv/", "KV Cache", "<p>缓存历史 token 的 K 和 V，即 KV 缓存。</p>",
                         aliases=["键值缓存"]))
    b.add(page_from_html("lora/", "LoRA", "<p>LoRA 微调只训练低秩增量。</p>", aliases=["低秩适配"]))
    b.add(page_from_html("sp/", "2:4 稀疏", "<p>每 4 个权重中保留 2 个。</p>"))
    b.add(page_from_html("llama/", "Llama 3", "<p>Meta 的开源模型。</p>"))
    return b.data()


def _run(tmp_path: Path, data: dict, queries: list[str]) -> dict[str, list[list[dict]]]:
    if NODE is None:
        pytest.fail("node is missing: run the tests through scripts/test.sh, which installs it")
    (tmp_path / "index.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    script = f"""
      const w = require({json.dumps(str(WORKER_FILE))})
      const idx = require({json.dumps(str(tmp_path / "index.json"))})
      const ready = w.handler({{type: 0, data: {{config: idx.config, docs: idx.docs}}}})
      if (ready.type !== 1) throw new Error("not ready")
      const out = {{}}
      for (const q of {json.dumps(queries, ensure_ascii=False)}) out[q] = w.handler({{type: 2, data: q}}).data.items
      console.log(JSON.stringify(out))
    """
    proc = subprocess.run([NODE, "-e", script], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def _search(tmp_path: Path, queries: list[str]) -> dict[str, list[list[dict]]]:
    return _run(tmp_path, _index(), queries)


def _top(items: list[list[dict]]) -> list[str]:
    return [group[0]["location"] for group in items]


def test_queries_match_like_a_reader_expects(tmp_path: Path) -> None:
    res = _search(tmp_path, ["知识蒸馏", "蒸馏", "KD", "模型蒸馏", "KV缓存", "ＬｏＲＡ微调", "2:4稀疏",
                             "llama3", "识蒸", "键值缓存", "knowledge distill", "魑魅魍魉"])
    assert _top(res["知识蒸馏"])[0] == "kd/"
    assert _top(res["蒸馏"])[0] == "kd/"  # head-final: 知识蒸馏 is a kind of 蒸馏
    assert _top(res["KD"]) == ["kd/", "temp/"]  # temp/ says 知识蒸馏: KD names it (glossary)
    assert _top(res["模型蒸馏"])[0] == "kd/"  # alias only in front matter
    assert _top(res["KV缓存"])[0] == "kv/"
    assert _top(res["ＬｏＲＡ微调"])[0] == "lora/"  # full-width, mixed, no space
    assert _top(res["2:4稀疏"])[0] == "sp/"
    assert _top(res["llama3"])[0] == "llama/"
    assert _top(res["识蒸"])[0] == "kd/"  # any substring
    assert _top(res["键值缓存"])[0] == "kv/"
    assert _top(res["knowledge distill"])[0] == "kd/"  # word prefixes
    assert res["魑魅魍魉"] == []


def test_results_have_materials_shape_and_safe_highlights(tmp_path: Path) -> None:
    res = _search(tmp_path, ["温度", "KD", "超参数"])
    assert _top(res["温度"])[:2] == ["temp/", "kd/"]  # 蒸馏温度 is a kind of 温度
    article, *sections = res["温度"][1]
    assert set(article) >= {"location", "title", "text", "score", "terms"}
    assert article["terms"] == {"温度": True}
    assert "<mark>温度</mark>" in article["text"]
    assert sections and sections[0]["location"] == "kd/#t" and sections[0]["score"] < article["score"]
    assert "<mark>KD</mark>" in res["KD"][0][0]["text"]  # the alias that matched is shown
    text = res["超参数"][0][0]["text"]
    assert "&lt;T&gt;" in text and "<T>" not in text  # text is escaped, only <mark> is markup


# ---- Ranking rules (issue 14): each case is a small index where today's reader expectation and
# the old scoring disagreed. Filler pages give the common words (模型, 方法) a low weight.

FILLER = [
    page_from_html("f1/", "训练技巧", "<p>模型训练的常见方法，包括学习率和批大小。</p>"),
    page_from_html("f2/", "评测", "<p>评测模型的方法有很多。</p>"),
    page_from_html("f3/", "数据", "<p>数据清洗方法与模型效果。</p>"),
    page_from_html("f4/", "推理", "<p>推理时的模型部署方法。</p>"),
]


def _rank(tmp_path: Path, pages: list, query: str) -> list[str]:
    b = SearchIndexBuilder(Segmenter())
    for page in [*pages, *FILLER]:
        b.add(page)
    return _top(_run(tmp_path, b.data(), [query])[query])


def test_an_exact_phrase_in_a_heading_beats_single_word_title_hits(tmp_path: Path) -> None:
    pages = [
        page_from_html("eval/", "模型评估方法", "<p>介绍各类模型评估方法，也顺带提到量化之后要重新评估。</p>"),
        page_from_html("gptq/", "GPTQ", "<p>一种训练后的权重压缩算法。</p>"
                       "<h2 id='m'>模型量化方法</h2><p>逐层求解，把权重压到 4 比特。</p>"),
    ]
    assert _rank(tmp_path, pages, "模型量化方法")[:2] == ["gptq/", "eval/"]


def test_an_exact_phrase_in_the_body_beats_words_scattered_over_title_and_body(tmp_path: Path) -> None:
    pages = [
        page_from_html("eval/", "模型评估方法", "<p>介绍各类模型评估方法。</p><h2 id='x'>其他</h2><p>量化之后要重新评估。</p>"),
        page_from_html("int8/", "INT8 推理", "<p>常见的模型量化方法是把权重和激活都变成 8 比特整数。</p>"),
    ]
    assert _rank(tmp_path, pages, "模型量化方法")[:2] == ["int8/", "eval/"]


def test_all_words_in_one_field_beat_words_across_fields(tmp_path: Path) -> None:
    pages = [
        page_from_html("prune/", "结构化剪枝", "<p>删掉整个通道。</p><h2 id='x'>与其他方法</h2><p>也可以和蒸馏一起用。</p>"),
        page_from_html("pipeline/", "压缩流水线", "<p>先后做几步压缩。</p>"
                       "<h2 id='y'>剪枝之后再蒸馏</h2><p>先删掉通道，再让小模型向原模型学习。</p>"),
    ]
    assert _rank(tmp_path, pages, "剪枝 蒸馏")[:2] == ["pipeline/", "prune/"]


def test_a_heading_counts_near_a_title(tmp_path: Path) -> None:
    mentions = "梯度裁剪很常用。梯度裁剪的阈值。梯度裁剪和学习率。梯度裁剪与 Adam。梯度裁剪的实现。梯度裁剪的代价。"
    pages = [
        page_from_html("stability/", "训练稳定性", "<p>大模型训练容易发散。</p>"
                       "<h2 id='c'>梯度裁剪</h2><p>把范数超过阈值的更新按比例缩小。</p>"),
        page_from_html("optim/", "优化器笔记", "<p>" + "优化器有很多细节。" * 40 + mentions + "</p>"),
    ]
    assert _rank(tmp_path, pages, "梯度裁剪")[:2] == ["stability/", "optim/"]


def test_a_page_about_the_words_beats_a_long_page_that_mentions_them(tmp_path: Path) -> None:
    pages = [
        page_from_html("memory/", "显存优化", "<p>梯度检查点只保存部分激活，反向时重算。梯度检查点用时间换显存。</p>"),
        page_from_html("survey/", "训练系统综述",
                       "<p>" + ("分布式训练有很多组件，这里逐个介绍。" * 60 + "梯度检查点。") * 6 + "</p>"),
    ]
    assert _rank(tmp_path, pages, "梯度检查点")[:2] == ["memory/", "survey/"]


def test_a_number_in_words_finds_its_digits(tmp_path: Path) -> None:
    """每四个 / 两个 / 十六位 match 每 4 个 / 2 个 / 16 位 as the notes write them, and are marked there;
    words that merely start with a numeral (一致性, 千问) stay words."""
    pages = [
        page_from_html("sp/", "2:4 稀疏", "<p>每 4 个权重中保留 2 个非零。</p>"),
        page_from_html("fp16/", "半精度", "<p>用 16 位浮点数存权重，显存减半。</p>"),
        page_from_html("other/", "权重衰减", "<p>给权重加 L2 惩罚，每个权重都变小。</p>"),
    ]
    b = SearchIndexBuilder(Segmenter())
    for page in pages:
        b.add(page)
    res = _run(tmp_path, b.data(), ["每四个权重保留两个", "十六位浮点", "权重"])
    assert _top(res["每四个权重保留两个"])[0] == "sp/"
    assert "<mark>每 4 个</mark>" in res["每四个权重保留两个"][0][0]["text"]
    assert _top(res["十六位浮点"])[0] == "fp16/"
    script = f"""
      const w = require({json.dumps(str(WORKER_FILE))})
      const idx = require({json.dumps(str(tmp_path / "index.json"))})
      w.handler({{type: 0, data: {{config: idx.config, docs: idx.docs}}}})
      const forms = q => w.parseQuery(q).terms.map(t => (t.forms || [t]).map(f => f.t).join("|"))
      console.log(JSON.stringify(["四个", "第三层", "三百二十", "一致性", "通义千问"].map(forms)))
    """
    out = json.loads(subprocess.run([NODE, "-e", script], capture_output=True, text=True, check=True).stdout)
    assert out == [["四个|4 个"], ["第三层|第 3 层"], ["三百二十|320"], ["一致性"], ["通义千问"]], out


def test_a_one_letter_token_takes_part_in_the_phrase(tmp_path: Path) -> None:
    pages = [
        page_from_html("prompt/", "提示学习", "<p>只训练连续的提示向量。</p>"
                       "<h2 id='p'>P-Tuning</h2><p>用一个小网络生成提示。</p>"),
        page_from_html("params/", "Tuning Parameters", "<p>How to pick learning rates and batch sizes.</p>"),
    ]
    assert _rank(tmp_path, pages, "p tuning")[:2] == ["prompt/", "params/"]


def test_a_hyphenated_name_is_the_phrase_of_its_parts(tmp_path: Path) -> None:
    pages = [
        page_from_html("prompt/", "提示学习", "<p>只训练连续的提示向量，例如 Prefix-Tuning 在每层前面加可训练的向量。</p>"),
        page_from_html("guide/", "Tuning Guide", "<p>Choose a prefix for every run name and keep the configs.</p>"),
    ]
    assert _rank(tmp_path, pages, "prefix tuning")[:2] == ["prompt/", "guide/"]


def test_a_name_followed_by_a_version_matches_the_name(tmp_path: Path) -> None:
    in_body = [
        page_from_html("practice/", "开源模型实践", "<p>记录 Qwen2.5微调的流程：数据、LoRA 和评测。</p>"),
        page_from_html("list/", "模型清单", "<p>Qwen 是阿里的模型家族。</p><h2 id='x'>用法</h2><p>也可以继续微调。</p>",
                       links=2),
    ]
    assert _rank(tmp_path, in_body, "qwen 微调")[:2] == ["practice/", "list/"]
    in_title = [
        page_from_html("qwen-ft/", "Qwen2.5 微调", "<p>数据、LoRA 和评测。</p>"),
        page_from_html("ft/", "微调", "<p>在预训练模型上继续训练，例如 Qwen 和 Llama。</p>"),
    ]
    assert _rank(tmp_path, in_title, "qwen 微调")[:2] == ["qwen-ft/", "ft/"]


def test_a_short_version_token_matches_after_its_name(tmp_path: Path) -> None:
    pages = [
        page_from_html("v2/", "ColBERTv2: Effective and Efficient Retrieval via Lightweight Late Interaction",
                       "<p>残差压缩的后期交互检索。</p>"),
        page_from_html("v1/", "ColBERT", "<p>后期交互检索，v2 见后续工作。</p>"),
    ]
    assert _rank(tmp_path, pages, "colbert v2")[:2] == ["v2/", "v1/"]


def test_a_name_before_de_counts_less(tmp_path: Path) -> None:
    pages = [
        page_from_html("diffusion/", "扩散模型", "<p>逐步去噪的生成模型。</p><h2 id='x'>应用</h2><p>也可以做个性化的微调。</p>",
                       links=3),
        page_from_html("dreambooth/", "DreamBooth", "<p>用几张照片微调整个文生图模型，学会一个主体。</p>",
                       aliases=["DreamBooth 微调"], meta=["扩散模型", "个性化生成", "微调"]),
    ]
    assert _rank(tmp_path, pages, "扩散模型的个性化微调")[:2] == ["dreambooth/", "diffusion/"]
