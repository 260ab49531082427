"""From a bare folder of notes to a site: defaults, folder pages, a generated home, reachability."""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from kbtest import Html, build_kb, make_kb

MINIMAL_YML = """\
site_name: 我的笔记
theme:
  name: material
  language: zh
plugins:
  - search
  - kbsite
"""

DEFAULTS_NOTE = """\
# 默认功能

- [ ] 未完成
- [x] 已完成

一句话带脚注[^1]，还有 ==高亮== 和 ~~删除线~~，约 ~100 个。

!!! tip "提示"
    警告框里的内容

```python
def f(x):
    return x + 1
```

行内公式 $a^2 + b^2$。

| 列一 | 列二 |
|---|---|
| 1 | 2 |

[^1]: 脚注的内容
"""


def _minimal(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    root = make_kb(tmp_path, files, MINIMAL_YML)
    (root / "docs" / "index.md").unlink()  # a bare vault: no home page of its own
    return root


def test_minimal_config_renders_every_default_feature(tmp_path: Path) -> None:
    result = build_kb(_minimal(tmp_path, {"notes/defaults.md": DEFAULTS_NOTE}))
    page = result.page("notes/defaults/index.html")
    items = page.find_all("li", cls="task-list-item")
    boxes = [el for li in items for el in _walk(li) if el["tag"] == "input"]
    assert [("checked" in b["attrs"]) for b in boxes] == [False, True]
    assert page.find("sup", id="fnref:1")
    assert page.find("div", cls="footnote")
    assert page.find("mark")["text"] == "高亮"
    assert page.find("del")["text"] == "删除线"
    assert page.find("div", cls="admonition")["attrs"]["class"] == "admonition tip"
    assert page.find("p", cls="admonition-title")["text"] == "提示"
    code = page.find("div", cls="highlight")
    assert any(el["tag"] == "span" and el["attrs"].get("class") == "k" for el in _walk(code))  # "def"
    assert page.find("math")["attrs"]["alttext"] == "a^2 + b^2"
    assert page.find("th")["text"] == "列一"
    # A lone "~" stays text (tilde's subscript mode is off).
    assert any(p["text"].endswith("约 ~100 个。") for p in page.find_all("p"))


def _walk(el: dict):  # type: ignore[no-untyped-def]
    for child in el["children"]:
        yield child
        yield from _walk(child)


def test_minimal_site_loads_nothing_from_the_network(tmp_path: Path) -> None:
    result = build_kb(_minimal(tmp_path, {"notes/a.md": "# A\n\n[外链](https://example.com/)\n"}))
    for path in result.site.rglob("*.html"):
        html = Html(path.read_text(encoding="utf-8"))
        for el in html.elements:
            for attr in ("src", "href"):
                value = el["attrs"].get(attr) or ""
                if el["tag"] == "a" and attr == "href":
                    continue  # a link the reader may follow is not a load
                assert not re.match(r"(?i)^(https?:)?//", value), (path, el["tag"], value)
        assert "fonts.googleapis" not in path.read_text(encoding="utf-8"), path


def test_home_page_is_generated_when_docs_has_none(tmp_path: Path) -> None:
    result = build_kb(_minimal(tmp_path, {
        "notes/ml/a.md": "---\ntopics: [机器学习]\nstatus: done\n---\n# A\n",
        "notes/ml/b.md": "# B\n",
        "notes/loose.md": "# 散笔记\n",
    }))
    home = result.page("index.html")
    assert home.find("h1")["text"] == "我的笔记"
    assert [a["text"] for a in home.find("ul", cls="kb-home-topics")["children"][0]["children"]
            if a["tag"] == "a"] == ["机器学习"]
    folders = [el["text"] for el in home.find("ul", cls="kb-home-folders")["children"]]
    assert len(folders) == 1 and folders[0].startswith("ml")
    assert "共 3 篇笔记：完成 1" in home.find("p", cls="kb-home-summary")["text"]
    assert {a["text"] for a in home.find("ul", cls="kb-home-recent")["children"]} != set()


FOLDER_VAULT = {
    "notes/深度学习/优化/adam.md": "# Adam\n",
    "notes/深度学习/优化/sgd.md": "# SGD\n",
    "notes/深度学习/bp.md": "# 反向传播\n",
    "notes/深度学习/index.md": "# 深度学习总览\n\n这是文件夹笔记。\n",  # folder note: x/index.md
    "notes/强化学习.md": "# 强化学习（文件夹笔记）\n",  # folder note: x.md next to x/
    "notes/强化学习/ppo.md": "# PPO\n",
    "notes/工具/工具.md": "# 工具箱\n",  # folder note: x/x.md
    "notes/工具/git.md": "# git\n",
    "notes/杂项/a b #1.md": "# 空格与井号\n",
    "notes/根.md": "# 根目录笔记\n",
}


def test_folder_pages_and_folder_notes(tmp_path: Path) -> None:
    result = build_kb(_minimal(tmp_path, FOLDER_VAULT))
    site = result.site
    # A generated page for a folder without a folder note; the folder note's page otherwise.
    gen = result.page("notes/深度学习/优化/index.html")
    assert gen.find("h1", cls="kb-title")["text"] == "优化"
    names = [li["children"][0]["text"] for li in gen.find("ul", cls="kb-notes")["children"]]
    assert names == ["Adam", "SGD"]
    overview = result.page("notes/深度学习/index.html")
    assert overview.find("h1", cls="kb-title")["text"] == "深度学习总览"
    assert [li["children"][0]["text"] for li in overview.find("ul", cls="kb-subfolders")["children"]] == ["优化"]
    assert [li["children"][0]["text"] for li in overview.find("ul", cls="kb-notes")["children"]] == ["反向传播"]
    rl = result.page("notes/强化学习/index.html")  # the x.md note takes the folder's place
    assert rl.find("h1", cls="kb-title")["text"] == "强化学习（文件夹笔记）"
    assert [li["children"][0]["text"] for li in rl.find("ul", cls="kb-notes")["children"]] == ["PPO"]
    tools = result.page("notes/工具/工具/index.html")
    assert [li["children"][0]["text"] for li in tools.find("ul", cls="kb-notes")["children"]] == ["git"]
    assert not (site / "notes/工具/index.html").exists()  # no generated page next to a folder note
    # A note shows the folders above it, linked.
    adam = result.page("notes/深度学习/优化/adam/index.html")
    crumbs = [a["text"] for a in adam.find("nav", cls="kb-breadcrumb--folders")["children"] if a["tag"] == "a"]
    assert crumbs == ["文件夹", "深度学习总览", "优化"]


def test_folders_lead_the_nav_without_topics(tmp_path: Path) -> None:
    result = build_kb(_minimal(tmp_path, FOLDER_VAULT))
    labels = [re.sub(r"\s+", "", el["text"]) for el in result.page("index.html").find_all("label", cls="md-nav__link")]
    assert labels[0].startswith("文件夹"), labels
    assert not any(label.startswith("主题") for label in labels)  # no topics: no topic section


def test_topics_lead_the_nav_when_notes_have_topics(tmp_path: Path) -> None:
    files = {**FOLDER_VAULT, "notes/深度学习/bp.md": "---\ntopics: [优化方法]\n---\n# 反向传播\n"}
    result = build_kb(_minimal(tmp_path, files))
    labels = [re.sub(r"\s+", "", el["text"]) for el in result.page("index.html").find_all("label", cls="md-nav__link")]
    first = [label for label in labels if label.startswith(("主题", "文件夹"))]
    assert first[0].startswith("主题") and first[1].startswith("文件夹"), labels


def _links(site: Path, url: str) -> list[str]:
    path = site / unquote(urlsplit(url).path).lstrip("/")
    if path.is_dir() or not path.suffix:
        path = path / "index.html"
    if not path.is_file():
        return []
    html = Html(path.read_text(encoding="utf-8"))
    out = []
    for a in html.find_all("a"):
        href = a["attrs"].get("href")
        if not href or href.startswith(("http:", "https:", "mailto:", "#", "javascript:")):
            continue
        target = urljoin(url, href).split("#")[0]
        if target.endswith("/") or target.endswith(".html"):
            out.append(target)
    return out


def test_every_note_within_three_clicks_of_home(tmp_path: Path) -> None:
    files = dict(FOLDER_VAULT)
    for i in range(30):  # a deep tree: depth 6
        files[f"notes/a/b/c/d/e/f/n{i}.md"] = f"# 深处笔记 {i}\n"
    result = build_kb(_minimal(tmp_path, files))
    site = result.site
    start = "/"
    depth = {start: 0}
    queue = deque([start])
    while queue:
        url = queue.popleft()
        if depth[url] == 3:
            continue
        for target in _links(site, url):
            if target not in depth:
                depth[target] = depth[url] + 1
                queue.append(target)
    notes = {f"/notes/{rel[len('notes/'):-3]}/" for rel in files}
    reached = {unquote(u) for u in depth}
    missing = sorted(n for n in notes if n.replace("/index/", "/") not in reached and n not in reached)
    assert missing == []


def test_hash_without_space_is_not_a_heading(tmp_path: Path) -> None:
    """Obsidian (and CommonMark) need "# " for a heading: "#基本概念" stays text, and the core agrees."""
    from kbsite.core.parse import parse_note

    body = "# 真标题\n\n#基本概念 是一个标签\n\n## 小节\n"
    result = build_kb(_minimal(tmp_path, {"notes/a.md": body}))
    page = result.page("notes/a/index.html")
    assert [h["text"].rstrip("¶") for h in page.find_all("h2")][:1] == ["小节"]
    assert not page.find_all("h1", id="基本概念")
    assert any(p["text"].startswith("#基本概念") for p in page.find_all("p"))
    note, _ = parse_note("a.md", body.encode())
    assert [h.text for h in note.headings] == ["真标题", "小节"]
