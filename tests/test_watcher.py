"""`mkdocs serve` hears of saves from inotify (plugin/watcher.py), and collects garbage between
rebuilds (plugin/idlegc.py). Real MkDocs LiveReloadServer and watchdog observers, a real folder."""

from __future__ import annotations

import gc
import os
import sys
import time
import weakref
from pathlib import Path
from typing import Any, Iterator

import pytest
from mkdocs.livereload import LiveReloadServer
from watchdog.observers.polling import PollingObserver

from kbsite.plugin.idlegc import IdleCollector
from kbsite.plugin.watcher import use_inotify

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveReloadServer]:
    notes = tmp_path / "notes"
    (notes / "sub").mkdir(parents=True)
    (notes / "sub" / "a.md").write_text("# a\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    srv = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path / "site"))
    srv.watch(str(notes))
    srv.watch(str(tmp_path / "mkdocs.yml"))
    try:
        yield srv
    finally:
        srv.observer.stop()
        if srv.observer.is_alive():
            srv.observer.join()
        srv.server_close()  # never bound (bind_and_activate=False), but a socket all the same


def _wants_rebuild(srv: Any, within: float = 10.0) -> bool:
    """Whether MkDocs' own watch callback asked for a rebuild (waits for the event, bounded)."""
    with srv._rebuild_cond:
        return bool(srv._rebuild_cond.wait_for(lambda: srv._want_rebuild, timeout=within))


def _reset(srv: Any) -> None:
    with srv._rebuild_cond:
        srv._want_rebuild = False


def test_inotify_reports_writes_creations_and_config_edits(server: Any, tmp_path: Path) -> None:
    assert use_inotify(server)
    assert not isinstance(server.observer, PollingObserver) and server.observer.is_alive()
    assert server._watched_paths == {str(tmp_path / "notes"): 1, str(tmp_path / "mkdocs.yml"): 1}
    server.observer.start()  # what MkDocs' serve() does next: must not fail on a started observer
    for change in (lambda: (tmp_path / "notes" / "sub" / "a.md").write_text("# a\n\nnew\n", encoding="utf-8"),
                   lambda: (tmp_path / "notes" / "sub" / "new.md").write_text("# b\n", encoding="utf-8"),
                   lambda: (tmp_path / "notes" / "sub" / "a.md").rename(tmp_path / "notes" / "a2.md"),
                   lambda: (tmp_path / "mkdocs.yml").write_text("site_name: y\n", encoding="utf-8")):
        _reset(server)
        change()
        assert _wants_rebuild(server)


def test_reading_the_notes_starts_no_rebuild(server: Any, tmp_path: Path) -> None:
    """inotify also reports opens and reads; a build reads every note, so those must not count."""
    assert use_inotify(server)
    (tmp_path / "notes" / "sub" / "a.md").write_text("# a\n\nx\n", encoding="utf-8")
    assert _wants_rebuild(server)
    time.sleep(0.3)  # the write's own events are in
    _reset(server)
    for path in (tmp_path / "notes").rglob("*"):
        if path.is_file():
            path.read_bytes()
    os.listdir(tmp_path / "notes")
    assert not _wants_rebuild(server, within=1.0)


def test_symbolic_links_and_the_poll_option_keep_polling(server: Any, tmp_path: Path) -> None:
    assert not use_inotify(server, "poll")
    assert isinstance(server.observer, PollingObserver)
    other = tmp_path / "elsewhere"
    other.mkdir()
    (tmp_path / "notes" / "linked").symlink_to(other, target_is_directory=True)
    assert not use_inotify(server)  # inotify would not follow the link; polling does
    assert isinstance(server.observer, PollingObserver) and not server.observer.is_alive()
    assert len(server._watch_refs) == 2


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


def test_idle_collection_frees_what_was_frozen_and_dropped_since() -> None:
    idle = IdleCollector(delay=0.0)
    try:
        kept = _Node()
        ref = weakref.ref(kept)
        idle.build_finished()
        deadline = time.monotonic() + 10
        while idle.runs == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert idle.runs == 1 and gc.get_freeze_count() > 0  # the survivors are frozen
        del kept
        gc.collect()
        assert ref() is not None  # frozen: a collection during a rebuild does not walk it
        idle.collect()  # the next idle moment
        assert ref() is None  # nothing leaks across rebuilds
    finally:
        idle.stop()
    assert gc.get_freeze_count() == 0


def test_a_build_that_starts_first_cancels_the_idle_collection() -> None:
    idle = IdleCollector(delay=5.0)
    try:
        idle.build_finished()
        idle.build_started()
        assert idle._timer is None and idle.runs == 0
    finally:
        idle.stop()


def test_a_build_defers_full_collections_and_gives_the_thresholds_back() -> None:
    from kbsite.plugin.idlegc import BUILD_FULL_EVERY

    own = gc.get_threshold()
    idle = IdleCollector(delay=5.0)
    try:
        idle.build_started()
        idle.build_started()  # a second start keeps the process's own thresholds to give back
        assert gc.get_threshold() == (own[0], own[1], BUILD_FULL_EVERY)
        idle.build_finished()
        assert gc.get_threshold() == own
    finally:
        idle.stop()
    assert gc.get_threshold() == own
