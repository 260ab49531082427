"""plugin: LaTeX → MathML at build time, so pages show math without fetching any script.

latex2mathml copies ``\\text{...}`` verbatim into the output, so its MathML goes through the
page sanitiser's MathML allow-list (nh3): only MathML elements and attributes survive, all text
is escaped.
"""

from __future__ import annotations

import html
import logging
import re

from latex2mathml.converter import convert

from kbsite.plugin.sanitize import sanitize_mathml

log = logging.getLogger("mkdocs.plugins.kbsite")
_TEXT_RE = re.compile(r"\\(?:text|mathrm|operatorname)\{[^{}]*\}")
# \mathrm{softmax} comes out as one upright <mi> per letter; a multi-letter <mi> is upright by
# default (MathML Core), so a run of them is one <mi>: a sixth of the bytes, the same drawing.
_UPRIGHT_RUN_RE = re.compile(r'(?:<mi mathvariant="normal">[^<&]</mi>){2,}')
_UPRIGHT_LETTER_RE = re.compile(r'<mi mathvariant="normal">([^<&])</mi>')
# HTML puts <math> in the MathML namespace by itself; the attribute is 43 bytes a formula.
_XMLNS = ' xmlns="http://www.w3.org/1998/Math/MathML"'


def render_math(tex: str, display: bool) -> str:
    """One formula as safe MathML; on a conversion error, the TeX source as escaped code."""
    # latex2mathml copies \text{...} verbatim into its XML: an escaped underscore there would show
    # its backslash, and a "<" would start a tag.
    source = _TEXT_RE.sub(lambda m: html.escape(m.group(0).replace("\\_", "_"), quote=False), tex)
    try:
        mathml = convert(source, display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises many exception types on bad TeX
        log.debug("kbsite: cannot convert TeX %r: %s", tex, exc)
        return f'<code class="kb-math-error" title="公式无法解析">{html.escape(tex)}</code>'
    # Hack: latex2mathml emits a bare "&" for alignment tabs inside aligned/matrix environments.
    # The TeX as the formula's alternative text: screen readers read it, and search indexes it
    # (a snippet would otherwise have a gap where the formula was).
    mathml = mathml.replace("<mi>&</mi>", "").replace(_XMLNS, "", 1).replace(
        "<math", f'<math alttext="{html.escape(tex.strip(), quote=True)}"', 1)
    mathml = _UPRIGHT_RUN_RE.sub(lambda m: "<mi>" + "".join(_UPRIGHT_LETTER_RE.findall(m.group(0))) + "</mi>",
                                 mathml)
    return sanitize_mathml(mathml)
