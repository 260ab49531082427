"""Straight double quotes in the Chinese prose of notes: where they are, and the curly fix.

The notes' convention for Chinese prose is full-width curly quotes “…”. tests/test_notes_voice.py
fails on a straight "…" pair holding CJK; run this module to convert a folder's notes:

    python tests/prose_quotes.py notes/techniques notes/concepts      # list what would change
    python tests/prose_quotes.py --write notes/techniques             # rewrite those lines

Only prose counts. Left alone: YAML front matter, fenced code, display math blocks, code spans,
inline math and raw HTML (found with the scanner's own functions, so this agrees with what the
page shows as code or math), link destinations and bare URLs, wikilink targets, and the titles of
``!!! note "…"`` admonitions (Python-Markdown only reads a straight-quoted title there).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from kbsite.core.wikilinks import code_spans, hidden_spans

CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$")
_FENCE_RE = re.compile(r"^[> ]*(?P<fence>`{3,}|~{3,})")
_ADMONITION_RE = re.compile(r"^[> ]*(?:!!!|\?\?\?\+?)")
# What is not prose on a line, besides code, math and HTML: link destinations (with their
# optional "title"), bare URLs, and the target part of a wikilink.
_NOT_PROSE_RE = re.compile(r"\]\([^)\n]*\)|https?://[^\s)>\]]+|\[\[[^\]|\n]*")


@dataclass(frozen=True)
class QuotePair:
    line: int  # 1-based line in the file
    start: int  # column of the opening quote
    end: int  # column of the closing quote
    text: str  # what the quotes hold

    @property
    def has_cjk(self) -> bool:
        return bool(CJK_RE.search(self.text))


def _masked(line: str) -> str:
    """The line with everything that is not prose replaced by spaces (columns kept)."""
    spans = [(s, e) for s, e, _ in code_spans(line)] if "`" in line else []
    stashed = list(line)
    for s, e in spans:
        stashed[s:e] = " " * (e - s)
    text = "".join(stashed)
    spans = hidden_spans(text) + [m.span() for m in _NOT_PROSE_RE.finditer(text)]
    out = list(text)
    for s, e in spans:
        out[s:e] = " " * (e - s)
    return "".join(out)


def prose_lines(text: str):
    """(1-based line number, line, prose-only mask of the line) for each line of prose."""
    lines = text.lstrip("\ufeff").split("\n")
    index = 0
    if lines and lines[0].rstrip() == "---":  # front matter
        for j in range(1, len(lines)):
            if _FRONT_MATTER_END.match(lines[j]):
                index = j + 1
                break
    fence = ""
    math = False
    for number in range(index, len(lines)):
        line = lines[number].rstrip("\r")
        if fence:
            m = _FENCE_RE.match(line)
            if m and m.group("fence")[0] == fence[0] and len(m.group("fence")) >= len(fence):
                if not line[m.end():].strip():
                    fence = ""
            continue
        m = _FENCE_RE.match(line)
        if m:
            fence = m.group("fence")
            continue
        stripped = line.strip().lstrip("> ")
        if math or stripped.startswith("$$"):
            # A display block runs from a line starting "$$" to the line that closes it.
            if stripped.count("$$") % 2:
                math = not math
            continue
        if _ADMONITION_RE.match(line):
            continue
        yield number + 1, line, _masked(line)


def straight_pairs(text: str) -> list[QuotePair]:
    """Straight double-quote pairs in the prose of a note, paired left to right on each line."""
    pairs = []
    for number, line, mask in prose_lines(text):
        if '"' not in mask:
            continue
        cols = [i for i, ch in enumerate(mask) if ch == '"']
        for a, b in zip(cols[0::2], cols[1::2]):
            pairs.append(QuotePair(number, a, b, line[a + 1:b]))
    return pairs


def unpaired(text: str) -> list[int]:
    """Lines of prose with an odd number of straight quotes: no pairing can be trusted there."""
    return [n for n, _, mask in prose_lines(text) if mask.count('"') % 2]


def curly(text: str) -> str:
    """The note with each straight pair on a line of Chinese prose turned into “…”.

    A line counts as Chinese prose when its prose (not its code or URLs) holds CJK: there a quoted
    English word (“RAG”) takes the Chinese marks too. Lines with an odd count are left as they are.
    """
    lines = text.split("\n")
    odd = set(unpaired(text))
    by_line: dict[int, list[QuotePair]] = {}
    for pair in straight_pairs(text):
        by_line.setdefault(pair.line, []).append(pair)
    masks = {n: mask for n, _, mask in prose_lines(text)}
    for number, pairs in by_line.items():
        if number in odd or not CJK_RE.search(masks[number]):
            continue
        chars = list(lines[number - 1])
        for pair in pairs:
            chars[pair.start], chars[pair.end] = "“", "”"
        lines[number - 1] = "".join(chars)
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    write = "--write" in argv
    folders = [Path(a) for a in argv if a != "--write"]
    changed = 0
    for path in sorted(p for folder in folders for p in folder.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        for number in unpaired(text):
            print(f"{path}:{number}: odd number of straight quotes; fix by hand")
        new = curly(text)
        if new == text:
            continue
        for number, (old_line, new_line) in enumerate(zip(text.split("\n"), new.split("\n")), 1):
            if old_line != new_line:
                changed += 1
                print(f"{path}:{number}: {new_line.strip()[:100]}")
        if write:
            path.write_text(new, encoding="utf-8")
    print(f"{changed} lines {'changed' if write else 'to change'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
