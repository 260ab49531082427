"""plugin: the MkDocs adapter. Each event is short and delegates to the core or to templates."""

from __future__ import annotations

import functools
import gc
import html
import os
import posixpath
from pathlib import Path
from typing import Any, Callable, NamedTuple
from urllib.parse import quote, unquote

from markdown.extensions.toc import slugify as default_slugify
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import nest_paths

from kbsite.core.attachments import DRAWING_NOTE_SUFFIX, AttachmentIndex, is_attachment_name
from kbsite.core.dates import NoteDates, git_file_dates, note_dates
from kbsite.core.files import display_prefix
from kbsite.core.folders import Folder
from kbsite.core.history import GitLog, load_git_log
from kbsite.core.model import Link, Note, Severity
from kbsite.core.scaffold import HOME_MARKER
from kbsite.core.tags import Tag
from kbsite.core.topics import Topic
from kbsite.core.transclusion import Section, section
from kbsite.core.vault import ParseCache, Vault, VaultMemo, load_vault, site_path
from kbsite.plugin.compact import compact_html
from kbsite.plugin.config import KbsiteConfig
from kbsite.plugin.defaults import apply_defaults, require_mermaid_fence, require_sane_headers, user_config
from kbsite.plugin import features
from kbsite.plugin.embeds import file_element, missing_element
from kbsite.plugin.escaping import autoescape_own_templates
from kbsite.plugin.feed import ENTRIES, FEED_PATH, atom
from kbsite.plugin.hrefs import FragmentEncoderExtension
from kbsite.plugin.idlegc import IdleCollector
from kbsite.plugin.incremental import (
    Incremental, Outputs, config_signature, digest, nav_signature, other_page_hooks, page_signature, theme_signature,
)
from kbsite.plugin.markdown import KbMarkdownExtension, Transclusion
from kbsite.plugin.mermaid import Mermaid
from kbsite.plugin.math import render_math
from kbsite.plugin.obsidian import ObsidianExtension
from kbsite.plugin.navcache import NAV_JS, NavCache, NavTree, overridden, theme_loader
from kbsite.plugin.pagecache import NameMoves, PageCache, TemplateCodeCache, fingerprint
from kbsite.plugin.pageloop import PageLoop
from kbsite.plugin.transclusion import Transcluder
from kbsite.plugin.probes import Probes
from kbsite.plugin.render import SharedMarkdown, reusable
from kbsite.plugin.sanitize import PageSanitizer
from kbsite.plugin.search import SiteSearch
from kbsite.plugin.split import BuildSplit, ChildResult
from kbsite.plugin.viewmodels import (
    FolderPage, FoldersIndexPage, HomePage, NotePage, RecentPage, TagPage, TagsIndexPage, TodoPage, TopicPage,
    TopicsIndexPage,
)
from kbsite.plugin.viewcache import ViewCache
from kbsite.plugin.viewdeps import ViewDeps, all_refs
from kbsite.plugin.viewdigest import ViewDigest
from kbsite.plugin.views import Views
from kbsite.plugin.watcher import use_inotify

log = get_plugin_logger(__name__)

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
TOPICS_INDEX_URI = "topics/index.md"
FOLDERS_INDEX_URI = "folders/index.md"
RECENT_URI = "recent.md"
TAGS_INDEX_URI = "tags/index.md"
TODO_URI = "todo.md"
HOME_URI = "index.md"
# Generated one-of-a-kind pages: src_uri -> (kind, title); the template is kbsite/<kind>.html.
SPECIAL_PAGES = {TOPICS_INDEX_URI: ("topics", "主题索引"), FOLDERS_INDEX_URI: ("folders", "文件夹索引"),
                 TAGS_INDEX_URI: ("tags", "标签"), RECENT_URI: ("recent", "最近更新"),
                 TODO_URI: ("todo", "待办与覆盖")}
RECENT_PAGE = 100  # notes on the "最近更新" page
UNINDEXED = ("folders", "tags", "recent")  # special pages left out of the search index
# Topics this deep appear in the navigation (roots and their children); deeper ones are reached
# from their parent's page and the topics index. Every page carries the nav, so a nav that
# grows with the knowledge base makes the build quadratic.
NAV_DEPTH = 2
# Front-matter keys passed on to the theme (after escaping where the theme prints them raw).
THEME_META_KEYS = ("hide", "description")


class _Target(NamedTuple):
    href: str | None
    title: str
    private: bool = False  # a publish: false note: the link shows as text


class KbsitePlugin(BasePlugin[KbsiteConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.is_serve = False
        # Survives `mkdocs serve` rebuilds (MkDocs keeps a plugin that defines on_startup).
        self._parse_cache: ParseCache = {}
        self._vault_memo = VaultMemo()  # serve: a body-only edit keeps the last vault
        self.search = SiteSearch()  # its segmentation cache survives rebuilds too
        self._page_cache = PageCache()  # serve only: note HTML of unchanged notes
        self._template_code = TemplateCodeCache()  # serve only: compiled templates
        # The same formula often recurs across notes; MathML is a pure function of the TeX.
        self._render_math = functools.lru_cache(maxsize=8192)(render_math)
        self.features = features.default_features()  # graph, previews ... (features.py)
        self._git_log: GitLog | None = None  # one git pass, reused while HEAD stays put
        self._incremental = Incremental()  # serve only: render and write what changed
        self._page_loop = PageLoop()  # serve only: unchanged pages bypass MkDocs' _build_page
        self._view_cache = ViewCache()  # serve only: view models of pages that cannot have changed
        self._view_deps = ViewDeps()  # serve only: what each view model was made from
        self._extra_memo: dict[str, tuple[list[Any], str]] = {}  # serve: src_uri -> features' data, text
        self._name_moves = NameMoves()  # serve: names that resolve elsewhere since the last build
        self._names_stable: Callable[[Any], bool] | None = None
        self._nav_tree = NavTree()  # the full nav, one shared file (navcache.py)
        self._frozen = False  # mkdocs build: gc.freeze() from on_env to the build's end
        self._idle_gc = IdleCollector()  # serve: full collections between rebuilds (idlegc.py)
        self._infos_shown: set[str] = set()  # serve: info lines the last build printed
        self._split = BuildSplit()  # mkdocs build: a second process renders part of the pages
        self._reset()

    def _reset(self) -> None:
        self.vault: Vault | None = None
        self.views: Views | None = None
        self._note_files: dict[str, Note] = {}  # src_uri -> note
        self._topic_files: dict[str, Topic] = {}  # src_uri -> implicit topic
        self._note_uri: dict[str, str] = {}  # note.path -> src_uri
        self._urls: dict[str, str] = {}  # src_uri -> site-relative url
        self._folder_files: dict[str, Folder] = {}  # src_uri -> folder without a folder note
        self._tag_files: dict[str, Tag] = {}  # src_uri -> tag
        self.dates: dict[str, NoteDates] = {}  # note.path -> created / updated
        self._special: dict[str, str] = {}  # src_uri -> "topics" | "folders" | "todo" | "home"
        self._current: Page | None = None
        self._nav: Navigation | None = None
        self._markdown: SharedMarkdown | None = None  # one Markdown instance for all pages
        self._sanitizer = PageSanitizer()
        self._probes = Probes()  # each fast path checks the internals it needs, once per build
        self._use_page_cache = False
        self._slug: Callable[[str], str] = lambda text: default_slugify(text, "-")
        self._files: Files | None = None
        self._config: MkDocsConfig | None = None
        self._attachments = AttachmentIndex(())
        self._transcluder = Transcluder(lambda: self._probes.ok("transclusion"))
        self._mermaid = Mermaid()  # copies the vendored mermaid when a page has a diagram
        self._kb: dict[str, Any] = {}  # src_uri -> view model, when made before on_page_context
        self._stale: set[str] | None = None  # serve: pages whose view model is rebuilt (None: all)

    # ---- Events -------------------------------------------------------------------------

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.is_serve = command == "serve"
        self.search.serve = self.is_serve
        self._split.command, self._split.dirty = command, dirty
        self._incremental.serve = self.is_serve and not dirty

    @property
    def outputs(self) -> Outputs:
        """Where kbsite's own files are written (unchanged ones are skipped under serve)."""
        return self._incremental.outputs

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if self.is_serve:
            self._idle_gc.build_started()
        self._page_loop.reset()
        self._reset()
        if not self.config.enabled:
            return None
        apply_defaults(config, user_config(config))
        require_sane_headers(config)
        require_mermaid_fence(config)
        self._incremental.enabled = self._incremental.serve and self._probes.ok("incremental")
        self._slug = configure_toc(config)
        self._sanitizer = PageSanitizer(enabled=self.config.sanitize)
        config.markdown_extensions.append(KbMarkdownExtension(  # type: ignore[arg-type]
            self._resolve_wikilink, self._render_math, embed=self._embed, locate=self._locate_attachment,
            transclude=self._transclude))
        self._config = config
        config.markdown_extensions.append(FragmentEncoderExtension())  # type: ignore[arg-type]
        config.markdown_extensions.append(ObsidianExtension(tag_href=self._tag_href))  # type: ignore[arg-type]
        # Our templates sit after the user's custom_dir (so they can override them), before the theme.
        position = 1 if config.theme.custom_dir else 0
        config.theme.dirs.insert(position, str(TEMPLATES_DIR))
        config.extra_css.append("assets/kbsite/kbsite.css")
        config.extra_css.append("assets/kbsite/obsidian.css")
        config.extra_javascript.append(NAV_JS)
        self.search.on_config(config, enabled=self.config.search and self._probes.ok("search-worker")
                              and self._probes.ok("plugin-events"))
        features.run(self.features, "on_config", self, config)
        return config

    @event_priority(-100)  # last: right before MkDocs empties the site folder
    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        if self._incremental.serve:
            self._incremental.before_clean(config.site_dir)

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled:
            return None
        self._incremental.restore(config.site_dir)
        root = Path(self.config.notes_dir)
        project = project_dir(config)
        prefix = display_prefix(root, project)
        docs = Path(config.docs_dir)
        self.vault = load_vault(root, src_prefix=prefix, slugify=self._slug, cache=self._parse_cache,
                                boundary=[project], docs_dir=docs, docs_prefix=display_prefix(docs, project),
                                wanted=self.config.wanted, skip=[docs, Path(config.site_dir)],
                                exclude=self.config.exclude,
                                memo=self._vault_memo if self._incremental.enabled else None,
                                memo_key=config_signature(config) if self._incremental.enabled else None)
        _drop_refused(files, self.vault.refused_docs)
        self._files = files
        self._attachments = self.vault.attachments
        self._transcluder.start_build()
        self._log_diagnostics(self.vault)
        self._git_log = load_git_log(root, reuse=self._git_log)
        if self._git_log.shallow:
            log.warning("the git checkout is shallow, so every note would get the date of its one commit: "
                        "fetch the whole history (in GitHub Actions: actions/checkout with fetch-depth: 0)")
        git = git_file_dates(self._git_log.commits) if self._git_log.available else {}
        self.dates = note_dates(self.vault.notes, root, git)
        if self._incremental.enabled:
            self._view_cache.compare([*self.vault.notes, *self.vault.private.notes], self.dates, self.vault.reparsed)
            paths = (tuple(n.path for n in (*self.vault.notes, *self.vault.private.notes)),
                     tuple(rel for rel, _ in self.vault.assets))
            self._names_stable = self._name_moves.compare(paths, self.vault.index, self.vault.private)
        self._add_note_files(files, config, root)
        self._add_generated_pages(files, config)
        self._urls = {f.src_uri: f.url for f in files}
        # Folder crumbs on note pages when folders lead; topics have their own breadcrumb.
        self.views = Views(self.vault, self._note_url, self._topic_url, self._folder_url,
                           folder_crumbs=self._leading_tree() == "folders", dates=self.dates,
                           git_log=self._git_log, tag_url=self._tag_url)
        self._use_page_cache = self.is_serve and self._probes.ok("page-cache")
        if self._use_page_cache:
            self._start_page_cache(files, config)
        if self.config.nav and config.nav is None:
            config.nav = self._nav_config(files, config)
        features.run(self.features, "on_files", self, files, config)
        return files

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if not self.config.enabled:
            return None
        self._current = page
        uri = page.file.src_uri
        note = self._note_files.get(uri)
        if note is not None:
            page.meta = _theme_meta(note.title, "kbsite/note.html", note.extra)
            markdown = _drop_lead_h1(markdown) if note.lead_h1 is not None else markdown
            if self._use_page_cache:
                # No note's name, alias, path or links changed: only embeds (the embedded text)
                # can resolve differently than when the HTML was made.
                # Else: the links whose names resolve as before (pagecache.NameMoves).
                stable = (_not_embed if self._view_cache.same_notes else self._names_stable) \
                    if self._incremental.enabled else None
                if self._page_cache.lookup(page, markdown, self._link_dep_resolver(note), stable):
                    return ""  # unchanged: on_page_content puts the previous HTML back
                for link in note.links:
                    if link.markdown:
                        self._page_cache.record(page, ("md", link.target, None),
                                                self._md_link_target(note, link.target))
            return markdown
        if uri == HOME_URI and HOME_MARKER in markdown and uri not in self._special:
            # A hand-written home page asks for the generated sections (kbsite init writes one).
            self._special[uri] = "home"
            page.meta["template"] = "kbsite/home.html"
            return markdown.replace(HOME_MARKER, "")
        topic = self._topic_files.get(uri)
        folder = self._folder_files.get(uri)
        tag = self._tag_files.get(uri)
        if topic is not None:
            page.meta = _theme_meta(topic.title, "kbsite/topic.html")
        elif tag is not None:
            page.meta = _theme_meta(f"#{tag.name}", "kbsite/tag.html")
        elif folder is not None:
            page.meta = _theme_meta(folder.title, "kbsite/folder.html")
        elif uri in self._special:
            kind = self._special[uri]
            title = config.site_name if kind == "home" else SPECIAL_PAGES[uri][1]
            page.meta = _theme_meta(title, f"kbsite/{kind}.html")
        return None

    def on_page_context(self, context: dict[str, Any], *, page: Page, config: MkDocsConfig,
                        nav: Navigation) -> dict[str, Any] | None:
        if self._split.child_finished():
            self._leave_child()  # does not return
        self._split.rendering(page)
        if not self.config.enabled or self.views is None:
            return None
        if self._split.is_theirs(page):  # the other build process renders it
            if self._split.role == "parent":
                self.search.reserve(page)
            return context
        uri = page.file.src_uri
        if self._skip_page(page):  # unchanged: its template renders nothing
            return context
        self._index_page(page, uri)
        kb = self._kb.pop(uri, None)
        kb = self._page_kb(uri, config) if kb is None else kb
        if kb is None:
            return context
        context["kb"] = kb
        context["kb_content"] = self._sanitizer.markup(page)
        features.run(self.features, "on_page_context", self, context, page)
        return context

    def _skip_page(self, page: Page) -> bool:
        """An unchanged page (serve): what it gives the search index and the features is done
        here, in ``on_page_context`` or instead of MkDocs' whole page build (pageloop.py)."""
        if not self._incremental.is_skipped(page):
            return False
        self._index_page(page, page.file.src_uri)
        self._incremental.unskip_meta(page)
        features.run(self.features, "page_skipped", self, page)
        return True

    def _page_kb(self, uri: str, config: MkDocsConfig) -> Any:
        """The view model of a page of ours (None for a page kbsite does not make)."""
        assert self.views is not None
        views = self.views
        kind = self._special.get(uri)
        kb: Any
        if uri in self._note_files:
            kb = NotePage(views.note(self._note_files[uri]))
        elif uri in self._topic_files:
            kb = TopicPage(views.topic(self._topic_files[uri]))
        elif uri in self._folder_files:
            kb = FolderPage(views.folder(self._folder_files[uri]))
        elif uri in self._tag_files:
            kb = TagPage(views.tag(self._tag_files[uri]))
        elif kind == "tags":
            kb = TagsIndexPage(views.tag_tree())
        elif kind == "topics":
            kb = TopicsIndexPage(views.topic_tree())
        elif kind == "folders":
            kb = FoldersIndexPage(views.folder_tree())
        elif kind == "todo":
            kb = TodoPage(views.todo())
        elif kind == "home":
            kb = HomePage(views.home())
        elif kind == "recent":
            kb = RecentPage(views.dated(views.by_updated(RECENT_PAGE)), FEED_PATH if self._feed_enabled(config) else None)
        else:
            return None
        return kb

    @event_priority(100)  # first, so other plugins see the note's real (sanitised) HTML
    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if self.config.enabled:
            self._mermaid.see(html)
            self._split.converted(page)
        if not self.config.enabled or page.file.src_uri not in self._note_files:
            return None
        if self._use_page_cache and self._page_cache.is_reused(page):
            return self._sanitizer.adopt(page, self._page_cache.on_content(html, page, files) or html)
        html = self._sanitizer.clean(page, html)
        if self._use_page_cache:
            self._page_cache.on_content(html, page, files)  # remembers the sanitised HTML
        return html

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation | None:
        self._nav = nav
        # Decided here, right before pages render: in on_config other plugins could still add
        # Markdown extensions after ours.
        enabled = (self.config.enabled
                   and reusable(config, (KbMarkdownExtension, FragmentEncoderExtension, ObsidianExtension))
                   and self._probes.ok("shared-markdown"))
        self._markdown = SharedMarkdown(config) if enabled else None
        # Every build decides afresh: a plugin instance MkDocs reuses (its plugin cache) for a
        # serve after a build must not keep the build's "HTML may leave a page" (split.py).
        self._split.start(config.plugins, self, files, nav,
                          self._split_weights() if self.config.enabled and not self.is_serve else None)
        return None

    def _split_weights(self) -> dict[str, float]:
        """The pages either build process may render, by a rough cost (a short note is 1)."""
        weights = {uri: 1.0 + len(note.body) / 2000 for uri, note in self._note_files.items()}
        weights.update({uri: 1.0 + len(topic.all_notes()) / 20 for uri, topic in self._topic_files.items()})
        return weights

    def _leave_child(self) -> None:
        """The second build process, after its last page: hand its pages' state over and exit."""
        result = ChildResult(search=self.search.export(), mermaid=self._mermaid.used,
                             features=[f.split_export(self) if hasattr(f, "split_export") else None
                                       for f in self.features])
        pages = [f.page for f in self._files or () if f.page is not None]
        self._split.leave(result, pages)

    def _join_child(self) -> None:
        assert self._files is not None
        result = self._split.join(self._files)
        self.search.fill(result.search)
        for feature, data in zip(self.features, result.features):
            if data is not None:
                feature.split_import(self, data)
        self._mermaid.used = self._mermaid.used or result.mermaid

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        if not self.config.enabled:
            return None
        autoescape_own_templates(env)
        if not self.is_serve:
            # What lives now (config, files, nav, vault, views) lives through the build: frozen,
            # the collector's full passes skip it (~1 s at 3,000 notes). Serve: idlegc.py.
            self._frozen = True
            gc.freeze()
        env.filters["kbsite_search_worker"] = self.search.worker_filter  # used by main.html
        dirs = list(config.theme.dirs)
        ours = dirs.index(str(TEMPLATES_DIR)) if str(TEMPLATES_DIR) in dirs else len(dirs)
        env.loader = theme_loader(env.loader, dirs[ours + 1:])  # for partials/nav.html
        nav = None if overridden(dirs[:ours]) or not self._probes.ok("nav-cache") else self._nav
        extra = [config.theme.get("logo") or "", config.extra.get("homepage") or ""]
        self._nav_tree.begin(config.site_dir, self.outputs)
        tree = None if "navigation.prune" in (config.theme.get("features") or []) else self._nav_tree
        env.globals["kbsite_nav"] = NavCache(nav, extra, tree) if nav is not None else None
        if self.is_serve:
            env.bytecode_cache = self._template_code
        env.globals["kbsite_feed"] = FEED_PATH if self._feed_enabled(config) else None  # main.html
        features.run(self.features, "on_env", self, env, config)
        if self._incremental.enabled:
            self._plan_pages(env, config, files)
            if self._incremental.skipped and self._split.role is None and self._probes.ok("page-loop"):
                self._page_loop.start(self._skip_page)
        self._split.all_converted(files)
        self._split.static_templates(config)
        self.search.prime = self._split.safe
        if self.search.prime:  # mkdocs build, every handler kbsite's
            self.search.spell_ahead((f.page, self._note_files.get(f.src_uri), self._topic_files.get(f.src_uri))
                                    for f in files.documentation_pages()
                                    if f.page is not None and not self._split.is_theirs(f.page))
        return env

    def _plan_pages(self, env: Any, config: MkDocsConfig, files: Files) -> None:
        """Serve: fingerprint every page's render inputs; the unchanged ones are not rendered."""
        others = other_page_hooks(config.plugins, self)
        if others:
            log.info(f"every page is rendered on each rebuild: {', '.join(others)} may change pages")
        # kb_graph_page is the graph page's input (graph.py adds it there); others show its URL.
        shared = digest(*config_signature(config), theme_signature(config.theme.dirs),
                        nav_signature(self._nav) if self._nav is not None else "",
                        repr(env.globals.get("kbsite_feed")),
                        repr(getattr(env.globals.get("kb_graph_page"), "url", None)))  # local-graph.html
        pages = [f.page for f in files if f.is_documentation_page() and f.page is not None]
        serialise = ViewDigest()
        self._plan_views(shared, files, pages, serialise)
        self._incremental.plan(pages, lambda page: self._page_inputs(page, config, serialise), shared,
                               render_all=bool(others))
        uris = {p.file.src_uri for p in pages}
        self._view_deps.drop_others(uris)
        for gone in [u for u in self._extra_memo if u not in uris]:
            del self._extra_memo[gone]
        log.debug(f"serve: {self._view_cache.reused} view models reused")

    def _plan_views(self, shared: bytes, files: Files, pages: list[Page], serialise: ViewDigest) -> None:
        """Which pages' view models may be reused from the last build: all but the edited notes'
        after a body-only edit (``viewcache.py``), else those whose inputs did not change
        (``viewdeps.py``)."""
        assert self.vault is not None and self.views is not None
        git = self._git_log
        key = digest(shared, "\n".join(f.src_uri for f in files),
                     repr((git.available, git.reason, git.head, git.root, len(git.commits)) if git else None))
        reuse = self._view_cache.start(key)
        self._stale: set[str] | None = None
        self._fresh_extra = False  # reused view models, features' data made anew
        if reuse is not None:  # nothing another page shows changed: the last state still holds
            self._stale = {self._note_uri[p] for p in reuse.stale_notes if p in self._note_uri}
            if reuse.dates_moved:
                self._stale |= {uri for uri, kind in self._special.items() if kind in ("home", "recent")}
            return
        if not self._view_cache.same_key:
            self._view_deps.forget()
        refs = all_refs(self.vault, self.views, serialise.ref_text)
        own = {*self.vault.reparsed, *self._view_cache.moved}
        self._stale = self._view_deps.stale(self.vault, self.views, self._view_cache.changed, own, refs,
                                            [(p.file.src_uri, self._page_kind(p.file.src_uri)) for p in pages])
        self._fresh_extra = self._stale is not None

    def _page_kind(self, uri: str) -> tuple[str, Any]:
        for kind, found in (("note", self._note_files), ("topic", self._topic_files),
                            ("folder", self._folder_files), ("tag", self._tag_files)):
            obj = found.get(uri)
            if obj is not None:
                return kind, obj
        return ("special" if uri in self._special else "other"), None

    def _page_inputs(self, page: Page, config: MkDocsConfig, serialise: ViewDigest) -> list[bytes | str]:
        """Everything of kbsite's a page's template shows: its view model and the features' data."""
        uri = page.file.src_uri
        parts = self._view_cache.parts(uri) if self._stale is not None and uri not in self._stale else None
        if parts is None or self._fresh_extra:
            extra: list[Any] = []
            features.run(self.features, "page_inputs", self, page, extra)
            extra_text = self._extra_text(uri, extra, serialise)
        if parts is None:
            kb = self._page_kb(uri, config) if self.views is not None else None
            if kb is not None:
                self._kb[uri] = kb
            view, refs = serialise.text_and_refs(kb)
            self._view_deps.record(uri, refs, kb)
        else:
            view = parts[0]
            extra_text = extra_text if self._fresh_extra else parts[1]
        self._view_cache.remember(uri, view, extra_text)
        return [*page_signature(page, self._incremental.content_digest),
                *self._incremental.text_digests(page, view, extra_text)]

    def _extra_text(self, uri: str, extra: list[Any], serialise: ViewDigest) -> str:
        """The features' data of a page as text. A feature hands back the very object of the last
        build when its data did not change (the local graph of a node whose neighbours are as
        they were): then the text is too, without walking it again."""
        last = self._extra_memo.get(uri)
        if last is not None and len(last[0]) == len(extra) and all(a is b for a, b in zip(last[0], extra)):
            return last[1]
        text = serialise.text(extra)
        self._extra_memo[uri] = (extra, text)  # holds the objects: their ids stay theirs
        return text

    def on_pre_page(self, page: Page, *, config: MkDocsConfig, files: Files) -> Page | None:
        skip = self._split.renderer(page)
        if skip is not None:  # the other build process converts it
            page.render = skip  # type: ignore[method-assign]
        elif self._markdown is not None:
            page.render = self._markdown.renderer(page)  # type: ignore[method-assign]
        return page

    @event_priority(-100)  # last: another plugin may still change the page
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        if self.config.enabled:
            output = compact_html(output)  # template indentation, in every page (compact.py)
        self._split.done(page)
        if self._split.role == "parent" and page.file.src_uri == self._split.last:
            self._join_child()  # before MkDocs checks links to the child's pages' anchors
        return self._incremental.post_page(page, output) if self._incremental.enabled else output

    @event_priority(100)  # first: files other plugins write now are this build's, never swept
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self._page_loop.stop()
        if self._split.child_finished():
            self._leave_child()
        if self._split.role == "parent":
            self._join_child()
        self._split.end()
        if self.config.enabled:
            self.search.on_post_build(config, self.outputs.write, self.outputs)
            self._write_feed(config)
            self._mermaid.write(config.site_dir)
            features.run(self.features, "on_post_build", self, config)
            self._nav_tree.finish()
        if self._incremental.enabled:
            ours = [f.abs_dest_path for f in self._files or ()]
            ours += [os.path.join(config.site_dir, t) for t in (*config.theme.static_templates, "sitemap.xml.gz")]
            self._incremental.finish(ours)
            log.debug(f"serve: {self._incremental.rendered} pages rendered, {self._incremental.skipped} unchanged")
        if self.is_serve:
            self._idle_gc.build_finished()
        self._thaw()

    def _thaw(self) -> None:
        if self._frozen:
            self._frozen = False
            gc.unfreeze()

    def on_build_error(self, *, error: Exception) -> None:
        self._page_loop.stop()
        if self.is_serve:
            self._idle_gc.build_finished()
        self._thaw()
        if self._split.role == "child":
            self._split.fail(error)  # does not return
        self._split.abandon()
        self._split.end()
        self._incremental.failed()
        self._view_cache.forget()
        self._view_deps.forget()
        self._extra_memo.clear()
        self._name_moves = NameMoves()
        self._vault_memo.forget()

    def on_shutdown(self) -> None:
        self._idle_gc.stop()

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Callable[..., Any]) -> LiveReloadServer | None:
        if self.config.enabled:
            server.watch(str(self.config.notes_dir), recursive=True)
            use_inotify(server, self.config.serve_watcher)  # after the last watch (watcher.py)
        return server

    @staticmethod
    def _feed_enabled(config: MkDocsConfig) -> bool:
        return bool(config.site_url)  # Atom needs absolute links

    def _write_feed(self, config: MkDocsConfig) -> None:
        if self.vault is None:
            return
        if not self._feed_enabled(config):
            log.info("no Atom feed: set site_url in mkdocs.yml (feed links must be absolute)")
            return
        notes = [(n, self._note_url(n), self.dates[n.path]) for n in self.views.by_updated(ENTRIES)] \
            if self.views is not None else []
        data = atom(config.site_name, config.site_url or "", notes, language=config.theme.get("language") or "zh",
                    description=config.site_description or "")
        self.outputs.write(os.path.join(config.site_dir, FEED_PATH), data)

    def _start_page_cache(self, files: Files, config: MkDocsConfig) -> None:
        """Note HTML stays valid while the configuration and the non-note files are the same."""
        config_file = Path(config.config_file_path or "")
        others = sorted(f.src_uri for f in files if f.src_uri not in self._note_files)
        fp = fingerprint(config_file.read_bytes() if config_file.is_file() else b"", others,
                         config.use_directory_urls, [str(p) for p in config.theme.dirs])
        self._page_cache.start_build(fp, set(self._note_files))

    def _link_dep_resolver(self, note: Note) -> Callable[[Any], Any]:
        """How the page cache re-checks a recorded link of ``note`` against this build's vault."""
        def resolve(dep: Any) -> Any:
            kind, target, heading = dep
            if kind == "file":
                return self._attachments.resolve(target, note.path)
            if kind == "embed":
                return self._embedded_digest(target, heading)
            return self._resolve(target, heading) if kind == "wiki" else self._md_link_target(note, target)
        return resolve

    def _md_link_target(self, note: Note, target: str) -> str | None:
        """The note an ordinary ``[x](other.md)`` link of ``note`` points to (MkDocs resolves it)."""
        assert self.vault is not None
        hit = self.vault.graph.resolve_link(note, Link(target, None, None, 0, "", markdown=True))
        return hit.path if hit is not None else None

    def _index_page(self, page: Page, uri: str) -> None:
        # Listing pages (a tag's, a folder's, the recent list) only repeat note titles: in the
        # index they would outrank the notes themselves.
        if uri in self._tag_files or uri in self._folder_files or self._special.get(uri) in UNINDEXED:
            return
        note = self._note_files.get(uri)
        titles = [t.title for t in self.vault.topics.topics_of(note)] if note and self.vault else []
        links = self.vault.graph.backlink_count(note) if note and self.vault else 0  # one per source
        self.search.add_page(page, note=note, topic=self._topic_files.get(uri), topic_titles=titles,
                             links=links)

    # ---- Files and pages ----------------------------------------------------------------

    def _add_note_files(self, files: Files, config: MkDocsConfig, root: Path) -> None:
        """One real File per note, served from notes/ (content set from the parsed body)."""
        assert self.vault is not None
        root_dir, docs_dir = str(root), str(config.docs_dir)
        for note in self.vault.notes:  # the vault left out notes that docs_dir shadows
            uri = site_path(root, note.path)
            f = File(uri, str(root.parent), config.site_dir, config.use_directory_urls,
                     inclusion=InclusionLevel.NOT_IN_NAV)
            # MkDocs would parse the front matter again (and eat "Key: value" first lines); it gets
            # the body only. The leading newline stops both of its metadata parsers.
            f.content_string = "\n" + note.body
            # The theme's "edit" button joins edit_uri (which points into docs_dir) with this.
            # (os.path on strings: the Path way cost three path objects a note.)
            f.edit_uri = os.path.relpath(os.path.join(root_dir, note.path), docs_dir).replace(os.sep, "/")
            files.append(f)
            self._note_files[uri] = note
            self._note_uri[note.path] = uri
        for rel, _ in self.vault.assets:  # images, PDFs: relative links keep working
            if rel.endswith(DRAWING_NOTE_SUFFIX):
                continue  # Excalidraw's data: MkDocs would make it a page; the site shows its export
            uri = site_path(root, rel)
            if files.get_file_from_path(uri) is None:
                files.append(File(uri, str(root.parent), config.site_dir, config.use_directory_urls))

    def _add_generated_pages(self, files: Files, config: MkDocsConfig) -> None:
        assert self.vault is not None
        our_nav = self.config.nav and config.nav is None
        for topic in self.vault.topics:
            if topic.note is None:
                uri = f"topics/{topic.slug}.md"
                # Deeper topics are not in our nav, and MkDocs need not say so.
                hidden = our_nav and topic.depth >= NAV_DEPTH
                if self._generate(files, config, uri, InclusionLevel.NOT_IN_NAV if hidden else None):
                    self._topic_files[uri] = topic
        for folder in self.vault.folders.walk():
            if folder.note is None:
                uri = site_path(Path(self.config.notes_dir), f"{folder.path}/index.md")
                hidden = our_nav and folder.depth > NAV_DEPTH
                if self._generate(files, config, uri, InclusionLevel.NOT_IN_NAV if hidden else None):
                    self._folder_files[uri] = folder
        for tag in self.vault.tags:
            uri = f"tags/{tag.slug}.md"
            if self._generate(files, config, uri, InclusionLevel.NOT_IN_NAV if our_nav else None):
                self._tag_files[uri] = tag
        for uri, (kind, _) in SPECIAL_PAGES.items():
            # Without topics (tags) the index is an empty page: still there, not in the nav.
            hidden = our_nav and ((uri == TOPICS_INDEX_URI and not len(self.vault.topics))
                                  or (uri == TAGS_INDEX_URI and not len(self.vault.tags)))
            if self._generate(files, config, uri, InclusionLevel.NOT_IN_NAV if hidden else None):
                self._special[uri] = kind
        # A vault has no docs/index.md: the site still gets a home page (the logo links to it).
        if files.get_file_from_path(HOME_URI) is None and self._generate(files, config, HOME_URI):
            self._special[HOME_URI] = "home"

    def _generate(self, files: Files, config: MkDocsConfig, uri: str,
                  inclusion: InclusionLevel | None = None) -> bool:
        if files.get_file_from_path(uri) is not None:
            log.info(f"docs_dir has its own {uri}; kbsite does not generate it")
            return False
        files.append(File.generated(config, uri, content="\n", inclusion=inclusion or InclusionLevel.UNDEFINED))
        return True

    def _nav_config(self, files: Files, config: MkDocsConfig) -> list[Any]:
        """Home, the leading tree (topics or folders), the other tree, the todo report, then the
        hand-written docs pages. Notes are reached from the trees' pages, so the nav stays small."""
        assert self.vault is not None
        ours = (set(self._note_files) | set(self._topic_files) | set(self._folder_files) | set(self._tag_files)
                | set(self._special))
        docs = sorted(f.src_uri for f in files.documentation_pages()
                      if f.src_uri not in ours and f.src_uri != HOME_URI)
        nav: list[Any] = []
        if files.get_file_from_path(HOME_URI) is not None:
            nav.append({"首页": HOME_URI})
        topics: list[Any] = []
        if len(self.vault.topics):
            topics = [TOPICS_INDEX_URI] if TOPICS_INDEX_URI in self._special else []
            topics += [self._topic_nav(t) for t in _by_size(self.vault.topics.roots())]
        folders: list[Any] = [FOLDERS_INDEX_URI] if FOLDERS_INDEX_URI in self._special else []
        folders += [self._folder_nav(f) for f in self.vault.folders.top()]
        sections = [("主题", topics), ("文件夹", folders)]
        if self._leading_tree() == "folders":
            sections.reverse()
        nav += [{name: items} for name, items in sections if items]
        if TAGS_INDEX_URI in self._special and len(self.vault.tags):
            nav.append({"标签": TAGS_INDEX_URI})
        if RECENT_URI in self._special:
            nav.append({"最近更新": RECENT_URI})
        if TODO_URI in self._special:
            nav.append({"待办与覆盖": TODO_URI})
        if docs:
            nav.append({"使用说明": nest_paths(docs)})
        return nav

    def _leading_tree(self) -> str:
        """``nav_tree: auto``: topics when the notes use topics, folders otherwise."""
        assert self.vault is not None
        if self.config.nav_tree != "auto":
            return self.config.nav_tree
        return "topics" if len(self.vault.topics) else "folders"

    def _folder_nav(self, folder: Folder, depth: int = 1) -> Any:
        uri = self._folder_uri(folder)
        title = html.escape(folder.title)  # Material prints nav titles unescaped
        if not folder.children or depth >= NAV_DEPTH:
            return {title: uri}
        return {title: [uri] + [self._folder_nav(c, depth + 1) for c in folder.children]}

    def _topic_nav(self, topic: Topic, depth: int = 1) -> Any:
        uri = self._topic_uri(topic)
        title = html.escape(topic.title)  # Material prints nav titles unescaped
        if not topic.children or depth >= NAV_DEPTH:
            return {title: uri}
        return {title: [uri] + [self._topic_nav(c, depth + 1) for c in _by_size(topic.children)]}

    # ---- URLs and links -----------------------------------------------------------------

    def _folder_uri(self, folder: Folder) -> str:
        if folder.note is not None:
            return self._note_uri[folder.note.path]
        return site_path(Path(self.config.notes_dir), f"{folder.path}/index.md")

    def _tag_url(self, tag: Tag) -> str:
        return self._urls.get(f"tags/{tag.slug}.md", "")

    def _tag_href(self, name: str) -> str | None:
        """An inline ``#tag`` on the current page: the relative ``.md`` href of its tag page."""
        if self.vault is None or self._current is None:
            return None
        tag = self.vault.tags.find(name)
        uri = f"tags/{tag.slug}.md" if tag is not None else None
        if uri is None or uri not in self._tag_files:
            return None
        return quote(_relpath(uri, posixpath.dirname(self._current.file.src_uri) or "."))

    def _folder_url(self, folder: Folder) -> str:
        return self._urls.get(self._folder_uri(folder), "")

    def _topic_uri(self, topic: Topic) -> str:
        if topic.note is not None:
            return self._note_uri[topic.note.path]
        return f"topics/{topic.slug}.md"

    def _note_url(self, note: Note) -> str:
        return self._urls.get(self._note_uri.get(note.path, ""), "")

    def _topic_url(self, topic: Topic) -> str:
        return self._urls.get(self._topic_uri(topic), "")

    def _resolve_wikilink(self, target: str, heading: str | None) -> _Target | None:
        """Called by the Markdown extension for each ``[[target#heading]]`` on the current page."""
        if self.vault is None or self._current is None:
            return None
        hit = self._resolve(target, heading)
        if self._use_page_cache:
            self._page_cache.record(self._current, ("wiki", target, heading), hit)
        return hit

    def _source(self) -> Note | None:
        """The note whose links are being resolved: the one being embedded, else the page's."""
        assert self._current is not None
        return self._transcluder.source(self._note_files.get(self._current.file.src_uri))

    def _resolve(self, target: str, heading: str | None) -> _Target | None:
        assert self.vault is not None and self._current is not None
        source = self._source()
        note = self.vault.index.resolve(target, source) if target else source
        if note is None and self.vault.private.resolve(target, source) is not None:
            return _Target(None, "", private=True)
        if note is None or note.path not in self._note_uri:
            return None
        # A block id is the element's id as written; a heading is found by its slug.
        fragment = ("#" + (heading if heading.startswith("^") else self._slug(heading))) if heading else ""
        if not target:  # [[#heading]]: this page
            return _Target(fragment, note.title)
        here = posixpath.dirname(self._current.file.src_uri)
        # Percent-encoded: a file named "注意力 #3 ?.md" must not end its path at "#" or "?".
        href = quote(_relpath(self._note_uri[note.path], here or "."))
        return _Target(href + fragment, note.title)  # the fragment is encoded by FragmentEncoder

    def _embed(self, target: str, heading: str | None, label: str | None, embedded: bool) -> Any:
        """Called by the Markdown extension for ``![[file]]`` and ``[[file.pdf]]``: the element it
        becomes (None: not a file; a note embed is left to the wikilink)."""
        if self.vault is None or self._current is None or not is_attachment_name(target, embedded):
            return None
        page = self._current
        source = self._source()
        path = self._attachments.resolve(target, source.path if source else None)
        f = self._files.get_file_from_path(site_path(Path(self.config.notes_dir), path)) \
            if path is not None and self._files is not None else None
        if self._use_page_cache:
            self._page_cache.record(page, ("file", target, None), path)
        if f is None and path is not None and path.endswith(DRAWING_NOTE_SUFFIX):
            return file_element(target, heading, label, embedded, "", "", path)  # not published
        if f is None:
            return missing_element(target, embedded)
        here = posixpath.dirname(page.file.src_uri)
        src_href = quote(_relpath(f.src_uri, here or "."))
        return file_element(target, heading, label, embedded, src_href, f.url_relative_to(page.file), path)

    def _transclude(self, target: str, heading: str | None, label: str | None) -> Transclusion | None:
        """Called by the Markdown extension for ``![[note]]``: what it shows (None: no such note)."""
        if self.vault is None or self._current is None or self._files is None or self._config is None:
            return None
        source = self._source()
        note = self.vault.index.resolve(target, source) if target else source
        hit = self._resolve_wikilink(target, heading)
        if note is None or hit is None:
            return None
        title = label or (f"{note.title} § {heading}" if heading else note.title)
        found = section(note, heading, self._slug)  # cut once: for the page and for the page cache
        if self._use_page_cache:
            self._page_cache.record(self._current, ("embed", target, heading), _embed_digest(note, found))
        host = self._note_files.get(self._current.file.src_uri)
        return self._transcluder.render(note, heading, found, host, self._current, self._config, self._files,
                                        hit.href, title)

    def _embedded_digest(self, target: str, heading: str | None) -> str | None:
        """What an embed shows, for the serve page cache: it changes when the embedded text does."""
        assert self.vault is not None
        source = self._source()
        note = self.vault.index.resolve(target, source) if target else source
        return _embed_digest(note, section(note, heading, self._slug)) if note is not None else None

    def _locate_attachment(self, src: str) -> str | None:
        """A Markdown image's ``src`` that names no file where it points: the file of that name
        found vault-wide (relative to the page's source file), or None."""
        if self.vault is None or self._current is None or self._files is None:
            return None
        page = self._current
        here = posixpath.dirname(page.file.src_uri)
        written = unquote(src.split("#", 1)[0].split("?", 1)[0])
        if not written or self._files.get_file_from_path(posixpath.normpath(posixpath.join(here, written))):
            return None
        source = self._source()
        path = self._attachments.resolve(written, source.path if source else None)
        if self._use_page_cache:
            self._page_cache.record(page, ("file", written, None), path)
        if path is None:
            return None
        return quote(_relpath(site_path(Path(self.config.notes_dir), path), here or "."))

    def _log_diagnostics(self, vault: Vault) -> None:
        """Every problem comes from the one list ``kbsite check`` prints (the same lines). A serve
        rebuild does not print again the info lines the last build printed (thousands of wanted
        notes would bury what the save changed); warnings and errors print every time (--strict)."""
        shown = self._infos_shown if self.is_serve else None
        now: set[str] = set()
        repeated = 0
        for d in vault.diagnostics:
            line = str(d)
            if d.severity is not Severity.INFO:
                log.warning(line)
            elif shown is None:
                log.info(line)
            else:
                now.add(line)
                if line in shown:
                    repeated += 1
                else:
                    log.info(line)
        if shown is not None:
            if repeated:
                log.info(f"{repeated} info lines as in the last build, not repeated")
            self._infos_shown = now


# ---- Functions ----------------------------------------------------------------------------


def project_dir(config: MkDocsConfig) -> Path:
    """The folder of mkdocs.yml: nothing outside it is read or published."""
    return Path(config.config_file_path or ".").resolve().parent


def configure_toc(config: MkDocsConfig) -> Callable[[str], str]:
    """Give Chinese headings readable ids unless the user chose a slugify; return the one in use.

    MkDocs' default slugify turns ``## 方法`` into ``_1`` (order dependent, unreadable).
    """
    toc = config.mdx_configs.setdefault("toc", {})
    if "slugify" not in toc:
        from pymdownx.slugs import slugify

        toc["slugify"] = slugify(case="lower")
    slugify_fn = toc["slugify"]
    separator = toc.get("separator", "-")
    return lambda text: slugify_fn(text, separator)


# posixpath.relpath asks the OS for the working directory twice per call; links repeat.
_relpath = functools.lru_cache(maxsize=65536)(posixpath.relpath)


def _not_embed(dep: Any) -> bool:
    return dep[0] != "embed"


def _embed_digest(note: Note, found: Section | None) -> str | None:
    return f"{note.path}:{note.title}:{found.digest}" if found is not None else None


def _drop_refused(files: Files, refused: list[str]) -> None:
    """docs_dir is MkDocs' to walk: files under a link that leaves the project are taken out."""
    for rel in refused:
        for f in [f for f in files if f.src_uri == rel or f.src_uri.startswith(rel + "/")]:
            files.remove(f)


def _by_size(topics: list[Topic]) -> list[Topic]:
    """Biggest topics first in the navigation (titles sort by code point, which means little)."""
    return sorted(topics, key=lambda t: (-len(t.all_notes()), t.title.casefold()))


def _theme_meta(title: str, template: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """``page.meta`` for the theme. Material prints ``page.meta.title`` raw (and nav titles come
    from it), so the title is escaped here, once; templates of our own use the raw note data."""
    meta: dict[str, Any] = {"title": html.escape(title), "template": template}
    for key in THEME_META_KEYS:
        value = (extra or {}).get(key)
        if key == "hide" and isinstance(value, list):
            meta["hide"] = [str(v) for v in value]
        elif key == "description" and isinstance(value, str):
            meta["description"] = html.escape(value)
    return meta


def _drop_lead_h1(markdown: str) -> str:
    """Remove the first line if it is an H1: the page template prints the title itself."""
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if line.strip():
            if line.lstrip().startswith("# ") or line.strip() == "#":
                del lines[i]
            break
    return "\n".join(lines)


