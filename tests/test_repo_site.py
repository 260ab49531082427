"""The repo's own knowledge base: `kbsite check` has no errors and `mkdocs build --strict` passes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from kbtest import REPO
from kbsite.cli import main


def test_repo_notes_check_clean() -> None:
    result = CliRunner().invoke(main, ["check", "--config", str(REPO / "mkdocs.yml")])
    assert result.exit_code == 0, result.output
    # Nothing but the summary: no error and no warning (the strict build below agrees).
    [summary] = result.output.splitlines()
    assert summary.endswith(": 0 errors, 0 warnings (0 wanted notes)"), summary


def test_repo_site_builds_strictly(tmp_path: Path) -> None:
    site = tmp_path / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(REPO / "mkdocs.yml"),
         "--site-dir", str(site)],
        capture_output=True, text=True, cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert (site / "index.html").is_file()
    assert (site / "topics" / "index.html").is_file()
    notes = list((REPO / "notes").rglob("*.md"))
    folders = {p.parent for p in notes} - {REPO / "notes"}  # each gets a generated folder page
    assert len(list((site / "notes").rglob("index.html"))) == len(notes) + len(folders)
    assert (site / "folders" / "index.html").is_file()
    # Offline: no page refers to a CDN or to Google Fonts.
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in text and "cdn.jsdelivr" not in text and "unpkg.com" not in text, page
    shutil.rmtree(site)
