"""core: pure. What ``kbsite init`` writes into a new or existing folder of notes.

Nothing is ever overwritten: :func:`plan` lists the files, :func:`write` creates those that do
not exist yet and reports the others as skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

HOME_MARKER = "<!-- kbsite:home -->"  # docs/index.md: the generated home sections go here
# Folders a vault keeps that are not notes (besides hidden ones, which are always skipped).
VAULT_EXCLUDES = ("templates/*", "Templates/*", "模板/*")


@dataclass(frozen=True)
class Options:
    site_name: str
    notes_dir: str  # relative to the project folder; "." for a vault at the top
    language: str = "zh"
    install: str = "kbsite"  # the pip requirement the workflow installs
    vault: bool = False  # an Obsidian vault (``.obsidian/`` found)


@dataclass(frozen=True)
class Planned:
    path: str  # relative to the project folder
    content: str


def _yaml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON strings are YAML strings


def mkdocs_yml(o: Options) -> str:
    exclude = "".join(f"\n        - {_yaml_str(p)}" for p in VAULT_EXCLUDES) if o.vault else ""
    return f"""\
# Written by `kbsite init`. kbsite adds Markdown extensions (task lists, footnotes, admonitions,
# callouts, code highlighting, math, ==mark==), theme.font: false (no Google Fonts: the site
# works offline and in mainland China) and a generated home page; see kbsite's docs/defaults.md.
site_name: {_yaml_str(o.site_name)}
docs_dir: docs
theme:
  name: material
  language: {o.language}
  features:
    - navigation.indexes
    - navigation.top
    - search.highlight
    - content.code.copy
plugins:
  - search
  - kbsite:
      notes_dir: {_yaml_str(o.notes_dir)}{(chr(10) + "      exclude:" + exclude) if exclude else ""}
"""


def home_md(o: Options) -> str:
    return f"""\
# {o.site_name}

这是我的读书笔记。下面是按主题和文件夹整理的目录、最近改过的笔记和还没写完的部分（由 kbsite 生成）。

{HOME_MARKER}
"""


GITIGNORE = """\
# Written by `kbsite init`: the built site, virtual environments and caches.
site/
.venv/
venv/
__pycache__/
*.pyc
.cache/
"""


def workflow(o: Options) -> str:
    return f"""\
# Written by `kbsite init`: check the notes and publish the site to GitHub Pages on every push
# to main. In the repository settings, set Pages > Source to "GitHub Actions".
name: 发布笔记站点
on:
  push:
    branches: [main]
  workflow_dispatch:
permissions:
  contents: read
  pages: write
  id-token: write
concurrency:
  group: pages
  cancel-in-progress: true
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0  # full history: created/updated dates come from git
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Install kbsite
        run: pip install {_shell_quote(o.install)}
      - name: Check the notes
        run: kbsite check
      - name: Build the site
        run: mkdocs build --strict
      - uses: actions/upload-pages-artifact@v3
        with:
          path: site
  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"""


def _shell_quote(value: str) -> str:
    if value and all(c.isalnum() or c in "-_.=<>[],@:/+~" for c in value):
        return value
    return "'" + value.replace("'", "'\"'\"'") + "'"


FIRST_NOTE = """\
---
title: 第一篇笔记
type: concept
status: draft
topics: [笔记方法]
---

用 `[[另一篇笔记]]` 链接别的笔记，还没写的笔记会显示成红色，并列进“待办与覆盖”页。

- [ ] 写下第二篇笔记
"""


def plan(o: Options, *, notes_empty: bool) -> list[Planned]:
    files = [
        Planned("mkdocs.yml", mkdocs_yml(o)),
        Planned("docs/index.md", home_md(o)),
        Planned(".gitignore", GITIGNORE),
        Planned(".github/workflows/pages.yml", workflow(o)),
    ]
    if notes_empty and not o.vault:
        files.append(Planned(f"{o.notes_dir}/第一篇笔记.md", FIRST_NOTE))
    return files


def write(root: Path, planned: list[Planned]) -> tuple[list[str], list[str]]:
    """Create what does not exist; returns (written, skipped) paths. Never overwrites."""
    written, skipped = [], []
    for item in planned:
        path = root / item.path
        if path.exists() or path.is_symlink():
            skipped.append(item.path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="\n") as f:  # "x": fail rather than overwrite
            f.write(item.content)
        written.append(item.path)
    return written, skipped
