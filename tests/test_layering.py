"""The core is pure: importing it (and the CLI's vault loading) pulls in no MkDocs or Markdown."""

from __future__ import annotations

import subprocess
import sys


def test_core_imports_no_mkdocs_or_markdown() -> None:
    code = (
        "import sys, pkgutil, importlib, kbsite.core\n"
        "for m in pkgutil.iter_modules(kbsite.core.__path__): importlib.import_module('kbsite.core.' + m.name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'mkdocs', 'markdown', 'material', 'pymdownx'})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
