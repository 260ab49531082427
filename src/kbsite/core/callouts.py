"""core: pure. Obsidian callouts: ``> [!tip] 标题`` as the first line of a blockquote.

``[!type]`` is case-insensitive; ``-`` after it folds the callout (closed), ``+`` makes it
foldable and open; the rest of the line is its title (the type's Chinese name when empty). Every
Obsidian type and alias, and Chinese type names, map onto one of Material's admonition types;
an unknown type looks like ``note`` and is titled by its name, as in Obsidian. The renderer
(plugin/obsidian.py) and the core's scanner (core/wikilinks.py) read callouts with this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# After the blockquote's ">" is stripped: "[!type]", an optional fold sign, an optional title.
CALLOUT_RE = re.compile(r"^ {0,3}\[!(?P<type>[^\]\s]+)\](?P<fold>[+-]?)(?:[ \t]+(?P<title>.*?))?[ \t]*$")
# The blockquote line that opens a callout, its ">" included (for the scanner's raw lines).
CALLOUT_LINE_RE = re.compile(r"^ {0,3}> ?(?P<rest> {0,3}\[![^\]\s]+\][+-]?(?:[ \t].*)?)$")

# written type (lower case) -> (canonical Obsidian type, default title)
_TYPES: dict[str, tuple[str, str]] = {}
# canonical Obsidian type -> Material's admonition class (Material styles only these)
MATERIAL_CLASS = {
    "note": "note", "abstract": "abstract", "info": "info", "todo": "info", "tip": "tip",
    "success": "success", "question": "question", "warning": "warning", "failure": "failure",
    "danger": "danger", "bug": "bug", "example": "example", "quote": "quote",
}


def _types(canonical: str, *names: tuple[str, str]) -> None:
    for name, title in names:
        _TYPES[name] = (canonical, title)


_types("note", ("note", "笔记"), ("笔记", "笔记"), ("备注", "备注"))
_types("abstract", ("abstract", "摘要"), ("summary", "总结"), ("tldr", "太长不看"), ("摘要", "摘要"),
       ("总结", "总结"), ("概要", "概要"))
_types("info", ("info", "信息"), ("信息", "信息"), ("说明", "说明"))
_types("todo", ("todo", "待办"), ("待办", "待办"))
_types("tip", ("tip", "提示"), ("hint", "提示"), ("important", "重要"), ("提示", "提示"), ("技巧", "技巧"),
       ("重要", "重要"))
_types("success", ("success", "成功"), ("check", "完成"), ("done", "完成"), ("成功", "成功"), ("完成", "完成"))
_types("question", ("question", "问题"), ("help", "帮助"), ("faq", "常见问题"), ("问题", "问题"),
       ("疑问", "疑问"), ("帮助", "帮助"), ("常见问题", "常见问题"))
_types("warning", ("warning", "警告"), ("caution", "小心"), ("attention", "注意"), ("警告", "警告"),
       ("注意", "注意"), ("小心", "小心"))
_types("failure", ("failure", "失败"), ("fail", "失败"), ("missing", "缺失"), ("失败", "失败"), ("缺失", "缺失"))
_types("danger", ("danger", "危险"), ("error", "错误"), ("危险", "危险"), ("错误", "错误"))
_types("bug", ("bug", "缺陷"), ("缺陷", "缺陷"), ("漏洞", "漏洞"))
_types("example", ("example", "示例"), ("示例", "示例"), ("例子", "例子"), ("例如", "例如"))
_types("quote", ("quote", "引用"), ("cite", "引用"), ("引用", "引用"), ("引文", "引文"))

TYPE_NAMES = dict(_TYPES)  # for tests and docs: every written type kbsite knows


@dataclass(frozen=True)
class Callout:
    written: str  # the type as written, e.g. "Hint"
    kind: str  # the canonical Obsidian type, e.g. "tip" ("note" for an unknown type)
    css: str  # Material's admonition class
    fold: str  # "", "-" (folded) or "+" (foldable, open)
    title: str  # as written (Markdown), or the default title
    custom_title: bool


def parse_callout(line: str) -> Callout | None:
    """The callout a blockquote's first line (its ">" stripped) opens, or None."""
    if "[!" not in line:
        return None
    m = CALLOUT_RE.match(line)
    if m is None:
        return None
    written = m.group("type")
    kind, default = _TYPES.get(written.lower(), ("", ""))
    if not kind:
        kind, default = "note", written[:1].upper() + written[1:]
    title = (m.group("title") or "").strip()
    return Callout(written, kind, MATERIAL_CLASS[kind], m.group("fold"), title or default, bool(title))
