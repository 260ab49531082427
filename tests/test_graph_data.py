"""The graph view's data files, from real builds: they match the link graph exactly.

Global: every note, topic and wanted note is a node, every link, wanted link, topic membership
and topic parent an edge, each once (compared with the vault's own link graph and topic tree,
and, for a small fixture, with edges written out by hand). Local: one small file per note and
topic page with its neighbours and the edges among them, within the 5 KB budget, and the page
lists the same nodes as HTML.
"""

from __future__ import annotations

import json
import posixpath
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

from kbtest import REPO, Html, build_kb, make_kb

from kbsite.core.graphdata import data_path
from kbsite.core.keys import normalize_key
from kbsite.core.vault import load_vault
from kbsite.plugin.graph import LOCAL_BUDGET, decoded

HOSTILE = "<img src=x onerror=alert(1)>"
NOTES = {
    "notes/topics/llm.md": "---\ntitle: 大模型\ntype: topic\n---\n大模型的概述。\n",
    "notes/topics/align.md": "---\ntitle: 对齐\ntype: topic\nparent: 大模型\n---\n对齐的概述。\n",
    "notes/lora.md": "---\ntitle: LoRA\ntype: technique\naliases: [低秩适配]\ntopics: [参数高效微调]\nstatus: done\n---\n"
                     "# LoRA\n\n## 方法\n\n冻结原权重。见 [[QLoRA]]、[[缺失的笔记]] 和 [[LoRA|自己]]。\n",
    "notes/qlora.md": "---\ntitle: QLoRA\ntopics: [参数高效微调]\nstatus: draft\n---\n"
                      "在 [[低秩适配#方法|LoRA 的方法]] 之上，另见 [同一篇](lora.md)。\n",
    "notes/papers/attention.md": "---\ntitle: Attention Is All You Need\ntype: paper\ntopics: [大模型]\nstatus: done\n---\n"
                                "正文 [[LoRA]]。\n",
    "notes/dpo.md": "---\ntitle: DPO\ntype: technique\ntopics: [对齐]\nstatus: todo\n---\n见 [[注意力机制]]。\n",
    "notes/注意力 #3 ?.md": "---\ntitle: 注意力机制\ntype: concept\ntopics: [大模型]\nstatus: done\n---\n正文。\n",
    "notes/hostile.md": f"---\ntitle: {json.dumps(HOSTILE)}\nstatus: draft\n---\n链接 [[LoRA]]。\n",
}
# The edges of NOTES, by node title: what the link graph holds, written out by hand.
EXPECTED = {
    ("LoRA", "QLoRA", "link"), ("QLoRA", "LoRA", "link"), ("Attention Is All You Need", "LoRA", "link"),
    ("DPO", "注意力机制", "link"), (HOSTILE, "LoRA", "link"),
    ("LoRA", "缺失的笔记", "wanted"),
    ("LoRA", "参数高效微调", "topic"), ("QLoRA", "参数高效微调", "topic"),
    ("Attention Is All You Need", "大模型", "topic"), ("DPO", "对齐", "topic"), ("注意力机制", "大模型", "topic"),
    ("对齐", "大模型", "parent"),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("graph")
    make_kb(root, NOTES)
    build_kb(root)
    return root


def _global(site: Path) -> dict:
    return decoded(json.loads((site / "assets/kbsite/graph/global.json").read_text("utf-8")))


def _edges(data: dict) -> set[tuple[str, str, str]]:
    nodes = data["nodes"]
    out = set()
    for kind, pairs in data["edges"].items():
        assert len(pairs) % 2 == 0
        for a, b in zip(pairs[::2], pairs[1::2]):
            out.add((nodes[a][1], nodes[b][1], kind))
    return out


def _from_vault(root: Path) -> tuple[set[str], set[tuple[str, str, str]]]:
    """Nodes and edges by title, read off the vault's link graph and topic tree."""
    from pymdownx.slugs import slugify

    vault = load_vault(root / "notes", slugify=lambda t: slugify(case="lower")(t, "-"))
    nodes = {n.title for n in vault.notes} | {t.title for t in vault.topics} | {w.name for w in vault.graph.wanted.values()}
    edges = set()
    for note in vault.notes:
        for rl in vault.graph.outgoing[note.path]:
            if rl.target is None:
                edges.add((note.title, vault.graph.wanted[normalize_key(rl.link.target)].name, "wanted"))
            elif rl.target is not note:
                edges.add((note.title, rl.target.title, "link"))
        if not note.is_topic:
            edges |= {(note.title, t.title, "topic") for t in vault.topics.topics_of(note)}
    edges |= {(t.title, t.parent.title, "parent") for t in vault.topics if t.parent is not None}
    return nodes, edges


def test_global_graph_matches_the_link_graph(built: Path) -> None:
    data = _global(built / "site")
    titles = [n[1] for n in data["nodes"]]
    assert len(titles) == len(set(titles))  # each note, topic and wanted note once
    nodes, edges = _from_vault(built)
    assert set(titles) == nodes
    assert _edges(data) == edges == EXPECTED
    assert sum(len(p) // 2 for p in data["edges"].values()) == len(EXPECTED)  # no duplicates
    by_title = {n[1]: n for n in data["nodes"]}
    assert by_title["缺失的笔记"][:4] == ["", "缺失的笔记", "", "wanted"]
    assert by_title["参数高效微调"][2:4] == ["topic", ""]  # a topic without an overview note
    assert by_title["大模型"][0] == "notes/topics/llm/" and by_title["大模型"][2] == "topic"  # the topic note is the node
    assert by_title[HOSTILE][1] == HOSTILE  # data, verbatim: graph.js writes it with textContent
    # Every URL is a page of the site, percent-encoded as MkDocs wrote it.
    for url, title, *_ in data["nodes"]:
        if url:
            assert (built / "site" / unquote(url) / "index.html").is_file(), (title, url)
            assert url == url.encode("ascii").decode() and " " not in url and "#" not in url
    assert by_title["注意力机制"][0] == "notes/%E6%B3%A8%E6%84%8F%E5%8A%9B%20%233%20%3F/"
    assert all(isinstance(v, float) for n in data["nodes"] for v in n[4:6])


def test_local_files_hold_each_pages_neighbourhood(built: Path) -> None:
    site = built / "site"
    data = _global(site)
    nodes = data["nodes"]
    adjacent: dict[int, set[int]] = {i: set() for i in range(len(nodes))}
    for pairs in data["edges"].values():
        for a, b in zip(pairs[::2], pairs[1::2]):
            adjacent[a].add(b)
            adjacent[b].add(a)
    global_edges = _edges(data)
    pages = 0
    for i, (url, title, *_rest) in enumerate(nodes):
        if not url:
            continue
        path = site / "assets/kbsite/graph" / (data_path(url) + ".json")
        body = path.read_bytes()
        assert len(body) <= LOCAL_BUDGET
        local = decoded(json.loads(body))
        assert local["nodes"][0][:2] == [url, title]
        assert {n[1] for n in local["nodes"][1:]} == {nodes[j][1] for j in adjacent[i]}, title
        inside = {n[1] for n in local["nodes"]}
        assert _edges(local) == {e for e in global_edges if e[0] in inside and e[1] in inside}, title
        # The page lists the same neighbours for readers without scripts.
        page = Html((site / unquote(url) / "index.html").read_text("utf-8"))
        section = page.find("section", cls="kb-graph")
        assert section["attrs"]["data-kb-count"] == str(len(local["nodes"]) - 1)
        listed = [li["children"][0]["text"] for li in _descendants(section) if li["tag"] == "li"]
        # Each listed link, relative to the page, reaches a neighbour's own page.
        neighbours = {n[0].rstrip("/") for n in local["nodes"][1:] if n[0]}
        for li in (el for el in _descendants(section) if el["tag"] == "li"):
            a = li["children"][0]
            if a["tag"] == "a":
                assert posixpath.normpath(posixpath.join(url, a["attrs"]["href"])) in neighbours, (title, a)
        # A group the page lists in full elsewhere is a link to that list (backlinks, sub-topics,
        # members); that list may also hold neighbours the graph files under another relation.
        for group in (el for el in _descendants(section) if el["tag"] == "p" and "data-kb-relation" in el["attrs"]):
            anchor = next(a for a in group["children"] if a["tag"] == "a")["attrs"]["href"][1:]
            there = page.find(id=anchor)
            assert there is not None, (title, anchor)
            if anchor == "kb-topics":  # the note header's topic links
                found = [a["text"] for a in there["children"] if a["tag"] == "a"]
            else:
                lists = {"kb-backlinks": ("kb-backlinks",), "kb-subtopics": ("kb-subtopics",),
                         "kb-topic-summary": ("kb-notes",)}[anchor]
                found = [li["children"][0]["text"] for cls in lists for ul in page.find_all("ul", cls=cls)
                         for li in ul["children"] if li["tag"] == "li"]
            assert found, (title, anchor)
            listed += found
        assert set(listed) == {n[1] for n in local["nodes"][1:]}, title
        pages += 1
    assert pages == len(NOTES) + 1  # every note, and the generated page of 参数高效微调


def _descendants(el: dict) -> list[dict]:
    out = []
    for child in el["children"]:
        out.append(child)
        out.extend(_descendants(child))
    return out


def test_page_links_its_file_and_the_script(built: Path) -> None:
    site = built / "site"
    page = Html((site / "notes/lora/index.html").read_text("utf-8"))
    section = page.find("section", cls="kb-graph--local")
    assert section["attrs"]["data-kb-graph"] == "../../assets/kbsite/graph/notes/lora.json"
    scripts = [el["attrs"].get("src") for el in page.tags("script")]
    assert "../../assets/kbsite/graph.js" in scripts and "../../assets/kbsite/preview.js" in scripts
    assert "../../assets/kbsite/reader.css" in [el["attrs"].get("href") for el in page.tags("link")]
    vendor = site / "assets/kbsite/vendor/d3-force-3.0.0"
    assert (vendor / "d3-force.bundle.min.js").is_file() and (vendor / "LICENSE").is_file()
    assert "Copyright 2010-2021 Mike Bostock" in (vendor / "LICENSE").read_text("utf-8")
    # A topic page has its graph too (the generated page of an implicit topic).
    topic = next((site / "topics").glob("*/index.html"))
    assert Html(topic.read_text("utf-8")).find("section", cls="kb-graph--local")


def test_global_page_and_nav(built: Path) -> None:
    site = built / "site"
    page = Html((site / "graph/index.html").read_text("utf-8"))
    section = page.find("section", cls="kb-graph--global")
    assert section["attrs"]["data-kb-graph-global"] == "../assets/kbsite/graph/global.json"
    tree = [el["text"] for el in _descendants(section) if el["tag"] == "a"]
    assert "大模型" in tree and "参数高效微调" in tree  # the topic tree is the list without scripts
    home = Html((site / "index.html").read_text("utf-8"))
    nav = [el["text"].strip() for el in home.find_all("a", cls="md-nav__link")]
    assert "知识图谱" in nav and nav.index("知识图谱") < nav.index("待办与覆盖")
    # Only the graph page loads the whole graph; note pages carry no graph data inline.
    assert "global.json" not in (site / "notes/lora/index.html").read_text("utf-8")


def test_big_neighbourhood_is_capped_and_listed_the_same(tmp_path: Path) -> None:
    files = {f"notes/n{i:03}.md": f"---\ntitle: 成员笔记第{i}篇，标题比较长一些\ntopics: [大主题]\n---\n见 [[hub]]。\n"
             for i in range(150)}
    files["notes/hub.md"] = "---\ntitle: 枢纽\n---\n" + " ".join(f"[[n{i:03}]]" for i in range(150)) + "\n"
    make_kb(tmp_path, files)
    build_kb(tmp_path)
    site = tmp_path / "site"
    for rel in ("assets/kbsite/graph/notes/hub.json", "assets/kbsite/graph/topics/大主题.json"):
        body = (site / rel).read_bytes()
        local = decoded(json.loads(body))
        assert len(body) <= LOCAL_BUDGET and local["more"] > 0
        assert len(local["nodes"]) - 1 + local["more"] == 150
    page = Html((site / "notes/hub/index.html").read_text("utf-8"))
    section = page.find("section", cls="kb-graph")
    local = json.loads((site / "assets/kbsite/graph/notes/hub.json").read_bytes())
    assert section["attrs"]["data-kb-count"] == str(len(local["nodes"]) - 1)
    assert f"还有 {local['more']} 个" in page.find("p", cls="kb-graph__more")["text"]


def test_generated_corpus_matches_exactly(tmp_path: Path) -> None:
    """A bench corpus (topics three levels deep, wanted notes, headings): the same exactness."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from gen_corpus import write_corpus
    finally:
        sys.path.remove(str(REPO / "bench"))
    write_corpus(tmp_path, 80, seed=3)
    make_kb(tmp_path, {})
    build_kb(tmp_path)
    data = _global(tmp_path / "site")
    nodes, edges = _from_vault(tmp_path)
    assert {n[1] for n in data["nodes"]} == nodes
    assert _edges(data) == edges
    assert sum(len(p) // 2 for p in data["edges"].values()) == len(edges)
    assert {k for k, v in data["edges"].items() if v} == {"link", "wanted", "topic", "parent"}


def test_layout_and_files_are_reproducible(tmp_path: Path) -> None:
    """Same notes, same bytes, whatever the interpreter's string hashing."""
    make_kb(tmp_path, NOTES)
    code = (
        "import sys, json, hashlib\n"
        "from pathlib import Path\n"
        "from kbsite.core.vault import load_vault\n"
        "from kbsite.core.graphdata import graph_data, seed_layout\n"
        "v = load_vault(Path(sys.argv[1]))\n"
        "d = graph_data(v)\n"
        "out = [list(d.nodes), d.edges, sorted(seed_layout(d, v).items()), [[n.key for n in d.neighbours(k)] for k in d.nodes],\n"
        "       [d.induced_edges([k] + [n.key for n in d.neighbours(k)]) for k in d.nodes]]\n"
        "print(hashlib.sha256(json.dumps(out, ensure_ascii=False).encode()).hexdigest())\n"
    )
    runs = {subprocess.run([sys.executable, "-c", code, str(tmp_path / "notes")], capture_output=True, text=True,
                           check=True, env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"}).stdout
            for seed in ("1", "2", "3")}
    assert len(runs) == 1


@pytest.mark.parametrize(("url", "path"), [
    ("notes/lora/", "notes/lora"), ("notes/lora.html", "notes/lora"), ("", "index"), ("index.html", "index"),
    ("notes/%E6%B3%A8%20%233%20%3F/", "notes/注 #3 ?"), ("notes/a/#x", "notes/a"),
    ("../x/", None), ("/etc/passwd/", None), ("notes/%2E%2E/x/", None),
])
def test_data_path(url: str, path: str | None) -> None:
    assert data_path(url) == path


def test_a_nav_of_the_users_own_is_left_alone(tmp_path: Path) -> None:
    from kbtest import MKDOCS_YML

    make_kb(tmp_path, {"notes/a.md": "# A\n\n见 [[B]]。\n", "notes/b.md": "# B\n"}, MKDOCS_YML + "nav:\n  - index.md\n")
    result = build_kb(tmp_path, strict=True)
    assert (result.site / "graph/index.html").is_file()
    home = Html((result.site / "index.html").read_text("utf-8"))
    assert [el["text"].strip() for el in home.find_all("a", cls="md-nav__link")] == ["首页"]
    assert not [line for line in result.logs if "graph" in line and line.startswith(("WARNING", "INFO"))]
