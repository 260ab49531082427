"""One Markdown instance for all pages (plugin/render.py) renders exactly what MkDocs would."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbtest import MKDOCS_YML, build_kb, make_kb
from kbsite.plugin import plugin as kb_plugin
from kbsite.plugin import render

YML = MKDOCS_YML.split("markdown_extensions:")[0] + """\
markdown_extensions:
  - toc:
      permalink: true
  - abbr
  - admonition
  - attr_list
  - def_list
  - footnotes
  - md_in_html
  - tables
  - pymdownx.details
  - pymdownx.highlight
  - pymdownx.inlinehilite
  - pymdownx.superfences
  - pymdownx.tasklist:
      custom_checkbox: true
"""
# State that must not leak from one page into the next: footnotes with the same labels, an
# abbreviation defined on one page only, equal headings (unique ids are per page), stashed code.
FIRST = """\
---
id: a
title: 第一篇
---
## 方法

HTML 在这里定义了缩写。[^1] 见 [[b]]。

*[HTML]: Hyper Text Markup Language

[^1]: 第一篇的脚注。

```python
print("a")
```

!!! note "提示"
    内容 `#!python x = 1`

- [x] 完成
- [ ] 未完成

<div markdown>**块内** Markdown</div>

术语
:   定义
"""
SECOND = """\
---
id: b
title: 第二篇
---
## 方法

## 方法

HTML 在这里没有缩写。[^1]

[^1]: 第二篇的脚注。

| a | b |
|---|---|
| [[a]] | `code` |

??? info "折叠"
    折叠内容
"""


def _pages(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(site.rglob("*")) if p.suffix in (".html", ".json")}


def test_shared_markdown_renders_like_mkdocs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {"notes/a.md": FIRST, "notes/b.md": SECOND, "notes/c.md": FIRST.replace("id: a", "id: c")}
    gets: list[int] = []
    real_get = render.SharedMarkdown.get
    monkeypatch.setattr(render.SharedMarkdown, "get", lambda self: gets.append(1) or real_get(self))
    (tmp_path / "shared").mkdir()
    shared = _pages(build_kb(make_kb(tmp_path / "shared", files, YML)).site)
    assert len(gets) >= 3  # every page went through the shared instance

    monkeypatch.setattr(kb_plugin, "reusable", lambda config, own: False)  # MkDocs' own Page.render
    (tmp_path / "stock").mkdir()
    stock = _pages(build_kb(make_kb(tmp_path / "stock", files, YML)).site)

    assert shared.keys() == stock.keys()
    assert [p for p in shared if shared[p] != stock[p]] == []
    b = shared["notes/b/index.html"]
    assert "第二篇的脚注" in b and "第一篇的脚注" not in b and "<abbr" not in b
    assert 'id="方法"' in b and 'id="方法_1"' in b and 'id="方法_2"' not in b  # ids unique per page


def test_unknown_extension_keeps_mkdocs_rendering(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ext").mkdir()
    (tmp_path / "ext" / "kb_test_ext.py").write_text(
        "from markdown.extensions import Extension\n"
        "class E(Extension):\n"
        "    def extendMarkdown(self, md):\n"
        "        pass\n"
        "def makeExtension(**kw):\n"
        "    return E(**kw)\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "ext"))
    gets: list[int] = []
    monkeypatch.setattr(render.SharedMarkdown, "get", lambda self: gets.append(1))
    (tmp_path / "kb").mkdir()
    result = build_kb(make_kb(tmp_path / "kb", {"notes/a.md": FIRST, "notes/b.md": SECOND},
                              YML + "  - kb_test_ext\n"))
    assert gets == []
    assert "第一篇的脚注" in result.html("notes/a/index.html")
