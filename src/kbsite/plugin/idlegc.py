"""plugin: under ``mkdocs serve``, Python's garbage collector does its full passes between
rebuilds, not during them.

A rebuild makes many new objects (pages, files, the nav, view models) while the process holds
everything the serve caches keep (the vault, page HTML, search data: hundreds of MB at 3,000
notes). Python's full collection walks all of that, and a rebuild allocates enough to start
several of them: over a second of a 3,000-note rebuild went to the collector.

So, after each build, once the browser has had its moment to reload, a timer thread collects
everything (``gc.collect()``: nothing leaks) and freezes the survivors (``gc.freeze()``): the
next rebuild's collections walk only what that rebuild made. Before collecting, the last
freeze is undone, so objects frozen then and dropped since are found as well. A save that
arrives during the idle collection waits for it (a few tenths of a second at 3,000 notes).
"""

from __future__ import annotations

import gc
import threading

IDLE_DELAY = 0.5  # seconds after a build: the reload's requests are served first


class IdleCollector:
    def __init__(self, delay: float = IDLE_DELAY) -> None:
        self.delay = delay
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self.runs = 0

    def build_started(self) -> None:
        """A build begins: a collection not yet started waits for the next idle moment."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    def build_finished(self) -> None:
        """A build ended (or failed): collect once the process is idle."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self.delay, self.collect)
            self._timer.daemon = True  # never keeps `mkdocs serve` from exiting
            self._timer.start()

    def collect(self) -> None:
        with self._lock:  # stop() waits for a collection under way
            self._timer = None
            gc.unfreeze()  # what the last freeze kept is looked at again
            gc.collect()
            gc.freeze()
            self.runs += 1

    def stop(self) -> None:
        """No more builds: cancel the timer and give the frozen objects back to the collector."""
        self.build_started()
        with self._lock:
            gc.unfreeze()
