"""The sharded index (kbsite.search.shards, ``search_shards: true``) against the one-file
index, in Node: the worker that loads only the key shards and page groups a query needs must
give exactly the results of the worker that holds every page, for every query of the harness
(both query files), on a real built site."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import search_harness as harness

from kbsite.plugin.search import WORKER_FILE
from kbsite.search.shards import fnv1a, keys, worker_fold

NODE = shutil.which("node")

# Both workers in one Node process: ``sharded`` reads the site's files as the browser would
# fetch them; ``whole`` gets one index with every group's pages inline (the format-1 shape).
_SCRIPT = """
const fs = require("fs"), path = require("path")
const [worker, site, queriesFile] = process.argv.slice(1)
const read = p => JSON.parse(fs.readFileSync(path.join(site, p), "utf8"))
const entry = read("search/search_index.json")
const queries = JSON.parse(fs.readFileSync(queriesFile, "utf8"))
const fresh = () => { delete require.cache[require.resolve(worker)]; return require(worker) }
;(async () => {
  const sharded = fresh()
  const fetched = new Set()
  sharded.setLoad(async p => { fetched.add(p); return read(p) })
  sharded.handler({type: 0, data: entry})
  const whole = fresh()
  const pages = entry.docs.groups.flatMap(([p]) => read(p)).sort((a, b) => a[0] - b[0]).map(r => r[1])
  const docs = {...entry.docs, pages}
  for (const k of ["groups", "keys", "pinyin", "n", "avg"]) delete docs[k]
  whole.handler({type: 0, data: {config: entry.config, docs}})
  const out = {}, sizes = {}
  for (const q of queries) {
    fetched.clear()
    out[q] = [(await sharded.handler({type: 2, data: q})).data.items, whole.handler({type: 2, data: q}).data.items]
    sizes[q] = [...fetched].length
  }
  console.log(JSON.stringify({out, groups: entry.docs.groups.length, loaded: sharded.loadedGroups()}))
})().catch(err => { console.error(err); process.exit(1) })
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plain vault built with ``search_shards: true`` (4 groups: the least there are)."""
    tmp = tmp_path_factory.mktemp("shards")
    project = tmp / "vault"
    shutil.copytree(harness.PLAIN_VAULT, project)
    yml = (project / "mkdocs.yml").read_text(encoding="utf-8")
    assert "  - kbsite:\n" in yml
    (project / "mkdocs.yml").write_text(yml.replace("  - kbsite:\n", "  - kbsite:\n      search_shards: true\n"),
                                        encoding="utf-8")
    return harness.build_kbsite(project, tmp / "site")


def _compare(site: Path, queries: list[str], tmp: Path) -> dict:
    if NODE is None:
        pytest.fail("node is missing: run the tests through scripts/test.sh, which installs it")
    qfile = tmp / "queries.json"
    qfile.write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run([NODE, "-e", _SCRIPT, str(WORKER_FILE), str(site), str(qfile)],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def test_sharded_results_equal_the_whole_index(site: Path, tmp_path: Path) -> None:
    queries = [q.text for f in (harness.QUERIES, harness.PLAIN_QUERIES) for q in harness.load_queries(f)]
    queries += ["zsl", "zhishizhengliu", "a", "x", "v2", "3", "注", "魑魅魍魉", "Attention Is", "llama3"]
    res = _compare(site, queries, tmp_path)
    differ = [q for q, (sharded, whole) in res["out"].items() if sharded != whole]
    assert not differ, f"sharded results differ for {differ[:10]}"
    assert sum(1 for sharded, _ in res["out"].values() if sharded) > len(queries) * 0.6  # not vacuous
    assert res["groups"] > 1, "the vault fits one group: the test would not test loading"


def test_a_rare_term_loads_only_its_groups(site: Path, tmp_path: Path) -> None:
    entry = json.loads((site / "search" / "search_index.json").read_text("utf-8"))
    groups = len(entry["docs"]["groups"])
    first = json.loads((site / entry["docs"]["groups"][0][0]).read_text("utf-8"))
    rare = first[0][1][1]  # the first page's title
    res = _compare(site, [rare], tmp_path)
    assert res["out"][rare][0], f"{rare} found nothing"
    assert res["loaded"] < groups, f"{rare}: all {groups} groups loaded"


def test_the_files_are_named_by_their_bytes_and_spread_chinese(site: Path) -> None:
    entry = json.loads((site / "search" / "search_index.json").read_text("utf-8"))
    docs = entry["docs"]
    assert docs["kbsite"] == 2 and "pages" not in docs
    names = [g[0] for g in docs["groups"]] + docs["keys"] + [docs["pinyin"]]
    for name in names:
        assert (site / name).is_file(), name
    assert len(set(names)) == len(names)
    shards = [json.loads((site / k).read_text("utf-8")) for k in docs["keys"]]
    han = [sum(1 for k in s if "\u4e00" <= k[0] <= "\u9fff") for s in shards]
    if len(shards) > 1:  # Chinese is spread by hash, not piled into one shard by first character
        assert max(han) < 3 * (sum(han) / len(han)) + 5, han


def test_keys_and_hash_match_the_worker() -> None:
    script = f"const w = require({json.dumps(str(WORKER_FILE))}); console.log(JSON.stringify(" \
             f"['知识蒸馏', 'a', 'llama', '𠀀x'].map(w.hash)))"
    out = json.loads(subprocess.run([NODE or "node", "-e", script], capture_output=True, text=True,
                                    check=True).stdout)
    assert out == [fnv1a(s) for s in ["知识蒸馏", "a", "llama", "𠀀x"]]
    folded = worker_fold("ＬｏＲＡ 微調 Llama3.1 ColBERTv2", lambda s: s.replace("調", "调"))
    assert folded == "lora 微调 llama3.1 colbertv2"
    got = keys(folded)
    assert {"微", "调", "lor", "lla", "3.1", "col", "v2"} <= got
    assert "ora" not in got and "ama" not in got  # not word starts


def test_one_file_unless_search_shards_is_set(kb) -> None:  # type: ignore[no-untyped-def]
    result = kb({"notes/a.md": "# 知识蒸馏\n\n学生模型模仿教师。\n"})
    assert not (result.site / "search" / "g").exists() and not (result.site / "search" / "k").exists()
    docs = json.loads((result.site / "search" / "search_index.json").read_text("utf-8"))["docs"]
    assert [p[1] for p in docs["pages"] if p[0] == "notes/a/"] == ["知识蒸馏"] and "groups" not in docs
