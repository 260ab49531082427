"""Symbolic links: nothing outside the project is read, copied or indexed; links inside work."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from mkdocs.exceptions import Abort

from kbtest import build_kb, make_kb
from kbsite.cli import main

SECRET = "SECRET-TOKEN-4f1c"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project in tmp/proj with secrets next to it (outside) and links to them inside."""
    outside = tmp_path / "outside"
    (outside / "dir").mkdir(parents=True)
    (outside / "secret.md").write_text(f"# 机密\n\n{SECRET}\n", encoding="utf-8")
    (outside / "id_rsa").write_text(SECRET, encoding="utf-8")
    (outside / "dir" / "more.md").write_text(f"# 更多\n\n{SECRET}\n", encoding="utf-8")
    (tmp_path / "proj").mkdir()
    root = make_kb(tmp_path / "proj", {
        "notes/real.md": "# 真笔记\n\n见 [[共享的笔记]] 与 [[内部文件夹笔记]]。\n",
        "shared/inside.md": "---\ntitle: 共享的笔记\n---\n项目里、notes 之外的文件。\n",
        "shared/folder/deep.md": "---\ntitle: 内部文件夹笔记\n---\n正文\n",
        "shared/pic.png": b"\x89PNG\r\n",
    })
    notes = root / "notes"
    os.symlink("../../outside/secret.md", notes / "x.md")  # relative, as a PR would commit it
    os.symlink(outside / "id_rsa", notes / "key.txt")
    os.symlink("/proc/self/environ", notes / "env.txt")
    os.symlink(outside / "dir", notes / "linked-dir")
    os.symlink(notes / "nowhere.md", notes / "dangling.md")
    os.symlink(outside / "secret.md", root / "docs" / "leak.md")
    os.symlink("../shared/inside.md", notes / "inside-link.md")  # stays in the project
    os.symlink("../shared/folder", notes / "inside-dir")
    os.symlink("../shared/pic.png", notes / "pic.png")
    os.symlink("..", notes / "loop")  # a folder link back up the tree: walked once, no hang
    return root


REFUSED = [
    "docs/leak.md:1: error: symbolic link points to outside the project: leak.md -> {out}/secret.md; "
    "not read and not published",
    "notes/dangling.md:1: error: symbolic link points to a missing target: dangling.md -> {notes}/nowhere.md; "
    "not read and not published",
    "notes/env.txt:1: error: symbolic link points to outside the project: env.txt -> /proc/self/environ; "
    "not read and not published",
    "notes/key.txt:1: error: symbolic link points to outside the project: key.txt -> {out}/id_rsa; "
    "not read and not published",
    "notes/linked-dir:1: error: symbolic link points to outside the project: linked-dir -> {out}/dir; "
    "not read and not published",
    "notes/loop:1: warning: symbolic link to a folder that holds the notes folder: loop -> ..; "
    "not followed (it would publish the notes again, and what is around them)",
    "notes/x.md:1: error: symbolic link points to outside the project: x.md -> ../../outside/secret.md; "
    "not read and not published",
]


def _expected(root: Path) -> list[str]:
    out = root.parent / "outside"
    return [line.format(out=out, notes=root / "notes") for line in REFUSED]


def test_links_out_of_the_project_are_not_published(project: Path) -> None:
    result = build_kb(project)
    published = [p for p in result.site.rglob("*") if p.is_file()]
    for path in published:
        assert SECRET.encode() not in path.read_bytes(), path
    assert not (result.site / "notes" / "key.txt").exists()
    assert not (result.site / "notes" / "env.txt").exists()
    assert not (result.site / "notes" / "x").exists()
    assert not (result.site / "notes" / "linked-dir").exists()
    assert not (result.site / "leak").exists()
    kbsite_lines = sorted(line.removeprefix("WARNING:kbsite: ") for line in result.logs
                          if "symbolic link" in line)
    assert kbsite_lines == _expected(project)


def test_links_inside_the_project_are_followed(project: Path) -> None:
    result = build_kb(project)
    page = result.page("notes/real/index.html")
    hrefs = {a["text"]: a["attrs"]["href"] for a in page.find_all("a", cls="kb-link")}
    assert hrefs == {"共享的笔记": "../inside-link/", "内部文件夹笔记": "../inside-dir/deep/"}
    assert result.page("notes/inside-dir/deep/index.html").find("h1", cls="kb-title")["text"] == "内部文件夹笔记"
    assert (result.site / "notes" / "pic.png").read_bytes() == b"\x89PNG\r\n"
    # The link back up the tree is not walked into a second copy of the notes.
    assert not (result.site / "notes" / "loop").exists()


def test_check_and_strict_build_fail_on_escaping_links(project: Path) -> None:
    result = CliRunner().invoke(main, ["check", "--config", str(project / "mkdocs.yml")])
    assert result.exit_code == 1
    assert sorted(line for line in result.output.splitlines() if "symbolic link" in line) == _expected(project)
    with pytest.raises(Abort):
        build_kb(project, strict=True)
