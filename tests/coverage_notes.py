"""Test data shared by the coverage tests: a small topic tree with every kind of todo."""

from __future__ import annotations

# A small tree: ml > compression > pruning (all with overview notes), and 蒸馏, an implicit topic
# (named in a note's ``topics:``, no overview note; an implicit topic is always a root).
NOTES = {
    "topics/ml.md": """\
        ---
        id: ml
        title: 机器学习
        type: topic
        status: done
        ---
        # 机器学习

        ## 计划
        - [ ] 写总览的阅读路径
        - [x] 已完成的任务不算
        """,
    "topics/compression.md": """\
        ---
        id: compression
        title: 模型压缩
        type: topic
        parent: ml
        aliases: [Compression]
        status: draft
        ---
        概述。
        """,
    "topics/pruning.md": """\
        ---
        id: pruning
        title: 剪枝
        type: topic
        parent: compression
        status: todo
        ---
        """,
    "papers/done.md": """\
        ---
        id: p-done
        title: Done Paper
        type: paper
        topics: [compression]
        status: done
        ---
        正文，链接到 [[想要的笔记]] 和 [[另一个想要的]]。
        """,
    "papers/draft.md": """\
        ---
        id: p-draft
        title: Draft Paper
        type: paper
        topics: [compression, pruning]
        status: draft
        ---
        ## 方法
        TODO: 补充实验设置
        待补充：实验细节
        `TODO 在代码里不算`

        ```
        TODO in a fence does not count
        - [ ] neither does this
        ```
        """,
    "papers/todo.md": """\
        ---
        id: p-todo
        title: Todo Paper
        type: paper
        topics: [pruning, 蒸馏]
        status: todo
        ---
        也想要 [[想要的笔记]]。
        - [ ] 精读
        """,
    "concepts/loose.md": """\
        ---
        id: loose
        title: 没有主题的笔记
        status: done
        ---
        待修：这一段有错。
        """,
}


FILES = {f"notes/{rel}": text for rel, text in NOTES.items()}
