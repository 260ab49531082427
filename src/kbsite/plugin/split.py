"""plugin: ``mkdocs build`` in two processes; a forked child converts and renders part of the pages.

MkDocs builds on one core; the machines sites are built on (CI runners, laptops) have two or
more. Once the vault is loaded and the navigation made (``on_nav``), the build forks. Both
processes then run MkDocs' own loops over every page, and each converts (Markdown) and renders
(template) only the pages it owns: the other's get an empty render and an empty template, which
MkDocs does not write. Pages in the navigation are converted by both, since every page shows
their titles. The child writes its pages' files itself; after its last page it sends the parent
what the parent needs from them -- their search rows (put back in page order), their anchors
(MkDocs checks links to anchors after every page has rendered), the features' per-page state
and its log records (printed, and counted by ``--strict``, in the parent) -- and exits.

It is off unless ``KBSITE_BUILD_PROCESSES=2``: on a machine whose cores are busy it was slower
(more CPU in all: copy-on-write faults, templates compiled twice) and the two processes' memory
adds up (docs/performance.md, "冷构建、内存与字节"). Another plugin could keep state per page that
the child's copy would lose, so the split is used only when every build and page event is
kbsite's; also only under ``mkdocs build`` without ``--dirty``, on Linux (``os.fork``), with a
single thread and two usable CPUs. Whenever every event is kbsite's, a page's HTML waits
compressed between its conversion and its render and is let go once it is written, in one
process or two.
"""

from __future__ import annotations

import gc
import logging
import os
import pickle
import sys
import threading
import time
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

log = get_plugin_logger(__name__)

ENV_VAR = "KBSITE_BUILD_PROCESSES"
SKIP_TEMPLATE = "kbsite/unchanged.html"  # renders "": MkDocs writes nothing for the page
MIN_PAGES = 100  # fewer pages than this: a fork costs more than it saves
# Events a plugin other than kbsite must not handle for the split (or the memory savings).
BUILD_EVENTS = ("pre_build", "files", "nav", "env", "pre_page", "page_read_source", "page_markdown",
                "page_content", "page_context", "pre_template", "template_context", "post_template",
                "post_page", "post_build")
_SKIPPED_PREFIX = "Page skipped: '"


def other_handlers(plugins: Any, ours: object) -> list[str]:
    """The build and page events some other plugin handles (``event: Plugin``)."""
    events = getattr(plugins, "events", None)
    if not isinstance(events, dict):  # not the MkDocs this was written for: assume the worst
        return ["PluginCollection.events (missing)"]
    found = []
    for event in BUILD_EVENTS:
        for handler in events.get(event, []):
            owner = getattr(handler, "__self__", None)
            if owner is not ours:
                found.append(f"{event}: {type(owner or handler).__name__}")
    return found


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


@dataclass
class ChildResult:
    """What the child sends the parent after its last page."""
    error: str | None = None
    records: list[dict[str, Any]] = field(default_factory=list)
    search: dict[str, Any] = field(default_factory=dict)  # plugin/search.py: SiteSearch.export()
    anchors: dict[str, tuple[set[str], dict[str, dict[str, str]]]] = field(default_factory=dict)
    features: list[Any] = field(default_factory=list)  # each feature's split_export(), or None
    mermaid: bool = False
    cpu: float = 0.0  # the child's CPU seconds (its own, from the fork)


class _Capture(logging.Handler):
    """The child's log records, kept to be sent to the parent."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[dict[str, Any]] = []
        self.closed = False  # after the child's last page: what follows is the parent's to log

    def emit(self, record: logging.LogRecord) -> None:
        if self.closed:
            return
        self.records.append({"name": record.name, "levelno": record.levelno, "levelname": record.levelname,
                             "msg": record.getMessage(), "args": None, "pathname": record.pathname,
                             "lineno": record.lineno, "funcName": record.funcName,
                             "exc_text": logging.Formatter().formatException(record.exc_info) if record.exc_info else None})


class _QuietSkips(logging.Filter):
    """Drops MkDocs' "Page skipped ... Generated empty output" for the other process's pages."""

    def __init__(self, uris: set[str]) -> None:
        super().__init__()
        self.uris = uris

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.msg if isinstance(record.msg, str) else ""
        if msg.startswith(_SKIPPED_PREFIX):
            return msg[len(_SKIPPED_PREFIX):].split("'", 1)[0] not in self.uris
        return True


def balance(weights: dict[str, float], fixed: float) -> set[str]:
    """The pages for the child: heaviest first, each to the lighter side; the parent starts
    with ``fixed`` (the pages only it renders)."""
    child: set[str] = set()
    mine, theirs = fixed, 0.0
    for uri, w in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0])):
        if theirs < mine:
            child.add(uri)
            theirs += w
        else:
            mine += w
    return child


class BuildSplit:
    """One per plugin instance; reset for each build (``start``)."""

    def __init__(self) -> None:
        self.command: str | None = None  # from on_startup
        self.dirty = False
        self._reset()

    def _reset(self) -> None:
        self.child_pages = 0  # parent: how many pages the second process rendered (kept after the build)
        self.child_uris: set[str] = set()
        self.safe = False  # every event is kbsite's: HTML may leave a page once it is written
        self.role: str | None = None  # None (one process), "parent" or "child"
        self._theirs: set[str] = set()  # src_uris the other process converts and renders
        self._mine: set[str] = set()  # child: the src_uris it renders
        self._nav_uris: set[str] = set()
        self._left = 0  # child: its pages not rendered yet
        self._pid = 0
        self._fd = -1
        self._forked_cpu = 0.0  # parent: its CPU seconds at the fork
        self.last: str | None = None  # parent: the build's last page, where it waits for the child
        self._capture: _Capture | None = None
        self._quiet: _QuietSkips | None = None
        self._packed: dict[int, bytes] = {}  # id(page) -> its HTML, compressed until it renders
        self._held: Page | None = None  # the page converted last, packed when the next one starts

    # ---- Deciding and forking -------------------------------------------------------------

    def start(self, plugins: Any, ours: object, files: Files, nav: Navigation,
              weights: dict[str, float] | None) -> None:
        """At the end of ``on_nav``: decide, and fork. ``weights``: the pages either process may
        render (kbsite's generated pages and notes), by a guess at their cost; None: one process,
        every page keeps its HTML (kbsite disabled, or serve)."""
        self._reset()
        if weights is None or self.command != "build" or self.dirty:
            return
        others = other_handlers(plugins, ours)
        if others:
            log.debug(f"pages keep their HTML, one process: other plugins handle {', '.join(others)}")
            return
        self.safe = True
        self._nav_uris = {p.file.src_uri for p in nav.pages}
        pages = [f.src_uri for f in files.documentation_pages()]
        reason = self._refusal(len(pages))
        if reason:
            log.debug(f"one build process: {reason}")
            return
        movable = {uri: w for uri, w in weights.items() if uri != pages[-1]}  # the last page is the parent's
        fixed = float(len(pages) - len(movable))
        child = balance(movable, fixed)
        if not child:
            return
        log.debug(f"two build processes: the second renders {len(child)} of {len(pages)} pages")
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        read, write = os.pipe()
        # The collector writes into every object it visits, which would copy nearly every page
        # the two processes share; what exists at the fork is kept out of its sight until the join.
        gc.freeze()
        pid = os.fork()
        if pid == 0:  # the child
            os.close(read)
            self.role, self._fd, self._mine = "child", write, child
            self._theirs = set(pages) - child
            self._left = len(child)
            self._capture = _Capture()
            root = logging.getLogger("mkdocs")
            root.handlers = [self._capture]  # sent to the parent; strict mode counts them there
        else:
            os.close(write)
            self._forked_cpu = time.process_time()
            self.role, self._fd, self._pid, self._theirs = "parent", read, pid, child
            self.last = pages[-1]
            self.child_pages, self.child_uris = len(child), child
        self._quiet = _QuietSkips(self._theirs)
        logging.getLogger("mkdocs.commands.build").addFilter(self._quiet)

    def _refusal(self, pages: int) -> str | None:
        if os.environ.get(ENV_VAR, "").strip() != "2":
            return f"{ENV_VAR} is not 2"
        if not hasattr(os, "fork") or not sys.platform.startswith("linux"):
            # macOS has fork, but forking a process that may have loaded system frameworks is unsafe
            return "forks only on Linux"
        if usable_cpus() < 2:
            return "one CPU"
        if threading.active_count() > 1:
            return "other threads are running"
        if pages < MIN_PAGES:
            return f"{pages} pages"
        return None

    # ---- Pages ----------------------------------------------------------------------------

    def is_theirs(self, page: Page) -> bool:
        return page.file.src_uri in self._theirs

    def renderer(self, page: Page) -> Callable[[Any, Files], None] | None:
        """``page.render`` for a page the other process converts (None: convert it here)."""
        if page.file.src_uri not in self._theirs or page.file.src_uri in self._nav_uris:
            return None

        def render(config: Any, files: Files) -> None:
            page.markdown = ""
            page.content = ""
            page.toc = get_toc([])
            page._title_from_render = None  # type: ignore[attr-defined]
            page.present_anchor_ids = set()
            page.links_to_anchors = {}
        return render

    def converted(self, page: Page) -> None:
        """After ``on_page_content``: the page's HTML waits, compressed, for its render (MkDocs
        converts every page before it renders any). The page before it is packed now: the last
        hook on a page's HTML is this page's own ``on_page_content``."""
        if not self.safe:
            return
        self._pack_held()
        if page.file.src_uri in self._theirs:  # a navigation page the other process renders
            page.content, page.markdown = "", ""
        else:
            self._held = page

    def _pack_held(self) -> None:
        page, self._held = self._held, None
        if page is not None and page.content:
            self._packed[id(page)] = zlib.compress(page.content.encode("utf-8", "surrogatepass"), 1)
            page.content = ""
        if page is not None:
            page.markdown = ""  # converted: nothing reads the Markdown again under mkdocs build

    def all_converted(self, files: Files) -> None:
        """``on_env``: every page is converted; the other process's pages render nothing here."""
        self._pack_held()
        if self.role is None:
            return
        if self.role == "child":
            # The parent copies the theme's files and writes sitemap.xml and 404.html.
            files.copy_static_files = lambda *a, **k: None  # type: ignore[method-assign]
        for f in files.documentation_pages():
            if f.src_uri in self._theirs and f.page is not None:
                f.page.meta["template"] = SKIP_TEMPLATE

    def rendering(self, page: Page) -> None:
        """``on_page_context``: the page's HTML back, right before its template."""
        packed = self._packed.pop(id(page), None)
        if packed is not None:
            page.content = zlib.decompress(packed).decode("utf-8", "surrogatepass")

    def done(self, page: Page) -> None:
        """``on_post_page``: the page is written; nothing reads its HTML again."""
        if self.safe:
            page.content = ""
        if self.role == "child" and page.file.src_uri in self._mine:
            self._left -= 1
            if self._left == 0 and self._capture is not None:
                self._capture.closed = True

    def child_finished(self) -> bool:
        """Child: all its pages are written (it leaves at the next event)."""
        return self.role == "child" and self._left == 0

    def static_templates(self, config: Any) -> None:
        if self.role == "child":
            config.theme.static_templates.clear()
            config.extra_templates = []

    # ---- Joining ------------------------------------------------------------------------

    def leave(self, result: ChildResult, pages: Iterable[Page]) -> None:
        """Child: send ``result`` (with its pages' anchors and its log records) and exit."""
        assert self.role == "child"
        for page in pages:
            if page.file.src_uri in self._mine:
                links = getattr(page, "links_to_anchors", None) or {}
                result.anchors[page.file.src_uri] = (
                    set(page.present_anchor_ids or ()), {f.src_uri: dict(v) for f, v in links.items()})
        result.records = self._capture.records if self._capture else []
        result.cpu = time.process_time()
        self._send(result)

    def fail(self, error: BaseException) -> None:
        """Child: a page failed; the parent reports it."""
        import traceback
        result = ChildResult(error="".join(traceback.format_exception(error)))
        result.records = self._capture.records if self._capture else []
        self._send(result, status=1)

    def _send(self, result: ChildResult, status: int = 0) -> None:
        try:
            data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(self._fd, "wb") as out:
                out.write(data)
        finally:
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except Exception:  # noqa: BLE001 - exiting either way
                    pass
            os._exit(status)

    def join(self, files: Files) -> ChildResult:
        """Parent: wait for the child; its log records are logged here, its anchors put on its
        pages. Raises if the child failed."""
        assert self.role == "parent"
        start, mine = time.perf_counter(), time.process_time() - self._forked_cpu
        with os.fdopen(self._fd, "rb") as inp:
            data = inp.read()
        _, status = os.waitpid(self._pid, 0)
        waited = time.perf_counter() - start
        gc.unfreeze()
        self.role, self._pid = None, 0
        result: ChildResult = pickle.loads(data) if data else ChildResult(error="it sent nothing")
        for rec in result.records:
            logging.getLogger(rec["name"]).handle(logging.makeLogRecord(rec))
        log.debug(f"the second build process: {result.cpu:.2f} s CPU for its pages, this one {mine:.2f} s; "
                  f"waited {waited:.2f} s for it ({len(data)} bytes of results)")
        code = os.waitstatus_to_exitcode(status)
        if result.error or code:
            from mkdocs.exceptions import PluginError
            raise PluginError(f"kbsite: the second build process failed (exit status {code}): {result.error}")
        for uri, (present, links) in result.anchors.items():
            f = files.get_file_from_path(uri)
            if f is None or f.page is None:
                continue
            f.page.present_anchor_ids = present
            f.page.links_to_anchors = {t: v for name, v in links.items()
                                       if (t := files.get_file_from_path(name)) is not None}
        return result

    def abandon(self) -> None:
        """Parent: the build failed; stop the child."""
        if self.role == "parent" and self._pid:
            import signal
            try:
                os.kill(self._pid, signal.SIGKILL)
                os.waitpid(self._pid, 0)
            except OSError:
                pass
            try:
                os.close(self._fd)
            except OSError:
                pass
            gc.unfreeze()
        self.role, self._pid = None, 0

    def end(self) -> None:
        if self._quiet is not None:
            logging.getLogger("mkdocs.commands.build").removeFilter(self._quiet)
        self._quiet = None
        self._packed.clear()
        self._held = None
