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

During a rebuild the collector still runs its young passes, but not its full ones: after the
freeze the old generation holds only what this rebuild made so far, and Python starts a full
pass once it is a quarter bigger than after the last one, so every ten young-generation sweeps
it walked the whole growing rebuild again (half a second of a 3,000-note title edit). The
rebuild's survivors wait for the idle collection instead.
"""

from __future__ import annotations

import gc
import threading

IDLE_DELAY = 0.5  # seconds after a build: the reload's requests are served first
# A full pass after this many passes of the middle generation (Python's default is 10).
BUILD_FULL_EVERY = 10_000


class IdleCollector:
    def __init__(self, delay: float = IDLE_DELAY) -> None:
        self.delay = delay
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self.runs = 0
        self._thresholds: tuple[int, int, int] | None = None  # the process's own, during a build

    def build_started(self) -> None:
        """A build begins: a collection not yet started waits for the next idle moment."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._thresholds is None:
                self._thresholds = gc.get_threshold()
                young, middle, _ = self._thresholds
                gc.set_threshold(young, middle, BUILD_FULL_EVERY)

    def build_finished(self) -> None:
        """A build ended (or failed): collect once the process is idle."""
        with self._lock:
            self._restore()
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

    def _restore(self) -> None:
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None

    def stop(self) -> None:
        """No more builds: cancel the timer and give the frozen objects back to the collector."""
        self.build_started()
        with self._lock:
            self._restore()
            gc.unfreeze()
