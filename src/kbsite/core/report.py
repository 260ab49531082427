"""core: pure. Coverage as text: ``table`` (a terminal), ``json`` (stable, documented) and ``markdown``.

Every formatter returns a ``str`` and is deterministic: the same vault gives the same bytes.
"""

from __future__ import annotations

import json
import unicodedata

from kbsite.core.coverage import Coverage, TopicCoverage

FORMATS = ("table", "json", "markdown")
BAR_WIDTH = 20


# ---- Helpers --------------------------------------------------------------------------------


def display_width(text: str) -> int:
    """Terminal columns of ``text``: CJK and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else (0 if unicodedata.combining(ch) else 1)
               for ch in text)


def pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def truncate(text: str, width: int) -> str:
    """Cut ``text`` to at most ``width`` columns, with an ellipsis when cut."""
    if display_width(text) <= width:
        return text
    out, used = "", 0
    for ch in text:
        w = display_width(ch)
        if used + w > width - 1:
            break
        out, used = out + ch, used + w
    return out + "…"


def text_bar(done: int, draft: int, total: int, width: int = BAR_WIDTH) -> str:
    """``█`` done, ``▒`` draft, ``░`` todo; empty (all ``·``) when there are no notes."""
    if not total:
        return "·" * width
    d = round(width * done / total)
    r = min(width - d, round(width * draft / total))
    return "█" * d + "▒" * r + "░" * (width - d - r)


def percent(value: float) -> str:
    return f"{round(100 * value)}%"


# ---- Formatters -----------------------------------------------------------------------------


def to_json(cov: Coverage) -> str:
    """The documented JSON: ``{"totals": {...}, "topics": [...]}``, keys sorted, UTF-8 text."""
    return json.dumps(cov.to_dict(), ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def to_table(cov: Coverage, title_width: int = 28) -> str:
    """An aligned table with bars, for a terminal. Sub-topics are indented under their parent."""
    head = ["主题", "笔记", "完成", "草稿", "待写", "覆盖", "进度", "任务", "想要"]
    rows: list[list[str]] = []
    for r in cov.topics:
        c = r.counts
        name = "  " * r.depth + r.topic.title + ("" if r.topic.note else " *")
        rows.append([truncate(name, title_width), str(c.notes), str(c.done), str(c.draft), str(c.todo),
                     percent(c.coverage), text_bar(c.done, c.draft, c.notes), str(c.open_tasks),
                     str(c.wanted)])
    t = cov.totals
    rows.append(["合计", str(t.notes), str(t.done), str(t.draft), str(t.todo), percent(t.coverage),
                 text_bar(t.done, t.draft, t.notes), str(t.open_tasks), str(t.wanted)])
    widths = [max(display_width(row[i]) for row in [head, *rows]) for i in range(len(head))]
    numeric = {1, 2, 3, 4, 5, 7, 8}

    def line(cells: list[str]) -> str:
        return "  ".join(pad(cell, widths[i], i in numeric) for i, cell in enumerate(cells)).rstrip()

    out = [line(head), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in rows[:-1]]
    out += ["  ".join("-" * w for w in widths), line(rows[-1])]
    legend = "█ 完成  ▒ 草稿  ░ 待写"
    if any(r.topic.note is None for r in cov.topics):
        legend += "  * 没有概述笔记"
    out.append(legend)
    least = [r for r in cov.least_covered(5) if r.coverage < 1]
    if least:
        out.append("覆盖最低：" + "，".join(f"{r.topic.title} {percent(r.coverage)}" for r in least))
    if cov.wanted:
        top = "，".join(f"{w.name}（{w.count}）" for w in cov.wanted[:5])
        out.append(f"被引用但尚未创建：{len(cov.wanted)} 个；最多的：{top}")
    return "\n".join(out) + "\n"


def _md_cell(text: str) -> str:
    """Text safe inside a Markdown table cell (pipes, backslashes, markup, HTML, newlines)."""
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    for ch in "*_`[]<>#":
        text = text.replace(ch, "\\" + ch)
    return text


def _md_row(r: TopicCoverage) -> str:
    c = r.counts
    name = "&nbsp;&nbsp;" * r.depth + _md_cell(r.topic.title)
    bar = text_bar(c.done, c.draft, c.notes, 10)
    return (f"| {name} | {c.notes} | {c.done} | {c.draft} | {c.todo} | {bar} {percent(c.coverage)} "
            f"| {c.open_tasks} | {c.wanted} |")


def to_markdown(cov: Coverage) -> str:
    """A Markdown summary that pastes into an issue: totals, the table, least covered, wanted."""
    t = cov.totals
    out = [
        "## 知识库覆盖报告",
        "",
        f"共 {t.notes} 篇笔记：完成 {t.done}，草稿 {t.draft}，待写 {t.todo}，覆盖率 {percent(t.coverage)}；"
        f"未完成任务 {t.open_tasks}，待补充标记 {t.markers}，被引用但尚未创建的笔记 {t.wanted}。",
        "",
        "| 主题 | 笔记 | 完成 | 草稿 | 待写 | 覆盖 | 任务 | 想要 |",
        "|---|--:|--:|--:|--:|---|--:|--:|",
        *[_md_row(r) for r in cov.topics],
        "",
    ]
    least = [r for r in cov.least_covered(5) if r.coverage < 1]
    if least:
        out += ["### 覆盖最低的主题", ""]
        out += [f"- {_md_cell(r.topic.title)}：{r.counts.done}/{r.counts.notes}（{percent(r.coverage)}），"
                f"待写 {r.counts.todo}" for r in least]
        out.append("")
    if cov.wanted:
        out += ["### 被引用但尚未创建", ""]
        out += [f"- {_md_cell(w.name)}（{w.count}）：" + "、".join(_md_cell(n.title) for n, _ in w.referrers)
                for w in cov.wanted]
        out.append("")
    return "\n".join(out)


def render(cov: Coverage, fmt: str) -> str:
    """Dispatch on ``fmt`` (one of FORMATS)."""
    if fmt == "json":
        return to_json(cov)
    if fmt == "markdown":
        return to_markdown(cov)
    if fmt == "table":
        return to_table(cov)
    raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
