"""Shared fixtures: real builds in temp folders, and Debian's headless Chromium via Playwright."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from typing import Callable, Iterator

import pytest

from kbtest import MKDOCS_YML, BuildResult, build_kb, make_kb

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run the tests through scripts/test.sh, which installs it")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context()
    pg = context.new_page()
    yield pg
    context.close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def serve_dir() -> Iterator[object]:
    """``serve_dir(path) -> base URL``: a static file server on 127.0.0.1, stopped after the test."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def _serve(path: Path) -> str:
        handler = functools.partial(_Quiet, directory=str(path))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield _serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def kb(tmp_path: Path) -> Callable[..., BuildResult]:
    """``kb({"notes/a.md": "..."})`` writes a knowledge base and builds it."""

    def _make(files: dict[str, str | bytes], mkdocs_yml: str = MKDOCS_YML, strict: bool = False) -> BuildResult:
        make_kb(tmp_path, files, mkdocs_yml)
        return build_kb(tmp_path, strict=strict)

    return _make
