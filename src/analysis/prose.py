"""Computed prose for notebooks: every number a notebook says is formatted here from data.

Notebook markdown cells hold no numbers (``tests/test_notebooks.py`` enforces it); sentences
with numbers are built in code and shown with :func:`say`.
"""

from __future__ import annotations

from collections.abc import Iterable

from IPython.display import Markdown, display

from analysis.figures import province_names


def say(text: str) -> None:
    """Show ``text`` (Markdown, numbers already formatted) as a notebook output."""
    display(Markdown(text))


def province_list(adcodes: Iterable[int], lang: str = "en", empty: str = "none") -> str:
    """Province display names, comma-separated, in the order given (``empty`` if none)."""
    names = province_names(lang)
    codes = [int(a) for a in adcodes]
    return ", ".join(str(names.loc[a]) for a in codes) if codes else empty


def ratio_with_ci(ratio: float, low: float, high: float) -> str:
    """``'1.08 (0.88–1.33)'``: a ratio with its 95 % confidence interval, two decimals."""
    return f"{ratio:.2f} ({low:.2f}–{high:.2f})"
