"""cli: ``kbsite report`` prints the same numbers as the site, in three formats."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbsite import cli
from kbsite.cli import main
from coverage_notes import FILES
from kbtest import make_kb


@pytest.fixture
def config(tmp_path: Path) -> str:
    make_kb(tmp_path, FILES)
    return str(tmp_path / "mkdocs.yml")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_json(config: str) -> None:
    code, out, err = run("report", "--config", config, "--format", "json")
    assert code == 0, out + err
    data = json.loads(out)
    assert data["totals"]["notes"] == 4 and data["totals"]["coverage"] == 0.5
    assert [t["id"] for t in data["topics"]] == ["ml", "compression", "pruning", "蒸馏"]
    assert err == ""  # no progress bar outside a terminal
    assert run("report", "--config", config, "--format", "json")[1] == out  # byte-stable


def test_table_is_default(config: str) -> None:
    code, out, _ = run("report", "-f", config)
    assert code == 0
    assert out.splitlines()[0].startswith("主题") and "█" in out and "合计" in out


def test_markdown(config: str) -> None:
    code, out, _ = run("report", "--config", config, "--format", "markdown")
    assert code == 0 and out.startswith("## 知识库覆盖报告") and "| 剪枝 |" not in out and "剪枝 |" in out


def test_topic_filter(config: str) -> None:
    code, out, _ = run("report", "--config", config, "--format", "json", "--topic", "Compression")
    assert code == 0
    data = json.loads(out)
    assert [t["id"] for t in data["topics"]] == ["compression", "pruning"]
    assert data["totals"]["notes"] == 3


def test_unknown_topic_fails(config: str) -> None:
    code, out, err = run("report", "--config", config, "--topic", "nope")
    assert code == 1
    assert "no topic 'nope'" in err and "ml" in err


def test_missing_config_fails(tmp_path: Path) -> None:
    code, _, err = run("report", "--config", str(tmp_path / "none.yml"))
    assert code == 1 and "no such file" in err


@pytest.mark.parametrize("ci, tty, shown", [
    (None, True, True), ("true", True, False), ("1", True, False), ("false", True, True), (None, False, False),
])
def test_progress_only_on_a_terminal_outside_ci(monkeypatch, ci, tty, shown) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)

    class Stream(io.StringIO):
        def isatty(self) -> bool:
            return tty

    monkeypatch.setattr(cli.sys, "stderr", Stream())
    assert cli.show_progress() is shown


def test_progress_bar_writes_to_stderr_when_enabled(monkeypatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(cli.sys, "stderr", stream)
    bar = cli.Progress("统计", enabled=True)
    for i in range(1, 4):
        bar(i, 3)
    assert "统计" in stream.getvalue()
    quiet = io.StringIO()
    monkeypatch.setattr(cli.sys, "stderr", quiet)
    cli.Progress("统计", enabled=False)(1, 1)
    assert quiet.getvalue() == ""
