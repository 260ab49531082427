"""plugin: kbsite's templates are autoescaped by the Jinja environment itself.

MkDocs' theme environment has autoescape off (Material prints ``page.content`` and nav titles
raw), and a ``{% autoescape %}`` block in a template does not reach the templates it includes
or imports. So autoescape is chosen per template *name*: every template under ``kbsite/``
(pages, partials, macros) compiles with autoescape on, whoever includes it; the theme's own
templates keep their setting. The HTML of a note's body reaches our templates as the
sanitiser's ``Markup`` (``kbsite.plugin.sanitize``), the only pre-escaped value they print.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

OWN_PREFIX = "kbsite/"


def _select(previous: bool | Callable[[str | None], bool], name: str | None) -> bool:
    if name is not None and name.startswith(OWN_PREFIX):
        return True
    return previous(name) if callable(previous) else bool(previous)


def autoescape_own_templates(env: Any) -> None:
    """Make ``env`` autoescape every ``kbsite/`` template (idempotent)."""
    current = env.autoescape
    if isinstance(current, functools.partial) and current.func is _select:
        return
    env.autoescape = functools.partial(_select, current)
