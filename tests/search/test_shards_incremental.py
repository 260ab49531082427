"""The splitter under ``mkdocs serve`` (kbsite.search.shards.Splitter with ``keep``): after an
edit that keeps the pages' numbers, it re-encodes only the keys whose postings changed, and the
files it yields, with those it left alone, are byte for byte those of a clean split."""

from __future__ import annotations

import json
import random

from kbsite.search.shards import Splitter, page_postings, pinyin_starts, split, worker_fold

CHARS = "知识蒸馏模型注意力机制稀疏激活量化剪枝微调对齐强化学习奖励缓存推理解码"
WORDS = ["lora", "llama3", "transformer", "kv", "moe", "gqa", "rope", "dpo"]


def _text(rng: random.Random, n: int) -> str:
    return " ".join("".join(rng.choice(CHARS) for _ in range(rng.randint(1, 6))) if rng.random() < 0.7
                    else rng.choice(WORDS) for _ in range(n))


def _corpus(rng: random.Random, n: int) -> tuple[list[list[object]], list[str]]:
    rows: list[list[object]] = []
    postings: list[str] = []
    for i in range(n):
        title = _text(rng, 2)
        rows.append([f"notes/p{i:04d}/", title, [], "", [["", "", _text(rng, 30)]], i % 5,
                     ["zhi shi zheng liu" if i % 3 else "mo xing", ""]])
        postings.append(_postings(rows[-1]))
    return rows, postings


def _postings(row: list[object]) -> str:
    fold = lambda s: worker_fold(s, lambda t: t)  # noqa: E731
    body = "\n".join(str(s[2]) for s in row[4])  # type: ignore[attr-defined]
    return page_postings([fold(str(row[1]))], "", "", fold(body))


HEAD = {"config": {"lang": ["en"]}, "docs": {"kbsite": 2, "words": "知识 知识蒸馏 模型 zzz", "domain": 2}}


def _files(splitter: Splitter, rows: list[list[object]], postings: list[str], disk: dict[str, bytes],
           head: dict[str, object] = HEAD) -> dict[str, bytes]:
    """One split, as the plugin applies it to a kept site folder: a None keeps the file."""
    out: dict[str, bytes] = {}
    for path, data in splitter.split(head, rows, postings, "AA" * len(rows), 1000):
        out[path] = disk[path] if data is None else data
    return out


def test_an_edit_redoes_only_its_keys_and_equals_a_clean_split() -> None:
    rng = random.Random(5)
    rows, postings = _corpus(rng, 120)
    splitter = Splitter(keep=True)
    disk = _files(splitter, rows, postings, {})
    assert splitter.made["full"] == 1 and disk == dict(split(HEAD, rows, postings, "AA" * 120, 1000))
    keys = sum(len(json.loads(data)) for p, data in disk.items() if p.startswith("search/k/"))
    for step in range(6):
        rows = [list(r) for r in rows]
        postings = list(postings)
        edited = rng.sample(range(len(rows)), 2)
        for i in edited:
            sections = [["", "", str(rows[i][4][0][2]) + " " + _text(rng, 3)]]  # type: ignore[index]
            rows[i][4] = sections
            if step == 3:
                rows[i][1] = "量化剪枝"  # a title change: other fields of its keys
            postings[i] = _postings(rows[i])
        head = HEAD if step != 4 else {**HEAD, "docs": {**HEAD["docs"], "words": "知识 知识蒸馏 模型 模型量化 zzz"}}
        disk = _files(splitter, rows, postings, disk, head)
        clean = dict(split(head, rows, postings, "AA" * len(rows), 1000))
        assert disk == clean, f"step {step}"
        made = splitter.made
        assert made["full"] == 0 and made["rows"] == 2, (step, made)
        assert 0 < made["keys"] < keys / 4 and made["shards"] > 0, (step, made, keys)
    # A page removed renumbers the pages after it: everything is made again.
    del rows[10], postings[10]
    disk = _files(splitter, rows, postings, disk)
    assert splitter.made["full"] == 1 and disk == dict(split(HEAD, rows, postings, "AA" * len(rows), 1000))


def test_a_forgetful_splitter_makes_every_file() -> None:
    rows, postings = _corpus(random.Random(2), 30)
    splitter = Splitter(keep=True)
    first = _files(splitter, rows, postings, {})
    splitter.forget()
    again = list(splitter.split(HEAD, rows, postings, "AA" * 30, 1000))
    assert all(data is not None for _, data in again) and dict(again) == first
    plain = Splitter()  # keeps nothing: a build, not serve
    list(plain.split(HEAD, rows, postings, "AA" * 30, 1000))
    assert plain.paths() == [] and all(d is not None for _, d in plain.split(HEAD, rows, postings, "AA" * 30, 1000))


def test_pinyin_files_follow_the_names() -> None:
    rows, postings = _corpus(random.Random(3), 40)
    splitter = Splitter(keep=True)
    disk = _files(splitter, rows, postings, {})
    assert "search/p/zh.json" in disk and "search/p/mx.json" in disk
    rows = [list(r) for r in rows]
    rows[1][6] = ["qiang hua xue xi", ""]  # a title now spelled otherwise
    disk = _files(splitter, rows, postings, disk)
    assert disk == dict(split(HEAD, rows, postings, "AA" * 40, 1000))
    assert "search/p/qh.json" in disk and splitter.made["rows"] == 1
    assert splitter.made["pinyin"] < len([p for p in disk if p.startswith("search/p/")])
    assert pinyin_starts(["qiang hua xue xi"]) >= {"qh", "qi"}
