"""plugin: the HTML of note pages through one allow-list sanitiser (nh3, i.e. Rust's ammonia).

Notes are not trusted: web-clipped notes carry ``<script>``, ``on*=`` handlers, ``javascript:``
URLs and iframes, and Obsidian never runs scripts in notes either. The allow-list keeps what
notes and the Markdown extensions legitimately produce: tables, ``<details>``, footnotes, task
lists, highlighted code, images, audio/video, ``<mark>``, MathML. ``kbsite: sanitize: false``
turns it off for a vault whose raw HTML is trusted.

:class:`PageSanitizer` is the one place that turns page HTML into ``Markup`` (Jinja's "already
safe" string): templates print ``kb_content``, never ``page.content | safe``.
"""

from __future__ import annotations

import re
from typing import Any

import nh3
from markupsafe import Markup

MATHML_TAGS = frozenset(
    "math mrow mi mn mo ms mtext mspace msub msup msubsup mfrac msqrt mroot mover munder "
    "munderover mtable mtr mtd mstyle mpadded mphantom menclose merror semantics annotation "
    "mmultiscripts mprescripts none mfenced".split()
)
MATHML_ATTRS = frozenset(
    "display mathvariant stretchy fence separator lspace rspace linebreak width height depth "
    "columnalign rowalign rowspacing columnspacing columnlines rowlines frame accent accentunder "
    "minsize maxsize movablelimits symmetric form displaystyle scriptlevel notation open close "
    "separators largeop equalrows equalcolumns align encoding alttext".split()
)
# Beyond nh3's defaults (which already cover text, lists, tables, <details>, <img>, <mark> ...).
EXTRA_TAGS = frozenset({"input", "label", "audio", "video", "source", "track", "picture",
                        "svg", "path", "g", "circle", "rect", "line", "polyline", "polygon", "title"})
GENERIC_ATTRS = frozenset({"id", "class", "title", "lang", "dir", "role"})
TAG_ATTRS: dict[str, set[str]] = {
    "a": {"href", "hreflang", "target", "download"},
    "img": {"src", "alt", "width", "height", "loading", "align"},
    "input": {"type", "checked", "disabled", "name"},
    "label": {"for"},
    "details": {"open"},
    "ol": {"start", "type", "reversed"},
    "td": {"colspan", "rowspan", "align", "style"},
    "th": {"colspan", "rowspan", "align", "scope", "style"},
    "audio": {"src", "controls", "preload", "loop"},
    "video": {"src", "controls", "preload", "loop", "width", "height", "poster"},
    "source": {"src", "type", "srcset", "media"},
    "track": {"src", "kind", "srclang", "label"},
    "svg": {"viewBox", "width", "height", "xmlns", "fill", "aria-hidden", "focusable"},
    "path": {"d", "fill", "stroke", "stroke-width", "fill-rule", "clip-rule"},
    "g": {"fill", "stroke", "transform"},
    "circle": {"cx", "cy", "r", "fill", "stroke"},
    "rect": {"x", "y", "width", "height", "rx", "fill", "stroke"},
    "line": {"x1", "x2", "y1", "y2", "stroke"},
    "polyline": {"points", "fill", "stroke"},
    "polygon": {"points", "fill", "stroke"},
    "blockquote": {"cite"}, "q": {"cite"}, "del": {"cite", "datetime"}, "ins": {"cite", "datetime"},
    "time": {"datetime"}, "abbr": {"title"}, "col": {"span"}, "colgroup": {"span"},
    "span": {"style"}, "div": {"style"}, "p": {"style"},
}
# ``style`` is kept only for these properties (tables align cells with text-align).
STYLE_PROPERTIES = frozenset({"text-align", "vertical-align", "width", "height", "color",
                              "background-color", "font-weight", "font-style", "text-decoration"})
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Removed together with their content (nh3 drops script and style content anyway).
DROP_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template",
                               "noscript", "textarea", "select", "button", "form"})


# Material's own elements have ids that start with "__" (``#__config`` holds the theme's settings,
# including the search worker's URL; ``#__search``, ``#__drawer`` toggle its UI) and it finds them
# with querySelector, which returns the first match: a note must not be able to come first.
# nh3 writes every attribute as name="value" (a quote inside is &quot;), so one pass over its
# output finds them; a Python attribute_filter would run for every attribute of every page.
_RESERVED_ATTR_RE = re.compile(r'\s(?:id|for|name)="\s*__[^"]*"')


def _attributes(extra: dict[str, set[str]]) -> dict[str, set[str]]:
    attrs = {tag: set(values) for tag, values in TAG_ATTRS.items()}
    for tag, values in extra.items():
        attrs.setdefault(tag, set()).update(values)
    attrs["*"] = set(GENERIC_ATTRS)
    return attrs


def _math_attributes() -> dict[str, set[str]]:
    return {"math": set(MATHML_ATTRS) | {"xmlns"}, **{t: set(MATHML_ATTRS) for t in MATHML_TAGS if t != "math"}}


_PAGE_CLEANER = nh3.Cleaner(
    tags=set(nh3.ALLOWED_TAGS) | EXTRA_TAGS | MATHML_TAGS,
    clean_content_tags=set(DROP_WITH_CONTENT),
    attributes=_attributes(_math_attributes()),
    url_schemes=set(URL_SCHEMES),
    link_rel=None,  # internal links stay plain; browsers imply noopener for target=_blank
    strip_comments=True,
    filter_style_properties=set(STYLE_PROPERTIES),
)
_MATH_CLEANER = nh3.Cleaner(
    tags=set(MATHML_TAGS),
    clean_content_tags={"script", "style"},
    attributes=_math_attributes(),
    url_schemes=set(),
    link_rel=None,
    strip_comments=True,
)


def sanitize_html(markup: str) -> str:
    """A page's HTML with everything outside the allow-list removed."""
    clean = _PAGE_CLEANER.clean(markup)
    return _RESERVED_ATTR_RE.sub("", clean) if '="__' in clean or '=" ' in clean else clean


def sanitize_mathml(markup: str) -> str:
    """Only MathML elements and attributes survive; every text node is escaped."""
    return _MATH_CLEANER.clean(markup)


class PageSanitizer:
    """Sanitises note pages once (``on_page_content``) and hands the result to templates."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._clean: dict[int, str] = {}  # id(page) -> the HTML this build's clean() returned

    def clean(self, page: Any, html: str) -> str:
        out = sanitize_html(html) if self.enabled else html
        self._clean[id(page)] = out
        return out

    def adopt(self, page: Any, html: str) -> str:
        """HTML this sanitiser cleaned in an earlier build (``mkdocs serve`` reuses it)."""
        self._clean[id(page)] = html
        return html

    def markup(self, page: Any) -> Markup:
        """``page.content`` as template-safe HTML: the string clean() produced, or cleaned now
        (the page is not a note, or a plugin after ours changed it)."""
        html = page.content or ""
        if not self.enabled or self._clean.get(id(page)) is html:
            return Markup(html)  # noqa: S704 - the sanitiser's own output (or trusted by config)
        return Markup(sanitize_html(html))  # noqa: S704 - sanitised just now
