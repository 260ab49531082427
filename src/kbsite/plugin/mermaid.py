"""plugin: Mermaid diagrams, offline.

Material draws ``<pre class="mermaid">`` with ``window.mermaid`` and loads mermaid from unpkg when
it is missing. ``mermaid-loader.js`` (every page, in the head, before Material's bundle) defines a
stand-in that loads the vendored copy; the 3.5 MB file is copied into the site only when a page
has a diagram, so a site without diagrams does not carry it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

MERMAID_VERSION = "11.17.2"
VENDORED = Path(__file__).resolve().parent.parent / "assets" / f"mermaid-{MERMAID_VERSION}"
SITE_DIR = "assets/kbsite/vendor/mermaid"  # mermaid-loader.js looks here
MARK = 'class="mermaid"'


class Mermaid:
    """Whether this build has a diagram, and the copy of the library when it has."""

    def __init__(self) -> None:
        self.used = False

    def start_build(self) -> None:
        self.used = False

    def see(self, html: str) -> None:
        if not self.used and MARK in html:
            self.used = True

    def write(self, site_dir: str) -> None:
        if not self.used:
            return
        target = Path(site_dir) / SITE_DIR
        target.mkdir(parents=True, exist_ok=True)
        for name in ("mermaid.min.js", "LICENSE"):
            shutil.copyfile(VENDORED / name, target / name)
