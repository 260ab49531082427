"""plugin: the elements an ``![[embed]]`` of a file becomes (ElementTree: every value escaped).

- an image: ``<img>`` (``|300`` is its width, ``|300x200`` width and height, other text its alt);
- audio (``.mp3 .wav .ogg .m4a .flac``): ``<audio controls>``; video (``.mp4 .webm .mov`` ...):
  ``<video controls>``;
- a PDF: a link (no ``<iframe>``/``<object>``, which the sanitiser removes); any other file: a
  download link;
- a file that is not in the vault: a small broken-embed box.

``src_href`` is relative to the page's source file (MkDocs makes it relative to the page, for
``<a>`` and ``<img>``); ``url`` is relative to the page (for ``<audio>``/``<video>``, which MkDocs
does not rewrite). Both are percent-encoded.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from urllib.parse import quote

from markdown.util import AtomicString

from kbsite.core.attachments import DRAWING_NOTE_SUFFIX, media_kind

_SIZE_RE = re.compile(r"^(?P<w>\d{1,5})(?:x(?P<h>\d{1,5}))?$")


def _size_and_text(label: str | None) -> tuple[str | None, str | None, str | None]:
    """``"300"`` -> (300, None, None); ``"图|300x200"`` -> (300, 200, "图"); ``"说明"`` -> (None, None, "说明")."""
    if not label:
        return None, None, None
    text, _, last = label.replace("\\|", "|").rpartition("|")
    m = _SIZE_RE.match(last.strip())
    if m:
        return m.group("w"), m.group("h"), text.strip() or None
    return None, None, label.replace("\\|", "|").strip()


def _fragment(heading: str | None) -> str:
    """``#page=3`` of a PDF, percent-encoded."""
    return "#" + quote(heading, safe="=&-._~") if heading else ""


def _name(target: str) -> str:
    return target.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


def file_element(target: str, heading: str | None, label: str | None, embedded: bool,
                 src_href: str, url: str, path: str | None = None) -> etree.Element:
    """``path``: the file found (a drawing's exported image has another kind than its name)."""
    kind = media_kind(path or target)
    width, height, text = _size_and_text(label)
    name = _name(target)
    if not embedded:  # [[file.pdf|label]]: a link to the file
        a = etree.Element("a")
        a.set("href", src_href + (_fragment(heading) if kind == "pdf" else ""))
        a.set("class", "kb-file")
        a.text = AtomicString(label or name)
        return a
    if kind == "image":
        img = etree.Element("img")
        img.set("src", src_href)
        img.set("alt", text or name)
        img.set("class", "kb-embed kb-embed-image")
        img.set("loading", "lazy")
        if width:
            img.set("width", width)
        if height:
            img.set("height", height)
        return img
    if kind in ("audio", "video"):
        media = etree.Element(kind)
        media.set("src", url)
        media.set("controls", "controls")
        media.set("preload", "metadata")
        media.set("class", f"kb-embed kb-embed-{kind}")
        media.set("title", text or name)
        if kind == "video" and width:
            media.set("width", width)
        if kind == "video" and height:
            media.set("height", height)
        media.text = ""  # written as <audio ...></audio>
        return media
    a = etree.Element("a")
    a.set("class", f"kb-embed kb-embed-{kind}")
    if kind == "drawing":  # no exported image: say how to show it (a legacy .excalidraw file is linked)
        box = etree.Element("a" if not (path or "").endswith(DRAWING_NOTE_SUFFIX) else "span")
        if box.tag == "a":
            box.set("href", src_href)
            box.set("download", name)
        box.set("class", "kb-embed kb-embed-drawing")
        box.set("title", "Excalidraw 绘图：在 Obsidian 里打开 Excalidraw 的 auto-export（SVG/PNG），页面上就显示图片")
        box.text = AtomicString(text or name)
        return box
    if kind == "pdf":
        a.set("href", src_href + _fragment(heading))
    else:
        a.set("href", src_href)
        a.set("download", name)
    a.text = AtomicString(text or name)
    return a


def missing_element(target: str, embedded: bool) -> etree.Element:
    span = etree.Element("span")
    span.set("class", "kb-embed-missing" if embedded else "kb-file-missing")
    span.set("title", f"找不到附件：{target}")
    span.text = AtomicString(_name(target))
    return span
