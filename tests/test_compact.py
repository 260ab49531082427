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


def test_config_json_keeps_meaning_and_html_safety() -> None:
    import json

    config = {"translations": {"search.result.none": "没有找到", "x": "a\\u4e00 </script> <b>&'", "e": "😀\u2028"},
              "search": "assets/w.js"}
    raw = json.dumps(config)  # ascii-escaped, as Material writes it; then the HTML escapes Jinja's tojson adds
    raw = raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("'", "\\u0027")
    page = f'<body>\n  <script id="__config" type="application/json">{raw}</script>\n</body>'
    out = compact_html(page)
    body = out[out.index('json">') + 6:out.index("</script>")]
    assert json.loads(body) == config
    assert "没有找到" in body and "\\u4e00" in body  # the escaped backslash + u4e00 of the value stays text
    assert "<" not in body and ">" not in body and "&" not in body and "'" not in body
    assert "\\u2028" in body and "\\ud83d\\ude00" in body
    assert len(out.encode()) < len(page.encode())
