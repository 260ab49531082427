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


def _descendants(el: dict) -> list[dict]:
    out = []
    for child in el["children"]:
        out.append(child)
        out.extend(_descendants(child))
    return out
