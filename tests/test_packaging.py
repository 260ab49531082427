"""Packaging: the sdist and the wheel build, and the wheel alone makes a site in a clean venv."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from kbtest import REPO

pytestmark = pytest.mark.slow


def _tracked_copy(dest: Path) -> Path:
    """The repository's files as a clone has them (tracked, or new and not ignored), without the
    editable install's leftovers."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=REPO, capture_output=True, check=True).stdout
    for rel in filter(None, files.decode("utf-8").split("\0")):
        src = REPO / rel
        if src.is_file():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(src.read_bytes())
    return dest


def test_sdist_and_wheel_install_and_build_a_site(tmp_path: Path) -> None:
    project = _tracked_copy(tmp_path / "src-copy")
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(dist), str(project)],
                   check=True, capture_output=True)
    [wheel] = dist.glob("kbsite-*.whl")
    [sdist] = dist.glob("kbsite-*.tar.gz")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("kbsite/templates/kbsite/note.html", "kbsite/templates/assets/kbsite/search-worker.js",
                   "kbsite/templates/assets/kbsite/kbsite.css", "kbsite/py.typed", "kbsite/plugin/plugin.py",
                   "kbsite/search/data/glossary.yml"):
        assert needed in names, needed
    assert any(n.endswith("entry_points.txt") for n in names)
    with tarfile.open(sdist) as tar:
        members = {m.name.split("/", 1)[1] for m in tar.getmembers() if "/" in m.name}
    assert {"README.md", "pyproject.toml", "src/kbsite/cli.py"} <= members

    venv = tmp_path / "venv"
    # A clean environment: nothing of this repository's (or this test run's) on the path.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)]
    subprocess.run(pip, check=True, capture_output=True, env=env)
    # A folder elsewhere, far from the repository: init, check, a strict build.
    kb = tmp_path / "elsewhere" / "笔记库"
    bin_ = venv / "bin"
    subprocess.run([str(bin_ / "kbsite"), "init", str(kb)], check=True, capture_output=True, env=env)
    (kb / "notes" / "LoRA.md").write_text("# LoRA\n\n低秩适配，见 [[第一篇笔记]]。\n", encoding="utf-8")
    check = subprocess.run([str(bin_ / "kbsite"), "check"], cwd=kb, capture_output=True, text=True, env=env)
    assert check.returncode == 0, check.stdout + check.stderr
    build = subprocess.run([str(bin_ / "mkdocs"), "build", "--strict"], cwd=kb, capture_output=True, text=True,
                           env=env)
    assert build.returncode == 0, build.stderr[-3000:]
    page = (kb / "site" / "notes" / "LoRA" / "index.html").read_text(encoding="utf-8")
    assert 'class="kb-link"' in page
    assert (kb / "site" / "assets" / "kbsite" / "search-worker.js").is_file()
    # The installed package is the wheel's, not this repository's.
    where = subprocess.run([str(bin_ / "python"), "-c", "import kbsite; print(kbsite.__file__)"],
                           capture_output=True, text=True, check=True, env=env).stdout
    assert str(REPO) not in where
