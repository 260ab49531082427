"""Fuzzing: generated notes thrown at the parser, the vault and ``kbsite check``, and a real build.

Properties: nothing raises or hangs; every diagnostic is one ``path:line: severity: message``
line naming one of the files, with 1 <= line <= the file's line count + 1; every file with an
error is named in an error; a note always has a non-blank title, a safe id and a valid status;
the build writes a page for every note.

By default (CI) each test runs a fixed, modest number of examples from a fixed seed, so this file
takes well under a minute. For a long local run (random seed, no deadline, 20,000 examples for the
parser and the vault, 200 builds), with the number of inputs tried printed at the end:

    KBSITE_FUZZ=long .venv/bin/python -m pytest tests/test_fuzz.py -s --hypothesis-show-statistics

``KBSITE_FUZZ_EXAMPLES=N`` sets every test's number of examples instead (use ``-k`` to pick a test).
``KBSITE_FUZZ_SLOW=1`` also makes huge lines of the shapes the body scanner is known to take
super-linear time on (see SUPERLINEAR_FILLS); expect deadline failures there until it is fixed.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import re
import signal
import tempfile
import threading
from datetime import timedelta
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from kbtest import build_kb, make_kb
from kbsite.cli import main
from kbsite.core.keys import is_safe_id
from kbsite.core.model import STATUSES, Severity
from kbsite.core.parse import KNOWN_FIELDS, NEAR_MISSES, decode, parse_note
from kbsite.core.vault import load_vault

LONG = os.environ.get("KBSITE_FUZZ") == "long"
_OVERRIDE = int(os.environ.get("KBSITE_FUZZ_EXAMPLES", "0") or 0)


def examples(default: int, long: int) -> int:
    return _OVERRIDE or (long if LONG else default)


# Two Hypothesis profiles, picked by KBSITE_FUZZ; only the number of examples differs per test.
# Registered, not loaded: the rest of the test suite keeps its own settings. No example
# database: nothing is written into the working tree.
_COMMON = dict(
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    print_blob=True,
)
settings.register_profile("kbsite-fuzz", derandomize=True, deadline=timedelta(seconds=5), **_COMMON)
settings.register_profile("kbsite-fuzz-long", derandomize=False, deadline=None, **_COMMON)
BASE = settings.get_profile("kbsite-fuzz-long" if LONG else "kbsite-fuzz")
HANG_SECONDS = 60  # one example taking this long is a hang, deadline or not

TRIED: collections.Counter[str] = collections.Counter()
# A failing example can be a 70 KB note: Hypothesis warns that its repr is large; not an error here.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")


@pytest.fixture(scope="module", autouse=True)
def _report_counts() -> Iterator[None]:
    yield
    mode = "long" if LONG else "default"
    print(f"\nfuzz ({mode} profile) inputs tried: " + ", ".join(f"{k}={v}" for k, v in sorted(TRIED.items())))


@contextlib.contextmanager
def no_hang(seconds: int = HANG_SECONDS) -> Iterator[None]:
    """Fail (instead of waiting forever) when one example runs longer than ``seconds``."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def _timeout(signum: int, frame: object) -> None:
        raise TimeoutError(f"one example ran longer than {seconds} s")

    old = signal.signal(signal.SIGALRM, _timeout)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# ---- Strategies ------------------------------------------------------------------------------

# Characters that have broken parsers before: bidi controls, combining marks, NUL and other
# controls, Unicode line breaks, BOM, full-width forms, and Markdown/YAML punctuation.
SPECIAL = ("\u200f\u200e\u202e\u2066\u2069\u0301\u0308\u0000\u0007\u001b\u0085\u2028\u2029\ufeff"
           "\t\x0b\x0c\u00a0\u3000ＬｏＲＡ低秩适配知识蒸馏🙂"
           "[]{}#|\\`$*&!%@:,-?>'\"~^<>/.")
char = st.one_of(st.sampled_from(SPECIAL), st.characters(codec="utf-8"))
text = st.text(alphabet=char, max_size=24)

NAMES = ["LoRA", "lora", "ＬｏＲＡ", "QLoRA", "微调", "参数高效微调", "peft", "topic-a", "Topic A", "a", "b",
         "sub", "index", "知识蒸馏"]
# Plain scalars YAML reads as something other than the string (numbers, booleans, null, dates),
# values the field rules care about, and escapes in double-quoted strings.
PLAIN = [
    "yes", "no", "on", "off", "true", "True", "FALSE", "null", "~", "", "0", "-1", "0x1F", "0o17", "017",
    "1_000", "1:30", "1.5e+3", ".inf", "-.nan", "2021", "1899", "9999", "2024-01-01", "2024-13-45",
    "2001-12-14t21:59:43.10-05:00", "todo", "draft", "done", "DONE", "finished", "topic", "paper",
    "https://arxiv.org/abs/2106.09685", "javascript:alert(1)", "../../etc/passwd", "/abs", "a b",
    "'[[LoRA]]'", "'[[]]'", "<script>alert(1)</script>", "$x^2$", "'`code`'", "a # comment", "a:b", "!!str 12",
    "!!binary aGVsbG8=", "!!set {a, b}", "!!omap [a: 1, b: 2]", "!!pairs [a: 1]", "!!timestamp 2024-01-01",
    "'it''s'", '"\\ud800"', '"\\x00"', '"\\e[31m"', '"\\u202e RTL"', '"a\\nb"', '"\\t x \\t"',
    '"\\U0001F600"', '"\\L\\P\\N\\_"', '"\\x85"', '"  "', "''",
]
# Scalars that make the YAML invalid or unsafe (in a "broken" front matter only).
BROKEN = [
    "- x", "? x", ": x", "a: b", "@x", "%x", "*alias", "&a x", "!!binary ???", "!!int x", "!!float y",
    "!!null x", "!!python/object/apply:os.system ['echo pwned']", "|", ">", "'unclosed", '"unclosed',
    "{", "[", "]", "}", ",", "\t", '"\\q"', '"\\u12"', "`", "[[LoRA]]", "#", "&a [x]\ny: *a", "[&b x, *b]",
    "!!timestamp soon", "!!timestamp [x]", "!!bool maybe", "!!binary [x]", "!!str {a: 1}", "!!omap x",
]


# What YAML refuses raw (it must be escaped in a double-quoted string), and line breaks.
_NOT_YAML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
_BREAKS_RE = re.compile("[\n\r\x85\u2028\u2029]")


def double_quoted(t: str) -> str:
    """``t`` as a YAML double-quoted string: JSON's escapes, plus \\x escapes for C1 controls."""
    return _NOT_YAML_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(t, ensure_ascii=False))


@st.composite
def scalar(draw: st.DrawFn, broken: bool = False) -> str:
    kind = draw(st.integers(0, 7))
    if kind <= 2:
        return draw(st.sampled_from(PLAIN + NAMES))
    if kind == 3:
        return draw(st.sampled_from(NAMES))
    t = draw(text)
    if kind == 4:
        return json.dumps(t, ensure_ascii=False) if broken else double_quoted(t)
    if kind == 5:
        if not broken:
            t = _BREAKS_RE.sub("", _NOT_YAML_RE.sub("", t))
        return "'" + t.replace("'", "''") + "'"
    if broken:  # bare: may well be invalid YAML, which is the point
        return draw(st.sampled_from(BROKEN)) if kind == 6 else t
    return double_quoted(draw(st.sampled_from(NAMES)) + t)


def indent(value: str, by: int) -> str:
    """A nested block value, indented under its parent."""
    return value.replace("\n", "\n" + " " * by)


@st.composite
def yaml_value(draw: st.DrawFn, broken: bool = False, depth: int = 0) -> str:
    kind = draw(st.integers(0, 9 if depth < 2 else 3))
    if kind <= 2:
        return draw(scalar(broken))
    if kind == 3:
        return "[" + ", ".join(draw(st.lists(scalar(broken), max_size=5))) + "]"
    if kind <= 5:  # block list, with null ("  -") items and nested lists and mappings
        items = draw(st.lists(st.one_of(scalar(broken), st.just(""), yaml_value(broken, depth + 1)), max_size=5))
        return "".join(f"\n  - {indent(i, 4)}".rstrip() for i in items) or "[]"
    if kind == 6:
        pairs = draw(st.lists(st.tuples(st.sampled_from(NAMES), scalar(broken)), max_size=3))
        return "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
    if kind == 7:
        pairs = draw(st.lists(st.tuples(st.sampled_from(NAMES), yaml_value(broken, depth + 1)), max_size=3))
        return "".join(f"\n  {k}: {indent(v, 2)}" for k, v in pairs) or "{}"
    if kind == 8:  # block scalar
        lines = draw(st.lists(text if broken else text.map(lambda t: _NOT_YAML_RE.sub("", t)),
                              min_size=1, max_size=3))
        return draw(st.sampled_from(["|", ">", "|-", ">+"])) + "".join(f"\n  {ln}" for ln in lines)
    # Deep nesting, past libyaml's depth limit (1000), with and without an anchor.
    n = draw(st.integers(1, 1500))
    return ("&a " if draw(st.booleans()) else "") + "[" * n + "x" + "]" * n


FIELDS = sorted(KNOWN_FIELDS) + sorted(NEAR_MISSES) + ["hide", "description", "search", "extra"]
ODD_KEYS = ["1", "true", "~", "2024-01-01", '"\\ud800"', '"k\\x1b\\n"', "'a: b'", '"LoRA"', "title ", "TITLE"]


@st.composite
def key(draw: st.DrawFn, broken: bool = False) -> str:
    kind = draw(st.integers(0, 9))
    if kind <= 7:
        return draw(st.sampled_from(FIELDS))
    if kind == 8 or not broken:
        return draw(st.sampled_from(ODD_KEYS))
    return draw(st.one_of(text, st.sampled_from(["? [a]", "- x", "<<", "[a]", "{a: 1}"])))


def rare(n: int) -> st.SearchStrategy[bool]:
    """True about once in ``n`` draws (and False when shrinking)."""
    return st.sampled_from([False] * (n - 1) + [True])


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    broken = draw(rare(4))  # most front matter is valid YAML, so the field rules are reached
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        if broken and draw(rare(4)):
            lines.append(draw(text))  # a stray line
        else:
            sep = draw(st.sampled_from([": ", ":\t", " : ", ":"] if broken else [": "]))
            lines.append(f"{draw(key(broken))}{sep}{draw(yaml_value(broken))}")
    if draw(rare(30)):
        lines.append("title: " + "x" * 70_000)  # over the 64 KB limit
    close = draw(st.sampled_from(["---", "---", "---", "...", "--- ", ""] if broken else ["---", "...", "--- "]))
    return "---\n" + "\n".join(lines) + ("\n" + close if close else "") + "\n"


BODY_BITS = [
    "[[]]", "[[ ]]", "[[|标签]]", "[[#]]", "[[#小节]]", "[[#h|l]]", "[[\\|x]]", "[[[[", "]]]]", "[[[[LoRA]]]]",
    "[[LoRA|]]", "[[LoRA#]]", "[[a|b|c]]", "`[[LoRA]]`", "``[[x]]``", "`", "```", "~~~", "$", "$$", "$x$",
    "$$\\frac{a}{b}$$", "\\$5", "- [ ] 任务", "- [x] 完成", "* [X] done", "TODO", "待补充", "待修",
    "| a | [[LoRA|b]] |",
    "| --- | --- |", "[文字](other.md#小节)", "[x](../a.md)", "![图](img/x.png)", "<div>", "<!--", "-->",
    "<script>alert(1)</script>", "{#id}", "# ", "#", "######## x", "> 引用", "1. 项", "    缩进代码", "\\",
    "&amp;", "&#0;", "\u202e", "\u0000",
]


@st.composite
def body_line(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 11))
    if kind <= 3:
        return draw(st.sampled_from(BODY_BITS))
    if kind == 4:
        return draw(st.sampled_from(["# ", "## ", "### "])) + draw(text)
    if kind == 5:
        return f"[[{draw(st.sampled_from(NAMES))}{draw(st.sampled_from(['', '#方法', '|看这里', '#h|l']))}]]"
    if kind == 6:
        return f"[[{draw(text)}]]"
    if kind == 7:  # a huge line: a long run of one thing between two bits
        pre, fill, post = (draw(st.sampled_from(BODY_BITS)), draw(st.sampled_from(FILLS)),
                           draw(st.sampled_from(BODY_BITS)))
        slow = fill in SUPERLINEAR_FILLS or (pre.startswith("#") and not fill.strip())
        n = draw(st.integers(100, SLOW_RUN if slow and not SLOW else HUGE // len(fill)))
        return pre + fill * n + post
    return "".join(draw(st.lists(st.one_of(text, st.sampled_from(BODY_BITS)), max_size=6)))


FILLS = [" ", "\t", "x", "中", ".", "|", "$", "*", "#", "]", "_", "\\", "<", "{", "- ", "> ", "a. ",
         "[", "[[", "[[a]]", "[a](", "`", "TODO ", "待补充"]
# The longest huge line, in characters (front matter has its own 64 KB limit).
HUGE = 70_000 if LONG else 20_000
# Runs the body scanner (core/wikilinks.py) takes super-linear time on, reported to its owner:
# many links or markers on one line (a snippet each, over the whole line), runs of '[' or '`'
# (regex backtracking), and a long space run inside a heading. Kept short unless KBSITE_FUZZ_SLOW=1.
SUPERLINEAR_FILLS = {"[", "[[", "[[a]]", "[a](", "`", "TODO ", "待补充"}
SLOW = os.environ.get("KBSITE_FUZZ_SLOW") == "1"
SLOW_RUN = 200


@st.composite
def note_bytes(draw: st.DrawFn) -> bytes:
    """A whole note file: maybe front matter, a body, then byte-level damage."""
    fm = "" if draw(rare(5)) else draw(front_matter())
    body = "\n".join(draw(st.lists(body_line(), max_size=12)))
    raw = (fm + body).encode("utf-8")
    newline = draw(st.sampled_from([b"\n", b"\n", b"\r\n", b"\r"]))
    if newline != b"\n":
        raw = raw.replace(b"\n", newline)
    for _ in range(draw(st.integers(1, 2)) if draw(rare(6)) else 0):
        at = draw(st.integers(0, len(raw)))
        bad = draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x00", b"\r"]))
        raw = raw[:at] + bad + raw[at:]
    if draw(rare(8)):
        raw = b"\xef\xbb\xbf" + raw
    return raw


PATHS = ["a.md", "b.md", "LoRA.md", "sub/c.md", "sub/深层/d.md", "Lo Ra.md", "topics/e.md", "知识蒸馏.md"]

# ---- Properties --------------------------------------------------------------------------------

DIAG_RE = re.compile(r"(?P<path>[^\n]+?):(?P<line>\d+): (?P<sev>error|warning|info): (?P<msg>[^\n]+)")


_GIST_RE = re.compile(r"(?:'[^']*'|\"[^\"]*\"|\d+|:.*)")


def line_count(raw: bytes) -> int:
    return decode(raw)[0].count("\n") + 1


def check_diagnostic(line: str, files: dict[str, int]) -> re.Match[str]:
    """``line`` is one ``path:line: severity: message`` naming one of ``files`` (src path -> lines)."""
    m = DIAG_RE.fullmatch(line)
    assert m, f"not a path:line: severity: message line: {line!r}"
    assert m["path"] in files, f"diagnostic for an unknown file: {line!r}"
    assert 1 <= int(m["line"]) <= files[m["path"]] + 1, f"line out of range: {line!r}"
    line.encode("utf-8")  # printable: no lone surrogates
    return m


def check_note(path: str, raw: bytes):  # type: ignore[no-untyped-def]
    with no_hang():
        note, diags = parse_note(path, raw)
    nlines = line_count(raw)
    files = {f"notes/{path}": nlines}
    for d in diags:  # what was found, for --hypothesis-show-statistics
        event(f"{d.severity}: {d.code or _GIST_RE.sub('', d.message)[:40]}")
        assert d.path == f"notes/{path}"
        m = check_diagnostic(str(d), files)
        assert m["sev"] == d.severity.value and m["msg"] == d.message
    assert note.title.strip(), note
    assert is_safe_id(note.id), note
    assert note.status in STATUSES, note
    assert note.valid == (not any(d.severity is Severity.ERROR for d in diags))
    for value in (note.title, note.type or "", note.venue or "", note.url or "", note.parent or "",
                  *note.aliases, *note.topics, *note.tags, *note.authors, *note.related):
        assert "\n" not in value and value == value.strip(), (value, note)
        value.encode("utf-8")  # pages and the search index are written as UTF-8
    json.dumps(note.extra, ensure_ascii=False, default=repr).encode("utf-8")  # no lone surrogates
    for item in (*note.links, *note.headings, *note.tasks, *note.markers):
        assert 1 <= item.line <= nlines, item
    return note, diags


# ---- 1. One note through the parser --------------------------------------------------------------


@settings(BASE, max_examples=examples(1000, 20_000))
@given(raw=note_bytes())
@example(raw=b"---\ntitle: 123\naliases: LoRA\ntags: [a, , b]\n---\n[[]] [[|x]] [[#]]\n")
@example(raw=b"---\ntags:\n  -\n  - {a: 1}\n  - [b]\n---\n")
@example(raw='---\ntitle: "\\ud800" # &\n---\n'.encode())
@example(raw=b"\xef\xbb\xbf---\r\ntitle: x\r\n---\r\n# h\r\n")
@example(raw=b"---\ntitle: ok\nvenue: a\x01b\n---\n")
@example(raw=("---\n" + "a: " + "[" * 1200 + "&x" + "]" * 1200 + "\n---\n").encode())
@example(raw=("text\n" + " " * 100_000 + "x\n").encode())
def test_parse_note_never_fails(raw: bytes) -> None:
    TRIED["parse_note"] += 1
    check_note("sub/a note.md", raw)


# ---- 2. A folder of notes through the vault and ``kbsite check`` ------------------------------------

@settings(BASE, max_examples=examples(100, 20_000))
@given(notes=st.dictionaries(st.sampled_from(PATHS), note_bytes(), min_size=1, max_size=5))
@example(notes={  # a parent cycle, a shared id and alias, an empty link and a link by alias
    "a.md": b"---\nid: x\ntype: topic\nparent: y\n---\n",
    "b.md": b"---\nid: y\ntype: topic\nparent: x\naliases: [x, LoRA]\n---\n[[]] [[x]]\n",
    "sub/c.md": b"---\nid: y\naliases: LoRA\ntopics: [x]\n---\n[[LoRA#nowhere]]\n",
})
def test_vault_and_check_never_fail(notes: dict[str, bytes]) -> None:
    TRIED["vault+check"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        root = make_kb(Path(tmp), {f"notes/{rel}": raw for rel, raw in notes.items()})
        files = {f"notes/{rel}": line_count(raw) for rel, raw in notes.items()}
        with_errors = {f"notes/{rel}" for rel, raw in notes.items()
                       if any(d.severity is Severity.ERROR for d in check_note(rel, raw)[1])}

        with no_hang():
            vault = load_vault(root / "notes")
        assert sorted(n.path for n in vault.notes) == sorted(notes)
        for d in vault.diagnostics:
            check_diagnostic(str(d), files)
        assert with_errors <= {d.path for d in vault.errors()}
        for note in vault.notes:
            assert note.title.strip() and note.status in STATUSES

        with no_hang():
            result = CliRunner().invoke(main, ["check", "--config", str(root / "mkdocs.yml")])
        assert isinstance(result.exception, (SystemExit, type(None))), result.output
        assert "Traceback" not in result.output
        lines = result.output.split("\n")
        assert lines[-1] == "" and lines[-2], result.output  # the summary, then the final newline
        named_errors = set()
        for line in lines[:-2]:
            m = check_diagnostic(line, files)
            if m["sev"] == "error":
                named_errors.add(m["path"])
        assert named_errors == {d.path for d in vault.errors()}
        assert with_errors <= named_errors
        assert result.exit_code == (1 if named_errors else 0), result.output


# ---- 3. A few notes through a real ``mkdocs build`` ------------------------------------------------


@settings(BASE, max_examples=examples(8, 200), deadline=None if LONG else timedelta(seconds=60))
@given(notes=st.dictionaries(st.sampled_from(PATHS), note_bytes(), min_size=1, max_size=4))
def test_build_writes_a_page_for_every_note(notes: dict[str, bytes]) -> None:
    TRIED["mkdocs build"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        root = make_kb(Path(tmp), {f"notes/{rel}": raw for rel, raw in notes.items()})
        with no_hang(HANG_SECONDS * 2):
            result = build_kb(root)
        for rel in notes:
            page = result.site / "notes" / rel[: -len(".md")] / "index.html"
            assert page.is_file(), (rel, sorted(p.relative_to(result.site).as_posix()
                                                for p in (result.site / "notes").rglob("*.html")))
            page.read_text(encoding="utf-8")
