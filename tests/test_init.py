"""``kbsite init``: a ready project in an empty folder and in an Obsidian vault; nothing overwritten."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from kbtest import build_kb
from kbsite.cli import main


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["init", *args], catch_exceptions=False)


def test_init_in_an_empty_folder_builds_strictly(tmp_path: Path) -> None:
    root = tmp_path / "我的库"
    result = run(str(root), "--site-name", "读书笔记")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:5] == [
        "wrote mkdocs.yml", "wrote docs/index.md", "wrote .gitignore", "wrote .github/workflows/pages.yml",
        "wrote notes/第一篇笔记.md"]
    cfg = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    assert cfg["site_name"] == "读书笔记"
    assert cfg["plugins"][1] == {"kbsite": {"notes_dir": "notes"}}
    assert {"site/", ".venv/"} <= set((root / ".gitignore").read_text(encoding="utf-8").split())
    site = build_kb(root, strict=True)
    home = site.page("index.html")
    assert home.find("h1")["text"] == "读书笔记¶"  # the written intro, with its permalink
    assert home.find("ul", cls="kb-home-topics")  # the generated sections under the written intro


def test_workflow_checks_out_history_checks_and_publishes(tmp_path: Path) -> None:
    run(str(tmp_path), "--install", "kbsite @ git+https://example.org/kbsite@v1")
    flow = yaml.load((tmp_path / ".github/workflows/pages.yml").read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    steps = flow["jobs"]["build"]["steps"]
    assert steps[0] == {"uses": "actions/checkout@v4", "with": {"fetch-depth": 0}}
    runs = [s.get("run") for s in steps if "run" in s]
    assert runs == ["pip install 'kbsite @ git+https://example.org/kbsite@v1'", "kbsite check", "mkdocs build --strict"]
    assert steps[-1]["uses"] == "actions/upload-pages-artifact@v3"
    assert flow["jobs"]["deploy"]["steps"][0]["uses"] == "actions/deploy-pages@v4"
    assert flow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}


def test_init_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text("site_name: 我自己的\n", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# 我的首页\n", encoding="utf-8")
    result = run(str(tmp_path))
    assert "skipped mkdocs.yml (exists; not changed)" in result.output.splitlines()
    assert "skipped docs/index.md (exists; not changed)" in result.output.splitlines()
    assert (tmp_path / "mkdocs.yml").read_text(encoding="utf-8") == "site_name: 我自己的\n"
    assert (tmp_path / "docs" / "index.md").read_text(encoding="utf-8") == "# 我的首页\n"
    again = run(str(tmp_path))
    assert all(line.startswith(("skipped", "next:")) for line in again.output.splitlines())


def test_init_in_an_obsidian_vault(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    for rel, text in {
        ".obsidian/app.json": "{}",
        ".obsidian/workspace.md": "# 不是笔记\n",
        ".trash/old.md": "# 删掉的\n",
        "templates/日记模板.md": "# {{date}}\n",
        "机器学习/LoRA.md": "# LoRA\n\n见 [[知识蒸馏]]。\n",
        "机器学习/知识蒸馏.md": "---\ntitle: 知识蒸馏\n---\n正文\n",
        "随记.md": "# 随记\n",
    }.items():
        path = vault / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    before = {p: p.read_bytes() for p in vault.rglob("*") if p.is_file()}
    result = run(str(vault))
    assert result.exit_code == 0
    assert "wrote notes/第一篇笔记.md" not in result.output  # the vault has notes already
    cfg = yaml.load((vault / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    assert cfg["plugins"][1]["kbsite"]["notes_dir"] == "."
    assert "templates/*" in cfg["plugins"][1]["kbsite"]["exclude"]
    site = build_kb(vault, strict=True)
    published = sorted(p.parent.relative_to(site.site / "vault").as_posix()
                       for p in (site.site / "vault").rglob("index.html"))
    # The notes, their folder page, and nothing from .obsidian/, .trash/, templates/, docs/ or site/.
    assert published == ["机器学习", "机器学习/LoRA", "机器学习/知识蒸馏", "随记"]
    for path, data in before.items():
        assert path.read_bytes() == data  # no note was changed
    link = site.page("vault/机器学习/LoRA/index.html").find("a", cls="kb-link")
    assert link["text"] == "知识蒸馏"
    # Building twice does not pick up the first build's site/ as notes.
    again = build_kb(vault, strict=True)
    assert sorted(p.parent.relative_to(again.site / "vault").as_posix()
                  for p in (again.site / "vault").rglob("index.html")) == published
