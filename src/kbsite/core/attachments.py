"""core: pure. Attachments: which wikilink targets name a file, and which file, as Obsidian finds it.

``![[图.png]]`` embeds a file and ``[[论文.pdf]]`` links to one; a target whose extension is not
``.md`` names a file, not a note (``[[GPT-3.5]]`` is still a note: an extension has a letter).
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


def extension(name: str) -> str:
    """``"图 1.PNG"`` -> ``"png"``; ``""`` when the name has no file extension."""
    m = _EXT_RE.search(name.strip())
    return m.group(0)[1:].lower() if m else ""


def is_attachment_name(target: str) -> bool:
    """Whether a wikilink target names a file rather than a note."""
    ext = extension(target)
    return bool(ext) and ext != "md"


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
        """The vault path of the file ``target`` names, from the note at path ``source``."""
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
