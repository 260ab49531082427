"""Formulas are MathML written at build time, trimmed to what HTML needs: no ``xmlns`` (the HTML
parser puts ``<math>`` in the MathML namespace itself) and ``\\mathrm{softmax}`` as one ``<mi>``
instead of seven one-letter ones. Chromium must still lay them out as math, the word upright."""

from __future__ import annotations

import pytest

from kbtest import build_kb, make_kb

pytestmark = pytest.mark.browser

NOTE = r"""---
title: 注意力公式
---
行内 $\mathrm{softmax}(x_i)$ 和 $x$，以及一个块：

$$
\mathrm{Attention}(Q,K,V)=\mathrm{softmax}\left(\frac{QK^T}{\sqrt{d_k}}\right)V
$$
"""

MATHML = "http://www.w3.org/1998/Math/MathML"


def test_trimmed_mathml_lays_out_as_math(tmp_path, page, serve_dir) -> None:  # type: ignore[no-untyped-def]
    make_kb(tmp_path, {"notes/formula.md": NOTE})
    build_kb(tmp_path)
    html = (tmp_path / "site/notes/formula/index.html").read_text("utf-8")
    assert "xmlns=\"http://www.w3.org/1998/Math/MathML\"" not in html
    assert "<mi>softmax</mi>" in html and "<mi>Attention</mi>" in html
    page.goto(serve_dir(tmp_path / "site") + "notes/formula/")
    state = page.evaluate("""() => {
      const MATHML = "http://www.w3.org/1998/Math/MathML";
      const word = Array.from(document.querySelectorAll('.md-content mi')).find(e => e.textContent === 'softmax');
      // The same word as one <mi> per letter, as latex2mathml wrote it (upright), and italic.
      const letters = (variant) => {
        const m = document.createElementNS(MATHML, 'math');
        for (const ch of 'softmax') {
          const mi = document.createElementNS(MATHML, 'mi');
          if (variant) mi.setAttribute('mathvariant', variant);
          mi.textContent = ch;
          m.appendChild(mi);
        }
        word.closest('p').appendChild(m);
        return m.getBoundingClientRect().width;
      };
      const maths = Array.from(document.querySelectorAll('.md-content math'));
      return {
        spaces: maths.map(m => m.namespaceURI),
        display: maths.map(m => m.getAttribute('display')),
        word: [word.namespaceURI, word.getBoundingClientRect().width],
        upright: letters('normal'), italic: letters(''),
        fracHeight: document.querySelector('.md-content mfrac').getBoundingClientRect().height,
        line: parseFloat(getComputedStyle(document.querySelector('.md-content p')).lineHeight),
      };
    }""")
    assert state["spaces"] == [MATHML, MATHML, MATHML], state
    assert state["display"] == ["inline", "inline", "block"]
    ns, width = state["word"]
    # One upright word as wide as the seven upright letters it replaces; italic ones differ, so
    # the comparison can tell.
    assert ns == MATHML and width > 20 and abs(width - state["upright"]) < 1, state
    assert abs(width - state["italic"]) >= 1, state
    # The fraction is stacked: taller than a line of text.
    assert state["fracHeight"] > state["line"], state
