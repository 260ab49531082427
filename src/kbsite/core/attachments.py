"""core: pure. Attachments: which wikilink targets name a file, and which file, as Obsidian finds it.

``![[图.png]]`` embeds a file and ``[[论文.pdf]]`` links to one; an embed whose target has an
extension other than ``.md`` names a file, a plain link only with a file type's extension
(``[[GPT-3.5]]`` and ``[[Node.js]]`` are notes).
A name is found vault-wide: the exact path from the vault root; else relative to the note; else
a file of that name in the note's own folder; else, among every file of that name (or, for a
name with a folder, every path that ends with it), the shortest path (fewest folders), ties
alphabetically. File names match exactly first, then ignoring case.
"""

from __future__ import annotations

import posixpath
import re
from typing import Iterable

_EXT_RE = re.compile(r"\.(?=[0-9]*[A-Za-z])[A-Za-z0-9]{1,10}$")
IMAGE_EXTS = frozenset("png jpg jpeg gif bmp svg webp avif apng ico".split())
AUDIO_EXTS = frozenset("mp3 wav ogg m4a flac".split())
VIDEO_EXTS = frozenset("mp4 webm mov ogv mkv".split())
PDF_EXTS = frozenset({"pdf"})
# Obsidian's Excalidraw plugin: ![[图.excalidraw]] names 图.excalidraw.md (or a legacy 图.excalidraw),
# and its "auto-export" setting writes 图.excalidraw.svg / .png beside it, which a site can show.
DRAWING_NOTE_SUFFIX = ".excalidraw.md"
_DRAWING_EXPORTS = (".svg", ".png", "", ".md")


def extension(name: str) -> str:
    """``"图 1.PNG"`` -> ``"png"``; ``""`` when the name has no file extension."""
    m = _EXT_RE.search(name.strip())
    return m.group(0)[1:].lower() if m else ""


# Extensions a plain [[link]] names a file by; ![[embed]] takes any. [[Node.js]], [[Vue.js]],
# [[ASP.NET]] are notes about those things, not files.
LINKED_FILE_EXTS = IMAGE_EXTS | AUDIO_EXTS | VIDEO_EXTS | PDF_EXTS | frozenset(
    "canvas excalidraw csv tsv txt zip gz tar 7z json yaml yml xml doc docx ppt pptx xls xlsx odt ods odp "
    "ipynb epub html htm tex bib rtf".split())


def is_attachment_name(target: str, embed: bool = True) -> bool:
    """Whether a wikilink target names a file rather than a note (``embed``: written ``![[…]]``)."""
    ext = extension(target)
    if not ext or ext == "md":
        return False
    return embed or ext in LINKED_FILE_EXTS


def media_kind(name: str) -> str:
    """``image``, ``audio``, ``video``, ``pdf`` or ``file``."""
    ext = extension(name)
    if ext in IMAGE_EXTS:
        return "image"
    if ext in AUDIO_EXTS:
        return "audio"
    if ext in VIDEO_EXTS:
        return "video"
    if ext in PDF_EXTS:
        return "pdf"
    if ext == "excalidraw" or name.endswith(DRAWING_NOTE_SUFFIX):
        return "drawing"
    return "file"


def _order(path: str) -> tuple[int, str]:
    return path.count("/"), path


class AttachmentIndex:
    """Lookup of non-note files (``vault.assets``) by path or by file name."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.paths = sorted(set(paths), key=_order)
        self._exact = set(self.paths)
        self._folded: dict[str, str] = {}
        self._by_name: dict[str, list[str]] = {}
        self._by_folded_name: dict[str, list[str]] = {}
        for path in self.paths:
            self._folded.setdefault(path.casefold(), path)
            name = posixpath.basename(path)
            self._by_name.setdefault(name, []).append(path)
            self._by_folded_name.setdefault(name.casefold(), []).append(path)

    def resolve(self, target: str, source: str | None = None) -> str | None:
        """The vault path of the file ``target`` names, from the note at path ``source``.

        A drawing (``x.excalidraw``) is its exported image when there is one, else its file."""
        if extension(target) == "excalidraw":
            for suffix in _DRAWING_EXPORTS:
                found = self._resolve(target.strip() + suffix, source)
                if found is not None:
                    return found
            return None
        return self._resolve(target, source)

    def _resolve(self, target: str, source: str | None) -> str | None:
        name = target.strip().replace("\\", "/")
        if not name:
            return None
        here = posixpath.dirname(source) if source else ""
        rooted = name.startswith("/")
        name = name.lstrip("/")
        candidates = [posixpath.normpath(name)]
        if not rooted:
            candidates.append(posixpath.normpath(posixpath.join(here, name)))
        for found in (self._exact.__contains__, lambda p: p.casefold() in self._folded):
            for path in candidates:
                if not path.startswith("../") and found(path):
                    return path if path in self._exact else self._folded[path.casefold()]
        if rooted or name.startswith(("./", "../")):
            return None
        base = posixpath.basename(name)
        for table, key in ((self._by_name, base), (self._by_folded_name, base.casefold())):
            same = table.get(key, [])
            if "/" in name:  # the end of a path
                tail = "/" + name.casefold()
                same = [p for p in same if ("/" + p.casefold()).endswith(tail)]
            if not same:
                continue
            local = [p for p in same if posixpath.dirname(p) == here]
            return local[0] if local else same[0]  # sorted: fewest folders, then A-Z
        return None

    def __len__(self) -> int:
        return len(self.paths)
