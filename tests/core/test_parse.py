"""core: parsing, defaults, field types, safety of the YAML loader."""

from __future__ import annotations

import time

import pytest
import yaml

from kbsite.core import frontmatter
from kbsite.core.keys import is_safe_id, normalize_key, safe_slug
from kbsite.core.model import Severity
from kbsite.core.parse import parse_note


def parse(text: str | bytes, path: str = "a.md"):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return parse_note(path, raw)


@pytest.mark.parametrize(("a", "b"), [
    ("ＬｏＲＡ", "lora"),
    ("LoRA", "lora"),
    ("  KV   Cache ", "kv cache"),
    ("知识蒸馏", "知识蒸馏"),
    ("ＫＶ缓存", "kv缓存"),
])
def test_normalize_key_nfkc_casefold(a: str, b: str) -> None:
    assert normalize_key(a) == b


@pytest.mark.parametrize(("value", "ok"), [
    ("lora", True), ("paper-dpo-2023", True), ("知识蒸馏", True), ("a_b.c", True),
    ("../etc", False), ("a/b", False), ("/abs", False), ("..", False), ("a b", False),
    ("", False), (".hidden", False), ("a\\b", False),
])
def test_safe_id(value: str, ok: bool) -> None:
    assert is_safe_id(value) is ok


@pytest.mark.parametrize("name", ["../../etc/passwd", "a/b", "..", "/", "<script>", "  ", "index"])
def test_safe_slug_never_escapes(name: str) -> None:
    slug = safe_slug(name)
    assert slug and "/" not in slug and "\\" not in slug and ".." not in slug and "<" not in slug


def test_full_front_matter() -> None:
    note, diags = parse("""---
id: lora
title: LoRA
type: technique
aliases: [Low-Rank Adaptation, 低秩适配]
topics: [peft]
tags: [微调]
status: done
year: 2021
venue: ICLR
authors: [Edward Hu, et al.]
url: https://arxiv.org/abs/2106.09685
related: [qlora]
---
# LoRA

正文。
""")
    assert diags == []
    assert (note.id, note.title, note.type, note.status) == ("lora", "LoRA", "technique", "done")
    assert note.aliases == ("Low-Rank Adaptation", "低秩适配")
    assert note.year == 2021 and note.venue == "ICLR" and note.authors == ("Edward Hu", "et al.")
    assert note.safe_url == "https://arxiv.org/abs/2106.09685"
    assert note.body_line == 15
    assert note.headings[0].text == "LoRA" and note.headings[0].line == 15


def test_defaults_without_front_matter() -> None:
    note, diags = parse("# 知识蒸馏\n\n" + "教师模型的软标签训练学生。" * 30, path="sub/Knowledge Distill.md")
    assert diags == []
    assert note.title == "知识蒸馏"
    assert note.id == "knowledge-distill"
    assert note.status == "done" and note.status_inferred
    assert not note.has_front_matter


def test_title_falls_back_to_file_name() -> None:
    note, _ = parse("just text", path="x/My Note.md")
    assert note.title == "My Note"


@pytest.mark.parametrize(("body", "status"), [
    ("", "todo"),
    ("# 标题\n\ntodo\n", "todo"),
    ("# 标题\n\n一点点内容。\n", "draft"),
    ("# 标题\n\n" + "很长的内容。" * 60 + "\n- [ ] 还要补实验\n", "draft"),
    ("# 标题\n\n" + "很长的内容。" * 60 + "\n待补充：实验\n", "draft"),
    ("# 标题\n\n" + "很长的内容。" * 60 + "\n- [x] 已完成\n", "done"),
])
def test_inferred_status(body: str, status: str) -> None:
    note, _ = parse(body)
    assert note.status == status and note.status_inferred


def test_bom_and_crlf() -> None:
    note, diags = parse("\ufeff---\r\ntitle: 标题\r\n---\r\n# 标题\r\n\r\n[[b]]\r\n".encode("utf-8"))
    assert diags == []
    assert note.title == "标题"
    assert note.links[0].target == "b" and note.links[0].line == 6


def test_invalid_utf8_is_an_error_with_its_line() -> None:
    note, diags = parse(b"---\ntitle: ok\n---\nline four\nbad \xff byte\n")
    assert [(d.line, d.severity) for d in diags] == [(5, Severity.ERROR)]
    assert "UTF-8" in diags[0].message
    assert note.title == "ok"


@pytest.mark.parametrize(("text", "line", "fragment"), [
    ("---\ntitle: [unclosed\n---\n", 3, "not valid YAML"),
    ("---\n- a\n- b\n---\n", 2, "not a mapping"),
    ("---\ntitle: ok\n", 1, "no closing"),
    ("---\ntitle: ok\ntags: {a: 1}\n---\n", 3, "'tags' must be a list"),
    ("---\ntitle: [a, b]\n---\n", 2, "'title' must be a string"),
    ("---\nstatus: finished\n---\n", 2, "unknown status"),
    ("---\nyear: soon\n---\n", 2, "'year' must be an integer"),
    ("---\nid: ../../etc/passwd\n---\n", 2, "not a safe slug"),
    ("---\nid: /abs\n---\n", 2, "not a safe slug"),
])
def test_errors_name_the_line(text: str, line: int, fragment: str) -> None:
    _, diags = parse(text)
    errors = [d for d in diags if d.severity is Severity.ERROR]
    assert errors, diags
    assert errors[0].line == line and fragment in errors[0].message, errors[0]
    assert str(errors[0]).startswith(f"notes/a.md:{line}: error: ")


def test_unsafe_id_falls_back_to_file_name() -> None:
    note, _ = parse("---\nid: ../x\n---\n", path="dir/good-name.md")
    assert note.id == "good-name"


def lines_of(diags) -> list[str]:
    return [str(d) for d in diags]


def test_scalars_are_read_as_written_and_told() -> None:
    note, diags = parse("---\naliases: [2017, NO, yes, on]\ntags: 单个标签\ntitle: 2024\n---\n")
    assert lines_of(diags) == [
        'notes/a.md:2: warning: \'aliases\' item 1 is a number; read as "2017"',
        'notes/a.md:4: warning: \'title\' is a number; read as "2024"',
    ]
    assert [d.code for d in diags] == ["coerced"] * 2
    assert note.aliases == ("2017", "NO", "yes", "on")
    assert note.tags == ("单个标签",)
    assert note.title == "2024"
    assert note.valid


@pytest.mark.parametrize(("field_line", "message", "field", "value"), [
    ("title: 123", "'title' is a number; read as \"123\"", "title", "123"),
    # The text as written, not YAML's reading (16, 90, 7, 1500.0, "true"):
    ("title: 0x10", "'title' is a number; read as \"0x10\"", "title", "0x10"),
    ("title: 1:30", "'title' is a number; read as \"1:30\"", "title", "1:30"),
    ("venue: 1.5e+3", "'venue' is a number; read as \"1.5e+3\"", "venue", "1.5e+3"),
    ("title: True", "'title' is a YAML boolean; read as the text \"True\" (quote it: title: \"True\")",
     "title", "True"),
    ("title: 2024-01-02", "'title' is a date; read as \"2024-01-02\"", "title", "2024-01-02"),
    ("id: 42", "'id' is a number; read as \"42\"", "id", "42"),
])
def test_non_string_scalar_in_a_string_field_is_told(field_line: str, message: str, field: str,
                                                      value: str) -> None:
    note, diags = parse(f"---\n{field_line}\n---\n")
    assert lines_of(diags) == [f"notes/a.md:2: warning: {message}"]
    assert diags[0].code == "coerced"
    assert getattr(note, field) == value


@pytest.mark.parametrize(("field_line", "message", "field", "value"), [
    ("tags: true",
     "'tags' is a YAML boolean; read as one tag \"true\" (write a list: [\"true\"])", "tags", ("true",)),
    ("topics: 2017",
     "'topics' is a number; read as one topic \"2017\" (write a list: [\"2017\"])", "topics", ("2017",)),
    ("authors: Edward Hu, Yelong Shen",  # one author: the hint shows the list that reads back as it
     "'authors' is a string; read as one author \"Edward Hu, Yelong Shen\" "
     "(write a list: [\"Edward Hu, Yelong Shen\"])", "authors", ("Edward Hu, Yelong Shen",)),
    ("related: qlora",
     "'related' is a string; read as one related note \"qlora\" (write a list: [qlora])", "related", ("qlora",)),
])
def test_scalar_in_a_list_field_is_one_item_and_told(field_line: str, message: str, field: str,
                                                      value: tuple[str, ...]) -> None:
    note, diags = parse(f"---\ntitle: T\n{field_line}\n---\n")
    assert lines_of(diags) == [f"notes/a.md:3: warning: {message}"]
    assert diags[0].code == "coerced"
    assert getattr(note, field) == value


def test_bad_list_items_are_named_and_skipped() -> None:
    note, diags = parse("---\ntitle: T\ntags:\n  - 微调\n  -\n  - \"\"\n  - {x: 1}\n  - [嵌套]\n"
                        "  - LoRA: 低秩\n  - 量化\n---\n正文\n")
    assert lines_of(diags) == [
        "notes/a.md:5: warning: 'tags' item 2 is empty; skipped",
        "notes/a.md:6: warning: 'tags' item 3 is empty; skipped",
        "notes/a.md:7: warning: 'tags' item 4 is a mapping, not a string; skipped (quote an item that holds ': ')",
        "notes/a.md:8: warning: 'tags' item 5 is a list, not a string; skipped",
        "notes/a.md:9: warning: 'tags' item 6 is a mapping, not a string; skipped (quote an item that holds ': ')",
    ]
    assert [d.code for d in diags] == ["bad-item"] * 5
    assert note.tags == ("微调", "量化")
    assert note.valid  # warnings only: the rest of the list is kept


def test_flow_list_items_are_numbered_on_their_line() -> None:
    note, diags = parse("---\naliases: [LoRA, null, true]\n---\n")
    assert lines_of(diags) == [
        "notes/a.md:2: warning: 'aliases' item 2 is empty; skipped",
        'notes/a.md:2: warning: \'aliases\' item 3 is a YAML boolean; read as the text "true" (quote it: "true")',
    ]
    assert note.aliases == ("LoRA", "true")


def test_multi_line_and_control_characters_are_made_one_line() -> None:
    note, diags = parse('---\ntitle: |\n  第一行\n  第二行\naliases: ["a\\x00b", "\\e[31m红"]\n---\n')
    assert lines_of(diags) == [
        'notes/a.md:2: warning: \'title\' has a line break; read as one line "第一行 第二行"',
        "notes/a.md:5: warning: 'aliases' item 1 contains U+0000 (a control character); shown as \ufffd",
        "notes/a.md:5: warning: 'aliases' item 2 contains U+001B (a control character); shown as \ufffd",
    ]
    assert [d.code for d in diags] == ["coerced", "bad-char", "bad-char"]
    assert note.title == "第一行 第二行"
    assert note.aliases == ("a\ufffdb", "\ufffd[31m红")


def test_lone_surrogates_are_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    # libyaml refuses "\ud800"; PyYAML's pure-Python loader (used without libyaml) reads it.
    class PurePython(yaml.SafeLoader):
        pass

    frontmatter._yaml12_bools(PurePython)
    monkeypatch.setattr(frontmatter, "_Loader", PurePython)
    note, diags = parse('---\ntitle: "A\\ud800"\ndescription: "\\udfff"\n"\\ud800": 1\n---\n')
    assert lines_of(diags) == [
        "notes/a.md:2: warning: 'title' contains U+D800 (a lone surrogate); shown as \ufffd",
        "notes/a.md:3: warning: 'description' contains U+DFFF (a lone surrogate); shown as \ufffd",
    ]
    assert note.title == "A\ufffd" and note.extra == {"description": "\ufffd", "\ufffd": 1}
    assert all(str(d).encode("utf-8") for d in diags)


def test_anchors_and_stars_without_aliases_load() -> None:
    # A guard for the alias check (events parsed first), not a change: these always loaded.
    note, diags = parse("---\ntitle: a*b\nvenue: &v NeurIPS\naliases: [x*, '*y']\n---\n")
    assert diags == []
    assert (note.title, note.venue, note.aliases) == ("a*b", "NeurIPS", ("x*", "*y"))


def test_deep_nesting_is_a_clear_error() -> None:
    _, diags = parse("---\ntitle: t &a\nx: " + "[" * 1200 + "]" * 1200 + "\n---\n")
    assert lines_of(diags) == ["notes/a.md:3: error: front matter is not valid YAML: exceeded maximum nesting depth"]


def test_messages_are_one_printable_line() -> None:
    _, diags = parse('---\n"k\\x1b\\n": 1\n"k\\x1b\\n": 2\n---\n')
    assert lines_of(diags) == [
        "notes/a.md:3: warning: front-matter key 'k\\x1b\\n' appears more than once; the last value is used",
    ]


def test_yaml_control_character_error_is_one_line_with_its_line() -> None:
    _, diags = parse("---\ntitle: 中文的标题\nvenue: a\x01b\n---\n")  # libyaml counts bytes: not the line
    assert lines_of(diags) == [
        "notes/a.md:3: error: front matter is not valid YAML: the character U+0001 is not allowed "
        "(write it as an escape in a double-quoted string)",
    ]


def test_control_character_with_a_star_is_an_error_not_a_crash() -> None:
    # Found by tests/test_fuzz.py: the pure-Python reader raised before the error handling.
    note, diags = parse("---\ntitle: ok\n\x1f\naliases: [*]\n---\n正文\n")
    assert lines_of(diags) == [
        "notes/a.md:3: error: front matter is not valid YAML: the character U+001F is not allowed "
        "(write it as an escape in a double-quoted string)",
    ]
    assert not note.valid and note.body == "正文\n"


@pytest.mark.parametrize(("value", "expected"), [
    # Both raised out of parse_note before (AttributeError, KeyError): found by tests/test_fuzz.py.
    ("!!timestamp soon", []),
    ("!!bool maybe", ["notes/a.md:2: error: front matter is not valid YAML: a value cannot be read "
                      "(KeyError: 'maybe')"]),
])
def test_explicit_tags_that_do_not_fit_never_raise(value: str, expected: list[str]) -> None:
    note, diags = parse(f"---\nvenue: {value}\n---\n")
    assert lines_of(diags) == expected
    assert note.venue == ("soon" if not expected else None)


def test_key_lines_count_file_lines_not_yaml_line_breaks() -> None:
    # YAML also breaks lines at U+2028/U+0085; the file does not.
    _, diags = parse('---\ndescription: "x\u2028y\x85z"\nstatus: finished\n---\n')
    assert lines_of(diags) == ["notes/a.md:3: error: unknown status 'finished': use one of todo, draft, done"]


def test_invalid_utf8_line_with_lone_cr_newlines() -> None:
    _, diags = parse(b"---\rtitle: ok\r---\rline four\rbad \xff byte\r")
    assert lines_of(diags) == ["notes/a.md:5: error: file is not valid UTF-8 (invalid bytes are shown as \ufffd)"]


def test_impossible_date_is_text_not_a_yaml_error() -> None:
    note, diags = parse("---\ntitle: 2024-13-45\n---\n")
    assert diags == [] and note.title == "2024-13-45" and note.valid


def test_empty_wikilinks_are_told_outside_code() -> None:
    note, diags = parse(
        "---\ntitle: T\n---\n"
        "见 [[]] 和 [[|标签]]，还有 [[#]]。\n"
        "`[[]]` 是代码。 [[#方法|看这里]] [[ ]]\n"
        "```\n[[]]\n```\n"
        "| a | [[\\|表格]] |\n"
        "[[LoRA]] [[LoRA#]] 正常\n"
    )
    assert lines_of(diags) == [
        "notes/a.md:4: warning: empty wikilink [[]] names no note; it is not linked",
        "notes/a.md:4: warning: empty wikilink [[|标签]] names no note; it is not linked",
        "notes/a.md:4: warning: empty wikilink [[#]] names no note; it is not linked",
        "notes/a.md:5: warning: empty wikilink [[ ]] names no note; it is not linked",
        "notes/a.md:9: warning: empty wikilink [[\\|表格]] names no note; it is not linked",
    ]
    assert {d.code for d in diags} == {"empty-link"}
    assert [link.target for link in note.links][-2:] == ["LoRA", "LoRA"]  # real links are untouched
    assert [(lk.target, lk.heading) for lk in note.links][0] == ("", "方法")  # [[#方法]]: this note


def test_long_blank_line_is_not_quadratic() -> None:
    start = time.perf_counter()
    note, _ = parse("正文\n" + " " * 200_000 + "x\n")
    assert time.perf_counter() - start < 1
    assert note.status == "draft"


def test_title_is_never_blank() -> None:
    note, _ = parse("#\n", path=" .md")
    assert note.title.strip() and note.title == note.id


def test_non_http_url_is_a_warning_and_not_linked() -> None:
    note, diags = parse("---\nurl: javascript:alert(1)\n---\n")
    assert [d.severity for d in diags] == [Severity.WARNING]
    assert note.safe_url is None


def test_alias_bomb_is_refused_quickly() -> None:
    bomb = "---\na: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(12)
    ) + "---\nbody\n"
    start = time.perf_counter()
    note, diags = parse(bomb)
    assert time.perf_counter() - start < 5
    assert any("aliases" in d.message and d.severity is Severity.ERROR for d in diags)
    assert note.body.strip() == "body"


def test_megabyte_front_matter_is_refused() -> None:
    _, diags = parse("---\ntitle: " + "x" * 2_000_000 + "\n---\nbody\n")
    assert any("larger than" in d.message for d in diags)


def test_yaml_cannot_construct_objects() -> None:
    _, diags = parse("---\ntitle: !!python/object/apply:os.system ['echo pwned']\n---\n")
    assert any(d.severity is Severity.ERROR for d in diags)


def test_duplicate_key_warns() -> None:
    note, diags = parse("---\ntitle: a\ntitle: b\n---\n")
    assert note.title == "b"
    assert [(d.line, d.severity) for d in diags] == [(3, Severity.WARNING)]


def test_near_miss_key_warns() -> None:
    _, diags = parse("---\ntopic: [x]\n---\n")
    assert "did you mean 'topics'" in diags[0].message


def test_obsidian_tags_and_singular_keys() -> None:
    note, diags = parse("---\ntags: \"学习, 笔记 #深度学习 ＃全角\"\nalias: [别名一]\naliases: [别名二]\ntag: [\"#ml/rl\"]\n---\n")
    assert note.tags == ("学习", "笔记", "深度学习", "全角", "ml/rl")
    assert note.aliases == ("别名一", "别名二")
    assert [str(d) for d in diags if d.code != "coerced"] == []


def test_title_from_a_heading_shows_escapes_as_their_characters() -> None:
    note, _ = parse("# 3.kv\\_cache 与 \\*星号\\* `a\\_b`\n\n正文\n")
    assert note.title == "3.kv_cache 与 *星号* a\\_b"  # code keeps its backslash


@pytest.mark.parametrize("field_line", ['aliases: "LoRA"', "tags: yes", "tags: 单个标签", "aliases: 低秩适配"])
def test_one_tag_or_alias_as_a_string_is_obsidians_own_format(field_line: str) -> None:
    note, diags = parse(f"---\ntitle: T\n{field_line}\n---\n")
    assert diags == []
    assert (note.tags or note.aliases) == (field_line.split(": ", 1)[1].strip('"'),)
