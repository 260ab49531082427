"""core: pure. Split a note into front matter and body, and load the YAML safely.

Safety rules: YAML aliases are refused (no alias bombs), the front matter is capped in size,
only plain data is built (SafeLoader), and YAML 1.1 booleans such as ``no``/``on`` stay strings
(so ``aliases: [NO]`` is the alias "NO", not ``False``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

MAX_FRONT_MATTER_BYTES = 64 * 1024

_FENCE_RE = re.compile(r"^---[ \t]*$")
_CLOSE_RE = re.compile(r"^(?:---|\.\.\.)[ \t]*$")

try:  # The C parser is ~10x faster; resolution still runs in Python so our resolvers apply.
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _BaseLoader = yaml.SafeLoader


def _yaml12_bools(loader_cls: type) -> None:
    """Only ``true``/``false`` are booleans (YAML 1.2); ``yes``/``no``/``on``/``off`` stay strings."""
    resolvers = {k: list(v) for k, v in loader_cls.yaml_implicit_resolvers.items()}
    for first, entries in resolvers.items():
        resolvers[first] = [e for e in entries if e[0] != "tag:yaml.org,2002:bool"]
    bool_re = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
    for first in "tTfF":
        resolvers.setdefault(first, []).insert(0, ("tag:yaml.org,2002:bool", bool_re))
    loader_cls.yaml_implicit_resolvers = resolvers


class _FastLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Used when the text holds no ``&``/``*``, so it cannot contain anchors or aliases."""


class _NoAliasLoader(yaml.SafeLoader):
    """Pure-Python loader that refuses aliases (the only way to build an alias bomb)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed in front matter", event.start_mark
            )
        return super().compose_node(parent, index)


_yaml12_bools(_FastLoader)
_yaml12_bools(_NoAliasLoader)


@dataclass
class FrontMatter:
    """The result of splitting one note."""

    data: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1  # file line where the body starts
    present: bool = False
    key_lines: dict[str, int] = field(default_factory=dict)
    duplicate_keys: list[tuple[str, int]] = field(default_factory=list)
    error: str | None = None
    error_line: int = 1


def split(text: str) -> FrontMatter:
    """Split normalised note text (``\\n`` newlines, no BOM) into front matter and body.

    Never raises on bad content: a problem is reported in ``FrontMatter.error`` with its line.
    """
    lines = text.split("\n")
    if not lines or not _FENCE_RE.match(lines[0]):
        return FrontMatter(body=text, body_line=1)
    end = None
    for i in range(1, len(lines)):
        if _CLOSE_RE.match(lines[i]):
            end = i
            break
    if end is None:
        return FrontMatter(
            body=text, body_line=1, present=True,
            error="front matter starts with '---' but has no closing '---' line", error_line=1,
        )
    yaml_text = "\n".join(lines[1:end])
    body = "\n".join(lines[end + 1 :])
    fm = FrontMatter(body=body, body_line=end + 2, present=True)
    if len(yaml_text.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        fm.error = f"front matter is larger than {MAX_FRONT_MATTER_BYTES // 1024} KB"
        fm.error_line = 2
        return fm
    _load_into(fm, yaml_text)
    return fm


def _load_into(fm: FrontMatter, yaml_text: str) -> None:
    loader_cls = _NoAliasLoader if ("&" in yaml_text or "*" in yaml_text) else _FastLoader
    loader = loader_cls(yaml_text)
    try:
        node = loader.get_single_node()
        if node is None:  # empty front matter
            return
        if not isinstance(node, yaml.MappingNode):
            fm.error = "front matter is not a mapping of 'key: value' lines"
            fm.error_line = node.start_mark.line + 2
            return
        seen: dict[str, int] = {}
        for key_node, _ in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 2  # +1 for 1-based, +1 for the opening '---'
            if key in seen:
                fm.duplicate_keys.append((key, line))
            seen[key] = line
        fm.key_lines = seen
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        fm.error = f"front matter is not valid YAML: {exc.problem or exc.context}"
        fm.error_line = (mark.line + 2) if mark is not None else 2
        return
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        fm.error = f"front matter is not valid YAML: {exc}"
        fm.error_line = 2
        return
    finally:
        loader.dispose()
    # Keys must be strings for the field table; other keys (e.g. ``1: x``) are stringified.
    fm.data = {str(k): v for k, v in data.items()}
