"""``kbsite check`` and ``mkdocs build`` report the same problems: one Diagnostic list, two outputs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from mkdocs.exceptions import Abort

from kbtest import MKDOCS_YML, build_kb, make_kb
from test_check_cli import BROKEN
from kbsite.cli import main

MORE = {
    # A note and a docs page that take the same place in the site.
    "notes/shadow.md": "# 被遮住的笔记\n",
    "docs/notes/shadow.md": "# docs 里的同名页\n",
    # Wanted notes, a bad heading link, a table pipe, a near-miss key.
    "notes/wants.md": "---\ntopic: [x]\n---\n见 [[想要的笔记]] 和 [[links#没有的标题]]。\n\n| a | b |\n|---|---|\n| [[links|表格]] | 1 |\n",
    # An embed of an attachment that is not there.
    "notes/embeds.md": "# 图\n\n![[没有的图.png|300]]\n",
}


def _check_lines(root: Path, *args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["check", "--config", str(root / "mkdocs.yml"), *args])
    return result.exit_code, result.output.splitlines()[:-1]  # the last line is the summary


def _build_lines(root: Path) -> list[str]:
    result = build_kb(root)
    return [line.removeprefix("WARNING:kbsite: ") for line in result.logs if line.startswith("WARNING:kbsite: ")]


def test_check_and_build_report_the_same_lines(tmp_path: Path) -> None:
    root = make_kb(tmp_path, {**BROKEN, **MORE})
    os.symlink("/etc/hostname", root / "notes" / "host.txt")
    code, check = _check_lines(root)
    build = _build_lines(root)
    assert code == 1
    assert len(check) >= len(BROKEN) + 4  # every broken note has at least one line, plus MORE
    assert sorted(check) == sorted(build)
    # The kinds that used to be build-only or check-only are in both.
    for needle in ("exists too and takes this note's place", "symbolic link points to outside the project",
                   "wanted note: [[想要的笔记]]", "unknown key 'topic'", "missing attachment"):
        assert any(needle in line for line in check), needle


def test_wanted_info_is_honoured_by_both(tmp_path: Path) -> None:
    yml = MKDOCS_YML.replace("  - kbsite\n", "  - kbsite:\n      wanted: info\n")
    root = make_kb(tmp_path, {"notes/a.md": "见 [[还没写]]。\n"}, yml)
    code, check = _check_lines(root)
    assert (code, check) == (0, [])
    result = build_kb(root)
    assert [line for line in result.logs if line.startswith("WARNING:")] == []
    wanted = result.page("todo/index.html").find("ul", cls="kb-wanted-list")
    assert wanted["text"].split()[0] == "还没写"  # still a planned note on the report
    build_kb(root, strict=True)  # planned notes do not fail --strict


def test_strict_build_fails_exactly_when_check_has_findings(tmp_path: Path) -> None:
    root = make_kb(tmp_path, {"notes/a.md": "# A\n", "notes/b.md": "见 [[a]]。\n"})
    assert _check_lines(root) == (0, [])
    build_kb(root, strict=True)
    (root / "notes" / "c.md").write_text("见 [[没有这篇]]。\n", encoding="utf-8")
    code, check = _check_lines(root)
    assert code == 0 and len(check) == 1  # a warning: check passes, --strict does not
    with pytest.raises(Abort):
        build_kb(root, strict=True)
