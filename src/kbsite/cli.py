"""cli: the ``kbsite`` command. Reads the same validated config as the MkDocs plugin."""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import click

from kbsite.core.coverage import compute_coverage
from kbsite.core.files import display_prefix
from kbsite.core.model import KNOWN_TYPES, Severity
from kbsite.core.newnote import NoteDraft, NoteExists, prepare, taken_names, write_new
from kbsite.core.outline import format_plan, parse_outline, plan_import
from kbsite.core.report import FORMATS, render
from kbsite.core.vault import Vault, load_vault


@dataclass(frozen=True)
class Project:
    """What the commands need from mkdocs.yml: where the notes are and how headings are slugged."""

    config_file: Path
    notes_dir: Path
    src_prefix: str
    wanted: str
    slugify: Callable[[str], str]
    docs_dir: Path | None = None
    site_dir: Path | None = None
    exclude: tuple[str, ...] = ()

    def load(self) -> Vault:
        """The vault exactly as the plugin loads it, so check and build report the same lines."""
        project = self.config_file.resolve().parent
        docs_prefix = display_prefix(self.docs_dir, project) if self.docs_dir is not None else "docs"
        return load_vault(self.notes_dir, src_prefix=self.src_prefix, slugify=self.slugify,
                          boundary=[project], docs_dir=self.docs_dir, docs_prefix=docs_prefix,
                          wanted=self.wanted, exclude=self.exclude,
                          skip=[p for p in (self.docs_dir, self.site_dir) if p is not None])



def missing_docs_override(path: Path) -> dict[str, str]:
    """``{"docs_dir": <an empty folder>}`` when mkdocs.yml's docs folder does not exist.

    MkDocs checks ``docs_dir`` before any plugin runs, so a vault with no ``docs/`` cannot build
    with ``mkdocs`` itself; kbsite's commands point it at an empty folder instead (kbsite then
    generates the home page). Nothing is created in the project."""
    import atexit
    import shutil
    import tempfile

    from mkdocs.utils.yaml import yaml_load

    try:
        with path.open("rb") as f:
            raw = yaml_load(f)
    except Exception:  # noqa: BLE001 - MkDocs reports a broken mkdocs.yml itself
        return {}
    docs = raw.get("docs_dir", "docs") if isinstance(raw, dict) else "docs"
    if not isinstance(docs, str) or (path.resolve().parent / docs).is_dir():
        return {}
    empty = tempfile.mkdtemp(prefix="kbsite-empty-docs-")
    atexit.register(shutil.rmtree, empty, True)
    return {"docs_dir": empty}


def load_project(config_file: str) -> Project:
    """Load mkdocs.yml through MkDocs (so the plugin's typed config validates it)."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import ConfigurationError

    from kbsite.plugin.plugin import configure_toc

    path = Path(config_file)
    if not path.is_file():
        raise click.ClickException(f"{config_file}: no such file (pass --config path/to/mkdocs.yml)")
    # MkDocs logs config warnings itself; the CLI reports only its own findings.
    mkdocs_log = logging.getLogger("mkdocs")
    level = mkdocs_log.level
    mkdocs_log.setLevel(logging.ERROR)
    try:
        cfg = load_config(config_file=str(path), **missing_docs_override(path))
    except ConfigurationError as exc:
        raise click.ClickException(f"{config_file}: {exc}") from exc
    finally:
        mkdocs_log.setLevel(level)  # a process that goes on to build must still see warnings
    plugin = cfg.plugins.get("kbsite")
    if plugin is None:
        raise click.ClickException(f"{config_file}: the kbsite plugin is not enabled under 'plugins:'")
    notes_dir = Path(plugin.config.notes_dir)
    prefix = display_prefix(notes_dir, path.resolve().parent)
    # The heading slugify the site will use, so ``[[note#heading]]`` is checked the same way.
    return Project(path, notes_dir, prefix, plugin.config.wanted, configure_toc(cfg), Path(cfg.docs_dir),
                   Path(cfg.site_dir), tuple(plugin.config.exclude))


config_option = click.option(
    "--config", "-f", "config_file", default="mkdocs.yml", show_default=True,
    help="The mkdocs.yml of the knowledge base.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kbsite")
def main() -> None:
    """kbsite: a knowledge base of Markdown notes as a cross-linked MkDocs site."""


@main.command()
@config_option
def check(config_file: str) -> None:
    """Validate every note: print path:line: error|warning: message, then a summary.

    Exit code 1 when there is an error, 0 otherwise (warnings alone pass).
    """
    project = load_project(config_file)
    vault = project.load()
    for d in vault.diagnostics:
        if d.severity is not Severity.INFO:
            click.echo(str(d))
    errors, warnings = len(vault.errors()), len(vault.warnings())
    wanted = len(vault.graph.wanted)
    n, t = len(vault.notes), len(vault.topics)
    summary = (f"{n} note{'s' * (n != 1)}, {t} topic{'s' * (t != 1)}: "
               f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
               f" ({wanted} wanted note{'s' * (wanted != 1)})")
    click.echo(summary, err=False)
    sys.exit(1 if errors else 0)


@main.command()
@config_option
@click.option("--strict", is_flag=True, help="Fail on warnings, as mkdocs build --strict.")
def build(config_file: str, strict: bool) -> None:
    """``mkdocs build``, also when the project has no docs/ folder (a bare notes folder or vault)."""
    from mkdocs.commands import build as mk_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    path = _config_path(config_file)
    try:
        cfg = load_config(config_file=str(path), strict=strict, **missing_docs_override(path))
        mk_build.build(cfg)
    except (ConfigurationError, Abort) as exc:
        raise click.ClickException(f"{config_file}: {exc}") from exc


@main.command()
@config_option
@click.option("--dev-addr", "-a", default=None, help="IP:PORT to serve on (default 127.0.0.1:8000).")
@click.option("--open", "open_in_browser", is_flag=True, help="Open the site in a browser.")
def serve(config_file: str, dev_addr: str | None, open_in_browser: bool) -> None:
    """``mkdocs serve`` with live reload, also when the project has no docs/ folder."""
    from mkdocs.commands import serve as mk_serve

    path = _config_path(config_file)
    overrides: dict[str, Any] = missing_docs_override(path)
    if dev_addr:
        overrides["dev_addr"] = dev_addr
    mk_serve.serve(config_file=str(path), open_in_browser=open_in_browser, **overrides)


def _config_path(config_file: str) -> Path:
    path = Path(config_file)
    if not path.is_file():
        raise click.ClickException(f"{config_file}: no such file (pass --config path/to/mkdocs.yml)")
    return path


# ---- Progress -------------------------------------------------------------------------------


def show_progress() -> bool:
    """Progress bars only on an interactive terminal, never in CI (a ``CI`` variable) or a pipe."""
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        return False
    return sys.stderr.isatty()


class Progress:
    """A stderr progress bar that is a no-op when ``show_progress()`` is False."""

    def __init__(self, label: str, enabled: bool | None = None) -> None:
        self.label = label
        self.enabled = show_progress() if enabled is None else enabled
        self._bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self._bar is None:
            self._bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(done - self._bar.pos)
        if done >= total:
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


# ---- report / new / import ------------------------------------------------------------------


@main.command()
@config_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="table for a terminal, markdown for an issue, json for scripts (see docs/report.md).")
@click.option("--topic", "topic", default=None, metavar="ID",
              help="Only this topic (id, title or alias) and its sub-topics.")
def report(config_file: str, fmt: str, topic: str | None) -> None:
    """Per-topic coverage: done / draft / todo notes, open tasks and wanted notes.

    The same numbers as the site's coverage report page.
    """
    vault = load_project(config_file).load()
    cov = compute_coverage(vault, Progress("统计覆盖"))
    if topic is not None:
        selected = cov.select(topic)
        if selected is None:
            known = ", ".join(r.id for r in cov.topics)
            raise click.ClickException(f"no topic '{topic}' (known: {known or 'none'})")
        cov = selected
    click.echo(render(cov, fmt), nl=False)


@main.command()
@config_option
@click.argument("title")
@click.option("--type", "note_type", type=click.Choice(KNOWN_TYPES), default="paper", show_default=True,
              help="The note type; it also picks the folder (papers/, concepts/, topics/…).")
@click.option("--topic", "topics", multiple=True, metavar="T",
              help="A topic (id, title or alias) the note belongs to; repeatable. For --type topic: its parent.")
@click.option("--alias", "aliases", multiple=True, metavar="A", help="Another name of the note; repeatable.")
@click.option("--id", "note_id", default=None, help="The id (default: derived from the title).")
@click.option("--year", type=int, default=None, help="Publication year (papers).")
def new(config_file: str, title: str, note_type: str, topics: tuple[str, ...], aliases: tuple[str, ...],
        note_id: str | None, year: int | None) -> None:
    """Write a new note with complete front matter (status: todo) and print its path.

    Refuses to overwrite a file or to reuse an id, title or alias another note has.
    """
    project = load_project(config_file)
    vault = project.load()
    title = title.strip()
    if not title:
        raise click.ClickException("the title is empty")
    draft = NoteDraft(title=title, type=note_type, aliases=[a.strip() for a in aliases if a.strip()], year=year)
    if note_type == "topic":
        draft.parent = _topic_ref(vault, topics[0]) if topics else None
    else:
        draft.topics = [_topic_ref(vault, t) for t in topics]
    try:
        prepare(draft, taken_names(vault.index), project.notes_dir, note_id)
        path = write_new(project.notes_dir, draft)
    except (NoteExists, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    unknown = [t for t in topics if vault.index.resolve(t) is None]
    for name in unknown:
        click.echo(f"note: topic '{name}' has no overview note yet; it gets a generated page", err=True)
    click.echo(_display_path(path, project))


def _topic_ref(vault: Vault, name: str) -> str:
    """A topic as written in front matter: the overview note's id when there is one."""
    note = vault.index.resolve(name)
    return note.id if note is not None and note.is_topic else name.strip()


def _display_path(path: Path, project: Project) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


@main.command("import")
@config_option
@click.argument("outline", type=click.Path(exists=True, dir_okay=False))
@click.option("--write", is_flag=True, help="Write the new notes (default: only print the plan).")
def import_outline(config_file: str, outline: str, write: bool) -> None:
    """Plan topic notes and paper stubs from a reading-list OUTLINE; --write creates them.

    Never overwrites: a heading that matches an existing note by title or alias is skipped.
    """
    project = load_project(config_file)
    vault = project.load()
    raw = Path(outline).read_bytes().decode("utf-8-sig", errors="replace")
    plan = plan_import(parse_outline(raw), vault.index, project.notes_dir)
    click.echo(format_plan(plan), nl=False)
    if not write:
        if any(i.action == "create" for i in plan):
            click.echo("(dry run: nothing written; add --write to create these notes)")
        return
    todo = [i for i in plan if i.action == "create" and i.draft is not None]
    bar = Progress("写入笔记")
    written = 0
    for n, item in enumerate(todo, 1):
        assert item.draft is not None
        try:
            write_new(project.notes_dir, item.draft)
            written += 1
        except NoteExists as exc:
            click.echo(f"skip: {exc}", err=True)
        bar(n, len(todo))
    click.echo(f"wrote {written} note{'s' * (written != 1)} under {_display_path(project.notes_dir, project)}")


# ---- init -----------------------------------------------------------------------------------


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--site-name", help="The site's name (default: the folder's name).")
@click.option("--notes-dir", help="The notes folder, relative to DIRECTORY (default: notes, or . in an "
              "Obsidian vault).")
@click.option("--language", default="zh", show_default=True, help="Material's UI language.")
@click.option("--install", "install", help="What the GitHub workflow pip-installs (default: how this kbsite "
              "was installed, when that works on GitHub; else 'kbsite').")
def init(directory: Path, site_name: str | None, notes_dir: str | None, language: str,
         install: str | None) -> None:
    """Make DIRECTORY a kbsite project: mkdocs.yml, a home page, .gitignore and a GitHub Pages
    workflow. Asks nothing; never overwrites a file (it says what it skipped). In an Obsidian
    vault (a .obsidian/ folder), the vault itself is the notes folder."""
    from kbsite.core.scaffold import Options, plan, write

    root = directory.resolve()
    root.mkdir(parents=True, exist_ok=True)
    vault = (root / ".obsidian").is_dir()
    notes = notes_dir or ("." if vault else "notes")
    notes_path = root / notes
    notes_empty = not notes_path.is_dir() or not any(notes_path.rglob("*.md"))
    notes_path.mkdir(parents=True, exist_ok=True)
    options = Options(site_name=site_name or root.name, notes_dir=notes, language=language,
                      install=install or _install_spec(), vault=vault)
    written, skipped = write(root, plan(options, notes_empty=notes_empty))
    for path in written:
        click.echo(f"wrote {path}")
    for path in skipped:
        click.echo(f"skipped {path} (exists; not changed)")
    where = "" if root == Path.cwd().resolve() else f"cd {directory} && "
    click.echo(f"next: {where}kbsite check && mkdocs serve")


def _install_spec() -> str:
    """How this kbsite was installed, if GitHub can install it the same way (a VCS URL)."""
    import json
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        raw = distribution("kbsite").read_text("direct_url.json")
    except PackageNotFoundError:
        return "kbsite"
    if not raw:
        return "kbsite"
    try:
        info = json.loads(raw)
    except ValueError:
        return "kbsite"
    vcs = info.get("vcs_info")
    url = info.get("url", "")
    if vcs and url.startswith(("https://", "git+https://")):
        commit = vcs.get("commit_id")
        return f"kbsite @ git+{url.removeprefix('git+')}" + (f"@{commit}" if commit else "")
    return "kbsite"
