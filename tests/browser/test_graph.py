"""The graph view in a real browser: the local graph (SVG) and the global graph (canvas).

Drawn node counts match the data files, a click and Enter open notes, the palette toggle
recolours both, the global layout stops (no frames, no worker), a hostile title stays text, and
nothing is loaded from outside the site.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbtest import MKDOCS_YML, build_kb, make_kb, watch_page

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)>"
YML = MKDOCS_YML.replace("  font: false\n", """\
  font: false
  palette:
    - scheme: default
      toggle:
        icon: material/weather-night
        name: 切换到深色模式
    - scheme: slate
      toggle:
        icon: material/weather-sunny
        name: 切换到浅色模式
""")
NOTES = {
    "notes/topics/llm.md": "---\ntitle: 大模型\ntype: topic\n---\n大模型的概述。\n",
    "notes/lora.md": "---\ntitle: LoRA\ntype: technique\ntopics: [参数高效微调]\nstatus: done\n---\n"
                     "## 方法\n\n冻结原权重。见 [[QLoRA]] 与 [[缺失的笔记]]。\n",
    "notes/qlora.md": "---\ntitle: QLoRA\ntype: technique\ntopics: [参数高效微调]\nstatus: draft\n---\n"
                      "在 [[LoRA#方法|LoRA 的方法]] 之上。\n",
    "notes/attention.md": "---\ntitle: Attention Is All You Need\ntype: paper\ntopics: [大模型]\nstatus: done\n---\n"
                          "正文 [[LoRA]]。\n",
    "notes/gpt.md": "---\ntitle: 生成式预训练模型\ntype: model\ntopics: [大模型]\nstatus: todo\n---\n见 [[Attention Is All You Need]]。\n",
    "notes/hostile.md": f"---\ntitle: {json.dumps(HOSTILE)}\nstatus: draft\n---\n链接 [[LoRA]]。\n",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("graph-browser")
    make_kb(root, NOTES, YML)
    build_kb(root)
    return root / "site"


@pytest.fixture
def watched(page, site: Path, serve_dir):  # type: ignore[no-untyped-def]
    """The page, the site's base URL, and what went wrong: dialogs, errors, outside requests."""
    base = serve_dir(site)
    trouble = watch_page(page, base)
    page.on("console", lambda m: trouble.append("console " + m.text) if m.type == "error" else None)
    # A request cut short by the test's next navigation (the favicon) is not a failure.
    page.on("requestfailed", lambda r: None if "ERR_ABORTED" in (r.failure or "") else trouble.append("failed " + r.url))
    yield page, base, trouble
    assert trouble == []


def _local(site: Path, name: str) -> dict:
    return json.loads((site / f"assets/kbsite/graph/notes/{name}.json").read_text("utf-8"))


def _ready(page, value: str = "1") -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector(f"section.kb-graph--local[data-kb-ready='{value}']", timeout=10_000)


def test_local_graph_draws_the_neighbourhood_and_opens_notes(watched, site: Path) -> None:  # type: ignore[no-untyped-def]
    page, base, _ = watched
    page.goto(base + "notes/lora/")
    _ready(page)
    nodes = page.locator(".kb-graph__svg .kb-gnode")
    local = _local(site, "lora")
    assert nodes.count() == len(local["nodes"]) == 1 + int(page.locator("section.kb-graph").get_attribute("data-kb-count"))
    labels = set(nodes.evaluate_all("els => els.map(e => e.getAttribute('aria-label'))"))
    assert labels == {"LoRA，完成，技术", "QLoRA，草稿，技术", "缺失的笔记，还没写", "参数高效微调，主题",
                      "Attention Is All You Need，完成，论文", f"{HOSTILE}，草稿"}
    # Full Chinese labels, wanted notes hollow, and the list folded away (still in the page).
    assert page.locator(".kb-glabel", has_text="参数高效微调").count() == 1
    hollow = page.locator(".kb-gnode--wanted .kb-gshape")
    assert hollow.evaluate("el => el.tagName") == "circle"
    assert hollow.evaluate("el => getComputedStyle(el).fill") == page.locator(".kb-graph__stage").evaluate(
        "el => getComputedStyle(el).backgroundColor")
    assert page.locator("details.kb-graph__fold .kb-graph__list").count() == 1
    # Hover: title and status; click: the note.
    target = page.locator('.kb-gnode[aria-label^="QLoRA"] .kb-gshape')
    target.hover()
    tip = page.locator(".kb-graph__tip")
    assert tip.is_visible() and tip.inner_text().split("\n") == ["QLoRA", "草稿 · 技术"]
    target.click()
    page.wait_for_url(base + "notes/qlora/")
    # Keyboard: nodes are links in the tab order; Enter opens one.
    _ready(page)
    node = page.locator('.kb-gnode[role=link][aria-label^="LoRA"]')
    assert node.evaluate("el => el.tabIndex") == 0
    node.focus()
    assert tip.inner_text().startswith("LoRA")
    page.keyboard.press("Enter")
    page.wait_for_url(base + "notes/lora/")


def test_depth_two_adds_the_neighbours_neighbours(watched, site: Path) -> None:  # type: ignore[no-untyped-def]
    page, base, _ = watched
    page.goto(base + "notes/gpt/")
    _ready(page)
    assert page.locator(".kb-graph__svg .kb-gnode").count() == len(_local(site, "gpt")["nodes"])
    page.get_by_role("button", name="两层").click()
    _ready(page, "2")
    first = _local(site, "gpt")
    titles = {n[1] for n in first["nodes"]}
    for url, *_ in first["nodes"][1:]:
        if url:
            path = site / "assets/kbsite/graph" / (url.rstrip("/") + ".json")
            from urllib.parse import unquote

            titles |= {n[1] for n in json.loads(Path(unquote(str(path))).read_text("utf-8"))["nodes"]}
    drawn = page.locator(".kb-graph__svg .kb-gnode").evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
    assert len(drawn) == len(titles) > len(first["nodes"])
    assert page.get_by_role("button", name="两层").get_attribute("aria-pressed") == "true"


def test_global_graph_hover_click_keyboard_and_idle(watched, site: Path) -> None:  # type: ignore[no-untyped-def]
    page, base, _ = watched
    page.goto(base + "graph/")
    page.wait_for_selector("section.kb-graph--global[data-kb-settled='1']", timeout=15_000)
    data = json.loads((site / "assets/kbsite/graph/global.json").read_text("utf-8"))
    assert page.evaluate("() => document.querySelector('section.kb-graph--global').kbGraph.n") == len(data["nodes"])
    # Once the layout settles nothing runs: no worker, no frames.
    frames = page.evaluate("() => document.querySelector('section.kb-graph--global').kbGraph.frames")
    page.wait_for_timeout(600)
    assert page.evaluate("() => { const g = document.querySelector('section.kb-graph--global').kbGraph;"
                         " return [g.frames, g.worker]; }") == [frames, None]
    # Hover a node: its title and status; click it: the note.
    index = [n[1] for n in data["nodes"]].index("QLoRA")
    box = page.locator("canvas.kb-graph__canvas").bounding_box()
    x, y = page.evaluate(f"() => document.querySelector('section.kb-graph--global').kbGraph.toScreen({index})")
    page.mouse.move(box["x"] + x, box["y"] + y)
    tip = page.locator(".kb-graph--global .kb-graph__tip")
    tip.wait_for(state="visible")
    assert tip.inner_text().split("\n") == ["QLoRA", "草稿 · 技术"]
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url(base + "notes/qlora/")
    # Keyboard: find a note, then Enter on the canvas opens it; arrows move between nodes.
    page.goto(base + "graph/")
    page.wait_for_selector("section.kb-graph--global[data-kb-ready='1']")
    page.locator(".kb-graph__find").fill("生成式")
    page.keyboard.press("Enter")
    live = page.locator(".kb-graph__live")
    assert live.inner_text().startswith("生成式预训练模型，待写，模型")
    assert page.evaluate("() => document.activeElement.tagName") == "CANVAS"
    for key in ("ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown"):  # at least one way leads on
        page.keyboard.press(key)
        if not live.inner_text().startswith("生成式"):
            break
    assert live.inner_text() and not live.inner_text().startswith("生成式")
    page.keyboard.press("Escape")
    page.locator(".kb-graph__find").fill("生成式预训练模型")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.wait_for_url(base + "notes/gpt/")


def test_palette_toggle_recolours_both_graphs(watched, site: Path) -> None:  # type: ignore[no-untyped-def]
    page, base, _ = watched
    page.goto(base + "notes/lora/")
    _ready(page)
    done = page.locator(".kb-gnode--done .kb-gshape").first
    light = done.evaluate("el => getComputedStyle(el).fill")
    page.locator("label[for='__palette_1']").click()  # Material's toggle: to the dark scheme
    page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'slate'")
    dark = done.evaluate("el => getComputedStyle(el).fill")
    assert (light, dark) == ("rgb(46, 125, 50)", "rgb(129, 199, 132)")

    page.goto(base + "graph/")  # Material remembers the choice: the page opens dark
    page.wait_for_selector("section.kb-graph--global[data-kb-settled='1']", timeout=15_000)
    data = json.loads((site / "assets/kbsite/graph/global.json").read_text("utf-8"))
    index = [n[1] for n in data["nodes"]].index("LoRA")
    pixel = f"""() => {{
        const g = document.querySelector('section.kb-graph--global').kbGraph;
        g.paint();  // synchronously, for the test
        const [x, y] = g.toScreen({index});
        return Array.from(g.ctx.getImageData(Math.round(x * g.dpr), Math.round(y * g.dpr), 1, 1).data.slice(0, 3));
    }}"""
    background = """() => { const g = document.querySelector('section.kb-graph--global').kbGraph;
        return Array.from(g.ctx.getImageData(1, 1, 1, 1).data.slice(0, 3)); }"""
    assert page.locator("section.kb-graph--global").get_attribute("data-kb-scheme") == "slate"
    dark_node, dark_bg = page.evaluate(pixel), page.evaluate(background)
    page.locator("label[for='__palette_0']").click()  # back to light: no reload, no stale colours
    page.wait_for_function("() => document.querySelector('section.kb-graph--global').dataset.kbScheme === 'default'")
    light_node, light_bg = page.evaluate(pixel), page.evaluate(background)
    assert dark_node == [129, 199, 132] and light_node == [46, 125, 50]
    assert light_bg == [255, 255, 255] and sum(dark_bg) < 150


def test_hostile_title_is_text_everywhere(watched, site: Path) -> None:  # type: ignore[no-untyped-def]
    page, base, _ = watched
    page.goto(base + "notes/lora/")
    _ready(page)
    node = page.locator('.kb-gnode[data-kb-href$="/notes/hostile/"]')
    lines = node.locator(".kb-glabel tspan").all_text_contents()  # the label wraps at the space
    assert " ".join(lines) == HOSTILE and node.get_attribute("aria-label") == HOSTILE + "，草稿"
    node.locator(".kb-gshape").hover()
    assert page.locator(".kb-graph__tip strong").inner_text() == HOSTILE
    page.goto(base + "notes/hostile/")
    _ready(page)
    page.locator(".kb-gnode--d0 .kb-gshape").hover()
    page.goto(base + "graph/")
    page.wait_for_selector("section.kb-graph--global[data-kb-settled='1']", timeout=15_000)
    data = json.loads((site / "assets/kbsite/graph/global.json").read_text("utf-8"))
    index = [n[1] for n in data["nodes"]].index(HOSTILE)
    box = page.locator("canvas.kb-graph__canvas").bounding_box()
    x, y = page.evaluate(f"() => document.querySelector('section.kb-graph--global').kbGraph.toScreen({index})")
    page.mouse.move(box["x"] + x, box["y"] + y)
    page.locator(".kb-graph--global .kb-graph__tip").wait_for(state="visible")
    assert page.locator(".kb-graph--global .kb-graph__tip strong").inner_text() == HOSTILE
    assert page.evaluate("() => document.querySelectorAll('.kb-graph img, .kb-graph__tip img').length") == 0
