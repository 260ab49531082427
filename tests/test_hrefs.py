"""Every link kbsite writes is a valid, percent-encoded URL that lands on the right page and heading,
whatever the note's file name holds: space, ``#``, ``?``, ``%``, ``%20``, ``&``, quotes, Chinese.

Links are followed the way a browser follows them: the href is joined to the page's URL, the
path is percent-decoded to a file in site/, the fragment is decoded to an id of that page.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

import pytest
from mkdocs.exceptions import Abort

from kbtest import MKDOCS_YML, BuildResult, Html, build_kb, make_kb

# file name -> (title, alias, heading under which it keeps an open task)
TARGETS = {
    "注意力 #3 ?.md": ("注意力第三", "注意力别名", "多头 注意力"),
    "a%20b.md": ("百分号", "pct", "小节 一"),
    "a b.md": ("空格", "spc", "小节 一"),
    "x&y.md": ("与号 & 符号", "amp", "甲&乙 两者"),
    "it's \"q\".md": ("引号 'q'", "quote", "他说\"好\"吗"),
    "中文 名.md": ("中文名", "zh", "第 二 节"),
    "sub dir/深 #层?.md": ("深层", "deep", "深 处"),
    "100%.md": ("百分百", "full", "全 部"),
}
TOPIC = "编码 & 测试"


def _target(title: str, alias: str, heading: str) -> str:
    return (f"---\ntitle: {title!r}\naliases: [{alias!r}]\ntopics: [{TOPIC!r}]\nstatus: draft\n---\n"
            f"开头。\n\n## {heading}\n\n- [ ] 补充 {title} 的例子\n\nTODO: 再写一点\n\n## 其他\n\n正文。\n")


def _links() -> str:
    """Wikilinks to every target by title and alias, with and without a heading."""
    lines = []
    for path, (title, alias, heading) in TARGETS.items():
        lines.append(f"- [[{title}]] / [[{alias}|别名 {alias}]] / [[{title}#{heading}]] / "
                     f"[[{alias}#{heading}|小节 {alias}]] / [[{alias}#其他|其他 {alias}]]")
    return "\n".join(lines) + "\n"


def _md_path(rel_from: str, target: str) -> str:
    """The target's path relative to the linking note, percent-encoded as Markdown wants it."""
    import posixpath

    return quote(posixpath.relpath(target, posixpath.dirname(rel_from) or "."))


def slugify(heading: str) -> str:
    """A heading's id with kbsite's default slugify (pymdownx's, lower case)."""
    from pymdownx.slugs import slugify as make_slugify

    return make_slugify(case="lower")(heading, "-")


def _md_links(rel_from: str) -> str:
    lines = []
    for path, (title, _alias, heading) in TARGETS.items():
        href = _md_path(rel_from, path)
        # The fragment as MkDocs checks it (it compares the raw text with the heading ids) and
        # writes it: the author's text, kept as is.
        fragment = slugify(heading)
        lines.append(f"- [路径 {title}]({href}) / [路径小节 {title}]({href}#{fragment})")
    return "\n".join(lines) + "\n"


HUB = "---\ntitle: 总览\n---\n" + _links() + "\n" + _md_links("hub.md")
DEEP_HUB = "---\ntitle: 深处总览\n---\n" + _links() + "\n" + _md_links("sub dir/hub2.md")
FILES = {f"notes/{path}": _target(*names) for path, names in TARGETS.items()}
FILES.update({"notes/hub.md": HUB, "notes/sub dir/hub2.md": DEEP_HUB})

# RFC 3986: unreserved and reserved characters, and "%" (checked below to start an escape).
URL_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
SITE = "http://kb.example/"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build_kb(make_kb(tmp_path_factory.mktemp("hrefs"), FILES, MKDOCS_YML))


def page_url(rel: str) -> str:
    """notes/hub/index.html -> notes/hub/ (directory URLs), as MkDocs writes them."""
    return rel[: -len("index.html")] if rel.endswith("index.html") else rel


def assert_valid_url(href: str, where: str, authors_fragment: bool = False) -> None:
    """``authors_fragment``: a Markdown link's ``#fragment`` is the author's text, which MkDocs
    keeps as written (raw Unicode in a fragment is still a valid URL for browsers); its path
    is written by MkDocs from the target's URL and must be encoded all the same."""
    assert href, where
    path, _, fragment = href.partition("#")
    checked = path if authors_fragment else href
    assert URL_CHARS.fullmatch(checked), (where, href)  # ASCII only: no raw space, quote, Chinese
    assert not BAD_ESCAPE.search(checked), (where, href)  # every % starts an escape
    if authors_fragment:
        assert not set(fragment) & set(" \"<>`#"), (where, href)
    assert not set(path) & set(" ?\"'<>\\"), (where, href)  # a path with "?" would end at it
    assert href.count("#") <= 1, (where, href)


def follow(site: BuildResult, rel: str, href: str) -> tuple[Path, str | None]:
    """The file ``href`` on page ``rel`` lands on, and its decoded fragment."""
    url = urlsplit(urljoin(SITE + quote(page_url(rel)), href))
    assert url.netloc == "kb.example" and not url.query, (rel, href)
    path = unquote(url.path)[1:]
    target = site.site / path / "index.html" if path.endswith("/") or not path else site.site / path
    assert target.is_file(), (rel, href, target)
    return target, (unquote(url.fragment) if url.fragment else None)


def ids_of(target: Path) -> set[str]:
    return {el["attrs"]["id"] for el in Html(target.read_text(encoding="utf-8")).elements if el["attrs"].get("id")}


def title_of(target: Path) -> str:
    return Html(target.read_text(encoding="utf-8")).find(cls="kb-title")["text"].strip()


def check_link(site: BuildResult, rel: str, a: dict, authors_fragment: bool = False) -> tuple[str, str | None]:
    """Valid, lands on a page in site/, its fragment is an id there; returns (title, fragment)."""
    href = a["attrs"].get("href") or ""
    assert_valid_url(href, f"{rel}: {a['text']!r}", authors_fragment)
    target, fragment = follow(site, rel, href)
    if fragment is not None:
        assert fragment in ids_of(target), (rel, a["text"], href, fragment, sorted(ids_of(target)))
    return title_of(target), fragment


HUBS = ["notes/hub/index.html", "notes/sub dir/hub2/index.html"]


def test_the_build_has_no_warnings(site: BuildResult) -> None:
    """Every link resolves and every heading exists as MkDocs checks them: a wikilink fragment
    encoded before MkDocs validates it would be reported as a missing anchor."""
    assert [line for line in site.logs if not line.startswith("INFO:")] == []


@pytest.mark.parametrize("hub", HUBS)
def test_wikilinks_land_on_the_right_note_and_heading(site: BuildResult, hub: str) -> None:
    page = site.page(hub)
    links = page.find_all("a", cls="kb-link")
    assert len(links) == 5 * len(TARGETS), [a["text"] for a in links]
    seen = {}
    for a in links:
        title, fragment = check_link(site, hub, a)
        seen[a["text"]] = (title, fragment)
    for title, alias, heading in TARGETS.values():
        assert seen[title] == (title, None), title
        assert seen[f"别名 {alias}"] == (title, None), alias
        assert seen[f"小节 {alias}"] == (title, slugify(heading)), alias
        assert seen[f"{title} § {heading}"] == (title, slugify(heading)), heading
        assert seen[f"其他 {alias}"] == (title, "其他"), alias
    # "a%20b" and "a b" are two notes and two pages
    assert seen["百分号"] != seen["空格"]


@pytest.mark.parametrize("hub", HUBS)
def test_markdown_path_links_land_on_the_right_note(site: BuildResult, hub: str) -> None:
    page = site.page(hub)
    for title, _alias, _heading in TARGETS.values():
        for label in (f"路径 {title}", f"路径小节 {title}"):
            found = [a for a in page.tags("a") if a["text"] == label]
            assert len(found) == 1, label
            got, fragment = check_link(site, hub, found[0], authors_fragment=True)
            assert got == title, label
            assert (fragment is not None) == label.startswith("路径小节"), label


def test_heading_fragments_are_encoded_and_match_the_heading_ids(site: BuildResult) -> None:
    a = [a for a in site.page("notes/hub/index.html").find_all("a", cls="kb-link") if a["text"] == "小节 zh"]
    assert len(a) == 1
    href = a[0]["attrs"]["href"]
    assert href == "../%E4%B8%AD%E6%96%87%20%E5%90%8D/#%E7%AC%AC-%E4%BA%8C-%E8%8A%82"  # 中文 名 / 第 二 节
    assert "第-二-节" in ids_of(site.site / "notes/中文 名/index.html")


def test_every_link_on_every_page_is_valid_and_lands(site: BuildResult) -> None:
    """All of kbsite's pages (notes, topics, index, todo): body links, backlinks, breadcrumbs,
    topic chips, coverage items; fragments included."""
    checked = 0
    for path in sorted(site.site.rglob("*.html")):
        rel = path.relative_to(site.site).as_posix()
        if rel.startswith(("assets/", "search/")) or rel == "404.html":
            continue
        page = Html(path.read_text(encoding="utf-8"))
        article = page.find("article")
        for a in [el for el in _descendants(article) if el["tag"] == "a" and el["attrs"].get("href")]:
            href = a["attrs"]["href"]
            if href.startswith(("http://", "https://", "mailto:")):
                continue
            # Fragments kbsite did not write: the toc's "¶" links, the Markdown links' (see above)
            authors = "headerlink" in (a["attrs"].get("class") or "").split() or a["text"].startswith("路径小节")
            assert_valid_url(href, f"{rel}: {a['text']!r}", authors_fragment=authors)
            target, fragment = follow(site, rel, href)
            if fragment is not None:
                assert fragment in ids_of(target), (rel, a["text"], href, fragment)
            checked += 1
    assert checked > 200


def test_backlinks_land_on_the_linking_notes(site: BuildResult) -> None:
    for path, (title, _alias, _heading) in TARGETS.items():
        rel = f"notes/{path[:-3]}/index.html"
        page = site.page(rel)
        assert title_of(site.site / rel) == title
        back = page.find("ul", cls="kb-backlinks")
        links = [li["children"][0] for li in back["children"] if li["tag"] == "li"]
        got = sorted(check_link(site, rel, a)[0] for a in links)
        assert got == ["总览", "深处总览"], (rel, got)


def test_topic_page_coverage_links_land_on_the_headings(site: BuildResult) -> None:
    topics = [p for p in site.site.glob("topics/*/index.html")]
    assert len(topics) == 1, topics
    rel = topics[0].relative_to(site.site).as_posix()
    page = site.page(rel)
    items = page.find_all("li", cls="kb-todo-item")
    assert len(items) >= 2 * len(TARGETS), [i["text"] for i in items]
    tasks = {}
    for li in items:
        first = [c for c in _descendants(li) if c["tag"] == "a"][0]
        title, fragment = check_link(site, rel, first)
        if first["text"].startswith("补充"):
            tasks[title] = fragment
    for title, _alias, heading in TARGETS.values():
        assert title in tasks and tasks[title] is not None, title  # links to the heading above the task


def _descendants(el: dict):  # type: ignore[no-untyped-def]
    for child in el["children"]:
        yield child
        yield from _descendants(child)


# ---- Links MkDocs cannot resolve are warnings -----------------------------------------------------


@pytest.fixture
def info_logs(caplog: pytest.LogCaptureFixture):  # type: ignore[no-untyped-def]
    """MkDocs' logger passes INFO records on (it is at WARNING by default), so that a line that
    is INFO rather than WARNING is seen."""
    caplog.set_level(logging.INFO, logger="mkdocs")
    return caplog


def test_unresolvable_links_are_warnings(kb, info_logs) -> None:  # type: ignore[no-untyped-def]
    result = kb({"notes/a.md": "# A\n\n[x](missing.md) 和 [y](nowhere/) 和 [z](../../outside.md)\n"})
    warnings = [line for line in result.logs if line.startswith("WARNING:")]
    assert any("missing.md" in line for line in warnings), result.logs
    assert any("nowhere/" in line for line in warnings), result.logs
    assert not [line for line in result.logs if line.startswith("INFO:") and ("nowhere/" in line or "missing.md" in line)]


@pytest.mark.parametrize("body", ["[x](missing.md)", "[y](nowhere/)"])
def test_strict_build_fails_on_an_unresolvable_link(tmp_path: Path, body: str) -> None:
    make_kb(tmp_path, {"notes/a.md": f"# A\n\n{body}\n"})
    with pytest.raises(Abort):
        build_kb(tmp_path, strict=True)


def test_user_choice_of_unrecognized_links_level_is_kept(kb, info_logs) -> None:  # type: ignore[no-untyped-def]
    yml = MKDOCS_YML.replace("validation:\n", "validation:\n  unrecognized_links: info\n")
    result = kb({"notes/a.md": "# A\n\n[y](nowhere/)\n"}, mkdocs_yml=yml)
    lines = [line for line in result.logs if "nowhere/" in line]
    assert lines and all(line.startswith("INFO:") for line in lines), result.logs
