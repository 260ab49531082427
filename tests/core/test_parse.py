"""core: parsing, defaults, field types, safety of the YAML loader."""

from __future__ import annotations

import time

import pytest

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


def test_scalars_are_coerced_not_misread() -> None:
    note, diags = parse("---\naliases: [2017, NO, yes, on]\ntags: 单个标签\ntitle: 2024\n---\n")
    assert diags == []
    assert note.aliases == ("2017", "NO", "yes", "on")
    assert note.tags == ("单个标签",)
    assert note.title == "2024"


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
    _, diags = parse("---\nalias: [x]\n---\n")
    assert "did you mean 'aliases'" in diags[0].message
