"""One room per raw source: ``analysis.sources.<source>`` holds its reader and cleaning step
(``clean.py``; the case scrapes: one step module each), its pandera schema (``schema.py``) and
its data notes (``NOTES.md``). A room imports only the leaf layers and :mod:`analysis.privacy`.
"""
