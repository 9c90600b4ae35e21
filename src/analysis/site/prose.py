"""Computed prose for notebooks: every number a notebook says is formatted from data.

Notebook markdown cells hold no numbers (``tests/test_notebooks.py`` enforces it); sentences
with numbers are built in code (the findings of :mod:`analysis.plots.hotspot_findings` and
:mod:`analysis.plots.model_findings`, or an f-string in the notebook) and shown with :func:`say`.
The formatting helpers live in :mod:`analysis.plots.text`.
"""

from __future__ import annotations

from IPython.display import Markdown, display


def say(text: str) -> None:
    """Show ``text`` (Markdown, numbers already formatted) as a notebook output."""
    display(Markdown(text))

