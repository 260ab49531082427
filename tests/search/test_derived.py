"""The index's global parts kept per page across builds (kbsite.search.derived) equal a fresh build's."""

from __future__ import annotations

from kbsite.search import SearchIndexBuilder, Segmenter, page_from_html
from kbsite.search import glossary
from kbsite.search.derived import IndexCache

GROUPS = glossary.parse("- [dropout, 随机失活]\n- [speculative decoding, 投机解码]\n"
                        "- [low-rank adaptation, LoRA, 低秩适配]\n- [知识蒸馏, knowledge distillation]\n", "g.yml")


def _page(url: str, title: str, body: str):
    return page_from_html(url, title, f"<p>{body}</p>")


def _build(pages, cache: IndexCache | None, segmenter: Segmenter) -> dict:
    b = SearchIndexBuilder(segmenter, GROUPS, cache)
    for page, names in pages:
        b.add(page, names)
    return b.data()


def test_a_kept_cache_gives_what_a_fresh_build_gives() -> None:
    seg = Segmenter()
    cache = IndexCache()
    a = _page("a/", "注意力", "训练时用 Dropout 防止过拟合。")
    b = _page("b/", "蒸餾", "學習率與參數。")  # 繁體: matched in 简体, its pairs shipped
    c = _page("c/", "解码", "投机解码加速推理。")
    pages = [(a, ["主题一"]), (b, []), (c, ["标签"])]
    steps = [
        pages,
        # c was the only page naming 投机解码: its group must go.
        [(a, ["主题一"]), (b, []), (_page("c/", "解码", "普通的解码。"), ["标签"])],
        # A new page brings LoRA; b's extra names change (a new entry for the same page).
        [(a, ["主题一"]), (b, ["知识蒸馏"]), (_page("d/", "LoRA", "低秩适配的例子。"), [])],
        # a, the witness of dropout, is gone.
        [(b, ["知识蒸馏"])],
    ]
    seen_groups = []
    for step in steps:
        kept = _build(step, cache, seg)
        fresh = _build(step, IndexCache(), Segmenter())
        assert kept == fresh
        seen_groups.append([g[0] for g in kept["docs"]["glossary"]])
    assert cache.reused > 0  # the last step reused b's entry
    assert seen_groups == [["dropout", "speculative decoding"], ["dropout"],
                           ["dropout", "low-rank adaptation", "知识蒸馏"], ["知识蒸馏"]]
    assert "餾馏" in kept["docs"]["t2s"] and "學学" in kept["docs"]["t2s"]


def test_a_name_never_matches_across_two_pages() -> None:
    pages = [(_page("a/", "甲", "we use low"), []), (_page("b/", "乙", "rank adaptation here"), [])]
    assert _build(pages, None, Segmenter())["docs"]["glossary"] == []
    one = [(_page("a/", "甲", "we use low rank adaptation here"), [])]
    assert _build(one, None, Segmenter())["docs"]["glossary"] == [list(GROUPS[2])]
