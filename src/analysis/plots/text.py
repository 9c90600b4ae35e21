"""Formatting of numbers and province lists for figure text and computed prose (pure).

Used by the figure captions of :mod:`analysis.plots` and by the findings that notebooks
``say()`` (:mod:`analysis.site.prose`): every number a reader sees is formatted from data here or by
an f-string next to the value, never typed.
"""

from __future__ import annotations

from collections.abc import Iterable

from analysis.plots.style import province_names

#: Small whole numbers as words, as a caption writes them ("its two nearest provinces").
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten")


def province_list(adcodes: Iterable[int], lang: str = "en", empty: str = "none") -> str:
    """Province display names, comma-separated, in the order given (``empty`` if none)."""
    names = province_names(lang)
    codes = [int(a) for a in adcodes]
    return ", ".join(str(names.loc[a]) for a in codes) if codes else empty


def ratio_with_ci(ratio: float, low: float, high: float) -> str:
    """``'1.08 (0.88–1.33)'``: a ratio with its 95 % confidence interval, two decimals."""
    return f"{ratio:.2f} ({low:.2f}–{high:.2f})"


def number_word(n: int) -> str:
    """``n`` in words for 0–10 (``2`` → ``"two"``), digits above (``11`` → ``"11"``)."""
    if n < 0:
        raise ValueError(f"number_word: {n} is negative")
    return NUMBER_WORDS[n] if n < len(NUMBER_WORDS) else str(n)
