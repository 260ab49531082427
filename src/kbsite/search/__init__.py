"""search: pure (imports nothing from mkdocs). kbsite's Chinese search index.

The browser side is ``templates/assets/kbsite/search-worker.js``, a drop-in for Material's
search worker. See docs/search.md for the design.
"""

from kbsite.search.extract import Section, split_sections
from kbsite.search.index import SearchIndexBuilder, SearchPage, page_from_html
from kbsite.search.segment import Segmenter, domain_words, fold

__all__ = ["Section", "SearchIndexBuilder", "SearchPage", "Segmenter", "domain_words", "fold",
           "page_from_html", "split_sections"]
