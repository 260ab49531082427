"""search: pure. Folding, Han runs and the word list the browser segments queries with.

Matching in the browser is by substring (Chinese) and word prefix (Latin), so the query and
the index cannot disagree. Segmentation only decides how a query is cut into terms; its word
list is the knowledge base's own names (titles, aliases, topics, tags) plus the words jieba
finds in the notes. jieba runs once per distinct text (cached by content hash) and without
the domain dictionary, so the cache survives edits of titles and aliases.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
import warnings
from typing import Callable, Iterable

# Han ideographs (BMP blocks and the supplementary planes); the worker uses the same ranges.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_RUN_RE = re.compile(f"[{HAN}]+")
# Longest word the browser's segmenter considers (longer names still match as substrings).
MAX_WORD = 12


def fold(text: str) -> str:
    """NFKC + casefold: ``ＬｏＲＡ`` → ``lora``. Queries get the same treatment in the browser."""
    return unicodedata.normalize("NFKC", text).casefold()


def han_runs(text: str) -> list[str]:
    return _HAN_RUN_RE.findall(text)


def domain_words(names: Iterable[str]) -> set[str]:
    """The Chinese words in titles, aliases, topics and tags, kept whole (知识蒸馏, 低秩适配).

    ``KV 缓存`` gives ``缓存``: the Latin part is a word of its own in the browser anyway.
    """
    out: set[str] = set()
    for name in names:
        for run in han_runs(fold(name)):
            if 2 <= len(run) <= MAX_WORD:
                out.add(run)
    return out


# ---- Segmenter -------------------------------------------------------------------------------

Cut = Callable[[str], Iterable[str]]


def _load_cut() -> tuple[str, Cut]:
    """rjieba (jieba-rs) when installed and measured identical, else jieba; both quiet."""
    try:
        import rjieba  # type: ignore[import-not-found]

        return "rjieba", lambda text: rjieba.cut(text, True)
    except ImportError:
        pass
    with warnings.catch_warnings():
        # jieba imports pkg_resources, deprecated in setuptools.
        warnings.simplefilter("ignore")
        import jieba
    # "Building prefix dict from the default dictionary ..." goes to jieba's own logger.
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    return "jieba", lambda text: tokenizer.cut(text, HMM=True)


class Segmenter:
    """Words of a text, cached by content hash across builds (``mkdocs serve`` keeps the object)."""

    def __init__(self, cut: Cut | None = None, name: str = "custom") -> None:
        self._cut = cut
        self.name = name
        self._cache: dict[bytes, str] = {}
        self._seen: set[bytes] = set()
        self.hits = 0
        self.misses = 0

    def _ensure(self) -> Cut:
        if self._cut is None:
            self.name, self._cut = _load_cut()
        return self._cut

    def words(self, text: str) -> tuple[str, ...]:
        """Multi-character Chinese words of ``text`` (single characters are implicit), sorted."""
        joined = self.word_lines(text)
        return tuple(joined.split("\n")) if joined else ()

    def word_lines(self, text: str) -> str:
        """``words`` as one string, a word a line: what the cache and the index keep (a tuple of
        a page's 300 words is 20 KB; this, 2 KB)."""
        key = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
        self._seen.add(key)
        hit = self._cache.get(key)
        if hit is not None:
            self.hits += 1
            return hit
        self.misses += 1
        # NFKC as fold() does (compatibility ideographs become unified ones); case folding never
        # touches Han, so it is skipped. One cut per text: jieba cuts each Han block on its own,
        # so runs joined by a space segment exactly as they would one by one. The input is Han
        # runs only, so every token of two or more characters is a Han word.
        runs = [run for run in han_runs(unicodedata.normalize("NFKC", text)) if len(run) >= 2]
        found = {w for w in self._ensure()(" ".join(runs)) if 2 <= len(w) <= MAX_WORD} if runs else set()
        result = "\n".join(sorted(found))
        self._cache[key] = result
        return result

    def start_build(self) -> None:
        self._seen = set()

    def end_build(self) -> None:
        """Forget texts not seen in this build (deleted or edited notes)."""
        for key in set(self._cache) - self._seen:
            del self._cache[key]
