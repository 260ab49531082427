"""Script payloads inside ```mermaid blocks: diagram text is a note's, and Mermaid turns it into SVG
markup in the reader's page. Every diagram here is really drawn by the vendored Mermaid (through
Material and kbsite's loader); none may run a script, keep a handler or link to ``javascript:``,
not even one that asks for ``securityLevel: loose`` in an init directive, and not when clicked.
As in a note's body, harmless markup (an ``<img>`` without its handler) may stay; only the iframe
payloads carry the "pwned" class, since no iframe may survive at all.
"""

from __future__ import annotations

import pytest

from kbtest import build_kb, make_kb

pytestmark = pytest.mark.browser

FENCE = "```"
DIAGRAMS = [
    # Labels with markup, click callbacks and javascript: links on a flowchart.
    """graph TD
  A["<img src=x onerror=window.__pwned=1>"] --> B["<script>window.__pwned=2</script>"]
  C["<a href='javascript:window.__pwned=3'>链接</a>"] --> D["<svg onload=window.__pwned=4>"]
  click A "javascript:window.__pwned=5"
  click B call alert(6)
  click C href "javascript:window.__pwned=7"
  click D callback""",
    # A directive that asks for the loose security level and HTML labels.
    """%%{init: {"securityLevel": "loose", "secure": [], "flowchart": {"htmlLabels": true}}}%%
graph LR
  X["<img src=x onerror=window.__pwned=8>"] --> Y["<iframe class=pwned src='javascript:window.__pwned=9'></iframe>"]
  click X call alert(10)
  click Y "javascript:window.__pwned=11" _self""",
    # Sequence diagrams: notes, actor links and messages.
    """sequenceDiagram
  participant A as <img src=x onerror=window.__pwned=12>
  link A: 首页 @ javascript:window.__pwned=13
  A->>B: <script>window.__pwned=14</script>
  Note over A,B: <img src=x onerror=window.__pwned=15>""",
    # A class diagram's callback and link.
    """classDiagram
  class 教师模型
  class 学生模型
  教师模型 <|-- 学生模型
  click 教师模型 href "javascript:window.__pwned=16"
  callback 学生模型 "alert" "提示" """,
]

NOTE = "---\ntitle: 恶意的图\n---\n正文。\n\n" + "\n\n".join(
    f"{FENCE}mermaid\n{d}\n{FENCE}" for d in DIAGRAMS) + "\n"

# Material draws each diagram into a closed shadow root; the test opens them to look inside.
OPEN_SHADOWS = """
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, Object.assign({}, init, {mode: "open"}));
    (window.__kbShadows = window.__kbShadows || []).push(root);
    return root;
  };
"""

INSPECT = """() => {
  const roots = [document, ...(window.__kbShadows || [])];
  const all = roots.flatMap(r => Array.from(r.querySelectorAll('*')));
  return {
    pwned: window.__pwned || 0,
    svgs: (window.__kbShadows || []).filter(r => r.querySelector('svg')).length,
    elements: all.filter(el => el.matches('.pwned, iframe, object, embed, foreignObject script, svg script')).length,
    handlers: all.flatMap(el => Array.from(el.attributes).filter(a => a.name.toLowerCase().startsWith('on'))
                                              .map(a => el.tagName + '[' + a.name + ']')),
    jsLinks: all.filter(el => ['href', 'xlink:href', 'src'].some(n =>
        (el.getAttribute(n) || '').replace(/\\s/g, '').toLowerCase().startsWith('javascript:'))).length,
  };
}"""


def test_mermaid_payloads_never_run(tmp_path, page, serve_dir) -> None:  # type: ignore[no-untyped-def]
    make_kb(tmp_path, {"notes/hostile-mermaid.md": NOTE})
    build_kb(tmp_path)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.add_init_script(OPEN_SHADOWS)
    page.goto(serve_dir(tmp_path / "site") + "notes/hostile-mermaid/")
    # Every block is drawn: Material swaps each <pre class=mermaid> for a host with an SVG inside.
    page.wait_for_function(f"() => (window.__kbShadows || []).filter(r => r.querySelector('svg')).length"
                           f" >= {len(DIAGRAMS)}", timeout=20000)
    assert page.evaluate("() => window.mermaid && !window.mermaid.kbsiteLoader")  # the vendored one ran
    assert page.locator(".md-content pre.mermaid").count() == 0
    state = page.evaluate(INSPECT)
    assert state == {"pwned": 0, "svgs": len(DIAGRAMS), "elements": 0, "handlers": [], "jsLinks": 0}, state
    # The labels are there as text (the diagrams say what the note wrote, nothing ran).
    text = page.evaluate("() => window.__kbShadows.map(r => r.textContent).join(' ')")
    assert "教师模型" in text and "学生模型" in text
    # Click every node, edge label and actor: a click handler Mermaid bound would fire now.
    clicked = page.evaluate("""() => {
      let n = 0;
      for (const r of window.__kbShadows)
        for (const el of r.querySelectorAll('g.node, .node, g.actor, rect.actor, text.actor, .classGroup, a')) {
          el.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true}));
          n++;
        }
      return n;
    }""")
    assert clicked >= 8
    page.wait_for_timeout(300)
    assert page.url.endswith("/notes/hostile-mermaid/")  # no link navigated anywhere
    assert page.evaluate(INSPECT) == state
    assert dialogs == []
