"""Obsidian syntax in a real browser: an embedded image and audio, callouts (one folded), a
missing attachment, a transclusion, a block link, inline tags and a Mermaid diagram; nothing is
loaded from outside the site. A screenshot is kept for review."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kbtest import build_kb, make_kb

pytestmark = pytest.mark.browser

PNG = (Path(__file__).parent / "obsidian_fixture.png").read_bytes()
SHOTS = Path(os.environ.get("KBSITE_SCREENSHOTS", "/tmp/kbshots"))

NOTES = {
    "notes/附件/示意 图.png": PNG,
    "notes/附件/讲座.mp3": b"ID3",
    "notes/goal.md": "---\ntitle: 目标\n---\n## 方法\n\n目标的正文，讲 [[嵌入与标注|回到嵌入]]。 ^g1\n",
    "notes/论文/嵌入与标注.md": """\
---
title: 嵌入与标注
---
正文开头，下面是一张图：

![[示意 图.png|240]]

> [!tip] 小技巧：看 [[goal#方法|目标的方法]]
> 提示框里的 **粗体** 和一张图 ![[示意 图.png|80]]

> [!warning]- 折起来的警告
> 点开才看得见

> [!待办]
> - [ ] 补上实验

录音：![[讲座.mp3]]

缺的附件：![[不存在.png]]

嵌入一节：

![[goal#方法]]

跳到那一段：[[goal#^g1|目标的那段话]]  #蒸馏/温度

```mermaid
graph LR
  T[教师模型] -->|软标签| S[学生模型]
```
""",
}


def test_embeds_and_callouts_in_a_browser(tmp_path: Path, page, serve_dir) -> None:
    make_kb(tmp_path, NOTES)
    build_kb(tmp_path)
    base = serve_dir(tmp_path / "site")
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)
    failed: list[str] = []
    # A request the next navigation cancels (ERR_ABORTED: the favicon, say) is no broken link.
    page.on("requestfailed", lambda r: None if "ERR_ABORTED" in (r.failure or "") else failed.append(r.url))
    page.set_viewport_size({"width": 1100, "height": 1300})
    page.goto(base + "notes/%E8%AE%BA%E6%96%87/%E5%B5%8C%E5%85%A5%E4%B8%8E%E6%A0%87%E6%B3%A8/")
    page.wait_for_load_state("networkidle")

    image = page.locator(".md-content img.kb-embed-image").first
    assert image.evaluate("el => el.complete && el.naturalWidth") == 120
    assert image.evaluate("el => el.getBoundingClientRect().width") == 240
    tip = page.locator(".md-content .admonition.tip")
    assert tip.locator(".admonition-title").inner_text().startswith("小技巧")
    # Material's admonition look: a coloured left border.
    assert tip.evaluate("el => getComputedStyle(el).borderLeftWidth") != "0px"
    folded = page.locator(".md-content details.warning")
    assert folded.evaluate("el => el.open") is False
    assert not folded.get_by_text("点开才看得见").is_visible()
    folded.locator("summary").click()
    assert folded.get_by_text("点开才看得见").is_visible()
    assert page.locator(".md-content .kb-callout-todo input[type=checkbox]").count() == 1
    assert page.locator(".md-content audio[controls]").count() == 1
    missing = page.locator(".md-content .kb-embed-missing")
    assert missing.inner_text().endswith("不存在.png")
    assert missing.evaluate("el => getComputedStyle(el).borderTopStyle") == "dashed"
    # The transclusion shows the section, its link resolved from the host page.
    box = page.locator(".md-content .kb-transclusion")
    assert box.locator(".kb-transclusion__title a").inner_text() == "目标 § 方法"
    assert "目标的正文" in box.locator(".kb-transclusion__body").inner_text()
    assert box.evaluate("el => getComputedStyle(el).borderLeftStyle") == "solid"
    inner = box.locator(".kb-transclusion__body a.kb-link")
    assert inner.inner_text() == "回到嵌入" and inner.evaluate("a => a.href") == page.url
    # The Mermaid diagram is drawn (an SVG in Material's shadow root) by the vendored library.
    page.wait_for_function("() => document.querySelector('.md-content div.mermaid')"
                           " && !document.querySelector('.md-content pre.mermaid')", timeout=15000)
    assert page.evaluate("() => window.mermaid && !window.mermaid.kbsiteLoader")  # the real one loaded
    tag = page.locator(".md-content p a.kb-tag")  # the inline one (the header lists it too)
    assert tag.inner_text() == "#蒸馏/温度"
    # A block link lands on the paragraph that carries the ^id.
    page.locator(".md-content a.kb-link", has_text="目标的那段话").click()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => decodeURIComponent(location.hash)") == "#^g1"
    assert page.evaluate("() => document.getElementById('^g1').textContent").startswith("目标的正文")
    page.go_back()
    page.wait_for_load_state("networkidle")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("article").screenshot(path=str(SHOTS / "obsidian-embeds-callouts.png"))
    assert outside == [], outside
    assert [u for u in failed if "graph" not in u] == []
