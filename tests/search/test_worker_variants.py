"""The worker's matches in another script or language (issue 14), run in Node on small indexes:
繁體 ↔ 简体, the bilingual glossary, pinyin; and that each is highlighted."""

from __future__ import annotations

from pathlib import Path

from kbsite.search import SearchIndexBuilder, Segmenter, page_from_html
from test_worker import _run

FILLER = [
    page_from_html("f1/", "训练技巧", "<p>模型训练的常见方法，包括学习率和批大小。</p>"),
    page_from_html("f2/", "评测", "<p>评测模型的方法有很多。</p>"),
]


def _search(tmp_path: Path, pages: list, queries: list[str]) -> dict[str, list[list[dict]]]:
    b = SearchIndexBuilder(Segmenter())
    for page in [*pages, *FILLER]:
        b.add(page)
    return _run(tmp_path, b.data(), queries)


def _top(items: list[list[dict]]) -> list[str]:
    return [group[0]["location"] for group in items]


def test_a_traditional_query_finds_and_highlights_simplified_notes(tmp_path: Path) -> None:
    pages = [page_from_html("rl/", "强化学习", "<p>智能体根据奖励信号学习策略。</p>"),
             page_from_html("peft/", "参数高效微调", "<p>只训练少量参数，例如 LoRA。</p>"),
             page_from_html("lm/", "语言模型", "<p>预测下一个词。</p>")]
    res = _search(tmp_path, pages, ["強化學習", "參數高效微調", "語言模型", "獎勵信號"])
    assert _top(res["強化學習"])[0] == "rl/"
    assert res["強化學習"][0][0]["title"] == "<mark>强化学习</mark>"  # the 简体 text is marked
    assert _top(res["參數高效微調"])[0] == "peft/"
    assert _top(res["語言模型"])[0] == "lm/"
    assert "<mark>奖励</mark><mark>信号</mark>" in res["獎勵信號"][0][0]["text"]


def test_a_simplified_query_finds_traditional_notes(tmp_path: Path) -> None:
    pages = [page_from_html("tw/", "強化學習筆記", "<p>智能體根據獎勵學習策略。</p>")]
    res = _search(tmp_path, pages, ["强化学习", "奖励", "reinforcement learning"])
    assert _top(res["强化学习"])[0] == "tw/"
    assert res["强化学习"][0][0]["title"] == "<mark>強化學習</mark>筆記"  # as written
    assert "<mark>獎勵</mark>" in res["奖励"][0][0]["text"]
    assert _top(res["reinforcement learning"])[0] == "tw/"  # the glossary knows 繁體 notes too


def test_the_glossary_bridges_english_and_chinese_names_without_aliases(tmp_path: Path) -> None:
    pages = [page_from_html("dropout/", "3.dropout", "<p>训练时以概率 p 把神经元置零。</p>"),
             page_from_html("tot/", "思维树（tot）", "<p>把推理展开成一棵树，逐步评估。</p>"),
             page_from_html("vllm/", "vllm_serving", "<p>启动兼容 OpenAI 的服务。</p>"),
             page_from_html("kd/", "知识蒸馏", "<p>学生模型拟合教师的软标签。</p>"),
             page_from_html("tree/", "决策树", "<p>按特征切分样本的树。</p>")]
    res = _search(tmp_path, pages, ["随机失活", "Tree-of-Thoughts", "vLLM 部署", "knowledge distillation"])
    assert _top(res["随机失活"])[0] == "dropout/"
    assert res["随机失活"][0][0]["title"] == "3.<mark>dropout</mark>"  # the other name is marked
    assert _top(res["Tree-of-Thoughts"])[0] == "tot/"
    assert _top(res["vLLM 部署"])[0] == "vllm/"
    assert _top(res["knowledge distillation"])[0] == "kd/"


def test_a_notes_own_alias_wins_over_the_glossary(tmp_path: Path) -> None:
    pages = [page_from_html("a/", "3.dropout", "<p>随机把神经元置零。</p>"),
             page_from_html("b/", "正则化技巧", "<p>防止过拟合的办法。</p>", aliases=["随机失活"])]
    res = _search(tmp_path, pages, ["随机失活"])
    assert _top(res["随机失活"])[:2] == ["b/", "a/"]


def test_another_name_of_the_concept_must_be_a_whole_word(tmp_path: Path) -> None:
    # 奖励模型 is also "RM", which must not match the start of RMSNorm.
    pages = [page_from_html("norm/", "RMSNorm", "<p>只除以均方根的归一化。</p>"),
             page_from_html("rm/", "打分模型", "<p>训练一个 RM 给回答打分。</p>")]
    res = _search(tmp_path, pages, ["奖励模型"])
    assert _top(res["奖励模型"]) == ["rm/"]


def test_pinyin_finds_titles_in_full_and_by_initials_below_real_matches(tmp_path: Path) -> None:
    pages = [page_from_html("rl/", "强化学习", "<p>智能体根据奖励学习策略。</p>"),
             page_from_html("sft/", "监督微调", "<p>用标注数据训练。</p>"),
             page_from_html("code/", "缩写表", "<p>我们把强化学习记作 qhxx。</p>")]
    res = _search(tmp_path, pages, ["qianghuaxuexi", "qiang hua xue xi", "qhxx", "jianduweitiao",
                                    "jdwt", "qianghua"])
    assert _top(res["qianghuaxuexi"]) == ["rl/"]
    assert res["qianghuaxuexi"][0][0]["title"] == "<mark>强化学习</mark>"
    assert _top(res["qiang hua xue xi"]) == ["rl/"]
    assert _top(res["qhxx"]) == ["code/", "rl/"]  # the page that has the letters comes first
    assert _top(res["jianduweitiao"]) == ["sft/"]  # 调 read tiao, though pypinyin says diao
    assert _top(res["jdwt"]) == ["sft/"]
    assert _top(res["qianghua"]) == ["rl/"]  # the first syllables
