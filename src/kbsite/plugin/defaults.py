"""plugin: sane defaults, so a minimal mkdocs.yml (site_name, theme, plugins) gives a full site.

What the user wrote is read off mkdocs.yml itself (MkDocs fills in its own defaults, so the
loaded config cannot tell "not set" from "set to the default"). kbsite adds, only when the key
is absent:

- ``markdown_extensions``: the list below (task lists, footnotes, admonitions, highlighted
  code, ``==mark==`` ...);
- ``theme.font: false``: Material otherwise loads Google Fonts on every page (the site would not
  work offline, and is slow or broken in mainland China);
- ``validation.links.unrecognized_links: warn``: a link MkDocs cannot make sense of fails
  ``--strict`` instead of passing as INFO.

One extension is added even to a list of the user's own: ``pymdownx.saneheaders`` (``ALWAYS``);
and superfences gets a ``mermaid`` fence unless the user configured one.

docs/defaults.md lists them and how to turn each off.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import get_plugin_logger
from pymdownx.superfences import fence_code_format

log = get_plugin_logger(__name__)

# (name, options); pymdownx.slugs for Chinese heading ids is set by configure_toc either way.
MARKDOWN_EXTENSIONS: list[tuple[str, dict[str, Any]]] = [
    ("toc", {"permalink": True}),
    ("tables", {}),
    ("admonition", {}),
    ("attr_list", {}),
    ("def_list", {}),
    ("footnotes", {}),
    ("pymdownx.details", {}),
    ("pymdownx.highlight", {"anchor_linenums": True}),
    ("pymdownx.inlinehilite", {}),
    ("pymdownx.superfences", {}),  # with a ```mermaid fence: require_mermaid_fence
    ("pymdownx.tasklist", {"custom_checkbox": True}),
    ("pymdownx.mark", {}),  # ==highlight==, as in Obsidian
    ("pymdownx.tilde", {"subscript": False}),  # ~~strikethrough~~; a lone "~" stays text
    # "#标签" at a line start is a tag in Obsidian (and not a heading in CommonMark): a heading
    # needs "# ". The core scanner reads headings this way too.
    ("pymdownx.saneheaders", {}),
]
MKDOCS_BUILTINS = ["toc", "tables", "fenced_code"]  # what MkDocs uses when the key is absent


# Always on, whatever the user's list: "#标签" at a line start is an inline tag (Obsidian), so a
# heading needs "# " (as in CommonMark). The core's scanner reads headings and tags this way.
ALWAYS = "pymdownx.saneheaders"


def require_sane_headers(config: MkDocsConfig) -> bool:
    """Add pymdownx.saneheaders when the user's own extension list lacks it; True if added."""
    names = [e if isinstance(e, str) else "" for e in config.markdown_extensions]
    if ALWAYS in names:
        return False
    config.markdown_extensions.append(ALWAYS)
    return True


MERMAID_FENCE = {"name": "mermaid", "class": "mermaid", "format": fence_code_format}


def require_mermaid_fence(config: MkDocsConfig) -> bool:
    """With pymdownx.superfences in the list, a ```mermaid fence is a diagram (as in Obsidian)
    unless the user configured a fence of that name; True if kbsite added it."""
    names = [e if isinstance(e, str) else "" for e in config.markdown_extensions]
    if "pymdownx.superfences" not in names:
        return False
    options = config.mdx_configs.setdefault("pymdownx.superfences", {})
    fences = list(options.get("custom_fences") or [])
    if any(isinstance(f, dict) and f.get("name") in ("mermaid", "*") for f in fences):
        return False
    options["custom_fences"] = [*fences, dict(MERMAID_FENCE)]
    return True


def user_config(config: MkDocsConfig) -> dict[str, Any]:
    """mkdocs.yml as written (no defaults filled in); {} when it cannot be read."""
    from mkdocs.utils.yaml import yaml_load

    path = Path(config.config_file_path or "")
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as f:
            data = yaml_load(f)
    except Exception as exc:  # noqa: BLE001 - MkDocs already loaded it; be safe, not fatal
        log.debug(f"cannot re-read {path}: {exc}")
        return {}
    return data if isinstance(data, dict) else {}


def apply_defaults(config: MkDocsConfig, raw: dict[str, Any]) -> list[str]:
    """Fill in what the user left out; returns what was added (for the debug log and tests)."""
    added = []
    if "markdown_extensions" not in raw and list(config.markdown_extensions) == MKDOCS_BUILTINS:
        config.markdown_extensions[:] = [name for name, _ in MARKDOWN_EXTENSIONS]
        for name, options in MARKDOWN_EXTENSIONS:
            config.mdx_configs.setdefault(name, {}).update(options)
        added.append("markdown_extensions")
    theme = raw.get("theme")
    if not (isinstance(theme, dict) and "font" in theme) and config.theme.name == "material":
        config.theme["font"] = False
        added.append("theme.font")
    validation = raw.get("validation")
    links = validation.get("links") if isinstance(validation, dict) else None
    if not (isinstance(validation, dict) and "unrecognized_links" in validation) and \
            not (isinstance(links, dict) and "unrecognized_links" in links):
        config.validation.links.unrecognized_links = logging.WARNING
        added.append("validation.links.unrecognized_links")
    if added:
        log.debug(f"defaults added: {', '.join(added)}")
    return added
