"""search: pure. The index split for the browser: a small entry file, key shards, page groups.

Written only with ``kbsite: search_shards: true`` (experimental, off by default: measured, it is
slower than the one file on both our corpora; docs/search.md, "Sharded index", says why).

The worker (``search-worker.js``) matches substrings on folded text and ranks with the whole
text of every page a term occurs in, so splitting must not lose a page a query matches. Pages
go, in title order, into *groups* of a few tens of kB (``search/g/…json``); a *key* says in
which groups some text occurs, and keys are spread over *key shards* (``search/k/…json``):

- Han (and kana, hangul) text: every character and every pair of neighbouring characters. A
  Chinese term occurs only in groups holding all its pairs (a single character: that
  character). A key shard is picked by a hash of the whole key, so Chinese spreads evenly over
  the shards (not by first character, Pagefind's CJK problem, #1211).
- Latin text: the first three characters wherever a term may start (a word start; a version
  such as ``3`` or ``v2`` right after a letter). Its shard is picked by a hash of the first
  character only, so a term shorter than three finds all the keys it starts in one shard.

A key's groups are a list of group numbers, or a bit set in hex where that is shorter.

The worker loads the entry (Material's UI fetches ``search/search_index.json`` and hands it
over), then for each query only the key shards of its terms and the groups they name; the
pinyin of names (``search/p/…json``) only for a query that could be pinyin. File names carry a
digest of their bytes, so a browser never mixes two builds and an unchanged file is not
rewritten under ``mkdocs serve``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path
from typing import Callable, Iterable, Sequence

GROUP_BYTES = 32_000  # a group's rows, before compression: ~10 kB gzipped (when it can)
MIN_GROUPS, MAX_GROUPS = 4, 128
SHARD_BYTES = 24_000  # a key shard's target size
MAX_SHARDS = 64

# The worker's character classes (search-worker.js: CJK, WORDCHAR).
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f\u3040-\u30ff\uac00-\ud7af"
_WORD = "a-z0-9\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"
_CJK_RUN_RE = re.compile(f"[{_CJK}]+")
_WORD_START_RE = re.compile(f"(?<![{_WORD}])(?=([{_WORD}][{_WORD}:.]{{0,2}}))")
# A version right after a letter: llama3, colbertv2 (the worker's ``starts``).
_VERSION_RE = re.compile(f"(?<=[{_WORD}])(?<![0-9])(?=([0-9][{_WORD}:.]{{0,2}}|v[0-9][{_WORD}:.]?))")
_FULLWIDTH = str.maketrans({c: chr(c - 0xFEE0).lower() for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A),
                                                                   (0xFF41, 0xFF5A))
                            for c in range(r[0], r[1] + 1)})


def worker_fold(text: str, simplify: Callable[[str], str]) -> str:
    """The worker's ``fold``: lowercase (length kept), full-width letters and digits, 繁→简."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return simplify(low.translate(_FULLWIDTH))


def keys(folded: str) -> set[str]:
    """The keys of folded text (see the module docstring)."""
    out: set[str] = set()
    for run in _CJK_RUN_RE.findall(folded):
        out.update(run)
        out.update(run[i:i + 2] for i in range(len(run) - 1))
    out.update(m.group(1) for m in _WORD_START_RE.finditer(folded))
    out.update(m.group(1) for m in _VERSION_RE.finditer(folded))
    return out


def fnv1a(text: str) -> int:
    """32-bit FNV-1a over code points; the worker's ``hash`` gives the same number."""
    h = 0x811C9DC5
    for c in text:
        h = ((h ^ ord(c)) * 0x01000193) & 0xFFFFFFFF
    return h


def shard_of(key: str, shards: int) -> int:
    return fnv1a(key if _CJK_RUN_RE.match(key) else key[0]) % shards


def utf16_len(text: str) -> int:
    """A string's ``length`` in JavaScript."""
    return len(text.encode("utf-16-le")) // 2


def read_index(site: Path) -> tuple[dict[str, object], str]:
    """A built site's index as one object, every group's pages inline under ``docs.pages`` (the
    one-file shape the worker also reads), and the text of all its files; for tests and benches."""
    root = site / "search"
    raw = [(root / "search_index.json").read_text(encoding="utf-8")]
    index = json.loads(raw[0])
    docs = index["docs"]
    if isinstance(docs, dict) and "groups" in docs:
        numbered: list[list[object]] = []
        for path, _ in docs["groups"]:
            text = (site / path).read_text(encoding="utf-8")
            raw.append(text)
            numbered.extend(json.loads(text))
        pages = [row for _, row in sorted(numbered, key=lambda r: r[0])]
        raw += [(site / path).read_text(encoding="utf-8") for path in (*docs["keys"], docs["pinyin"])]
        docs = {k: v for k, v in docs.items() if k not in ("groups", "keys", "pinyin", "n", "avg")}
        index = {**index, "docs": {**docs, "pages": pages}}
    return index, "\n".join(raw)


def _groups(groups: set[int], total: int) -> object:
    """A key's groups: their numbers, or a bit set in hex (group g is bit g % 4 of digit g // 4)."""
    ids = sorted(groups)
    bits = bytearray((total + 3) // 4)
    for g in ids:
        bits[g // 4] |= 1 << (g % 4)
    hexed = "".join("0123456789abcdef"[b] for b in bits)
    return hexed if len(hexed) + 2 < len(json.dumps(ids, separators=(",", ":"))) else ids


def _dump(value: object) -> bytes:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    # Inert even when inlined into a page (as index.json has always been).
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode("utf-8")


def _named(folder: str, data: bytes) -> str:
    return f"search/{folder}/{hashlib.blake2b(data, digest_size=6).hexdigest()}.json"


def split(head: dict[str, object], rows: Sequence[list[object]], page_keys: Sequence[Iterable[str]],
          body_chars: int) -> dict[str, bytes]:
    """The sharded index: site path → bytes. ``head``: the index's global parts (config and
    docs without pages); ``rows``: the page rows in location order (a page's number is its
    place here); ``page_keys``: each page's keys; ``body_chars``: the UTF-16 length of all
    sections' text (the worker's average)."""
    files: dict[str, bytes] = {}
    groups: list[list[object]] = []  # [file, pages]
    group_of = [0] * len(rows)
    # Pages go into groups in title order: notes named alike (知识蒸馏, 知识蒸馏的温度) share a
    # group, so a query for a name needs few groups.
    order = sorted(range(len(rows)), key=lambda i: (str(rows[i][1]).casefold(), i))
    encoded = {i: _dump([i, rows[i]]) for i in order}
    total = sum(len(b) + 1 for b in encoded.values())
    # Between MIN_GROUPS and MAX_GROUPS groups, each about GROUP_BYTES where that allows: a
    # query that needs all of them makes no more requests than a slow connection bears.
    target = max(GROUP_BYTES, total / MAX_GROUPS) if total > GROUP_BYTES * MIN_GROUPS else total / MIN_GROUPS
    batch: list[int] = []
    size = 0
    for at, i in enumerate(order):
        batch.append(i)
        size += len(encoded[i]) + 1
        if size >= target or at == len(order) - 1:
            data = b"[" + b",".join(encoded[j] for j in batch) + b"]"
            name = _named("g", data)
            files[name] = data
            for j in batch:
                group_of[j] = len(groups)
            groups.append([name, len(batch)])
            batch, size = [], 0
    key_files = []
    for shard in _key_shards(len(groups), group_of, page_keys):
        data = _dump(shard)
        name = _named("k", data)
        files[name] = data
        key_files.append(name)
    py = [[i, group_of[i], row[6]] for i, row in enumerate(rows) if len(row) > 6]
    data = _dump(py)
    pinyin_file = _named("p", data)
    files[pinyin_file] = data
    docs = dict(head["docs"])  # type: ignore[call-overload]
    docs.update({"n": len(rows), "avg": max(1, body_chars / max(1, len(rows))),
                 "groups": groups, "keys": key_files, "pinyin": pinyin_file})
    files["search/search_index.json"] = _dump({"config": head["config"], "docs": docs})
    return files


def _key_shards(groups: int, group_of: list[int], page_keys: Sequence[Iterable[str]]) -> list[dict[str, object]]:
    """Each shard: ``{key: groups}``; as many shards as make each about SHARD_BYTES."""
    where: dict[str, set[int]] = {}
    for i, ks in enumerate(page_keys):
        g = group_of[i]
        for k in ks:
            where.setdefault(k, set()).add(g)
    encoded = {k: _groups(gs, groups) for k, gs in where.items()}
    estimate = sum(len(k.encode()) + 4 + len(json.dumps(v)) for k, v in encoded.items())
    count = max(1, min(MAX_SHARDS, 2 ** math.ceil(math.log2(max(1, estimate / SHARD_BYTES)))))
    shards: list[dict[str, object]] = [{} for _ in range(count)]
    for k in sorted(encoded):
        shards[shard_of(k, count)][k] = encoded[k]
    return shards
