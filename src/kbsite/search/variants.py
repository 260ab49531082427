"""search: pure. What lets a query match in another script: 繁體 ↔ 简体 and pinyin.

Both come from well-kept libraries at build time only; the browser gets just what the index
needs. For 繁→简, the characters (and OpenCC's phrases) that map onto the notes' own characters
or occur in them, so a Traditional query finds Simplified notes and the other way round, and
folding keeps every offset (one character for one). For pinyin, each title's and alias's
syllables (``强化学习`` → ``qiang hua xue xi``), from which the worker derives initials.
"""

from __future__ import annotations

import re
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


def t2s_table(texts: Iterable[str]) -> dict[str, str]:
    """{Traditional: Simplified} for characters and phrases the notes can use.

    A pair is kept when its Simplified side occurs in the notes (a 繁體 query finds them) or its
    Traditional side does (繁體 notes are found by a 简体 query). Only pairs of equal length in
    UTF-16 code units: the worker folds text in place, so its offsets keep pointing at the text.
    """
    chars, phrases = _opencc_tables()
    corpus = "\n".join(texts)
    seen = set(corpus)
    out: dict[str, str] = {}
    for trad, simp in chars.items():
        if (simp in seen or trad in seen) and len(trad) == len(simp) == 1 and ord(trad) < 0x10000 \
                and ord(simp) < 0x10000:
            out[trad] = simp
    for trad, simp in phrases.items():
        # Only where the phrase differs from its characters one by one (乾燥 → 干燥, not 乾隆).
        if len(trad) != len(simp) or "".join(chars.get(c, c) for c in trad) == simp:
            continue
        if any(ord(c) >= 0x10000 for c in trad + simp):
            continue
        # A phrase can only occur if its characters do: most are skipped without a scan.
        if (seen.issuperset(simp) and simp in corpus) or (seen.issuperset(trad) and trad in corpus):
            out[trad] = simp
    return out


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


@lru_cache(maxsize=4096)
def pinyin(name: str) -> str:
    """A name's syllables, space-separated, a character's other readings after ``|``
    (``监督微调`` → ``jian du wei diao|tiao``, ``KV 缓存`` → ``kv huan cun``); "" without Han.

    pypinyin picks a phrase's reading where it knows the phrase; the other readings of a
    character stay (at most three), since a reader types the one they know. ``ü`` is ``v``,
    and ``üe`` also ``ue`` (策略: ``ce lve|lue``), both of which input methods accept.
    """
    if not _HAN_RE.search(name):
        return ""
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
