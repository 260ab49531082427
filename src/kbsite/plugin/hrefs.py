"""plugin: every link kbsite writes into a page body is a valid, percent-encoded URL.

A wikilink's href is written as a relative ``.md`` path with its path percent-encoded and its
``#fragment`` raw: MkDocs decodes the path to find the file (and writes that file's encoded
URL), and compares the raw fragment with the target page's heading ids, so a missing heading is
still reported. Its treeprocessor ("relpath", priority 0) then leaves the fragment as written,
e.g. ``#方法``; this one runs after it and percent-encodes the fragment of kbsite's links.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from urllib.parse import quote, unquote

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

LINK_CLASS = "kb-link"


def encode_fragment(fragment: str) -> str:
    """``方法`` -> ``%E6%96%B9%E6%B3%95``; an already encoded fragment is left as it is."""
    return quote(unquote(fragment), safe="-._~!$&'()*+,;=:@/?")


class FragmentEncoder(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for a in root.iter("a"):
            href = a.get("href")
            if href and "#" in href and LINK_CLASS in (a.get("class") or "").split():
                path, fragment = href.split("#", 1)
                a.set("href", f"{path}#{encode_fragment(fragment)}")


class FragmentEncoderExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(FragmentEncoder(md), "kb_fragments", -10)  # after MkDocs' relpath (0)
