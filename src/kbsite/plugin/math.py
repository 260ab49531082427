"""plugin: LaTeX → MathML at build time, so pages show math without fetching any script.

latex2mathml copies ``\\text{...}`` verbatim into the output, so its MathML is re-serialised
through an allow-list: only MathML elements and attributes survive, all text is escaped.
"""

from __future__ import annotations

import html
import logging
import re
from html.parser import HTMLParser

from latex2mathml.converter import convert

log = logging.getLogger("mkdocs.plugins.kbsite")
_TEXT_RE = re.compile(r"\\(?:text|mathrm|operatorname)\{[^{}]*\}")

MATHML_TAGS = frozenset(
    "math mrow mi mn mo ms mtext mspace msub msup msubsup mfrac msqrt mroot mover munder "
    "munderover mtable mtr mtd mstyle mpadded mphantom menclose merror semantics annotation "
    "mmultiscripts mprescripts none mfenced".split()
)
MATHML_ATTRS = frozenset(
    "xmlns display mathvariant stretchy fence separator lspace rspace linebreak width height depth "
    "columnalign rowalign rowspacing columnspacing columnlines rowlines frame accent accentunder "
    "minsize maxsize movablelimits symmetric form displaystyle scriptlevel notation open close "
    "separators largeop equalrows equalcolumns align encoding".split()
)


class _Sanitizer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in MATHML_TAGS:
            kept = "".join(f' {k}="{html.escape(v or "", quote=True)}"' for k, v in attrs if k in MATHML_ATTRS)
            self.out.append(f"<{tag}{kept}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in MATHML_TAGS:
            kept = "".join(f' {k}="{html.escape(v or "", quote=True)}"' for k, v in attrs if k in MATHML_ATTRS)
            self.out.append(f"<{tag}{kept}/>")

    def handle_endtag(self, tag: str) -> None:
        if tag in MATHML_TAGS:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data, quote=False))


def sanitize_mathml(markup: str) -> str:
    """Keep only MathML elements and attributes; escape every text node."""
    parser = _Sanitizer()
    parser.feed(markup)
    parser.close()
    return "".join(parser.out)


def render_math(tex: str, display: bool) -> str:
    """One formula as safe MathML; on a conversion error, the TeX source as escaped code."""
    # latex2mathml copies \text{...} verbatim, so an escaped underscore there would show its backslash.
    tex = _TEXT_RE.sub(lambda m: m.group(0).replace("\\_", "_"), tex)
    try:
        mathml = convert(tex, display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises many exception types on bad TeX
        log.debug("kbsite: cannot convert TeX %r: %s", tex, exc)
        return f'<code class="kb-math-error" title="公式无法解析">{html.escape(tex)}</code>'
    # Hack: latex2mathml emits a bare "&" for alignment tabs inside aligned/matrix environments.
    safe = sanitize_mathml(mathml.replace("<mi>&</mi>", ""))
    # The TeX as the formula's alternative text: screen readers read it, and search indexes it
    # (a snippet would otherwise have a gap where the formula was).
    return safe.replace("<math", f'<math alttext="{html.escape(tex.strip(), quote=True)}"', 1)
