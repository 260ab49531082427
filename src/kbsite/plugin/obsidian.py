"""plugin: Obsidian syntax the renderer must honour before anything else sees the text.

``%%comments%%`` never reach the page, the search index or the feed (``kbsite.core.comments``).
"""

from __future__ import annotations

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

from kbsite.core.comments import strip_comments


class CommentPreprocessor(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        return strip_comments(text).split("\n") if "%%" in text else lines


class ObsidianExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # After fenced code is stashed (25), before raw HTML blocks (20).
        md.preprocessors.register(CommentPreprocessor(md), "kb_obsidian_comments", 22)
