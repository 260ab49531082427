"""core: pure. Obsidian's ``%%comments%%``: the writer's private text, never published.

Inline (``a %%note to self%% b``) or a block over several lines. Obsidian hides everything after
an unclosed ``%%``, and so does this. ``%%`` inside code (fenced or inline) is not a comment.
"""

from __future__ import annotations

from typing import Callable

from kbsite.core.wikilinks import CODE_SPAN_RE, FENCE_RE


def _fenced(text: str) -> list[tuple[int, int]]:
    """Offsets of fenced code blocks (``` or ~~~), as the renderer stashes them first."""
    out: list[tuple[int, int]] = []
    pos, fence, start = 0, "", 0
    for line in text.split("\n"):
        m = FENCE_RE.match(line)
        stripped = line.strip()
        if not fence and m:
            fence, start = m.group("fence"), pos
        elif fence and stripped.startswith(fence) and not stripped.strip(fence[0]):
            out.append((start, pos + len(line)))
            fence = ""
        pos += len(line) + 1
    if fence:
        out.append((start, len(text)))
    return out


def comment_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every comment, its ``%%`` marks included."""
    if "%%" not in text:
        return []
    code = _fenced(text) if ("```" in text or "~~~" in text) else []
    if "`" in text:
        code += [(m.start(), m.end()) for m in CODE_SPAN_RE.finditer(text)]
    out: list[tuple[int, int]] = []
    at = text.find("%%")
    while at != -1:
        span = next((s for s in code if s[0] <= at < s[1]), None)
        if span is not None:  # inside `code`: not a comment
            at = text.find("%%", span[1])
            continue
        end = text.find("%%", at + 2)
        if end == -1:
            out.append((at, len(text)))  # unclosed: the rest is hidden, as in Obsidian
            break
        out.append((at, end + 2))
        at = text.find("%%", end + 2)
    return out


def strip_comments(text: str) -> str:
    """``text`` without its comments (what the renderer reads)."""
    return _replace(text, lambda comment: "")


def blank_comments(text: str) -> str:
    """``text`` with each comment blanked to spaces, its line breaks kept (what the scanner reads:
    links, tasks and TODOs in a comment count nowhere, and line numbers stay true)."""
    return _replace(text, lambda comment: "".join("\n" if c == "\n" else " " for c in comment))


def _replace(text: str, fill: Callable[[str], str]) -> str:
    spans = comment_spans(text)
    if not spans:
        return text
    out, pos = [], 0
    for start, end in spans:
        out.append(text[pos:start])
        out.append(fill(text[start:end]))
        pos = end
    out.append(text[pos:])
    return "".join(out)
