"""Page-fact extraction: encodings, dates, lists, footers, links, unreadable pages."""

from monitor.compiled import accelerate

# The hot modules' Cython build goes first while it matches their source (monitor/compiled.py).
__path__ = accelerate(__name__, __path__)
