"""core: pure. Notes, links, topics and coverage; imports nothing from MkDocs or Markdown."""
