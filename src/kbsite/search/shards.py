"""search: pure. The sharded index: rank from postings, fetch text only for what is shown.

Files (site paths; every URL the worker asks for carries ``?v=<token>``, a digest of their
digests, so a browser never mixes two builds, while a file whose bytes did not change is not
rewritten under ``mkdocs serve``, nor, while the pages keep their numbers, even made again:
``Splitter``):

- ``search/search_index.json``, the *entry* Material's UI fetches: the glossary and 繁→简 pairs
  (as in the one file), the page count, average length, ``stats`` (two characters a page: its
  body length on a log scale and its link count) and the number of key shards.
- ``search/k/<i>.json``, the *key shards*: ``{key: postings}``. A key is a Han (kana, hangul)
  character or pair of neighbouring characters, or a Latin run where a term may start (a word
  start; ``~`` + the run for a version right after a letter, llama3 → ``~3``), cut at
  ``MAX_RUN`` characters, or the first one or two characters of such a run + ``*`` (every
  run they start, for a term that short). Shard: a hash of the key (a Latin run: of its first
  three characters, so a term finds every run it starts in one shard): Chinese spreads evenly
  over the shards, not by first character (Pagefind #1211). ``=`` + two Han characters: the
  segmentation words starting with them, in the shard of that pair's postings, which a query
  holding the pair fetches anyway.
- A key's postings, one string: per page that holds it, in page order, a varint of the gap
  (times 2, plus 1 if field flags follow), the body count (capped at 63), then, if flagged,
  the fields (title, alias, tags/metadata, heading) and the length of the shortest title or
  alias holding it (``key_length``). What the worker's phase 1 estimates a page's score with.
- ``search/d/<page>.json``: one page's row, as in the one file; fetched only for the pages
  phase 1 ranks highest, which phase 2 ranks exactly (search-worker.js).
- ``search/p/<ab>.json``: the pinyin of the names a query starting with those two letters can
  spell (``pinyin_starts``), for a query that could be pinyin; where that is more than
  ``PINYIN_BYTES``, also ``search/p/<abc>.json`` by three letters.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import operator
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

MAX_RUN = 16  # a Latin key's length: a longer term matches its first MAX_RUN characters
SHARD_BYTES = 8_000  # a key shard's target size: a query fetches a few of them
PINYIN_BYTES = 24_000  # a pinyin file larger than this is also split by three letters
MIN_SHARDS, MAX_SHARDS = 8, 4096
CAP = 63  # body counts and name lengths, one character each
ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
LENGTH_BASE = 1.2  # stats: a body length is stored as round(log_1.2(1 + length))

# The worker's character classes (search-worker.js: CJK, WORDCHAR).
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f\u3040-\u30ff\uac00-\ud7af"
_WORD = "a-z0-9\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"
_CJK_RUN_RE = re.compile(f"[{_CJK}]+")
_CJK_PAIR_RE = re.compile(f"[{_CJK}]{{2}}")
_NOT_CJK_RE = re.compile(f"[^{_CJK}]+")
_RUN = f"[{_WORD}]+(?:[:.][{_WORD}]+)*"
_WORD_START_RE = re.compile(f"(?<![{_WORD}])(?=({_RUN}))")  # overlapping: 3.1 starts at 1 too
# A version right after a letter: llama3, colbertv2 (the worker's ``starts``): a digit after a
# letter, or v + digit after a letter.
_VERSION_RE = re.compile(f"(?<=[{_WORD}])(?<![0-9])(?=((?=[0-9]|v[0-9]){_RUN}))")
_VERSION_IN_NAME_RE = re.compile("([a-z\u00c0-\u04ff])[-_ ]?v?[0-9]+(?:\\.[0-9]+)*(?![a-z0-9\u00c0-\u04ff])")
_DIGITS = str.maketrans("123456789", "000000000")
# Two patterns, each consuming its first character: a lookahead at every position is slower.
_CROSS_RES = (re.compile(f"([{_WORD}])(?=[\\s\\-_/·]{{0,2}}([{_CJK}]))"),
              re.compile(f"([{_CJK}])(?=[\\s\\-_/·]{{0,2}}([{_WORD}]))"))
_NOT_KEY_RE = re.compile(f"[^a-z0-9{_CJK}]+")
_FULLWIDTH = str.maketrans({c: chr(c - 0xFEE0).lower() for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A),
                                                                   (0xFF41, 0xFF5A))
                            for c in range(r[0], r[1] + 1)})


def worker_fold(text: str, simplify: Callable[[str], str]) -> str:
    """The worker's ``fold``: lowercase (length kept), full-width letters and digits, 繁→简."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return simplify(low.translate(_FULLWIDTH))


def _latin(runs: list[str], mark: str, out: Counter[str]) -> None:
    out.update([mark + r[:1] + "*" for r in runs])
    out.update([mark + r[:2] + "*" for r in runs if len(r) >= 2])
    out.update([mark + r[:MAX_RUN] for r in runs if len(r) >= 3])


def key_counts(folded: str) -> Counter[str]:
    """The keys of folded text (see the module docstring), each with how often it occurs."""
    # Han: every character and neighbouring pair, counted in C (a pair with a gap is dropped).
    han = _NOT_CJK_RE.sub("\n", folded)
    out: Counter[str] = Counter(han)
    out.update(map(operator.add, han, han[1:]))
    out.pop("\n", None)
    for k in [k for k in out if "\n" in k]:  # pairs with a gap
        del out[k]
    # Where the scripts meet (with at most two separators, the worker's SEP): the two characters,
    # so a phrase such as "adam 剪枝" needs the pages holding "m剪", not every page with both.
    # Digits are one class there ("0"): a name before Han may end in any version (qwen2.5 微调).
    digits = folded.translate(_DIGITS)
    for cross in _CROSS_RES:
        out.update([a + b for a, b in cross.findall(digits)])
    _latin(_WORD_START_RE.findall(folded), "", out)
    _latin(_VERSION_RE.findall(folded), "~", out)
    return out


def keys(folded: str) -> set[str]:
    return set(key_counts(folded))


def key_length(folded: str) -> int:
    """The length of the worker's ``keyOf`` of a folded name (capped at 31), or, plus 32, of the
    name without its version (``basesOf``: perplexity 102 → perplexity), if it has one."""
    base = _VERSION_IN_NAME_RE.sub(r"\1", folded)
    if base != folded:
        return 32 + min(31, len(_NOT_KEY_RE.sub("", base)))
    return min(31, len(_NOT_KEY_RE.sub("", folded)))


def fnv1a(text: str) -> int:
    """32-bit FNV-1a over code points; the worker's ``hash`` gives the same number."""
    h = 0x811C9DC5
    for c in text:
        h = ((h ^ ord(c)) * 0x01000193) & 0xFFFFFFFF
    return h


def shard_of(key: str, shards: int) -> int:
    """A Latin run (not a ``*`` prefix key) by its first three characters; the words of a pair
    (``=知识``) with the pair; anything else whole."""
    if key[0] == "=":
        return fnv1a(key[1:]) % shards
    if len(key) == 2:  # a Han pair, or where the scripts meet
        return fnv1a(key) % shards
    if key.endswith("*") or _CJK_RUN_RE.match(key):
        return fnv1a(key) % shards
    return fnv1a(key[:4] if key[0] == "~" else key[:3]) % shards


def utf16_len(text: str) -> int:
    """A string's ``length`` in JavaScript."""
    return len(text.encode("utf-16-le")) // 2


def _varint(value: int) -> str:
    out = []
    while value >= 32:
        out.append(ALPHA[32 + (value & 31)])
        value >>= 5
    out.append(ALPHA[value])
    return "".join(out)


def page_postings(names: Sequence[str], meta: str, headings: str, body: str) -> str:
    """One page's part of every key's postings, ``key \x1f code`` joined by ``\x1e`` (the code
    after the gap, see the module docstring; one string, a tenth of the memory of a dict).
    ``names``: the folded title and aliases; the rest folded too, one string each (headings
    and sections joined by newlines, which no key crosses)."""
    counts = key_counts(body)
    fields: dict[str, int] = {}
    lengths: dict[str, list[int]] = {}
    for j, name in enumerate(names):
        n = key_length(name)
        for k in key_counts(name):
            fields[k] = fields.get(k, 0) | (1 if j == 0 else 2)
            at = lengths.setdefault(k, [0, 0])
            slot = 0 if j == 0 else 1
            at[slot] = n if not at[slot] else min(at[slot], n, key=lambda v: v % 32)
    for k in key_counts(meta):
        fields[k] = fields.get(k, 0) | 4
    for k in key_counts(headings):
        fields[k] = fields.get(k, 0) | 8
    top = ALPHA[CAP]
    out = {k: ALPHA[c] if c < CAP else top for k, c in counts.items()}
    for k, f in fields.items():
        code = out.get(k, "A") + ALPHA[f]
        t, a = lengths[k] if k in lengths else (0, 0)
        if f & 1:
            code += ALPHA[min(CAP, t)]
        if f & 2:
            code += ALPHA[min(CAP, a)]
        out[k] = code
    return "\x1e".join([k + "\x1f" + code for k, code in out.items()])


def pinyin_starts(names: Sequence[str], n: int = 2) -> set[str]:
    """The first ``n`` letters of every query that can spell one of these names in pinyin (the
    worker's ``pinyinScore``): syllables' readings run together from any syllable, and the
    first ``n`` syllables' initials."""
    out: set[str] = set()

    def run(syl: list[list[str]], i: int, text: str) -> None:
        if len(text) >= n:
            out.add(text[:n])
        elif i < len(syl):
            for a in syl[i]:
                if a:
                    run(syl, i + 1, text + a)

    for py in names:
        syl = [s.split("|") for s in py.split(" ")] if py else []
        for i in range(len(syl)):
            run(syl, i, "")
        if len(syl) >= n:
            out.update(map("".join, itertools.product(*[{a[0] for a in alts if a} for alts in syl[:n]])))
    return {s for s in out if s.isascii() and s.isalpha()}


def stats_code(length: int, links: int) -> str:
    """A page's two characters of ``stats``: its body length (log scale) and link count."""
    return ALPHA[min(CAP, round(math.log(1 + length, LENGTH_BASE)))] + ALPHA[min(CAP, links)]


def _dump(value: object) -> bytes:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    # Inert even when inlined into a page (as index.json has always been).
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode("utf-8")


def split(head: dict[str, object], rows: Sequence[list[object]], postings: Sequence[str],
          stats: str, body_chars: int) -> Iterator[tuple[str, bytes]]:
    """The sharded index, as (site path, bytes), the entry file last: a caller that writes each
    file as it comes never holds the whole index at once (the build's memory peak). ``head``:
    the index's global parts (config and docs without pages); ``rows``: the page rows in location order (a page's number is its
    place here); ``postings``: each page's ``page_postings``; ``stats``: every page's
    ``stats_code``; ``body_chars``: the UTF-16 length of all sections' text."""
    for path, data in Splitter().split(head, rows, postings, stats, body_chars):
        assert data is not None  # a splitter that keeps nothing makes every file
        yield path, data


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _shard_count(size: int) -> int:
    count = 2 ** math.ceil(math.log2(max(1, size / SHARD_BYTES)))
    return max(MIN_SHARDS, min(MAX_SHARDS, count))


def _key_size(key: str, value: str | None) -> int:
    """A key's part of the size the shard count is chosen by."""
    return 0 if value is None else len(key.encode()) + len(value) + 6


def _parse(page: str) -> dict[str, str]:
    """A page's ``page_postings`` as key -> code."""
    return dict(item.split("\x1f", 1) for item in page.split("\x1e")) if page else {}


_DIGIT = {c: i for i, c in enumerate(ALPHA)}


def _decode(encoded: str) -> dict[int, str]:
    """A key's postings (the module docstring) as page -> code."""
    out: dict[int, str] = {}
    at, page, end, digit = 0, -1, len(encoded), _DIGIT
    while at < end:
        value, shift = 0, 1
        d = digit[encoded[at]]
        at += 1
        while d >= 32:
            value += (d - 32) * shift
            shift *= 32
            d = digit[encoded[at]]
            at += 1
        value += d * shift
        page += value >> 1
        start = at
        at += 1  # the body count
        if value & 1:
            fields = digit[encoded[at]]
            at += 1 + (fields & 1) + (fields >> 1 & 1)
        out[page] = encoded[start:at]
    return out


def _encode(entries: dict[int, str]) -> str:
    out, last = [], -1
    for page in sorted(entries):
        code = entries[page]
        out += (_varint((page - last) * 2 + (len(code) > 1)), code)
        last = page
    return "".join(out)


@dataclass
class _Made:
    """What a split made, kept for the next one."""

    locations: list[str]
    rows: Sequence[list[object]]
    postings: Sequence[str]
    words: dict[str, str]  # the word keys (``_word_keys``)
    shards: list[bytes]  # each key shard's bytes
    size: int  # what the shard count was chosen by
    digests: dict[str, bytes]  # every file but the entry: path -> digest of its bytes
    pinyin: dict[str, tuple[list[list[object]], list[str]]]  # start -> its names, its files


class Splitter:
    """``split``, and under ``mkdocs serve`` (``keep``) what the last split made: when the pages
    are numbered as before (no page added, removed or renamed) and the shard count stays, the
    next split re-encodes only the keys whose postings changed (a key's postings are in page
    order, so a page that moves changes them all: then everything is made again) and yields
    ``(path, None)`` for every file whose bytes did not change. The bytes are those of a clean
    split (tests/test_incremental.py). ``made``: what the last split did, for tests."""

    def __init__(self, keep: bool = False) -> None:
        self.keep = keep
        self._last: _Made | None = None
        self._pinyin: dict[tuple[str, ...], list[str]] = {}  # a row's pinyin -> its starts
        self._pinyin_last: dict[tuple[str, ...], list[str]] = {}  # the last split's
        self.made: dict[str, int] = {}

    def forget(self) -> None:
        """The files the last split made are not all on disk any more: make everything."""
        self._last = None

    def paths(self) -> list[str]:
        """The files of the last split, the entry last (none if it kept nothing)."""
        return [*self._last.digests, "search/search_index.json"] if self._last else []

    def split(self, head: dict[str, object], rows: Sequence[list[object]], postings: Sequence[str],
              stats: str, body_chars: int) -> Iterator[tuple[str, bytes | None]]:
        """As ``split``; ``None`` for a file that holds what the last split made."""
        last, self._last = self._last, None  # a split stopped half-way leaves nothing to trust
        self._pinyin_last, self._pinyin = (self._pinyin if self.keep else {}), {}
        docs = dict(head["docs"])  # type: ignore[call-overload]
        words = _word_keys(str(docs.pop("words", "")), int(docs.pop("domain", 0)))
        update = None
        if last is not None and len(rows) == len(last.locations) \
                and all(r[0] == loc for r, loc in zip(rows, last.locations)):
            update = self._shard_update(last, postings, words)
        made = _Made([str(r[0]) for r in rows], rows, postings, words, [], 0, {}, {})
        self.made = {"full": int(update is None), "rows": 0, "shards": 0, "pinyin": 0, "keys": 0}
        token = hashlib.blake2b(digest_size=6)

        def emit(path: str, data: bytes | None, old: _Made | None = None) -> tuple[str, bytes | None]:
            digest = old.digests[path] if data is None and old is not None else _digest(data or b"")
            token.update(path.encode() + b"\0" + digest)
            if self.keep:
                made.digests[path] = digest
            return path, data

        for i, row in enumerate(rows):
            if update is not None and last is not None and row == last.rows[i]:
                yield emit(f"search/d/{i}.json", None, last)
            else:
                self.made["rows"] += 1
                yield emit(f"search/d/{i}.json", _dump(row))
        if update is None:
            count, size, shards = self._shards(postings, words)
            made.size = size
            for s in range(count):
                data = _dump(shards[s])
                shards[s] = {}
                if self.keep:
                    made.shards.append(data)
                self.made["shards"] += 1
                yield emit(f"search/k/{s}.json", data)
            del shards
        else:
            assert last is not None
            made.size, changed, self.made["keys"] = update
            made.shards = last.shards
            count = len(made.shards)
            for s in range(count):
                data = changed.get(s)
                if data is not None:
                    made.shards[s] = data
                    self.made["shards"] += 1
                yield emit(f"search/k/{s}.json", data, last if data is None else None)
        # Pinyin: by the first two letters a query can spell a name with (three where too many).
        by_start: dict[str, list[list[object]]] = {}
        for i, row in enumerate(rows):
            if len(row) > 6:
                for start in self._starts(row[6], 2):  # type: ignore[arg-type]
                    by_start.setdefault(start, []).append([i, row[6]])
        split3: list[str] = []
        for start, entries in by_start.items():
            seen = last.pinyin.get(start) if update is not None and last is not None else None
            if seen is not None and seen[0] == entries:
                files = seen[1]
                for path in files:
                    yield emit(path, None, last)
                split3 += [p[len("search/p/"):-len(".json")] for p in files[1:]]
                made.pinyin[start] = (entries, files)
                continue
            files = [f"search/p/{start}.json"]
            data = _dump(entries)
            self.made["pinyin"] += 1
            yield emit(files[0], data)
            if len(data) > PINYIN_BYTES:
                # Too many names for one file: also by three letters, for a query that long.
                by3: dict[str, list[list[object]]] = {}
                for entry in entries:
                    for s3 in self._starts(entry[1], 3):  # type: ignore[arg-type]
                        if s3.startswith(start):
                            by3.setdefault(s3, []).append(entry)
                for s3, more in by3.items():
                    files.append(f"search/p/{s3}.json")
                    self.made["pinyin"] += 1
                    yield emit(files[-1], _dump(more))
                    split3.append(s3)
            made.pinyin[start] = (entries, files)
        words_list = [w for w in str(head["docs"].get("words", "")).split(" ") if w]  # type: ignore[attr-defined]
        docs.update({"maxword": max(map(len, words_list), default=1), "n": len(rows), "avg": max(1, body_chars / max(1, len(rows))), "stats": stats,
                     "shards": count, "pinyin": " ".join(sorted(by_start) + sorted(split3)), "token": token.hexdigest()})
        yield "search/search_index.json", _dump({"config": head["config"], "docs": docs})
        self._pinyin_last = {}
        if self.keep:
            self._last = made
        else:
            self._pinyin = {}

    def _starts(self, names: Sequence[str], n: int) -> list[str]:
        key = (str(n), *names)
        got = self._pinyin.get(key)
        if got is None:
            got = self._pinyin_last.get(key)
            self._pinyin[key] = got = got if got is not None else sorted(pinyin_starts(names, n))
        return got

    @staticmethod
    def _shards(postings: Sequence[str], words: dict[str, str]) -> tuple[int, int, list[dict[str, str]]]:
        """Every key's postings, encoded and put in its shard: (count, size, shards)."""
        lists: dict[str, list[str]] = {}
        last: dict[str, int] = {}
        gaps = [_varint(v) for v in range(2048)]
        for i, page in enumerate(postings):
            for item in page.split("\x1e") if page else ():
                k, _, code = item.partition("\x1f")
                at = last.get(k)
                if at is None:
                    lists[k] = [gaps[i * 2 + 2 + (len(code) > 1)] if i < 1000 else _varint(i * 2 + 2 + (len(code) > 1)), code]
                else:
                    v = (i - at) * 2 + (len(code) > 1)
                    got = lists[k]
                    got += (gaps[v] if v < 2048 else _varint(v), code)
                    if len(got) > 64:  # few strings held at once: memory stays near the bytes
                        lists[k] = ["".join(got)]
                last[k] = i
        encoded = {k: "".join(v) for k, v in lists.items()}
        del lists, last
        encoded.update(words)
        size = sum(_key_size(k, v) for k, v in encoded.items())
        count = _shard_count(size)
        shards: list[dict[str, str]] = [{} for _ in range(count)]
        for k in sorted(encoded):
            shards[shard_of(k, count)][k] = encoded[k]
        return count, size, shards

    @staticmethod
    def _shard_update(last: _Made, postings: Sequence[str], words: dict[str, str]) -> tuple[int, dict[int, bytes], int] | None:
        """The key shards that change when the pages keep their numbers: (size, shard -> its new
        bytes, keys re-encoded); None if the shard count changes (then all are made again)."""
        changes: dict[str, dict[int, str | None]] = {}
        for i, (new, old) in enumerate(zip(postings, last.postings)):
            if new is old or new == old:
                continue
            a, b = _parse(old), _parse(new)
            for k in a.keys() | b.keys():
                if a.get(k) != b.get(k):
                    changes.setdefault(k, {})[i] = b.get(k)
        moved = {k for k in last.words.keys() | words.keys() if last.words.get(k) != words.get(k)}
        count = len(last.shards)
        by_shard: dict[int, list[str]] = {}
        for k in sorted(changes.keys() | moved):
            by_shard.setdefault(shard_of(k, count), []).append(k)
        size = last.size
        out: dict[int, bytes] = {}
        for s, keys in by_shard.items():
            shard: dict[str, str] = json.loads(last.shards[s])
            for k in keys:
                old_value = shard.get(k)
                if k in moved:
                    value = words.get(k)
                else:
                    entries = _decode(old_value or "")
                    for page, code in changes[k].items():
                        if code is None:
                            entries.pop(page, None)
                        else:
                            entries[page] = code
                    value = _encode(entries) if entries else None
                size += _key_size(k, value) - _key_size(k, old_value)
                if value is None:
                    shard.pop(k, None)
                else:
                    shard[k] = value
            out[s] = _dump(dict(sorted(shard.items())))
        if _shard_count(size) != count:
            return None
        return size, out, len(changes) + len(moved)


def _word_keys(words: str, domain: int) -> dict[str, str]:
    """The segmentation word list by first two characters: ``=知识`` → its domain words, ``|``,
    the others. The worker cuts Han runs only and looks up pieces of two characters or more, so
    a word it can use starts with a pair of the query's characters, whose postings it fetches
    anyway: the pair's words are in the pair's shard (``shard_of``), no request of their own."""
    by_pair: dict[str, tuple[list[str], list[str]]] = {}
    for i, w in enumerate(words.split(" ") if words else []):
        if len(w) >= 2 and _CJK_PAIR_RE.match(w):
            by_pair.setdefault(w[:2], ([], []))[0 if i < domain else 1].append(w)
    return {"=" + c: " ".join(d) + "|" + " ".join(o) for c, (d, o) in by_pair.items()}


AUTO_BYTES = 2_000_000  # search_shards: auto shards an index this large (about 600 notes)


def worth_sharding(pages: Iterable[object]) -> bool:
    """``search_shards: auto``: is the one file over AUTO_BYTES? Below that, on a fast
    connection, one request beats the sharded index's two rounds (docs/search.md); above it,
    the one file's download and parse grow with every note. ``pages``: SearchPage objects."""
    total = 0
    for page in pages:
        total += sum(len(t.encode("utf-8")) for t in page.texts()) + 60  # type: ignore[attr-defined]
        if total > AUTO_BYTES:
            return True
    return False


def read_index(site: Path) -> tuple[dict[str, object], str]:
    """A built site's index as one object, every page's row inline under ``docs.pages`` (the
    one-file shape the worker also reads), and the text of all its files; for tests and benches."""
    root = site / "search"
    raw = [(root / "search_index.json").read_text(encoding="utf-8")]
    index = json.loads(raw[0])
    docs = index["docs"]
    if isinstance(docs, dict) and "shards" in docs:
        pages = []
        for i in range(docs["n"]):
            text = (root / "d" / f"{i}.json").read_text(encoding="utf-8")
            raw.append(text)
            pages.append(json.loads(text))
        shards = [(root / "k" / f"{s}.json").read_text(encoding="utf-8") for s in range(docs["shards"])]
        raw += shards
        domain: list[str] = []
        other: list[str] = []
        for text in shards:
            for k, v in json.loads(text).items():
                if k[0] == "=":
                    d, o = v.split("|")
                    domain += d.split()
                    other += o.split()
        docs = {**docs, "words": " ".join(sorted(domain) + sorted(other)), "domain": len(domain)}
        raw += [(root / "p" / f"{c}.json").read_text(encoding="utf-8") for c in docs["pinyin"].split()]
        drop = ("n", "avg", "stats", "shards", "pinyin", "token", "maxword")
        docs = {k: v for k, v in docs.items() if k not in drop}
        index = {**index, "docs": {**docs, "pages": pages}}
    return index, "\n".join(raw)
