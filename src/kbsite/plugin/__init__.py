"""plugin: the MkDocs adapter. The only package that imports mkdocs or markdown."""

from kbsite.plugin.plugin import KbsitePlugin

__all__ = ["KbsitePlugin"]
