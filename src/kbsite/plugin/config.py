"""plugin: typed configuration of the ``kbsite`` MkDocs plugin."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c


class KbsiteConfig(base.Config):
    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it from mkdocs.yml."""

    notes_dir = c.Dir(exists=True, default="notes")
    """The folder of notes, relative to mkdocs.yml. Served as is: nothing is copied into docs/.
    ``.`` makes the whole project folder the vault (docs_dir, site_dir and hidden folders such as
    ``.obsidian/``, ``.trash/`` and ``.git/`` are left out)."""

    exclude = c.ListOfItems(c.Type(str), default=[])
    """Glob patterns (relative to notes_dir) of files and folders that are not notes or
    attachments, e.g. ``templates/*`` for Obsidian's templates folder."""

    wanted = c.Choice(("warn", "info"), default="warn")
    """How a build reports a wanted note (a [[link]] to no note): ``warn`` makes ``--strict`` fail;
    ``info`` treats red links as planned notes (they still show on the todo report)."""

    nav = c.Type(bool, default=True)
    """Build the navigation (topics and folders) when mkdocs.yml has no ``nav`` of its own."""

    nav_tree = c.Choice(("auto", "topics", "folders"), default="auto")
    """Which tree leads the navigation: ``auto`` is topics when any note has topics, else
    folders. Both trees are always there; notes are reached from their pages."""

    search = c.Type(bool, default=True)
    """Replace the search plugin's index and worker with kbsite's Chinese search (Material's
    search box and keyboard stay). ``false`` leaves Material's own lunr + jieba search."""

    search_glossary = c.Optional(c.File(exists=True))
    """A YAML file in the project adding to kbsite's bilingual search glossary (docs/search.md)."""
    search_shards = c.Choice(("auto", True, False), default="auto")
    """``true``: split the search index into a small entry, key shards of postings and one file
    a page, so the browser fetches per query only the shards of its keys and the rows of the
    pages it shows (docs/search.md, "Sharded index"). ``false``: one file, fetched whole.
    ``auto``: sharded once the one file would pass 2 MB (about 600 notes)."""

    serve_watcher = c.Choice(("auto", "poll"), default="auto")
    """How ``mkdocs serve`` hears of a save: ``auto`` asks the kernel (inotify on Linux; polling
    where that is not possible or a watched folder holds a symbolic link); ``poll`` keeps MkDocs'
    polling, for notes on a network or virtual-machine mount whose changes inotify never sees."""

    sanitize = c.Type(bool, default=True)
    """Sanitise the HTML of note pages (scripts, ``on*=`` handlers, ``javascript:`` URLs, iframes
    and other elements outside an allow-list are removed). ``false`` trusts the vault's raw HTML."""
