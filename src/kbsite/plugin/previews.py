"""plugin: hover previews, from small fragments written at build time.

For every note page (and every generated topic page) one JSON file under
``assets/kbsite/previews/<page>.json`` (``<page>``: ``core.graphdata.data_path`` of its URL)::

    {"v": 1, "url": "notes/lora/", "title": "LoRA", "type": "technique", "type_label": "技术",
     "status": "done", "status_label": "完成",
     "sections": [["", "", 0, "<p>…</p>"], ["方法", "方法", 2, "<p>…</p>"], …]}

A section is ``[heading id, heading text, level, excerpt HTML]``; the first one is the text
before the first heading. The excerpts are cut from the page's sanitised HTML (formatting,
links and wanted links kept; code blocks, tables, images and ids left out; formulas as their
TeX) so that the whole file stays within ``BUDGET`` bytes, shared fairly among the sections.
Each excerpt ends as ``sanitize_html``'s output, the only HTML preview.js inserts; links in it
are rewritten to site-relative URLs (preview.js resolves them against the site root).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import nh3

from kbsite.core.graphdata import data_path
from kbsite.plugin.graph import READER_CSS, add_asset, write_data
from kbsite.plugin.sanitize import sanitize_html

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page

    from kbsite.plugin.plugin import KbsitePlugin

PREVIEW_JS = "assets/kbsite/preview.js"
DATA_DIR = "assets/kbsite/previews"
BUDGET = 2000  # bytes per preview file, one in every note: ~600 CJK characters; a first hover stays under 3 KB
_VOID = {"br", "wbr", "img", "input", "hr"}
_MATH_RE = re.compile(r"<math\b[^>]*?\balttext=\"([^\"]*)\"[^>]*>.*?</math>", re.S)
_SPACE_RE = re.compile(r"\s+")
# What the cleaner leaves of a task list's checkbox (its class dropped, its <input> gone).
_EMPTY_SPAN_RE = re.compile(r'<span(?: class="")?></span>')
_URL_SAFE = "/%#-._~!$&'()*+,;=:@?"
_URL_OK_RE = re.compile(r"^[A-Za-z0-9/%#\-._~!$&'()*+,;=:@?]*$")


class _Resolver:
    """nh3's ``url_relative`` callback: a relative link of the page -> a site-relative URL."""

    page_url = ""
    folder: list[str] = []

    def set_page(self, url: str) -> None:
        self.page_url = url
        self.folder = url.split("/")[:-1]  # "notes/a/" -> ["notes", "a"]; "notes/a.html" -> ["notes"]

    def __call__(self, url: str) -> str | None:
        if url.startswith("#"):
            return (self.page_url or "./") + url
        cut = min((i for i in (url.find("#"), url.find("?")) if i >= 0), default=len(url))
        path, rest = url[:cut], url[cut:]
        if path.startswith("/") or "\\" in path:
            return None  # not relative to the page: nothing a note should link to here
        parts = list(self.folder)
        for seg in path.split("/")[:-1]:
            if seg == "..":
                if not parts:
                    return None  # climbs above the site root
                parts.pop()
            elif seg not in ("", "."):
                parts.append(seg)
        last = path.rsplit("/", 1)[-1]
        if last == "..":
            if not parts:
                return None
            parts.pop()
            last = ""
        elif last == ".":
            last = ""
        out = "/".join(parts + [last]) if parts else last
        out = (out + rest) or "./"
        # Percent-encoded (a link MkDocs left as written may hold raw CJK or spaces); escapes stay.
        return out if _URL_OK_RE.match(out) else quote(out, safe=_URL_SAFE)


_RESOLVE = _Resolver()
# What an excerpt keeps: inline formatting, paragraphs, lists, quotes, links, and the headings
# (with their ids) it is split at. The elements in clean_content_tags go with their content
# (code, tables, media, formulas left without their TeX). One nh3 pass per page (Rust: faster
# than any filter written here); every excerpt then goes through sanitize_html (build_preview).
_EXCERPT_CLEANER = nh3.Cleaner(
    tags={"p", "a", "strong", "em", "b", "i", "code", "mark", "del", "s", "sub", "sup", "kbd", "ul", "ol",
          "li", "blockquote", "br", "span", "abbr", "small", "q", "h1", "h2", "h3", "h4", "h5", "h6"},
    clean_content_tags={"script", "style", "pre", "table", "svg", "math", "figure", "iframe", "object",
                        "embed", "template", "noscript", "textarea", "select", "button", "form", "audio",
                        "video", "picture"},
    attributes={"*": set(), "a": {"href"}, **{f"h{i}": {"id"} for i in range(1, 7)}},
    generic_attribute_prefixes=set(),
    allowed_classes={"a": {"kb-link", "headerlink"}, "span": {"kb-wanted"}},
    url_schemes={"http", "https", "mailto"},
    url_relative=_RESOLVE,
    link_rel=None,
    strip_comments=True,
)


def _json_size(text: str) -> int:
    """Bytes ``text`` takes inside a JSON string (UTF-8; ``"`` and ``\\`` escaped)."""
    return len(text.encode("utf-8")) + text.count('"') + text.count("\\")


_HEADING_RE = re.compile(r"<h([1-6])\b([^>]*)>(.*?)</h\1\s*>", re.S | re.I)
_ID_RE = re.compile(r"""\bid\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_PERMALINK_RE = re.compile(r"<a\b[^>]*\bclass=\"[^\"]*\bheaderlink\b[^>]*>.*?</a\s*>", re.S | re.I)
_TAG_RE = re.compile(r"<[^>]*>")


def split_sections(markup: str) -> list[tuple[str, str, int, str]]:
    """``[(id, heading text, level, html)]``: the text before the first heading, then each heading's.

    ``markup`` is the sanitiser's output (serialised by html5ever: quoted attributes, no stray
    ``<`` in text, headings never nested), so a pattern finds the headings exactly and fast.
    """
    out: list[tuple[str, str, int, str]] = []
    start, ident, title, level = 0, "", "", 0
    for m in _HEADING_RE.finditer(markup):
        out.append((ident, title, level, markup[start:m.start()]))
        found = _ID_RE.search(m.group(2))
        ident = html.unescape((found.group(1) or found.group(2) or "") if found else "")
        text = _TAG_RE.sub("", _PERMALINK_RE.sub("", m.group(3)))
        title = _SPACE_RE.sub(" ", html.unescape(text)).strip()
        level, start = int(m.group(1)), m.end()
    out.append((ident, title, level, markup[start:]))
    return out


_TOKEN_RE = re.compile(r"<[^>]*>|[^<]+")
_TAGNAME_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)")
_PARTIAL_ENTITY_RE = re.compile(r"&[^;\s]*$")


def truncate_html(markup: str, limit: int) -> str:
    """The start of (cleaned, well-formed) HTML that takes at most ``limit`` JSON bytes, with
    what is open closed and a cut text ended by "…"."""
    out: list[str] = []
    size = 0
    stack: list[str] = []
    for tok in _TOKEN_RE.findall(markup):
        closing = sum(len(t) + 3 for t in stack)
        if tok.startswith("<"):
            m = _TAGNAME_RE.match(tok)
            if not m:
                continue
            name = m.group(2).lower()
            if m.group(1):  # an end tag
                while name in stack:
                    top = stack.pop()
                    out.append(f"</{top}>")
                    size += len(top) + 3
                    if top == name:
                        break
                continue
            cost = _json_size(tok)
            if size + cost + closing + len(name) + 4 > limit:
                break
            out.append(tok)
            size += cost
            if name not in _VOID and not tok.endswith("/>"):
                stack.append(name)
            continue
        cost = _json_size(tok)
        if size + cost + closing <= limit:
            out.append(tok)
            size += cost
            continue
        cut = _cut(tok, limit - size - closing - 3)  # "…" takes 3 bytes
        if cut:
            out.append(cut + "…")
        break
    out.extend(f"</{t}>" for t in reversed(stack))
    return "".join(out).strip()


def _cut(text: str, room: int) -> str:
    """The longest start of an escaped text within ``room`` JSON bytes, not ending inside an entity."""
    if room <= 0:
        return ""
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _json_size(text[:mid]) <= room:
            lo = mid
        else:
            hi = mid - 1
    return _PARTIAL_ENTITY_RE.sub("", text[:lo]).rstrip()


def page_sections(markup: str, page_url: str) -> list[tuple[str, str, int, str]]:
    """A page's sections, each reduced to what a preview shows, links made site-relative.
    One pass over the whole page, then the split at its headings."""
    _RESOLVE.set_page(page_url)
    markup = _MATH_RE.sub(lambda m: f"<code>{m.group(1)}</code>", markup)
    cleaned = _EMPTY_SPAN_RE.sub("", _SPACE_RE.sub(" ", _EXCERPT_CLEANER.clean(markup)))
    return [(i, t, lv, x.strip()) for i, t, lv, x in split_sections(cleaned)]


def build_preview(head: dict[str, Any], sections: list[tuple[str, str, int, str]], budget: int = BUDGET) -> bytes:
    """The preview file: ``head`` fields plus every section, excerpts cut to fit ``budget``."""
    skeleton = [[i, t, lv, ""] for i, t, lv, _ in sections]
    base = len(_dumps({**head, "sections": skeleton}))
    sizes = [_json_size(x) for *_, x in sections]
    avail = budget - base
    body = b""
    for _ in range(8):
        cap = _water_level(sizes, max(0, avail))
        # Every excerpt, whole or cut, is the page sanitiser's output: what preview.js inserts.
        cut = [[i, t, lv, sanitize_html(x if _json_size(x) <= cap else truncate_html(x, cap)) if cap > 0 else ""]
               for i, t, lv, x in sections]
        body = _dumps({**head, "sections": cut})
        if len(body) <= budget:
            return body
        avail -= max(40, (len(body) - budget) + avail // 10)
    return body  # only when the headings alone exceed the budget


def _water_level(sizes: list[int], avail: int) -> int:
    """The largest per-section cap ``c`` with ``sum(min(size, c)) <= avail``."""
    if sum(sizes) <= avail:
        return max(sizes, default=0)
    lo, hi = 0, max(sizes, default=0)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if sum(min(s, mid) for s in sizes) <= avail:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class PreviewFeature:
    # Each file is written as soon as its page has rendered: holding them for on_post_build kept
    # 2 KB a note in memory until the build's peak (the search index is written then).

    def __init__(self) -> None:
        self._site = Path()
        self._made: set[str] = set()  # folders known to exist

    def on_config(self, plugin: KbsitePlugin, config: MkDocsConfig) -> None:
        add_asset(config.extra_css, READER_CSS)
        add_asset(config.extra_javascript, PREVIEW_JS)

    def on_files(self, plugin: KbsitePlugin, files: Files, config: MkDocsConfig) -> None:
        self._site = Path(config.site_dir)
        self._made = set()

    def _write(self, plugin: KbsitePlugin, rel: str, body: bytes) -> None:
        write_data(self._site / DATA_DIR / (rel + ".json"), body, self._made, plugin.outputs)

    def page_skipped(self, plugin: KbsitePlugin, page: Page) -> None:
        """Serve: the page is unchanged, and so is its preview, if the file is still there."""
        rel = data_path(page.url)
        if rel is not None:
            # As str(Path) joins it (rel has no empty, "." or ".." part), without its cost a page.
            path = f"{self._site}/{DATA_DIR}/{rel}.json"
            if plugin.outputs.has(path):
                plugin.outputs.claim(path)
                return
        self.on_page_context(plugin, {}, page)

    def on_page_context(self, plugin: KbsitePlugin, context: dict[str, Any], page: Page) -> None:
        views = plugin.views
        if views is None:
            return
        uri = page.file.src_uri
        note = plugin._note_files.get(uri)
        topic = plugin._topic_files.get(uri)
        rel = data_path(page.url)
        if rel is None:
            return
        if note is not None:
            ref = views.note_ref(note)
            head = {"v": 1, "url": page.url, "title": ref.title, "type": ref.type,
                    "type_label": ref.type_label or "笔记", "status": ref.status, "status_label": ref.status_label}
            sections = page_sections(page.content or "", page.url)
            self._write(plugin, rel, build_preview(head, sections))
        elif topic is not None:
            c = views.topic_ref(topic).counts
            head = {"v": 1, "url": page.url, "title": topic.title, "type": "topic", "type_label": "主题",
                    "status": "", "status_label": ""}
            text = f"<p>共 {c.total} 篇笔记（含子主题）：完成 {c.done}，草稿 {c.draft}，待写 {c.todo}。</p>"
            self._write(plugin, rel, build_preview(head, [("", "", 0, text)]))
