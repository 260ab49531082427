"""plugin: under ``mkdocs serve``, a page whose render inputs did not change never enters
MkDocs' ``_build_page``.

incremental.py gives such a page a template that renders nothing, but MkDocs would still make
its template context (the page's URLs, every extra CSS and script normalised), run the
page_context and post_page events and render that empty template: about 0.15 ms a page, half a
second of a rebuild at 3,000 notes. For the length of MkDocs' page loop its ``_build_page`` is
wrapped: a skipped page gets only what kbsite's own page_context does for it (its search entry,
its preview file claimed), the others are built as usual.

Only when no other plugin has page events (incremental.py renders every page then, so none is
skipped) and the page is no draft (MkDocs marks a draft's content in ``_build_page``). Probed
(``probes.PROBES["page-loop"]``): without that internal every page goes through MkDocs' loop.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from mkdocs.commands import build


class PageLoop:
    """Wraps ``mkdocs.commands.build._build_page`` from ``on_env`` to ``on_post_build``."""

    def __init__(self) -> None:
        self._real: Callable[..., Any] | None = None
        self._ours: Callable[..., Any] | None = None
        self.bypassed = 0  # pages of the last build that never reached MkDocs' _build_page

    def reset(self) -> None:
        """A build begins (``on_config``)."""
        self.stop()
        self.bypassed = 0

    def start(self, skip: Callable[[Any], bool]) -> None:
        """``skip(page)``: True when the page is unchanged and kbsite did its part for it."""
        self.reset()
        real = build._build_page

        @functools.wraps(real)  # the probes read MkDocs' source through __wrapped__
        def build_page(page: Any, config: Any, doc_files: Any, nav: Any, env: Any, dirty: bool = False,
                       excluded: bool = False) -> None:
            if not excluded and skip(page):
                self.bypassed += 1
                return None
            return real(page, config, doc_files, nav, env, dirty, excluded=excluded)

        self._real, self._ours = real, build_page
        build._build_page = build_page  # type: ignore[assignment]

    def stop(self) -> None:
        """MkDocs' own function back (unless someone wrapped ours since: then theirs stays)."""
        if self._real is not None and build._build_page is self._ours:
            build._build_page = self._real  # type: ignore[assignment]
        self._real = self._ours = None

    @property
    def running(self) -> bool:
        return self._ours is not None
