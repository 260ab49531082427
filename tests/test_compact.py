"""compact_html: template indentation goes; white space that is content stays."""

from __future__ import annotations

from kbsite.plugin.compact import compact_html


def test_indentation_runs_become_one_break() -> None:
    html = '<div>\n    <p>a  b</p>\n\n      <span>x</span> <span>y</span>\n</div>'
    assert compact_html(html) == '<div>\n<p>a  b</p>\n<span>x</span> <span>y</span>\n</div>'


def test_preformatted_and_raw_text_elements_are_kept() -> None:
    kept = ('<pre><code>def f():\n    return 1\n\n\n</code></pre>', '<textarea>\n  a\n</textarea>',
            '<code>x\n   y</code>', '<script>var s = "a\\\n   b";\n  f()</script>', '<STYLE>\n  a { }\n</STYLE>')
    for block in kept:
        assert compact_html(f"<div>\n  {block}\n  </div>") == f"<div>\n{block}\n</div>"


def test_nothing_to_do() -> None:
    assert compact_html("") == ""
    assert compact_html("<p>一行</p>") == "<p>一行</p>"
