"""search: pure. The bilingual ML glossary: groups of names for one concept (low-rank
adaptation / LoRA / 低秩适配) that the browser uses to expand queries across languages.

kbsite ships a reviewed glossary (``data/glossary.yml``); a project adds its own file in the same
format (``kbsite: search_glossary: glossary.yml``). An entry that shares a name with another is
merged with it, so a user's line can extend a shipped one. Only groups with a name that occurs
in the notes reach the index: a concept the site never mentions costs nothing.
"""

from __future__ import annotations

import operator
import re
from functools import lru_cache
from importlib import resources
from typing import Iterable, Sequence

import yaml

from kbsite.search.segment import HAN, fold

Group = tuple[str, ...]
# The worker's keyOf: letters, digits and CJK only, so "Tree-of-Thoughts" = "tree of thoughts".
_NOT_KEY_RE = re.compile(f"[^a-z0-9{HAN}\u3040-\u30ff\uac00-\ud7af]+")
_SEP_RE = re.compile(r"[\s\-_/·]+")


class GlossaryError(ValueError):
    """A malformed glossary file; the message starts with ``path:line``."""


def key(name: str) -> str:
    return _NOT_KEY_RE.sub("", fold(name))


def parse(text: str, source: str) -> list[Group]:
    """A glossary file's groups: a YAML list whose items are lists of two or more names."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise GlossaryError(f"{source}:{line}: not valid YAML: {getattr(err, 'problem', err)}") from None
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise GlossaryError(f"{source}:{root.start_mark.line + 1}: a glossary is a list of entries, "
                            f"one a line: - [low-rank adaptation, LoRA, 低秩适配]")
    groups: list[Group] = []
    for item in root.value:
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.SequenceNode):
            raise GlossaryError(f"{source}:{line}: an entry is a list of names: "
                                f"- [low-rank adaptation, LoRA, 低秩适配]")
        names: list[str] = []
        for node in item.value:
            if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
                raise GlossaryError(f"{source}:{node.start_mark.line + 1}: a name is a non-empty string")
            name = str(node.value).strip()
            if key(name) and key(name) not in {key(n) for n in names}:
                names.append(name)
        if len(names) < 2:
            raise GlossaryError(f"{source}:{line}: an entry needs two or more different names")
        groups.append(tuple(names))
    return groups


def shipped() -> list[Group]:
    return list(_shipped())


@lru_cache(maxsize=1)
def _shipped() -> tuple[Group, ...]:
    """Parsed once per process (0.14 s): ``mkdocs serve`` asks on every rebuild."""
    text = resources.files("kbsite.search").joinpath("data/glossary.yml").read_text(encoding="utf-8")
    return tuple(parse(text, "kbsite/search/data/glossary.yml"))


def merge(*glossaries: Iterable[Group]) -> list[Group]:
    """One group per concept: groups sharing a name (by key) become one, first names first."""
    groups: list[list[str]] = []
    owner: dict[str, int] = {}
    for glossary in glossaries:
        for group in glossary:
            hits = sorted({owner[k] for k in map(key, group) if k in owner})
            if not hits:
                target = len(groups)
                groups.append([])
            else:
                target = hits[0]
                for other in hits[1:]:  # a group naming two concepts joins them
                    for name in groups[other]:
                        owner[key(name)] = target
                    groups[target].extend(groups[other])
                    groups[other] = []
            for name in group:
                k = key(name)
                if k not in owner or owner[k] != target or name not in groups[target]:
                    if k not in {key(n) for n in groups[target]}:
                        groups[target].append(name)
                owner[k] = target
    return [tuple(g) for g in groups if len(g) >= 2]


def matchable(text: str) -> str:
    """``text`` as names are looked for in it: folded, any run of separators one space, padded.
    Padded forms joined end to end keep a name from matching across two of them."""
    return " " + _SEP_RE.sub(" ", fold(text)) + " "


def name_keys(groups: Iterable[Group]) -> list[tuple[str, int]]:
    """(name as looked for, the group's place) for every name of ``groups``."""
    out = []
    for i, group in enumerate(groups):
        for name in group:
            n = _SEP_RE.sub(" ", fold(name)).strip()
            if n:
                out.append((n, i))
    return out


def present(names: Iterable[str], corpus: str) -> set[str]:
    """The names that occur in ``corpus``. Most names of a glossary occur nowhere, and each
    ``in`` of those scans the whole corpus: a name with a pair of characters the corpus never
    has is left out first (one pass over the corpus; 2.4 → 1.1 s at 3,000 notes)."""
    pairs = set(map(operator.add, corpus, corpus[1:]))
    return {n for n in set(names) if all(a + b in pairs for a, b in zip(n, n[1:])) and n in corpus}


def first_holders(names: Iterable[str], texts: Sequence[str]) -> dict[str, int]:
    """Each of the names that occur in one of ``texts``, with the index of the first text that
    has it: ``present`` text by text, never joining the texts (12 M characters at 3,000 notes,
    and as much again for the pairs' slice: the build's memory peak)."""
    pairs: set[str] = set()
    for text in texts:
        pairs.update(map(operator.add, text, text[1:]))
    out: dict[str, int] = {}
    for n in set(names):
        if all(a + b in pairs for a, b in zip(n, n[1:])):
            i = next((i for i, text in enumerate(texts) if n in text), None)
            if i is not None:
                out[n] = i
    return out


def relevant(groups: Iterable[Group], texts: Iterable[str]) -> list[Group]:
    """The groups with a name in one of the texts (folded, any separators alike)."""
    groups = list(groups)
    keys = name_keys(groups)
    found = present([n for n, _ in keys], "".join(matchable(t) for t in texts))
    hit = {i for n, i in keys if n in found}
    return [g for i, g in enumerate(groups) if i in hit]
