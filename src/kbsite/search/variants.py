"""search: pure. What lets a query match in another script: 繁體 ↔ 简体 and pinyin.

Both come from well-kept libraries at build time only; the browser gets just what the index
needs. For 繁→简, the characters (and OpenCC's phrases) that map onto the notes' own characters
or occur in them, so a Traditional query finds Simplified notes and the other way round, and
folding keeps every offset (one character for one). For pinyin, each title's and alias's
syllables (``强化学习`` → ``qiang hua xue xi``), from which the worker derives initials.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

from kbsite.search.segment import HAN, fold

_HAN_RE = re.compile(f"[{HAN}]")
_LATIN_RE = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1)
def _opencc_tables() -> tuple[dict[str, str], dict[str, str]]:
    """OpenCC's Traditional → Simplified characters (first choice) and phrases."""
    import opencc  # opencc-python-reimplemented: its dictionary files ship with it

    folder = Path(opencc.__file__).resolve().parent / "dictionary"

    def read(name: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            trad, _, simp = line.partition("\t")
            simp = simp.split(" ")[0]
            if trad and simp and trad != simp:
                out[trad] = simp
        return out

    return read("TSCharacters.txt"), read("TSPhrases.txt")


@lru_cache(maxsize=1)
def _pairs() -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str, frozenset[str], frozenset[str]], ...]]:
    """The pairs the worker can use, in OpenCC's order: characters (BMP, one for one) and the
    phrases that differ from their characters one by one (乾燥 → 干燥, not 乾隆), each phrase with
    the character sets of its two sides."""
    chars, phrases = _opencc_tables()
    one = tuple((t, s) for t, s in chars.items() if len(t) == len(s) == 1 and ord(t) < 0x10000 and ord(s) < 0x10000)
    many = tuple((t, s, frozenset(t), frozenset(s)) for t, s in phrases.items()
                 if len(t) == len(s) and "".join(chars.get(c, c) for c in t) != s
                 and not any(ord(c) >= 0x10000 for c in t + s))
    return one, many


def phrases_in(text: str, seen: set[str] | frozenset[str]) -> frozenset[str]:
    """The Traditional sides of the phrases that occur in ``text`` on either side (``seen``: its
    characters). Phrases hold no newline, so for texts joined by newlines this is the union of
    each text's phrases: it can be kept per page and merged."""
    # A phrase can only occur if its characters do: most are skipped without a scan.
    return frozenset(t for t, s, tc, sc in _pairs()[1]
                     if (seen.issuperset(sc) and s in text) or (seen.issuperset(tc) and t in text))


def table_from(seen: set[str] | frozenset[str], phrases: Iterable[str]) -> dict[str, str]:
    """``t2s_table`` from its parts: the characters of the texts and the phrases found in them
    (``phrases_in``), in the same order."""
    one, many = _pairs()
    found = set(phrases)
    out = {t: s for t, s in one if s in seen or t in seen}
    out.update((t, s) for t, s, _, _ in many if t in found)
    return out


@lru_cache(maxsize=1)
def _char_map() -> dict[str, str]:
    return dict(_pairs()[0])


def own_table(seen: set[str] | frozenset[str], phrases: Iterable[str]) -> dict[str, str]:
    """The pairs that fold one text to 简体: those of its own Traditional characters (``seen``)
    and its phrases (``phrases_in``). Looked up by character, not by walking OpenCC's table."""
    chars = _char_map()
    out = {c: chars[c] for c in seen if c in chars}
    found = set(phrases)
    out.update((t, s) for t, s, _, _ in _pairs()[1] if t in found)
    return out


def t2s_table(texts: Iterable[str]) -> dict[str, str]:
    """{Traditional: Simplified} for characters and phrases the notes can use.

    A pair is kept when its Simplified side occurs in the notes (a 繁體 query finds them) or its
    Traditional side does (繁體 notes are found by a 简体 query). Only pairs of equal length in
    UTF-16 code units: the worker folds text in place, so its offsets keep pointing at the text.
    """
    corpus = "\n".join(texts)
    seen = set(corpus)
    return table_from(seen, phrases_in(corpus, seen))


def simplifier(table: dict[str, str]) -> Callable[[str], str]:
    """Text folded as the worker folds it with ``table``: its phrases first, then characters."""
    phrases = [(trad, simp) for trad, simp in table.items() if len(trad) > 1]
    chars = str.maketrans({trad: simp for trad, simp in table.items() if len(trad) == 1})

    def run(text: str) -> str:
        for trad, simp in phrases:
            if trad in text:
                text = text.replace(trad, simp)
        return text.translate(chars)

    return run


# Names another build process already spelled (plugin/split.py hands them over).
SPELLED: dict[str, str] = {}
# Whether pypinyin was first imported by ``pinyin`` (so ``release_pinyin`` may drop it).
_LOADED_HERE = [False]


# Every title and alias of the site is asked for on each build (9,000 at 3,000 notes): a cache
# smaller than that would miss on every call.
@lru_cache(maxsize=1 << 16)
def pinyin(name: str) -> str:
    """A name's syllables, space-separated, a character's other readings after ``|``
    (``监督微调`` → ``jian du wei diao|tiao``, ``KV 缓存`` → ``kv huan cun``); "" without Han.

    pypinyin picks a phrase's reading where it knows the phrase; the other readings of a
    character stay (at most three), since a reader types the one they know. ``ü`` is ``v``,
    and ``üe`` also ``ue`` (策略: ``ce lve|lue``), both of which input methods accept.
    """
    if not _HAN_RE.search(name):
        return ""
    if name in SPELLED:
        return SPELLED[name]
    if "pypinyin" not in sys.modules:
        _LOADED_HERE[0] = True
    from pypinyin import Style
    from pypinyin import pinyin as readings

    parts: list[str] = []
    for options in readings(fold(name), style=Style.NORMAL, heteronym=True, errors=lambda s: [s]):
        if not (options[0].isascii() and options[0].isalpha()):  # Latin words, digits, punctuation
            parts.extend(_LATIN_RE.findall(" ".join(options)))
            continue
        alts: list[str] = []
        for option in options:
            for spelled in (option, option.replace("ve", "ue") if option.endswith("ve") else ""):
                if spelled and spelled.isascii() and spelled.isalpha() and spelled not in alts:
                    alts.append(spelled)
        if alts:
            parts.append("|".join(alts[:3]))
    return " ".join(parts)


def release_pinyin() -> bool:
    """Drop pypinyin and its dictionaries (~50 MB, most of it the phrase dictionary) once every
    name is spelled: ``mkdocs build`` does so before it writes the search index, its memory peak.
    ``pinyin`` keeps what it spelled and imports pypinyin again for a new name. Only when kbsite
    imported it: another plugin's pypinyin is left alone. True if it was dropped."""
    if not _LOADED_HERE[0]:
        return False
    _LOADED_HERE[0] = False
    names = [m for m in sys.modules if m == "pypinyin" or m.startswith("pypinyin.")]
    for name in names:
        module = sys.modules.pop(name)
        # A module's functions refer to its dict: a cycle the collector (frozen during a build,
        # plugin.py) would not break. Emptied, its tables go now, by reference count.
        vars(module).clear()
    return bool(names)

