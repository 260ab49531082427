"""Hover previews in a real browser: the right note and section, stacking, Escape, wanted notes,
keyboard focus, one small cached request, no layout shift, off on touch screens, hostile titles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbtest import build_kb, make_kb, watch_page

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)>"
FILLER = "这是一段填充文字，让后面的小节落在预览框的可见区域之外。" * 12
NOTES = {
    "notes/lora.md": "---\ntitle: LoRA\ntype: technique\nstatus: done\naliases: [低秩适配]\n---\n"
                     "引言：冻结原权重，见 [[QLoRA]]。\n\n## 背景\n\n" + FILLER + "\n\n## 方法\n\n" + FILLER +
                     "\n\n## 实验结果\n\n低秩增量在多个基准上接近全量微调。\n",
    "notes/qlora.md": "---\ntitle: QLoRA\ntype: technique\nstatus: draft\n---\nQLoRA 在 [[低秩适配#方法|LoRA 的方法]] 之上，"
                      "结果见 [[LoRA#实验结果|实验]]，还缺 [[NF4 量化]] 的笔记。\n",
    "notes/reader.md": "---\ntitle: 读者\n---\n从 [[LoRA]] 读起，或者看 [[hostile]]。\n",
    "notes/hostile.md": f"---\ntitle: {json.dumps(HOSTILE)}\n---\n正文。\n",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("previews-browser")
    make_kb(root, NOTES)
    build_kb(root)
    return root / "site"


@pytest.fixture
def watched(page, site: Path, serve_dir):  # type: ignore[no-untyped-def]
    base = serve_dir(site)
    trouble = watch_page(page, base)
    fetched: list[tuple[str, int]] = []
    page.on("response", lambda r: fetched.append((r.url, len(r.body()))) if "/previews/" in r.url else None)
    yield page, base, fetched
    assert trouble == []


def _link(page, text: str):  # type: ignore[no-untyped-def]
    return page.locator(".md-content a.kb-link", has_text=text).first


def test_hover_shows_the_linked_section_scrolled_into_view(watched) -> None:  # type: ignore[no-untyped-def]
    page, base, fetched = watched
    page.goto(base + "notes/qlora/")
    link = _link(page, "LoRA 的方法")
    assert link.get_attribute("href") == "../lora/#%E6%96%B9%E6%B3%95"
    before = page.evaluate("() => [document.documentElement.scrollHeight, document.querySelector('h1').getBoundingClientRect().top]")
    link.hover()
    box = page.locator(".kb-preview")
    box.wait_for(state="visible")
    assert box.locator(".kb-preview__title").inner_text() == "LoRA"
    assert box.locator(".kb-badge").all_inner_texts() == ["技术", "完成"]
    target = box.locator(".kb-preview__section--target")
    assert target.get_attribute("data-kb-id") == "方法"
    assert target.locator(".kb-preview__heading").inner_text() == "方法"
    # Scrolled to it: the section's top is inside the preview's scroll box, and it had to scroll.
    inside = page.evaluate("""() => {
        const body = document.querySelector('.kb-preview__body'), t = document.querySelector('.kb-preview__section--target');
        const b = body.getBoundingClientRect(), r = t.getBoundingClientRect();
        return [body.scrollTop > 0, r.top >= b.top - 1 && r.top < b.bottom - 10];
    }""")
    assert inside == [True, True]
    # An absolutely positioned popover: nothing on the page moved.
    assert page.evaluate("() => [document.documentElement.scrollHeight, document.querySelector('h1').getBoundingClientRect().top]") == before
    assert box.evaluate("el => getComputedStyle(el).position") == "absolute"
    # One small request, cached: the same note again costs nothing.
    assert [size for url, size in fetched] == [fetched[0][1]] and fetched[0][1] <= 3000
    assert fetched[0][0] == base + "assets/kbsite/previews/notes/lora.json"
    page.keyboard.press("Escape")
    assert box.count() == 0
    page.mouse.move(5, 5)
    _link(page, "实验").hover()
    page.locator(".kb-preview__section--target[data-kb-id='实验结果']").wait_for()
    assert len(fetched) == 1


def test_previews_stack_and_escape_closes_the_top_one(watched) -> None:  # type: ignore[no-untyped-def]
    page, base, _ = watched
    page.goto(base + "notes/reader/")
    _link(page, "LoRA").hover()
    page.locator(".kb-preview").wait_for()
    inner = page.locator(".kb-preview a.kb-link", has_text="QLoRA")
    inner.hover()  # the pointer crosses into the first preview, which stays open
    page.wait_for_function("() => document.querySelectorAll('.kb-preview').length === 2")
    titles = page.locator(".kb-preview .kb-preview__title").all_inner_texts()
    assert titles == ["LoRA", "QLoRA"]
    # A wanted link inside the second preview: a third, "还没写".
    page.locator(".kb-preview").nth(1).locator("span.kb-wanted").hover()
    page.wait_for_function("() => document.querySelectorAll('.kb-preview').length === 3")
    assert "还没写" in page.locator(".kb-preview").nth(2).inner_text()
    page.keyboard.press("Escape")
    assert page.locator(".kb-preview").count() == 2
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    assert page.locator(".kb-preview").count() == 0


def test_wanted_backlinks_and_keyboard(watched) -> None:  # type: ignore[no-untyped-def]
    page, base, _ = watched
    page.goto(base + "notes/qlora/")
    page.locator(".md-content span.kb-wanted", has_text="NF4 量化").first.hover()
    box = page.locator(".kb-preview")
    box.wait_for()
    assert box.locator(".kb-preview__title").inner_text() == "NF4 量化"
    assert "还没写" in box.inner_text()
    page.mouse.move(5, 5)
    page.wait_for_function("() => !document.querySelector('.kb-preview')")
    # Backlinks preview too; focusing a link (Tab) shows its preview without a mouse.
    page.goto(base + "notes/lora/")
    page.locator(".kb-backlinks a", has_text="QLoRA").hover()
    page.locator(".kb-preview .kb-preview__title", has_text="QLoRA").wait_for()
    page.keyboard.press("Escape")
    page.goto(base + "notes/reader/")
    _link(page, "LoRA").focus()
    page.locator(".kb-preview .kb-preview__title", has_text="LoRA").wait_for()
    assert _link(page, "LoRA").get_attribute("aria-describedby") == "kb-preview-0"
    page.keyboard.press("Escape")
    assert page.locator(".kb-preview").count() == 0


def test_hostile_title_in_a_preview_is_text(watched) -> None:  # type: ignore[no-untyped-def]
    page, base, _ = watched
    page.goto(base + "notes/reader/")
    _link(page, HOSTILE).hover()
    title = page.locator(".kb-preview .kb-preview__title")
    title.wait_for()
    assert title.inner_text() == HOSTILE
    assert page.evaluate("() => document.querySelectorAll('.kb-preview img').length") == 0


def test_no_previews_on_touch_screens(browser, site: Path, serve_dir) -> None:  # type: ignore[no-untyped-def]
    base = serve_dir(site)
    context = browser.new_context(has_touch=True, is_mobile=True, viewport={"width": 400, "height": 800})
    try:
        page = context.new_page()
        page.goto(base + "notes/qlora/")
        assert page.evaluate("() => matchMedia('(hover: none)').matches")
        _link(page, "LoRA 的方法").hover()
        _link(page, "LoRA 的方法").focus()
        page.wait_for_timeout(600)
        assert page.locator(".kb-preview").count() == 0
    finally:
        context.close()
