"""plugin: ``mkdocs serve`` rebuilds that render and write only the pages whose inputs changed.

MkDocs empties the site folder and renders every page on each save. Under ``mkdocs serve``
(not ``--dirty``, not ``mkdocs build``) kbsite instead

1. keeps the site folder: right before MkDocs would empty it (``on_pre_build``, run last) the
   folder is renamed aside, and put back at the start of ``on_files`` — two renames, no copy;
2. fingerprints every page's render inputs once all pages are converted (``on_env``): its
   HTML, title, table of contents, meta, URLs, neighbours in the nav, its view model (header,
   backlinks, related notes, topic and folder lists, local graph), the navigation, the
   configuration and the theme's templates. A page whose fingerprint and output file are as in
   the previous build gets a template that renders nothing, so MkDocs neither renders nor
   writes it (its "Generated empty output" line is filtered out of the log); where the internal
   is there it does not even enter MkDocs' page build (``pageloop.py``);
3. skips the write of a re-rendered page or data file whose bytes did not change;
4. after the build deletes what a clean build would not have written: outputs of pages and
   files that are gone (a renamed or deleted note), empty folders they leave.

The kept folder is listed once, when it is put back: whether a file of the last build is still
there (a page, a preview or graph file, a search shard: 10,000 of them at 3,000 notes) is then
a set lookup, not a ``stat``, and the sweep looks only at what that listing holds and nobody
claimed.

What a page shows is fingerprinted from the new vault on every rebuild, so a page is re-rendered
whenever anything it shows changed — a new backlink, a renamed topic, a title in its related
list. Two shortcuts avoid building every view model for that: when no note changed anything but
its body, other pages' view models are provably what they were (``viewcache.py``); after a
title, status or link edit, a page keeps its view model unless something it was made from
changed (``viewdeps.py``: the refs it holds, the notes linking to it, its topics' members, ...).
MkDocs' ``--dirty`` skips pages by file time instead and leaves those pages stale.

The internals relied on are probed (``probes.PROBES["incremental"]``); without them, or when
another plugin adds to page templates or output (its inputs are unknown here), every page is
rendered as usual. A failed build forgets every fingerprint: the next one renders everything.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any, Callable, Iterable

from mkdocs.plugins import get_plugin_logger

log = get_plugin_logger(__name__)

SKIP_TEMPLATE = "kbsite/unchanged.html"  # renders "" (MkDocs writes no empty page)
KEEP_SUFFIX = ".kbsite-keep"
_BUILD_LOG = logging.getLogger("mkdocs.commands.build")
_SKIPPED_PREFIX = "Page skipped: '"
# Events through which another plugin could change a page's output from inputs kbsite does not
# fingerprint; with one of them present every page is rendered.
PAGE_OUTPUT_EVENTS = ("page_context", "post_page", "pre_template", "template_context", "post_template")
# Files written in this build may carry a time a little before the build started (the kernel's
# file clock is coarse); older than this, a file nobody claims is stale.
_CLOCK_SLACK_NS = 50_000_000
_NO_TEMPLATE = "\0none"  # the page's meta had no template


def digest(*parts: bytes | str) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part)
        h.update(b"\0")
    return h.digest()


class StringDigests:
    """key -> (a string, its digest): the same string object as last time is not hashed again.
    Under serve a reused note's HTML is the very string of the last build (pagecache.py), so
    only the pages that changed are hashed. ``keep=False`` (a one-off build) remembers nothing."""

    def __init__(self, keep: bool = True) -> None:
        self.keep = keep
        self._last: dict[str, tuple[str, bytes]] = {}

    def __call__(self, key: str, text: str) -> bytes:
        last = self._last.get(key)
        if last is not None and last[0] is text:
            return last[1]
        d = digest(text)
        if self.keep:
            self._last[key] = (text, d)
        return d

    def retain(self, keys: set[str]) -> None:
        for key in [k for k in self._last if k not in keys]:
            del self._last[key]

    def clear(self) -> None:
        self._last.clear()


class _QuietSkips(logging.Filter):
    """Drops MkDocs' "Page skipped ... Generated empty output" for pages kbsite skipped."""

    def __init__(self) -> None:
        super().__init__()
        self.uris: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.msg if isinstance(record.msg, str) else ""
        if msg.startswith(_SKIPPED_PREFIX):
            return msg[len(_SKIPPED_PREFIX):].split("'", 1)[0] not in self.uris
        return True


class Outputs:
    """Every file kbsite writes goes through here. In a kept site folder a write whose bytes are
    what the file already holds is skipped; each path is claimed, so the sweep keeps it."""

    def __init__(self) -> None:
        self._written: dict[str, bytes] = {}  # abs path -> digest of the bytes on disk (serve only)
        # The files in the site folder (kept from the last build, listed when it was put back,
        # plus what this build wrote since); None: not listed, ask the file system.
        self.present: set[str] | None = None
        self.claimed: set[str] = set()
        self.keep_digests = False  # serve: remember what was written
        self.skipped = self.writes = 0

    def start_build(self, kept: bool, serve: bool, present: set[str] | None = None) -> None:
        if not kept:
            self._written.clear()
        self.present = present if kept else None
        self.keep_digests = serve
        self.claimed = set()
        self.skipped = self.writes = 0

    def claim(self, path: str | os.PathLike[str]) -> None:
        """``path`` is this build's output although it is not rewritten (its inputs did not change)."""
        self.claimed.add(os.fspath(path))

    def has(self, path: str | os.PathLike[str]) -> bool:
        """Whether ``path`` holds what this plugin last wrote there (serve, kept site folder)."""
        p = os.fspath(path)
        return p in self._written and self._exists(p)

    def _exists(self, path: str) -> bool:
        return path in self.present if self.present is not None else os.path.isfile(path)

    def unchanged(self, path: str, data: bytes) -> bool:
        """Whether ``path`` already holds ``data`` (as this plugin wrote it earlier in serve)."""
        old = self._written.get(path)
        return old is not None and old == digest(data) and self._exists(path)

    def wrote(self, path: str, data: bytes) -> None:
        self.claimed.add(path)
        if self.present is not None:
            self.present.add(path)
        self.writes += 1
        if self.keep_digests:
            self._written[path] = digest(data)

    def write(self, path: str | os.PathLike[str], data: bytes, made: set[str] | None = None) -> None:
        """Write ``data`` to ``path`` unless it holds exactly that; parents are made as needed
        (``made``: folders known to exist)."""
        p = os.fspath(path)
        if self.unchanged(p, data):
            self.claimed.add(p)
            self.skipped += 1
            return
        parent = os.path.dirname(p)
        if made is None or parent not in made:
            os.makedirs(parent, exist_ok=True)
            if made is not None:
                made.add(parent)
        with open(p, "wb") as f:
            f.write(data)
        self.wrote(p, data)

    def forget(self) -> None:
        self._written.clear()


class Incremental:
    """The serve state kept across rebuilds, and the steps of one rebuild."""

    def __init__(self) -> None:
        self.serve = False  # `mkdocs serve` without --dirty
        self.enabled = False  # this build may keep the site folder (probed)
        self.active = False  # this build skips unchanged pages
        self.outputs = Outputs()
        self._pages: dict[str, bytes] = {}  # dest path -> fingerprint of the inputs on disk
        self._plan: dict[str, bytes] = {}  # src_uri -> fingerprint, pages rendered in this build
        self._dest: dict[str, str] = {}  # src_uri -> dest path
        self._templates: dict[int, str] = {}  # id(page) -> template the page really has
        self._skipped: set[str] = set()
        self._quiet = _QuietSkips()
        self._started_ns = 0
        self._site = ""
        self._built_once = False  # a build finished in this folder: it may be kept
        # Page HTML by src_uri, hashed again only when it is a new string (~0.1 s a rebuild at
        # 3,000 notes otherwise).
        self._contents = StringDigests()
        # Likewise a page's view-model and feature texts (the remembered ones are the very
        # strings of the last build when the page's view model was reused).
        self._texts = (StringDigests(), StringDigests())
        self.rendered = self.skipped = 0

    # ---- The site folder ------------------------------------------------------------------

    def before_clean(self, site_dir: str) -> None:
        """``on_pre_build``, last: put the site folder aside so MkDocs finds nothing to empty."""
        self._started_ns = time.time_ns()
        self._site = site_dir
        keep = site_dir + KEEP_SUFFIX
        if os.path.isdir(keep):
            shutil.rmtree(keep, ignore_errors=True)
        if not (self.enabled and self._built_once and os.path.isdir(site_dir)):
            return
        try:
            os.rename(site_dir, keep)
        except OSError as exc:
            log.info(f"kept nothing between rebuilds ({exc}): this one renders every page")

    def restore(self, site_dir: str) -> bool:
        """``on_files``, first: the folder comes back; False if there was none to keep."""
        keep = site_dir + KEEP_SUFFIX
        kept = False
        if os.path.isdir(keep):
            try:
                if os.path.isdir(site_dir):
                    os.rmdir(site_dir)  # made again by someone; only an empty one can go
                os.rename(keep, site_dir)
                kept = True
            except OSError as exc:
                log.info(f"could not put the kept site folder back ({exc}): this rebuild renders every page")
                shutil.rmtree(keep, ignore_errors=True)
        if not kept:
            self._pages.clear()
        self.active = kept
        self.outputs.start_build(kept, self.serve, listing(site_dir) if kept else None)
        self._plan.clear()
        self._dest.clear()
        self._templates.clear()
        self._skipped.clear()
        self.rendered = self.skipped = 0
        return kept

    # ---- Pages ----------------------------------------------------------------------------

    def plan(self, pages: Iterable[Any], inputs: Callable[[Any], Iterable[bytes | str]], shared: bytes,
             render_all: bool = False) -> None:
        """``on_env``: fingerprint each page; give the unchanged ones the template that renders
        nothing. ``shared``: the fingerprint of what every page shows (nav, config, templates)."""
        for page in pages:
            uri, dest = page.file.src_uri, page.file.abs_dest_path
            fp = digest(shared, *inputs(page))
            self._dest[uri] = dest
            if self.active and not render_all and self._pages.get(dest) == fp and os.path.isfile(dest):
                self._templates[id(page)] = page.meta.get("template", _NO_TEMPLATE)
                page.meta["template"] = SKIP_TEMPLATE
                self._skipped.add(uri)
                self.outputs.claim(dest)
            else:
                self._plan[uri] = fp
        self.skipped = len(self._skipped)
        self._quiet.uris = self._skipped
        if self._skipped and self._quiet not in _BUILD_LOG.filters:
            _BUILD_LOG.addFilter(self._quiet)

    def content_digest(self, page: Any) -> bytes:
        """The digest of ``page.content``, hashed only when it is not the string it was."""
        return self._contents(page.file.src_uri, page.content or "")

    def text_digests(self, page: Any, view: str, extra: str) -> tuple[bytes, bytes]:
        """The digests of a page's view-model and feature texts, hashed only when new strings."""
        uri = page.file.src_uri
        return self._texts[0](uri, view), self._texts[1](uri, extra)

    def is_skipped(self, page: Any) -> bool:
        return page.file.src_uri in self._skipped

    def unskip_meta(self, page: Any) -> None:
        """The template is chosen; other plugins see the page's real one in ``page.meta``."""
        real = self._templates.get(id(page))
        if real is _NO_TEMPLATE:
            del page.meta["template"]
        elif real is not None:
            page.meta["template"] = real

    def post_page(self, page: Any, output: str) -> str:
        """``on_post_page``, last: remember what the rendered page came from; an output equal to
        the file on disk is not written again."""
        uri = page.file.src_uri
        if uri in self._skipped:
            return output
        fp = self._plan.get(uri)
        dest = page.file.abs_dest_path
        if fp is None or not output.strip():
            self._pages.pop(dest, None)
            return output
        self.rendered += 1
        self._pages[dest] = fp
        data = output.encode("utf-8", errors="xmlcharrefreplace")
        if self.outputs.unchanged(dest, data):
            self.outputs.claim(dest)
            self._skipped.add(uri)  # its "empty output" line is ours, not news
            return ""
        self.outputs.wrote(dest, data)  # MkDocs writes these bytes right after this event
        return output

    # ---- After the build ------------------------------------------------------------------

    def finish(self, expected: Iterable[str]) -> int:
        """``on_post_build``: delete files no part of this build wrote or claimed; returns how
        many. ``expected``: what MkDocs itself put there (pages, static files, theme templates)."""
        if self._quiet in _BUILD_LOG.filters:
            _BUILD_LOG.removeFilter(self._quiet)
        removed = 0
        if self.active and self._site:
            claimed = self.outputs.claimed | {os.fspath(p) for p in expected}
            removed = sweep(self._site, claimed, self._started_ns - _CLOCK_SLACK_NS, self.outputs.present)
            gone = [d for d in self._pages if d not in claimed]
            for dest in gone:
                del self._pages[dest]
            live = set(self._dest)
            for memo in (self._contents, *self._texts):
                memo.retain(live)
        self._built_once = self.enabled
        return removed

    def failed(self) -> None:
        """``on_build_error``: what is on disk is not known any more."""
        if self._quiet in _BUILD_LOG.filters:
            _BUILD_LOG.removeFilter(self._quiet)
        self._pages.clear()
        for memo in (self._contents, *self._texts):
            memo.clear()
        self.outputs.forget()
        self._built_once = False


def listing(site: str) -> set[str]:
    """Every file under ``site`` (symlinks included, not followed), but the hidden entries at
    the top, which MkDocs' own cleaning leaves alone too."""
    found: set[str] = set()
    try:
        tops = [e for e in os.scandir(site) if not e.name.startswith(".")]
    except OSError:
        return found
    stack: list[os.DirEntry[str]] = tops
    while stack:
        entry = stack.pop()
        try:
            if entry.is_dir(follow_symlinks=False):
                stack.extend(os.scandir(entry.path))
                continue
        except OSError:
            continue
        found.add(entry.path)
    return found


def sweep(site: str, claimed: set[str], older_than_ns: int, present: set[str] | None = None) -> int:
    """Remove files under ``site`` that are not claimed and were not written since
    ``older_than_ns`` (another plugin's output of this build), then the folders left empty.
    ``present``: the files there were (``listing`` when the folder came back, and what was
    written since); else the folder is listed now. Hidden entries at the top are left alone,
    as MkDocs' own cleaning does."""
    removed = 0
    emptied: set[str] = set()
    for path in (listing(site) if present is None else present) - claimed:
        if _older(path, older_than_ns):
            try:
                os.unlink(path)
            except OSError:
                continue
            removed += 1
            emptied.add(os.path.dirname(path))
            if present is not None:
                present.discard(path)
    for folder in sorted(emptied, key=len, reverse=True):
        while len(folder) > len(site) and Path(folder).is_relative_to(site):
            try:
                os.rmdir(folder)  # only if empty
            except OSError:
                break
            folder = os.path.dirname(folder)
    return removed


def _older(path: str, limit_ns: int) -> bool:
    try:
        return os.stat(path, follow_symlinks=False).st_mtime_ns < limit_ns
    except OSError:
        return False


def other_page_hooks(plugins: Any, ours: Any) -> list[str]:
    """Events of other plugins that can change a page's output (see ``PAGE_OUTPUT_EVENTS``)."""
    found = []
    for event in PAGE_OUTPUT_EVENTS:
        for method in plugins.events.get(event, []):
            owner = getattr(method, "__self__", None)
            if owner is not ours:
                found.append(f"{type(owner).__name__ if owner is not None else method}.on_{event}")
    return found


def theme_signature(dirs: Iterable[str]) -> str:
    """Names, sizes and times of every template and partial: an edited template changes it."""
    parts: list[str] = []
    for d in dirs:
        for folder, subdirs, names in os.walk(d):
            # Material's icons (thousands of SVGs) and assets are no templates.
            subdirs[:] = sorted(s for s in subdirs if not s.startswith(".") and s != "assets")
            for name in sorted(names):
                if name.endswith(".html"):
                    try:
                        st = os.stat(os.path.join(folder, name))
                    except OSError:
                        continue
                    parts.append(f"{folder}/{name}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(parts)


def _toc(items: Iterable[Any]) -> list[Any]:
    return [(a.title, a.id, a.level, _toc(a.children)) for a in items]


def _ref(page: Any) -> tuple[Any, ...] | None:
    return None if page is None else (page.url, page.title)


def page_signature(page: Any, content: Callable[[Any], bytes | str] | None = None) -> list[bytes | str]:
    """What MkDocs gives a page's template about the page itself (``get_context`` and the page).
    ``content``: how the page's HTML enters it (``Incremental.content_digest``; else as is)."""
    f = page.file
    return [
        f.src_uri, f.dest_uri, page.url, str(page.canonical_url), str(page.abs_url), str(page.edit_url),
        str(f.inclusion), repr(page.title), repr(sorted(page.meta.items(), key=lambda kv: str(kv[0]))),
        content(page) if content is not None else page.content or "", repr(_toc(page.toc or [])),
        str(getattr(page, "update_date", "")),
        repr((page.is_homepage, _ref(page.previous_page), _ref(page.next_page),
              [(a.title, getattr(a, "url", None)) for a in page.ancestors])),
    ]


def nav_signature(nav: Any) -> str:
    """The navigation every page prints: each item's kind, title, URL, meta and children."""
    out: list[str] = []

    def walk(items: Iterable[Any], depth: int) -> None:
        for item in items:
            meta = getattr(item, "meta", None)
            out.append(repr((depth, type(item).__name__, item.title, getattr(item, "url", None),
                             sorted(meta.items(), key=lambda kv: str(kv[0])) if isinstance(meta, dict) else None)))
            walk(getattr(item, "children", None) or (), depth + 1)

    walk(nav.items, 0)
    out.append(repr(_ref(nav.homepage)))
    return "\n".join(out)


def config_signature(config: Any) -> list[str]:
    """The configuration as the templates see it: mkdocs.yml's bytes (and those it inherits),
    and the values plugins or the environment may set after it was read."""
    parts: list[str] = []
    path = config.config_file_path
    while path:
        try:
            text = Path(path).read_bytes()
        except OSError:
            break
        parts.append(text.decode("utf-8", "replace"))
        inherit = next((line.split(":", 1)[1].strip() for line in parts[-1].splitlines()
                        if line.startswith("INHERIT:")), None)
        path = os.path.join(os.path.dirname(path), inherit) if inherit else None
        if len(parts) > 8:
            break
    parts += [repr(config.theme), repr(config.extra),
              repr([str(v) for v in config.extra_css]), repr([str(v) for v in config.extra_javascript]),
              repr((config.site_name, config.site_url, config.site_description, config.site_author,
                    config.copyright, config.repo_url, config.repo_name, config.edit_uri,
                    config.use_directory_urls, list(config.theme.dirs)))]
    return parts
