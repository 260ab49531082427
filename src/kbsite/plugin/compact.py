"""plugin: drop the template indentation from a rendered page.

Material's templates indent every line, and that indentation is written into every page (about
2.5 KB of a 38 KB note page). A run of white space that holds a line break renders exactly like a
single line break wherever white space collapses, so each break and the indentation after it
becomes one ``\\n``. Elements where white space is content (``pre``, ``textarea``, ``code`` --
Material prints code ``pre-wrap`` -- and the raw text of ``script`` and ``style``) are copied
as they are.

Material's ``__config`` (theme strings, no note data) is JSON with every non-ASCII character as a
``\\uXXXX`` escape: six bytes for a CJK character that UTF-8 writes in three, about 230 bytes a
page in Chinese. :func:`compact_html` writes those characters as they are; the escapes of ``<``,
``>``, ``&``, ``'`` (what keeps the script element closed) and of U+2028/9 stay.
"""

from __future__ import annotations

import re

_KEEP_RE = re.compile(r"<(pre|textarea|code|script|style)\b.*?</\1\s*>", re.S | re.I)
# A line break and the white space after it (white space before a break is rare in the
# templates' output; a pattern that starts with "\n" is also 15 times faster to scan for).
_BREAK_RE = re.compile(r"\n\s+")
_CONFIG_RE = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)
_ESCAPE_RE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|.)")


def _char(m: re.Match[str]) -> str:
    code = int(m.group(1), 16) if m.group(1) else 0
    # Below 0x80 stays escaped (<, >, & ...); so do surrogates (a pair would need joining) and the
    # line/paragraph separators.
    if code < 0x80 or 0xD800 <= code <= 0xDFFF or code in (0x2028, 0x2029):
        return m.group(0)
    return chr(code)


def unescape_json(text: str) -> str:
    """JSON text with its ``\\uXXXX`` escapes of characters from U+0080 up as the characters."""
    return _ESCAPE_RE.sub(_char, text) if "\\u" in text else text


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
    page = "".join(out)
    m = _CONFIG_RE.search(page)
    if m:
        page = page[:m.start(2)] + unescape_json(m.group(2)) + page[m.end(2):]
    return page
