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


def _search(tmp_path: Path, queries: list[str]) -> dict[str, list[list[dict]]]:
    if NODE is None:
        pytest.fail("node is missing: run the tests through scripts/test.sh, which installs it")
    (tmp_path / "index.json").write_text(json.dumps(_index(), ensure_ascii=False), encoding="utf-8")
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


def _top(items: list[list[dict]]) -> list[str]:
    return [group[0]["location"] for group in items]


def test_queries_match_like_a_reader_expects(tmp_path: Path) -> None:
    res = _search(tmp_path, ["知识蒸馏", "蒸馏", "KD", "模型蒸馏", "KV缓存", "ＬｏＲＡ微调", "2:4稀疏",
                             "llama3", "识蒸", "键值缓存", "knowledge distill", "魑魅魍魉"])
    assert _top(res["知识蒸馏"])[0] == "kd/"
    assert _top(res["蒸馏"])[0] == "kd/"  # head-final: 知识蒸馏 is a kind of 蒸馏
    assert _top(res["KD"]) == ["kd/"]
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
