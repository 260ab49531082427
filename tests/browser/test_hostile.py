"""Hostile everything: one vault where every field, name and piece of text carries a script payload.

Every generated page type is opened in headless Chromium: no dialog may fire, no payload element
may exist, no element may carry an ``on*`` handler that a note put there.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbsite.search.shards import read_index

from kbtest import Html, build_kb, make_kb

pytestmark = pytest.mark.browser

# Each payload both calls alert() (a dialog) and, were it markup, would leave an element with
# class "pwned" or set window.__pwned.
P = '"><img class=pwned src=x onerror="window.__pwned=1;alert(1)">'
S = "<script>window.__pwned=1;alert(2)</script>"
Q = "'><svg class=pwned onload=alert(3)>"
A = "javascript:alert(4)"
# In a note's body raw HTML is the author's to write: it is sanitised (no handler, no script
# survives) but a plain <img> may stay, so body payloads carry no "pwned" class.
B = '<img src=x onerror="window.__pwned=1;alert(8)">'


def y(value: object) -> str:
    """A YAML value (JSON is YAML) holding the payload exactly."""
    return json.dumps(value, ensure_ascii=False)


FILES = {
    # A note whose file name itself is a payload (Linux allows <, >, " and ' in names).
    f"notes/x{Q}.md": f"""\
        ---
        title: {y("名字" + P)}
        ---
        正文 [[目标{S}|标签{P}]]
        """,
    "notes/hostile.md": f"""\
        ---
        title: {y("标题" + S + P)}
        aliases: {y(["别名" + P, Q])}
        tags: {y(["标签" + S, P])}
        topics: {y(["主题" + P, S, "t" + Q])}
        type: paper
        venue: {y("会议" + S)}
        authors: {y(["作者" + P])}
        year: 2024
        url: {y(A)}
        status: draft
        description: {y("描述" + P)}
        ---
        ## 小节{B}

        - [ ] 任务{B}
        - [ ] 任务二{S}

        TODO: 标记{B}

        待补充：{S}

        链接 [[缺失{P}]]、[[hostile#小节|节{S}]] 与 [[hostile|自身{Q}]]。

        <script>window.__pwned=1;alert(5)</script>
        <img class="raw" src="x" onerror="alert(6)">
        <a class="raw-link" href="{A}">点我</a>
        <iframe class="pwned" src="{A}"></iframe>
        <div onclick="alert(7)" class="clicky">块</div>

        > [[{Q}]] 引用中的缺失链接
        """,
    "notes/overview.md": f"""\
        ---
        title: {y("概述" + P)}
        type: topic
        aliases: {y(["主题" + P])}
        ---
        这是主题概述：[[hostile]]。

        - [ ] 概述任务{S}{B}
        """,
    "notes/plain.md": f"# 普通笔记{B}\n\n提到 [[hostile]]，还有 [[名字{P}]]。\n",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    make_kb(root, FILES)
    build_kb(root)
    return root / "site"


def _pages(site: Path) -> dict[str, str]:
    """One URL of each generated page type."""
    topics = sorted(p.parent.relative_to(site).as_posix() for p in (site / "topics").glob("*/index.html"))
    assert len(topics) >= 2, topics  # generated topic pages of the hostile topic names
    return {
        "note": "notes/hostile/",
        "payload file name": next(p.parent.relative_to(site).as_posix() + "/"
                                  for p in (site / "notes").glob("x*/index.html")),
        "topic note": "notes/overview/",
        "generated topic": topics[0] + "/",
        "generated topic 2": topics[-1] + "/",
        "topics index": "topics/",
        "todo report": "todo/",
        "home": "",
    }


def _assert_clean(page, where: str) -> None:  # type: ignore[no-untyped-def]
    state = page.evaluate("""() => ({
        pwned: window.__pwned || 0,
        elements: document.querySelectorAll('.pwned, iframe, object, embed').length,
        handlers: Array.from(document.querySelectorAll('*')).flatMap(el =>
            Array.from(el.attributes).filter(a => a.name.startsWith('on')).map(a => el.tagName + '[' + a.name + ']')),
        jsLinks: Array.from(document.querySelectorAll('a[href]')).filter(a =>
            a.href.trim().toLowerCase().startsWith('javascript:')).length,
        scripts: Array.from(document.scripts).filter(s => (s.textContent || '').includes('__pwned')).length,
    })""")
    assert state == {"pwned": 0, "elements": 0, "handlers": [], "jsLinks": 0, "scripts": 0}, where


def test_no_payload_runs_on_any_page(site: Path, page, serve_dir) -> None:  # type: ignore[no-untyped-def]
    base = serve_dir(site)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for kind, url in _pages(site).items():
        response = page.goto(base + url)
        assert response is not None and response.ok, (kind, url)
        page.wait_for_load_state("load")
        _assert_clean(page, kind)
    assert dialogs == []


def test_payloads_show_as_text(site: Path, page, serve_dir) -> None:  # type: ignore[no-untyped-def]
    base = serve_dir(site)
    page.goto(base + "notes/hostile/")
    assert page.locator("h1.kb-title").inner_text() == f"标题{S}{P}"
    assert page.locator(".kb-alias").all_inner_texts() == [f"别名{P}", Q]
    assert page.locator(".kb-tag").all_inner_texts() == [f"#标签{S}", f"#{P}"]
    assert page.locator(".kb-paper-meta").inner_text() == f"2024 · 会议{S} · 作者{P}"
    assert page.locator(".kb-paper a").count() == 0  # a javascript: url is never linked
    assert page.locator("span.kb-wanted", has_text="缺失").inner_text() == f"缺失{P}"
    assert page.title().startswith(f"标题{S}{P}")
    # The body's legitimate block survives sanitising, without its handler.
    assert page.locator("div.clicky").inner_text() == "块"
    assert page.locator("a", has_text="点我").get_attribute("href") is None


def test_search_results_stay_inert(site: Path, page, serve_dir) -> None:  # type: ignore[no-untyped-def]
    base = serve_dir(site)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(base)
    page.wait_for_load_state("load")
    page.keyboard.press("/")  # Material's shortcut: focus the header search box
    box = page.locator("input[data-md-component=search-query]")
    box.wait_for(state="visible")
    for query in ("标题", "pwned", "onerror", "script", "别名", "alert"):
        box.fill(query)
        box.press("End")  # keyup: what Material listens to
        page.wait_for_function("() => document.querySelectorAll('.md-search-result__item').length > 0")
        _assert_clean(page, f"search {query!r}")
    box.fill("标题")
    box.press("End")
    page.wait_for_function("() => document.querySelector('.md-search-result__item')?.innerText.includes('标题')")
    assert dialogs == []


def test_static_html_has_no_payload(site: Path) -> None:
    """The same, on the files themselves (no element or handler a note wrote)."""
    for path in site.rglob("*.html"):
        html = Html(path.read_text(encoding="utf-8"))
        for el in html.elements:
            assert "pwned" not in (el["attrs"].get("class") or ""), path
            assert not any(k.startswith("on") for k in el["attrs"]), (path, el["tag"], el["attrs"])
            assert not (el["attrs"].get("href") or "").lower().startswith("javascript:"), path
            assert el["tag"] not in ("iframe", "object", "embed"), path
        for el in html.tags("script"):
            assert "__pwned" not in el["text"], path
    index = read_index(site)[1]  # the entry and every shard
    # Payloads in titles are text there (with "<" written \u003c); what the sanitiser removed
    # from bodies, a script's code and a handler, is not indexed at all.
    assert "<" not in index
    for removed in ("alert(5)", "alert(6)", "alert(7)", "alert(8)"):
        assert removed not in index, removed
