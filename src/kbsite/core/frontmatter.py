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


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """The loader for every front matter: libyaml's parser when installed, our booleans and dates."""


def _first_alias(yaml_text: str) -> Any:
    """The mark of the first alias (``*name``) in the text, or None.

    Aliases are the only way to build an alias bomb (a few lines that expand to billions of
    nodes), and they are refused before anything is composed. Parsing the events is linear and,
    with libyaml, fast; a text without ``*`` cannot hold an alias and is not parsed twice.
    """
    if "*" not in yaml_text:
        return None
    loader = _Loader(yaml_text)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent):
                return event.start_mark
        return None
    finally:
        loader.dispose()


def _timestamp_or_text(loader: Any, node: Any) -> Any:
    """``2024-13-45`` looks like a date but is none: keep the text instead of failing the file.

    Also ``!!timestamp soon``, on which PyYAML's constructor fails with an AttributeError.
    """
    if not isinstance(node, yaml.ScalarNode) or not loader.timestamp_regexp.match(str(node.value)):
        return loader.construct_scalar(node)  # a ConstructorError for a list or mapping
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return str(node.value)


_yaml12_bools(_Loader)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


class _Resolver(yaml.resolver.Resolver):
    """The loaders' implicit types, to ask what a bare scalar would be read as."""


_yaml12_bools(_Resolver)
_RESOLVER = _Resolver()


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
    # The text as written of each top-level value that is a plain (unquoted) scalar, e.g. "0x10"
    # for ``title: 0x10`` (which YAML reads as 16): what a number or boolean is shown as.
    plain_values: dict[str, str] = field(default_factory=dict)
    # For a top-level value that is a list: the file line of each item, and each item's text
    # as written when it is a plain scalar (else None).
    item_lines: dict[str, tuple[int, ...]] = field(default_factory=dict)
    plain_items: dict[str, tuple[str | None, ...]] = field(default_factory=dict)


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


def _file_line(yaml_text: str, index: int) -> int:
    """The file line of a character of the YAML text (which starts on line 2, after ``---``).

    Counted from the character index, not from YAML's own line count: YAML also breaks lines at
    U+0085, U+2028 and U+2029, which are not new lines of the file. An error at the very end
    (an unclosed ``[``) is on the closing ``---`` line.
    """
    if index >= len(yaml_text):  # the end of the stream: the closing '---' line
        return yaml_text.count("\n") + 3
    return yaml_text.count("\n", 0, max(0, index)) + 2


def _plain(node: Any) -> str | None:
    """The text of a plain (unquoted, not a block) scalar node as written, else None."""
    if isinstance(node, yaml.ScalarNode) and not node.style:  # None (pure Python) or "" (libyaml)
        return str(node.value)
    return None


def scrub(text: str) -> str:
    """``text`` with lone surrogates made U+FFFD.

    libyaml refuses a ``"\\ud800"`` escape, but PyYAML's pure-Python loader (used when libyaml is
    missing) reads it as a lone surrogate, which cannot be written out as UTF-8.
    """
    return _SURROGATE_RE.sub("\ufffd", text) if _SURROGATE_RE.search(text) else text


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def plain_is_string(text: str) -> bool:
    """Would ``text`` written bare (unquoted) be read back as this string, not a number or null?"""
    return _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == "tag:yaml.org,2002:str"


def _load_into(fm: FrontMatter, yaml_text: str) -> None:
    loader = None
    try:
        alias = _first_alias(yaml_text)
        if alias is not None:
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed in front matter", alias
            )
        # Inside the try: the pure-Python reader refuses a control character on creation.
        loader = _Loader(yaml_text)
        node = loader.get_single_node()
        if node is None:  # empty front matter
            return
        if not isinstance(node, yaml.MappingNode):
            fm.error = "front matter is not a mapping of 'key: value' lines"
            fm.error_line = _file_line(yaml_text, node.start_mark.index)
            return
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            # The key as the data dict will hold it (``1: x`` -> "1", ``true: x`` -> "True").
            if isinstance(key_node, yaml.ScalarNode):
                key = scrub(str(loader.construct_object(key_node)))
            else:
                key = str(key_node.value)  # unhashable: construct_document below refuses it
            line = _file_line(yaml_text, key_node.start_mark.index)
            if key in seen:
                fm.duplicate_keys.append((key, line))
            seen[key] = line
            # The last occurrence wins, as in the data.
            fm.plain_values.pop(key, None)
            fm.item_lines.pop(key, None)
            fm.plain_items.pop(key, None)
            plain = _plain(value_node)
            if plain is not None:
                fm.plain_values[key] = plain
            elif isinstance(value_node, yaml.SequenceNode):
                fm.item_lines[key] = tuple(_file_line(yaml_text, n.start_mark.index) for n in value_node.value)
                fm.plain_items[key] = tuple(_plain(n) for n in value_node.value)
        fm.key_lines = seen
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        fm.error = f"front matter is not valid YAML: {exc.problem or exc.context or 'syntax error'}"
        fm.error_line = _file_line(yaml_text, mark.index) if mark is not None else 2
        return
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, e.g. a raw U+0001
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        fm.error = (f"front matter is not valid YAML: the character U+{char:04X} is not allowed "
                    "(write it as an escape in a double-quoted string)")
        position = exc.position
        if _BaseLoader is not yaml.SafeLoader:  # libyaml counts bytes of the UTF-8 text here
            position = len(yaml_text.encode("utf-8")[:position].decode("utf-8", errors="ignore"))
        fm.error_line = _file_line(yaml_text, position)
        return
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        fm.error = "front matter is not valid YAML: " + " ".join(str(exc).split())
        fm.error_line = 2
        return
    except Exception as exc:  # noqa: BLE001 - e.g. PyYAML's KeyError on ``!!bool maybe``: never raise
        fm.error = f"front matter is not valid YAML: a value cannot be read ({type(exc).__name__}: {exc})"
        fm.error_line = 2
        return
    finally:
        if loader is not None:
            loader.dispose()
    # Keys must be strings for the field table; other keys (e.g. ``1: x``) are stringified.
    fm.data = {scrub(str(k)): v for k, v in data.items()}
