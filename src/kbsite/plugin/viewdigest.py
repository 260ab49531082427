"""plugin: a page's view model as fingerprint bytes, with each shared reference serialised once.

``repr`` of a view model walks every dataclass through the generated ``__repr__``; a note page
lists dozens of ``NoteRef``s and a topic page hundreds, the same few thousand refs on every page.
The frozen refs (``viewmodels`` makes each once per build and shares it) are serialised once per
build here, by identity; everything else is walked field by field. The result is only compared
with itself (serve fingerprints), never shown.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from kbsite.plugin.viewmodels import FolderRef, NoteRef, TagRef, TopicRef

_SHARED = (NoteRef, TopicRef, TagRef, FolderRef)
_FIELDS: dict[type, tuple[str, ...]] = {}
_PLAIN = (str, int, float, bool, type(None), bytes)


class ViewDigest:
    """One build's serialiser: ``text(obj)`` is a string that changes whenever ``repr(obj)`` does."""

    def __init__(self) -> None:
        # id() of a shared ref -> its repr; the refs live as long as the build's Views, which
        # holds every one, so an id is not reused while this memo is.
        self._refs: dict[int, str] = {}
        self._keys: dict[int, Any] = {}  # id() of a shared ref -> what it stands for (viewdeps.py)
        self._seen: set[Any] | None = None

    def text(self, obj: Any) -> str:
        out: list[str] = []
        self._walk(obj, out)
        return "".join(out)

    def ref_text(self, ref: Any, key: Any) -> str:
        """A shared ref's text, remembered as standing for ``key``."""
        self._keys[id(ref)] = key
        return self.text(ref)

    def text_and_refs(self, obj: Any) -> tuple[str, frozenset[Any] | None]:
        """``text(obj)`` and the keys of the shared refs in it (None: one of them has no key)."""
        self._seen = set()
        try:
            text = self.text(obj)
            seen = self._seen
        finally:
            self._seen = None
        return text, (None if None in seen else frozenset(seen))

    def _walk(self, obj: Any, out: list[str]) -> None:
        if isinstance(obj, _PLAIN):
            out.append(repr(obj))
        elif isinstance(obj, _SHARED):
            key = id(obj)
            text = self._refs.get(key)
            if text is None:
                text = self._refs[key] = repr(obj)
            out.append(text)
            if self._seen is not None:
                self._seen.add(self._keys.get(key))
        elif isinstance(obj, (list, tuple)):
            out.append("[" if isinstance(obj, list) else "(")
            for item in obj:
                self._walk(item, out)
                out.append(",")
            out.append("]")
        elif isinstance(obj, dict):
            out.append("{")
            for k, v in obj.items():
                self._walk(k, out)
                out.append(":")
                self._walk(v, out)
                out.append(",")
            out.append("}")
        elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            cls = type(obj)
            names = _FIELDS.get(cls)
            if names is None:
                names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
            out.append(cls.__qualname__)
            out.append("(")
            for name in names:
                self._walk(getattr(obj, name), out)
                out.append(",")
            out.append(")")
        else:
            out.append(repr(obj))
