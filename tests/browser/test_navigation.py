"""A reader in a real browser: open a note, follow a wikilink, follow a backlink, see a red link."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbtest import build_kb, make_kb

pytestmark = pytest.mark.browser

NOTES = {
    "notes/lora.md": "---\ntitle: LoRA\naliases: [低秩适配]\ntopics: [参数高效微调]\nstatus: done\n---\n"
                     "# LoRA\n\n## 方法\n\n冻结原权重，只训练低秩增量。\n",
    "notes/qlora.md": "---\ntitle: QLoRA\ntopics: [参数高效微调]\n---\n# QLoRA\n\n"
                      "QLoRA 在 [[低秩适配#方法|LoRA 的方法]] 之上加了 4-bit 量化，还缺 [[NF4 量化]] 的笔记。\n",
}


def test_follow_wikilink_and_backlink(tmp_path: Path, page, serve_dir) -> None:
    make_kb(tmp_path, NOTES)
    build_kb(tmp_path)
    base = serve_dir(tmp_path / "site")
    failed: list[str] = []
    # A request the next navigation cancels (ERR_ABORTED: the favicon, say) is no broken link.
    page.on("requestfailed", lambda r: None if "ERR_ABORTED" in (r.failure or "") else failed.append(r.url))
    external: list[str] = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(base) else None)

    page.goto(base + "notes/qlora/")
    assert page.locator("h1.kb-title").inner_text() == "QLoRA"
    wanted = page.locator(".md-content .kb-wanted")
    assert wanted.inner_text() == "NF4 量化"
    assert wanted.evaluate("el => el.tagName") == "SPAN"
    page.emulate_media(color_scheme="light")  # the reader's system asks for light: red #c62828
    assert wanted.evaluate("el => getComputedStyle(el).color") == "rgb(198, 40, 40)"

    page.locator(".md-content a.kb-link", has_text="LoRA 的方法").click()
    page.wait_for_url(base + "notes/lora/#方法")
    assert page.locator("h1.kb-title").inner_text() == "LoRA"
    assert page.locator("h2#方法").is_visible()

    backlink = page.locator(".kb-backlinks a", has_text="QLoRA")
    assert "4-bit 量化" in page.locator(".kb-backlinks").inner_text()
    backlink.click()
    page.wait_for_url(base + "notes/qlora/")
    assert page.locator("h1.kb-title").inner_text() == "QLoRA"

    page.locator(".kb-meta a.kb-topic", has_text="参数高效微调").click()
    page.wait_for_load_state()
    assert page.locator("h1").first.inner_text() == "参数高效微调"
    assert page.locator(".kb-notes a", has_text="LoRA").count() == 2
    assert failed == [] and external == []


TREE_NOTES = {
    "notes/topics/llm.md": "---\ntitle: 大模型\ntype: topic\n---\n# 大模型\n\n概述。\n",
    "notes/topics/peft.md": "---\ntitle: 参数高效微调\ntype: topic\nparent: 大模型\n---\n# 参数高效微调\n\n概述。\n",
    "notes/papers/lora.md": "---\ntitle: LoRA\ntopics: [参数高效微调]\n---\n# LoRA\n\n正文。\n",
}


def test_note_page_gets_the_whole_topic_tree(tmp_path: Path, page, serve_dir) -> None:
    """A note's page carries the nav pruned; nav.js swaps in the shared tree file, whose links
    work from any depth. Without scripts the pruned 主题 link leads to the topic index."""
    make_kb(tmp_path, TREE_NOTES)
    build_kb(tmp_path)
    html = (tmp_path / "site" / "notes/papers/lora/index.html").read_text("utf-8")
    assert "data-kb-nav-tree=" in html and "参数高效微调</span>" not in html.split("md-sidebar--secondary")[0]
    base = serve_dir(tmp_path / "site")
    failed: list[str] = []
    # A request the next navigation cancels (ERR_ABORTED: the favicon, say) is no broken link.
    page.on("requestfailed", lambda r: None if "ERR_ABORTED" in (r.failure or "") else failed.append(r.url))

    page.goto(base + "notes/papers/lora/")
    nav = page.locator(".md-sidebar--primary nav.md-nav--primary")
    nav.locator("label.md-nav__link", has_text="大模型").wait_for(state="attached")
    assert nav.count() == 1 and nav.get_attribute("data-kb-nav-tree") is None  # the tree replaced it
    nav.locator("label.md-nav__link", has_text="主题").first.click()  # open the section, then 大模型
    nav.locator("label.md-nav__link", has_text="大模型").click()
    nav.locator("a.md-nav__link", has_text="参数高效微调").click()
    page.wait_for_url(base + "notes/topics/peft/")
    assert page.locator("h1").first.inner_text() == "参数高效微调"
    assert failed == []

    context = page.context.browser.new_context(java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.goto(base + "notes/papers/lora/")
        plain.locator(".md-sidebar--primary a.md-nav__link", has_text="主题").first.click()
        plain.wait_for_url(base + "topics/")
        assert "参数高效微调" in plain.locator(".kb-tree").inner_text()
    finally:
        context.close()
