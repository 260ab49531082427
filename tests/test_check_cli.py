"""``kbsite check``: path:line: output, a summary and exit codes, on a folder of broken notes."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from kbtest import make_kb
from kbsite.cli import main

BROKEN = {
    "notes/yaml.md": "---\ntitle: [unclosed\n---\n",
    "notes/list.md": "---\n- just\n- a list\n---\n",
    "notes/types.md": "---\ntitle: ok\naliases: {a: 1}\nyear: soon\n---\n",
    "notes/status.md": "---\nstatus: finished\n---\n",
    "notes/dup1.md": "---\nid: same\naliases: [共享]\n---\n",
    "notes/dup2.md": "---\nid: same\naliases: [共享]\n---\n",
    "notes/unsafe.md": "---\nid: ../../etc/passwd\n---\n",
    "notes/cyc-a.md": "---\ntype: topic\nparent: cyc-b\n---\n",
    "notes/cyc-b.md": "---\ntype: topic\nparent: cyc-a\n---\n",
    "notes/orphan.md": "---\ntype: topic\nparent: nowhere\n---\n",
    "notes/utf8.md": b"---\ntitle: utf\n---\nfine\nbad \xff\n",
    "notes/links.md": "---\nrelated: [ghost]\n---\n\n正文 [[不存在]]\n",
}


def run(root: Path, *args: str):
    return CliRunner().invoke(main, ["check", "--config", str(root / "mkdocs.yml"), *args])


def test_check_reports_every_problem_with_its_line(tmp_path: Path) -> None:
    make_kb(tmp_path, BROKEN)
    result = run(tmp_path)
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    expected = [
        "notes/cyc-a.md:3: error: topic parents form a cycle: cyc-a → cyc-b → cyc-a",
        "notes/cyc-b.md:3: error: topic parents form a cycle: cyc-a → cyc-b → cyc-a",
        "notes/dup2.md:2: error: duplicate id 'same': notes/dup1.md already uses it",
        "notes/dup2.md:3: warning: alias '共享' is also an alias of 'same' (notes/dup1.md); [[共享]] links to 'same'",
        "notes/links.md:2: warning: related 'ghost' matches no note",
        "notes/links.md:5: warning: wanted note: [[不存在]] matches no note (id, title or alias)",
        "notes/list.md:2: error: front matter is not a mapping of 'key: value' lines",
        "notes/orphan.md:3: error: parent 'nowhere' is not a topic (no note of type: topic and no note lists it in 'topics')",
        "notes/status.md:2: error: unknown status 'finished': use one of todo, draft, done",
        "notes/types.md:3: error: 'aliases' must be a list of strings, not a mapping",
        "notes/types.md:4: error: 'year' must be an integer year such as 2021, not 'soon'",
        "notes/unsafe.md:2: error: id '../../etc/passwd' is not a safe slug (use letters, digits, '-', '_' and '.'; no '/', '..', spaces or absolute paths); using the file name instead",
        "notes/utf8.md:5: error: file is not valid UTF-8 (invalid bytes are shown as \ufffd)",
        "notes/yaml.md:3: error: front matter is not valid YAML: did not find expected ',' or ']'",
    ]
    for line in expected:
        assert line in lines, f"missing: {line}\n---\n{result.output}"
    assert lines[-1] == "12 notes, 3 topics: 11 errors, 3 warnings (1 wanted note)"
    assert "Traceback" not in result.output


def test_check_passes_with_warnings_only(tmp_path: Path) -> None:
    make_kb(tmp_path, {"notes/a.md": "见 [[以后再写]]\n"})
    result = run(tmp_path)
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == "1 note, 0 topics: 0 errors, 1 warning (1 wanted note)"


def test_check_clean(tmp_path: Path) -> None:
    make_kb(tmp_path, {"notes/a.md": "---\ntitle: A\nstatus: done\n---\n正文\n"})
    result = run(tmp_path)
    assert result.exit_code == 0 and "0 errors, 0 warnings" in result.output


def test_check_missing_config_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", "--config", str(tmp_path / "nope.yml")])
    assert result.exit_code != 0 and "no such file" in result.output
    assert "Traceback" not in result.output


def test_check_does_not_touch_notes(tmp_path: Path) -> None:
    make_kb(tmp_path, BROKEN)
    before = {p: p.read_bytes() for p in (tmp_path / "notes").rglob("*") if p.is_file()}
    run(tmp_path)
    assert before == {p: p.read_bytes() for p in (tmp_path / "notes").rglob("*") if p.is_file()}


def test_build_and_check_without_a_docs_folder(tmp_path: Path) -> None:
    # A bare notes folder: mkdocs itself stops at the missing docs/; kbsite's commands do not.
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.md").write_text("# 甲\n\n正文。\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: 笔记\ntheme:\n  name: material\n  language: zh\nplugins:\n  - search\n  - kbsite\n",
        encoding="utf-8")
    runner = CliRunner()
    checked = runner.invoke(main, ["check", "-f", str(tmp_path / "mkdocs.yml")])
    assert checked.exit_code == 0, checked.output
    assert "1 note, 0 topics: 0 errors, 0 warnings" in checked.output
    built = runner.invoke(main, ["build", "--strict", "-f", str(tmp_path / "mkdocs.yml")])
    assert built.exit_code == 0, built.output
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "notes/a/" in home  # the generated home page lists the note
    assert (tmp_path / "site" / "notes" / "a" / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mkdocs.yml", "notes", "site"]  # no docs/ made
