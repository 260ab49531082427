"""A reader in a real browser: the coverage report shows a bar per topic, sorts, and links on."""

from __future__ import annotations

from pathlib import Path

import pytest

from coverage_notes import FILES
from kbtest import build_kb, make_kb

pytestmark = pytest.mark.browser


def test_report_page_shows_bars_and_sorts(tmp_path: Path, page, serve_dir) -> None:
    make_kb(tmp_path, FILES)
    build_kb(tmp_path)
    base = serve_dir(tmp_path / "site")
    external: list[str] = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(base) else None)
    page.goto(base + "todo/")

    rows = page.locator("tr.kb-coverage-row")
    assert rows.count() == 4
    # Every row shows a visible bar; the done part of "机器学习" (1 of 3 done) is a third of it.
    for i in range(4):
        assert rows.nth(i).locator(".kb-bar").is_visible()
    bar = rows.nth(0).locator(".kb-bar")
    done = bar.locator(".kb-bar__done")
    full, part = bar.bounding_box(), done.bounding_box()
    assert full and part and full["height"] > 0
    assert part["width"] == pytest.approx(full["width"] / 3, abs=2)
    assert done.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(46, 125, 50)"
    # An empty-of-done bar still shows (its todo background).
    empty = rows.nth(2).locator(".kb-bar")
    assert empty.evaluate("el => getComputedStyle(el).backgroundColor") != "rgba(0, 0, 0, 0)"

    # Clicking "覆盖" sorts least covered first; clicking "主题" restores the tree order.
    page.locator("th", has_text="覆盖").click()
    order = [rows.nth(i).get_attribute("data-kb-topic") for i in range(4)]
    assert order[:2] == ["pruning", "蒸馏"]
    page.locator("th", has_text="主题").click()
    assert [rows.nth(i).get_attribute("data-kb-topic") for i in range(4)] == ["ml", "compression", "pruning", "蒸馏"]

    # A topic link leads to the topic page, which has its own coverage section with bars.
    rows.nth(2).locator("a").first.click()
    page.wait_for_load_state()
    assert page.locator(".kb-topic-coverage .kb-bar").first.is_visible()
    assert page.locator(".kb-todo-items--marker a", has_text="补充实验设置").count() == 1
    assert external == []
