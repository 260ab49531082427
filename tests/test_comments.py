"""Obsidian %%comments%% are private: not in the page, the search index or the feed."""

from __future__ import annotations

from kbtest import MKDOCS_YML
from kbsite.core.comments import strip_comments


def test_strip_comments() -> None:
    assert strip_comments("a %%私密%% b") == "a  b"
    assert strip_comments("a\n%%\n多行\n私密\n%%\nb") == "a\n\nb"
    assert strip_comments("代码 `%%保留%%` 里不算") == "代码 `%%保留%%` 里不算"
    assert strip_comments("没关上 %%后面全藏起来\n还有这行") == "没关上 "
    assert strip_comments("两个 %%一%% 和 %%二%% 完") == "两个  和  完"


def test_comments_never_reach_page_index_or_feed(kb) -> None:  # type: ignore[no-untyped-def]
    yml = MKDOCS_YML.replace("site_name: 测试知识库\n", "site_name: 测试知识库\nsite_url: https://example.org/\n")
    result = kb({"notes/a.md": "# A\n\n公开的文字 %%SECRET-inline%% 接着。\n\n%%\nSECRET-block\n%%\n\n"
                               "```\n代码里 %%KEEP%% 保留\n```\n"}, yml)
    for path in result.site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".xml"):
            text = path.read_text(encoding="utf-8")
            assert "SECRET" not in text, path
    page = result.page("notes/a/index.html")
    assert "公开的文字  接着。" in [p["text"] for p in page.find_all("p")]
    assert "代码里 %%KEEP%% 保留" in page.find("code")["text"]


def test_code_percent_signs_open_no_comment() -> None:
    text = "```c\nprintf(\"%%d\");\n```\n\n见 [[真的链接]]。\n"
    assert strip_comments(text) == text


def test_scanner_ignores_commented_links_tasks_and_markers() -> None:
    from kbsite.core.parse import parse_note

    note, _ = parse_note("a.md", "# A\n\n%%\n- [ ] 私下的任务 [[秘密]]\nTODO 私下\n%%\n见 [[公开]]。\n".encode())
    assert [link.target for link in note.links] == ["公开"]
    assert note.links[0].line == 7
    assert note.tasks == () and note.markers == ()
