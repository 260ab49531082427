"""plugin: drop the template indentation from a rendered page.

Material's templates indent every line, and that indentation is written into every page (about
2.5 KB of a 38 KB note page). A run of white space that holds a line break renders exactly like a
single line break wherever white space collapses, so each break and the indentation after it
becomes one ``\\n``. Elements where white space is content (``pre``, ``textarea``, ``code`` --
Material prints code ``pre-wrap`` -- and the raw text of ``script`` and ``style``) are copied
as they are.
"""

from __future__ import annotations

import re

_KEEP_RE = re.compile(r"<(pre|textarea|code|script|style)\b.*?</\1\s*>", re.S | re.I)
# A line break and the white space after it (white space before a break is rare in the
# templates' output; a pattern that starts with "\n" is also 15 times faster to scan for).
_BREAK_RE = re.compile(r"\n\s+")


def compact_html(html: str) -> str:
    """``html`` with every line break and the white space after it, outside the kept elements,
    made a single line break."""
    out: list[str] = []
    pos = 0
    for m in _KEEP_RE.finditer(html):
        out.append(_BREAK_RE.sub("\n", html[pos:m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(_BREAK_RE.sub("\n", html[pos:]))
    return "".join(out)
