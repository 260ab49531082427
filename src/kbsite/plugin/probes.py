"""plugin: the MkDocs and Material internals kbsite's fast paths lean on, probed before use.

Each fast path has a stock fallback. When a probe fails (a new MkDocs or Material moved the
internal), the build takes the fallback and says so once, as a warning naming the internal, so
an upgrade costs speed, never a broken site.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

from mkdocs.plugins import get_plugin_logger

log = get_plugin_logger(__name__)

# MkDocs 1.6 ``Page.render`` registers these; SharedMarkdown (render.py) does the same.
PAGE_INTERNALS = ("_RawHTMLPreprocessor", "_ExtractAnchorsTreeprocessor", "_RelativePathTreeprocessor",
                  "_ExtractTitleTreeprocessor")
MATERIAL_WORKER_RE = re.compile(r"assets/javascripts/workers/search\.[0-9a-f]+\.min\.js")


def _shared_markdown() -> str | None:
    """The classes MkDocs' Page.render registers, and the Page fields render_page fills in."""
    from mkdocs.structure import pages
    missing = [n for n in PAGE_INTERNALS if not hasattr(pages, n)]
    return f"mkdocs.structure.pages.{missing[0]}" if missing else _page_state()


def _page_state() -> str | None:
    """What the serve page cache saves and restores of a rendered page."""
    from mkdocs.structure.pages import Page
    for name in ("present_anchor_ids", "links_to_anchors"):
        if not hasattr(Page, name):
            return f"Page.{name}"
    if "_title_from_render" not in Page.__init__.__code__.co_names:
        return "Page._title_from_render"
    return None


def _nav_urls() -> str | None:
    import mkdocs.utils
    for name in ("_get_norm_url", "_norm_parts"):
        if not callable(getattr(mkdocs.utils, name, None)):
            return f"mkdocs.utils.{name}"
    return None


def _material_worker() -> str | None:
    """Material's base.html names its search worker, which kbsite's replaces."""
    try:
        import material
    except ImportError:
        return "material"
    base = Path(material.__file__).parent / "templates" / "base.html"
    try:
        text = base.read_text(encoding="utf-8")
    except OSError:
        return "material/templates/base.html"
    return None if MATERIAL_WORKER_RE.search(text) else "the search worker URL in Material's base.html"


def _link_rewriter() -> str | None:
    """MkDocs' relative-link rewriter, registered on the Markdown that renders an embed."""
    from mkdocs.structure import pages
    cls = getattr(pages, "_RelativePathTreeprocessor", None)
    return None if callable(getattr(cls, "_register", None)) else "mkdocs.structure.pages._RelativePathTreeprocessor"
def _serve_rebuild() -> str | None:
    """What the incremental serve rebuild (incremental.py) relies on in MkDocs' ``build``: the
    site folder is emptied after ``on_pre_build`` and nothing is written before ``on_files``; a
    page's template comes from ``page.meta`` before ``on_page_context``; an empty output is not
    written, and says so in one log line."""
    import inspect

    from mkdocs.commands import build
    try:
        whole, page = inspect.getsource(build.build), inspect.getsource(build._build_page)
    except (OSError, TypeError, AttributeError):
        return "the source of mkdocs.commands.build"
    order = [whole.find(s) for s in ("on_pre_build(", "utils.clean_directory(config.site_dir)", "on_files(",
                                     "_populate_page(", "on_env(", "_build_page(")]
    if min(order) < 0 or order != sorted(order):
        return "the order of on_pre_build, clean_directory and on_files in mkdocs.commands.build.build"
    steps = [page.find(s) for s in ("page.meta.get('template', 'main.html')", "on_page_context(",
                                    "on_post_page(", "if output.strip():", "Page skipped: '{page.file.src_uri}'")]
    if min(steps) < 0 or steps != sorted(steps):
        return "the template choice and the empty-output rule of mkdocs.commands.build._build_page"
    return None


def _page_loop() -> str | None:
    """What pageloop.py wraps: MkDocs' ``build`` calls the module's ``_build_page`` by name, with
    the parameters of MkDocs 1.6."""
    import inspect

    from mkdocs.commands import build
    fn = getattr(build, "_build_page", None)
    if not callable(fn) or "_build_page" not in build.build.__code__.co_names:
        return "mkdocs.commands.build._build_page"
    try:
        params = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        params = []
    if params != ["page", "config", "doc_files", "nav", "env", "dirty", "excluded"]:
        return "the parameters of mkdocs.commands.build._build_page"
    return None


def _plugin_events() -> str | None:
    from mkdocs.plugins import PluginCollection
    return None if hasattr(PluginCollection(), "events") else "PluginCollection.events"


PROBES: dict[str, tuple[Callable[[], str | None], str]] = {
    "shared-markdown": (_shared_markdown, "every page builds its own Markdown instance (slower)"),
    "page-cache": (_page_state, "`mkdocs serve` re-renders every note on each rebuild"),
    "nav-cache": (_nav_urls, "the navigation is rendered for every page (slower)"),
    "search-worker": (_material_worker, "Material's own search is used instead of kbsite's"),
    "incremental": (_serve_rebuild, "`mkdocs serve` renders and writes every page on each rebuild"),
    "page-loop": (_page_loop, "`mkdocs serve` runs MkDocs' page build for unchanged pages too (slower)"),
    "plugin-events": (_plugin_events, "Material's own search is used instead of kbsite's"),
    "transclusion": (_link_rewriter, "![[note]] embeds are shown as links, not as content"),
}


class Probes:
    """Probe results for one build; a failed probe warns once per build."""

    def __init__(self) -> None:
        self._results: dict[str, bool] = {}

    def ok(self, name: str) -> bool:
        if name not in self._results:
            check, fallback = PROBES[name]
            missing = check()
            if missing is not None:
                log.warning(f"{missing} is not there (a newer MkDocs or Material?): {fallback}")
            self._results[name] = missing is None
        return self._results[name]
