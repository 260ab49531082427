"""Under ``mkdocs serve`` the link graph keeps the resolved links of notes an edit cannot have
changed (``LinkGraph(previous=...)``). Whatever the edits, the graph must equal one built from
scratch: the same links, backlinks, wanted notes, related notes and diagnostics, in order."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbsite.core.vault import ParseCache, Vault, VaultMemo, load_vault

# Notes whose names collide on purpose: a file name shared by two folders, a title that is
# another note's alias, a private note, links by id, title, alias, path and heading.
START = {
    "a.md": "---\nid: a\ntitle: 注意力\naliases: [Attention]\nrelated: [b]\n---\n# 注意力\n\n## 方法\n\n见 [[b]] 和 [[KV Cache]]。\n",
    "b.md": "---\nid: b\ntitle: 缓存\naliases: [KV Cache]\n---\n# 缓存\n\n回到 [[注意力#方法]]，还有 [[想写的笔记]]。\n",
    "x/c.md": "---\ntitle: 剪枝\n---\n# 剪枝\n\n[[a]] [[x/d]] [[d]] [[私密]] [[Attention#不存在]]\n",
    "x/d.md": "# d\n\n[[c]] [[缓存|标签]] [[../a.md]]\n",
    "y/d.md": "# 另一个 d\n\n[[剪枝]] [[#本节]]\n\n## 本节\n",
    "p.md": "---\ntitle: 私密\npublish: false\n---\n# 私密\n",
}
NAMES = ["注意力", "缓存", "KV Cache", "剪枝", "私密", "d", "a", "b", "c", "想写的笔记", "Attention", "LoRA"]

edits = st.lists(st.tuples(st.sampled_from(sorted(START)), st.sampled_from(["title", "alias", "link", "unlink",
                                                                             "body", "related", "private"]),
                           st.sampled_from(NAMES)), min_size=1, max_size=6)


def _apply(path: Path, kind: str, name: str) -> None:
    text = path.read_text("utf-8")
    front, _, body = text.partition("\n---\n") if text.startswith("---\n") else ("---", "", text)
    front = front.removeprefix("---\n").removeprefix("---")
    lines = [line for line in front.splitlines() if line]

    def put(key: str, value: str) -> None:
        lines[:] = [line for line in lines if not line.startswith(f"{key}:")] + [f"{key}: {value}"]

    if kind == "title":
        put("title", name)
    elif kind == "alias":
        put("aliases", f"[{name}]")
    elif kind == "related":
        put("related", f"[{name}]")
    elif kind == "private":
        put("publish", "false" if "publish: false" not in lines else "true")
    elif kind == "link":
        body += f"\n另见 [[{name}]]。\n"
    elif kind == "unlink":
        body = body.replace("[[", "[", 1)
    else:
        body += "\n又一段正文。\n"
    path.write_text("---\n" + "\n".join(lines) + "\n---\n" + body, encoding="utf-8")
    os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)  # the parse cache sees the change


def _shape(v: Vault) -> object:
    g = v.graph
    ref = lambda rl: (rl.source.path, rl.link.target, rl.link.line, rl.target.path if rl.target else None)  # noqa: E731
    return (
        {p: [ref(rl) for rl in out] for p, out in g.outgoing.items()},
        {p: [ref(rl) for rl in links] for p, links in g.backlinks.items() if links},
        {k: (w.name, [ref(rl) for rl in w.referrers]) for k, w in g.wanted.items()},
        {p: [n.path for n in ns] for p, ns in g.related_of.items()},
        {p: [n.path for n in ns] for p, ns in g.related_by.items() if ns},
        [str(d) for d in v.diagnostics],
        [(n.path, n.id, n.title) for n in v.notes],
    )


def _slug(text: str) -> str:
    return text.strip().lower().replace(" ", "-")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=edits)
def test_kept_links_equal_a_graph_built_from_scratch(tmp_path_factory, steps) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("vault")
    for rel, text in START.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    cache: ParseCache = {}
    memo = VaultMemo()
    load_vault(root, slugify=_slug, cache=cache, memo=memo, memo_key="k")
    for rel, kind, name in steps:
        _apply(root / rel, kind, name)
        kept = load_vault(root, slugify=_slug, cache=cache, memo=memo, memo_key="k")
        fresh = load_vault(root, slugify=_slug)
        assert _shape(kept) == _shape(fresh), (rel, kind, name)
        _assert_current(kept)


def _assert_current(v: Vault) -> None:
    """Every note the graph hands out is this build's object (a kept link to the last build's
    copy of a re-read note would show its old fields)."""
    current = v.index.by_path
    for out in v.graph.outgoing.values():
        for rl in out:
            assert current[rl.source.path] is rl.source
            assert rl.target is None or current[rl.target.path] is rl.target
    for notes in [*v.graph.related_of.values(), *v.graph.related_by.values()]:
        assert all(current[n.path] is n for n in notes)


def test_a_title_edit_resolves_only_the_notes_that_name_it(tmp_path: Path) -> None:
    for i in range(30):
        (tmp_path / f"n{i}.md").write_text(f"---\nid: n{i}\ntitle: 笔记{i}\n---\n[[n{(i + 1) % 30}]]\n",
                                           encoding="utf-8")
    (tmp_path / "m.md").write_text("---\nid: m\ntitle: 蒸馏\n---\n正文\n", encoding="utf-8")
    (tmp_path / "linker.md").write_text("---\nid: linker\n---\n[[蒸馏]] [[知识蒸馏]]\n", encoding="utf-8")
    cache: ParseCache = {}
    memo = VaultMemo()
    load_vault(root := tmp_path, slugify=_slug, cache=cache, memo=memo, memo_key="k")
    _apply(root / "m.md", "title", "知识蒸馏")
    vault = load_vault(root, slugify=_slug, cache=cache, memo=memo, memo_key="k")
    # m itself (re-read) and linker (it names the old and the new title) are resolved again.
    assert vault.graph.reused == len(vault.notes) - 2
    [rl] = [rl for rl in vault.graph.backlinks["m.md"]]
    assert rl.source.path == "linker.md" and rl.link.target == "知识蒸馏"
    assert "蒸馏" in vault.graph.wanted and "知识蒸馏" not in vault.graph.wanted
