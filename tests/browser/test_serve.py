"""`mkdocs serve`: editing, adding, renaming and deleting notes shows in the open browser."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kbtest import make_kb

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"mkdocs serve exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"mkdocs serve did not answer at {url}")


def test_live_reload_edit_add_rename_delete(tmp_path: Path, page) -> None:
    make_kb(tmp_path, {
        "notes/target.md": "---\ntitle: 目标笔记\n---\n# 目标笔记\n\n第一版正文。\n",
        "notes/source.md": "---\ntitle: 来源笔记\n---\n# 来源笔记\n\n这里链接到 [[目标笔记]]。\n",
    })
    port = _free_port()
    log = (tmp_path / "serve.log").open("w", encoding="utf-8")  # a file, not a pipe that can fill up
    proc = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}", "--livereload"],
        cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    try:
        base = f"http://127.0.0.1:{port}/"
        _wait_http(base + "notes/target/", proc)
        page.goto(base + "notes/target/")
        assert "第一版正文" in page.locator("article").inner_text()
        assert "来源笔记" in page.locator(".kb-backlinks").inner_text()

        # Edit: the open page reloads by itself and shows the new text.
        (tmp_path / "notes/target.md").write_text("---\ntitle: 目标笔记\n---\n# 目标笔记\n\n第二版正文。\n",
                                                  encoding="utf-8")
        page.wait_for_function("document.body.innerText.includes('第二版正文')", timeout=60_000)

        # Add: a new note linking here appears in the backlinks.
        (tmp_path / "notes/new.md").write_text("# 新笔记\n\n也提到 [[目标笔记]]。\n", encoding="utf-8")
        page.wait_for_function("document.querySelector('.kb-backlinks')?.innerText.includes('新笔记')",
                               timeout=60_000)

        # Rename: the backlink follows the new title and path; the old one is gone.
        (tmp_path / "notes/source.md").rename(tmp_path / "notes/renamed.md")
        (tmp_path / "notes/renamed.md").write_text("---\ntitle: 改名后的笔记\n---\n这里链接到 [[目标笔记]]。\n",
                                                   encoding="utf-8")
        page.wait_for_function(
            "(() => { const t = document.querySelector('.kb-backlinks')?.innerText || '';"
            " return t.includes('改名后的笔记') && !t.includes('来源笔记'); })()", timeout=60_000)
        hrefs = page.locator(".kb-backlinks a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        assert "../renamed/" in hrefs and "../source/" not in hrefs

        # Delete: the note disappears from the backlinks.
        (tmp_path / "notes/new.md").unlink()
        page.wait_for_function("!document.querySelector('.kb-backlinks')?.innerText.includes('新笔记')",
                               timeout=60_000)
        assert not any((tmp_path / "notes").glob("*.tmp"))  # serve wrote nothing into notes/
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
