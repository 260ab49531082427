"""plugin: the coverage report page and each topic page's coverage section, in a real build."""

from __future__ import annotations

from coverage_notes import FILES


def test_report_page_rows_bars_and_wanted(kb) -> None:
    site = kb(FILES)
    page = site.page("todo/index.html")
    rows = page.find_all("tr", cls="kb-coverage-row")
    assert [r["attrs"]["data-kb-topic"] for r in rows] == ["ml", "compression", "pruning", "蒸馏"]
    # Every row has a bar; the bar's width is the share of done notes.
    assert len(page.find_all("span", cls="kb-bar")) >= 4
    ml_bar = rows[0]["children"][5]["children"][0]
    assert ml_bar["attrs"]["class"] == "kb-bar"
    assert ml_bar["children"][0]["attrs"]["style"] == "width: 33.3%"
    # Least covered topics stand out.
    low = [r["attrs"]["data-kb-topic"] for r in rows if "kb-coverage-row--low" in r["attrs"]["class"]]
    assert low == ["ml", "compression", "pruning", "蒸馏"]  # all below a third done
    least = page.find("ol", cls="kb-least")
    assert "剪枝" in least["text"].split("蒸馏")[0]
    wanted = page.find("ul", cls="kb-wanted-list")
    items = [li["text"].split()[0] for li in wanted["children"]]
    assert items == ["想要的笔记", "另一个想要的"]  # most wanted first
    # No git in the temp folder: the chart is replaced by a note.
    assert "没有进度图" in page.find("p", cls="kb-chart-missing")["text"]


def test_topic_page_coverage_section(kb) -> None:
    site = kb(FILES)
    page = site.page("notes/topics/pruning/index.html")
    section = page.find("div", cls="kb-topic-coverage")
    assert "完成 0 / 2" in section["text"]
    # A marker links to the note's heading; a task with no heading links to the note.
    links = {a["text"].strip(): a["attrs"]["href"] for a in page.find_all("a")
             if a["attrs"].get("href") and a in _descendants(section)}
    assert links["TODO: 补充实验设置"].endswith("papers/draft/#%E6%96%B9%E6%B3%95")  # 方法
    assert links["精读"].endswith("papers/todo/")
    assert "第 9 行" in section["text"]
    wanted = page.find("ul", cls="kb-wanted-list")
    assert "想要的笔记" in wanted["text"] and "Todo Paper" in wanted["text"]
    # A generated page (implicit topic) gets the section too, with its missing overview.
    distill = site.page("topics/蒸馏/index.html").find("ul", cls="kb-todo-items--overview")
    assert "蒸馏" in distill["text"]


def test_parent_topic_lists_its_own_notes_and_each_subtopic(kb) -> None:
    """模型压缩 (compression) holds Done and Draft Paper and the sub-topic 剪枝 (pruning: Draft and
    Todo Paper). Its counts roll up; its lists hold its own notes' items only, and 剪枝 is one
    line that links to 剪枝's own section, which lists Todo Paper's task."""
    site = kb(FILES)
    page = site.page("notes/topics/compression/index.html")
    section = page.find("div", cls="kb-topic-coverage")
    inside = _descendants(section)
    total = next(p for p in inside if p["tag"] == "p" and "kb-coverage-total" in p["attrs"].get("class", ""))
    assert "完成 1 / 3，草稿 1，待写 1；未完成任务 1，待补充标记 2，想要的笔记 2" in total["text"]
    sub = next(ul for ul in inside if ul["tag"] == "ul" and ul["attrs"].get("class") == "kb-todo-subtopics")
    lines = [li for li in sub["children"] if li["tag"] == "li"]
    assert [(li["children"][0]["text"], li["children"][0]["attrs"]["href"]) for li in lines] == [
        ("剪枝", "../pruning/#kb-coverage")]
    assert "完成 0 / 2，草稿 1，待写 1；未完成任务 1，待补充标记 2，想要的笔记 1" in lines[0]["text"]
    links = [a["text"].strip() for a in inside if a["tag"] == "a"]
    assert "TODO: 补充实验设置" in links  # Draft Paper is compression's own note too
    assert "精读" not in links and "Todo Paper" not in links  # pruning's only: on pruning's page
    assert "想要的笔记" in page.find("ul", cls="kb-wanted-list")["text"]  # Done Paper's link
    pruning = site.page("notes/topics/pruning/index.html")
    pruning_links = [a["text"].strip() for a in pruning.find_all("a")]
    assert "精读" in pruning_links and "Todo Paper" in pruning_links
    assert pruning.find(id="kb-coverage") is not None  # the sub-topic line's target
    # The root (机器学习) lists 模型压缩 with everything below it, and only its own task.
    root = site.page("notes/topics/ml/index.html").find("div", cls="kb-topic-coverage")
    root_links = [a["text"].strip() for a in _descendants(root) if a["tag"] == "a"]
    assert "模型压缩" in root_links and "写总览的阅读路径" in root_links
    assert "TODO: 补充实验设置" not in root_links and "精读" not in root_links


def _descendants(el: dict) -> list[dict]:
    out = []
    for child in el["children"]:
        out.append(child)
        out.extend(_descendants(child))
    return out
