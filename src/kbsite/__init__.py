"""kbsite: a static-site generator for Chinese machine-learning knowledge bases."""

__version__ = "0.1.0"
