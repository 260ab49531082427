"""core: pure. One normalisation for every name a reader or a note can type."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACE_RE = re.compile(r"\s+")
# Characters that must never reach a URL path segment or a file name.
_UNSAFE_SLUG_RE = re.compile(r"[\\/:*?\"<>|#%&{}$!'`=+@^~\[\]();,\x00-\x1f\x7f]+")
_SAFE_ID_RE = re.compile(r"^[\w][\w.\-]*$")


# The index and the link graph ask for the same few names (ids, titles, link targets) tens of
# thousands of times per build, and again on every ``mkdocs serve`` rebuild.
@lru_cache(maxsize=1 << 18)
def normalize_key(text: str) -> str:
    """Return the lookup key of a name: NFKC, casefolded, whitespace collapsed.

    So full-width ``ＬｏＲＡ``, ``lora`` and ``LoRA`` are one key.
    """
    return _SPACE_RE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def is_safe_id(value: str) -> bool:
    """True when ``value`` can be an id: no separators, no ``..``, not absolute, no spaces."""
    return bool(_SAFE_ID_RE.match(value)) and ".." not in value and len(value) <= 200


def safe_slug(text: str) -> str:
    """Turn any name into one URL path segment (CJK kept, separators and dots dropped).

    Never returns an empty string, ``.`` or ``..``: the result is safe to join to a directory.
    """
    key = normalize_key(text)
    slug = _UNSAFE_SLUG_RE.sub("-", key)
    slug = re.sub(r"[\s\-]+", "-", slug).strip("-.")
    slug = re.sub(r"\.{2,}", ".", slug)
    return slug[:120] or "topic"
