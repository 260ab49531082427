"""plugin: reader features (graph, previews, dates, feeds ...) as small objects with hooks.

The plugin calls each feature's hooks at fixed points of its own events, after its own work, so
a feature sees the parsed vault, the view models and the page's ``kb`` data but never has to
reorder the plugin's events. A hook a feature does not define is skipped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page

    from kbsite.plugin.plugin import KbsitePlugin


class Feature(Protocol):
    """All hooks are optional; ``plugin`` is read-only to a feature."""

    def on_config(self, plugin: KbsitePlugin, config: MkDocsConfig) -> None: ...
    def on_files(self, plugin: KbsitePlugin, files: Files, config: MkDocsConfig) -> None: ...
    def on_env(self, plugin: KbsitePlugin, env: Any, config: MkDocsConfig) -> None: ...
    def on_page_context(self, plugin: KbsitePlugin, context: dict[str, Any], page: Page) -> None: ...
    def on_post_build(self, plugin: KbsitePlugin, config: MkDocsConfig) -> None: ...


def run(features: list[Any], hook: str, *args: Any) -> None:
    for feature in features:
        method = getattr(feature, hook, None)
        if method is not None:
            method(*args)


def default_features() -> list[Any]:
    """The reader features of a build, in the order their hooks run."""
    from kbsite.plugin.graph import GraphFeature
    from kbsite.plugin.previews import PreviewFeature

    return [GraphFeature(), PreviewFeature()]
