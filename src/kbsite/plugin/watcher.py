"""plugin: ``mkdocs serve`` learns of a save from the kernel (inotify), not by polling.

MkDocs watches with watchdog's ``PollingObserver``: every 0.5 s it lists and stats every file
under the watched folders and compares the listing with the last one. With thousands of notes
that costs a save up to half a second plus one listing before the rebuild starts, and the
listing runs all the time, also during a rebuild, in a thread of the build's own process.

In ``on_serve`` (the watches are scheduled, the observer is not started yet) kbsite puts an
inotify observer in its place and schedules the same folders on it through MkDocs' own
``watch``, so the callback that wakes the rebuild loop is MkDocs' own. The swap keeps polling
(and says why) where inotify would see less than polling does:

- no inotify here (not Linux, or no instance or watch left: the observer is started right
  away, so a refusal shows here, not later in MkDocs' loop);
- a symbolic link under a watched folder (inotify does not follow it; polling does);
- ``serve_watcher: poll`` in the kbsite options: a folder on a network or VM mount, whose
  changes the kernel of this machine never hears of (why MkDocs polls: mkdocs#2477);
- MkDocs' server does not hold its observer and watches where this expects them (probed).
"""

from __future__ import annotations

import os
from typing import Any

from mkdocs.plugins import get_plugin_logger

log = get_plugin_logger(__name__)


def _inotify_class() -> type | None:
    """An inotify observer that reports what polling would see, and whose ``start`` may be
    called again (MkDocs calls it in ``serve``, after kbsite has started it)."""
    try:
        from watchdog import events as ev
        from watchdog.observers.inotify import InotifyObserver
    except (ImportError, OSError):
        return None
    # Changes only: inotify also reports every open and read, and MkDocs rebuilds on any event,
    # so a build reading the notes would start the next one, for ever.
    changes = [ev.FileCreatedEvent, ev.FileDeletedEvent, ev.FileModifiedEvent, ev.FileMovedEvent,
               ev.FileAttribEvent, ev.FileClosedEvent, ev.DirCreatedEvent, ev.DirDeletedEvent,
               ev.DirMovedEvent, ev.DirModifiedEvent]

    class ChangesObserver(InotifyObserver):  # type: ignore[misc, valid-type]
        def schedule(self, handler: Any, path: Any, *, recursive: bool = False, event_filter: Any = None,
                     follow_symlink: bool = False) -> Any:
            return super().schedule(handler, path, recursive=recursive, follow_symlink=follow_symlink,
                                    event_filter=changes if event_filter is None else event_filter)

        def start(self) -> None:
            if not self.is_alive():
                super().start()

    return ChangesObserver


def _layout(server: Any) -> str | None:
    """What this module leans on in MkDocs' LiveReloadServer; None when it is all there."""
    try:
        from watchdog.observers.polling import PollingObserver
    except ImportError:
        return "watchdog.observers.polling"
    observer = getattr(server, "observer", None)
    if not isinstance(observer, PollingObserver):
        return "LiveReloadServer.observer (a watchdog PollingObserver)"
    if observer.is_alive():
        return "an observer not yet started in on_serve"
    for name in ("_watched_paths", "_watch_refs"):
        if not isinstance(getattr(server, name, None), dict):
            return f"LiveReloadServer.{name}"
    if not callable(getattr(server, "watch", None)):
        return "LiveReloadServer.watch"
    return None


def _symlink_under(paths: list[str]) -> str | None:
    for top in paths:
        if os.path.islink(top):
            return top
        if not os.path.isdir(top):
            continue
        for folder, dirs, names in os.walk(top):
            for name in (*dirs, *names):
                path = os.path.join(folder, name)
                if os.path.islink(path):
                    return path
    return None


def use_inotify(server: Any, mode: str = "auto") -> bool:
    """Swap ``server``'s polling observer for a started inotify one watching the same paths;
    False (polling stays) when that could miss changes or is not possible here."""
    if mode == "poll":
        return False
    missing = _layout(server)
    if missing is not None:
        log.warning(f"{missing} is not there (a newer MkDocs?): serve keeps polling for changes")
        return False
    cls = _inotify_class()
    if cls is None:
        log.info("serve polls for changes: no inotify on this system")
        return False
    counts: dict[str, int] = dict(server._watched_paths)
    link = _symlink_under(list(counts))
    if link is not None:
        log.info(f"serve polls for changes: {link} is a symbolic link, which inotify does not follow")
        return False
    old = server.observer, dict(server._watch_refs)
    try:
        new = cls(timeout=old[0].timeout)
        server.observer = new
        server._watched_paths.clear()
        server._watch_refs.clear()
        for path, count in counts.items():
            for _ in range(max(1, count)):
                server.watch(path)  # MkDocs' own callback, scheduled on the new observer
        new.start()
    except (OSError, TypeError) as exc:  # TypeError: a watchdog without event_filter
        log.info(f"serve polls for changes: inotify refused ({exc})")
        try:
            server.observer.stop()
        except Exception:  # noqa: BLE001 - it may not have started at all
            pass
        server.observer = old[0]
        server._watched_paths.clear()
        server._watched_paths.update(counts)
        server._watch_refs.clear()
        server._watch_refs.update(old[1])
        return False
    log.info("serve: watching for changes with inotify (kbsite: serve_watcher: poll to poll instead)")
    return True
