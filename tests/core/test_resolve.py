"""Obsidian's link resolution: paths, file names, same names in two folders, ambiguity warnings."""

from __future__ import annotations

from kbsite.core.graph import LinkGraph
from kbsite.core.index import NoteIndex
from kbsite.core.parse import parse_note


def vault(files: dict[str, str]) -> tuple[NoteIndex, dict[str, object]]:
    notes = [parse_note(path, text.encode("utf-8"))[0] for path, text in files.items()]
    index = NoteIndex(notes)
    return index, {n.path: n for n in notes}


FILES = {
    "note.md": "# 根目录的 note\n",
    "folder/note.md": "# 文件夹里的 note\n",
    "folder/source.md": "# 来源\n",
    "a/b/deep.md": "---\ntitle: 深处\n---\n",
    "x/注意力 #3 ?.md": "# 注意力\n",
    "papers/rl/ppo.md": "# PPO 论文\n",
    "ids/one.md": "---\nid: same\n---\n",
    "ids/two.md": "---\nid: same\n---\n",
}


def test_same_file_name_in_two_folders_is_not_an_error() -> None:
    index, notes = vault(FILES)
    assert notes["note.md"].id == "note"  # closest to the notes folder keeps the plain id
    assert notes["folder/note.md"].id == "folder-note"
    messages = [str(d) for d in index.diagnostics]
    assert messages == ["notes/ids/two.md:2: error: duplicate id 'same': notes/ids/one.md already uses it"]


def test_bare_name_paths_and_relative_links() -> None:
    index, notes = vault(FILES)
    source = notes["folder/source.md"]
    assert index.resolve("note", source) is notes["note.md"]  # root wins, as in Obsidian
    assert index.resolve("folder/note", source) is notes["folder/note.md"]
    assert index.resolve("folder/note.md", source) is notes["folder/note.md"]
    assert index.resolve("./note", source) is notes["folder/note.md"]
    assert index.resolve("../note", source) is notes["note.md"]
    assert index.resolve("/note", source) is notes["note.md"]
    assert index.resolve("note.md") is notes["note.md"]
    assert index.resolve("b/deep") is notes["a/b/deep.md"]  # the end of a path
    assert index.resolve("rl/ppo") is notes["papers/rl/ppo.md"]
    assert index.resolve("注意力 #3 ?") is notes["x/注意力 #3 ?.md"]  # the file name, as typed
    assert index.resolve("深处") is notes["a/b/deep.md"]  # titles still work
    assert index.resolve("../../escape", source) is None
    assert index.resolve("nowhere/note") is None


def test_ambiguous_bare_name_warns_with_every_candidate() -> None:
    files = {**FILES, "folder/source.md": "# 来源\n\n见 [[note]] 和 [[folder/note]]。\n"}
    index, _ = vault(files)
    graph = LinkGraph(index)
    assert [str(d) for d in graph.diagnostics] == [
        "notes/folder/source.md:3: warning: [[note]] matches 2 notes (notes/note.md, notes/folder/note.md); "
        "links to notes/note.md, the one closest to the notes folder (as Obsidian does): write the folder "
        "too, e.g. [[folder/note]], to choose"]


def test_ids_of_same_names_reset_when_the_other_file_goes() -> None:
    """Parsed notes are cached across serve rebuilds: a path id must not outlive its collision."""
    index, notes = vault(FILES)
    deep = notes["folder/note.md"]
    assert deep.id == "folder-note"
    NoteIndex([n for p, n in notes.items() if p != "note.md"])  # type: ignore[misc]
    assert deep.id == "note"
