"""House style of every figure: palette, rcParams, CJK font, and the label language.

:func:`use_house_style` applies :data:`HOUSE_STYLE` (matplotlib rcParams) once per notebook;
every builder in :mod:`analysis.plots` draws with it. Labels are English unless the build runs
with ``$LOSTGEN_LANG=zh`` (:func:`current_lang`); :func:`label` picks the English or Chinese
text of a label and :func:`province_names` the display names in that language.

``label``, ``current_lang`` and ``province_names`` are vocabulary rather than style; they live
here until the vocabulary layer exists and are imported from here by the rest of
:mod:`analysis.plots`.
"""

from __future__ import annotations

import os
import sys

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib import font_manager

from analysis.vocab.provinces import display_names

#: CJK fonts tried, in order, for Chinese labels (Debian: fonts-noto-cjk).
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "WenQuanYi Zen Hei",
             "Source Han Sans SC", "SimHei")
#: House palette (matplotlib's colour cycle): blue, red, grey, amber, green, purple.
PALETTE = ["#1b4f72", "#c0392b", "#7d8c8d", "#d68910", "#117a65", "#6c3483"]
BLUE, RED, GREY, AMBER, GREEN, PURPLE = PALETTE
#: Fill of map units without a value (Hong Kong, Macau, Taiwan, or a province without data).
NO_DATA_COLOUR = "#e6e6e6"
#: Resolution of the PNG files (dots per inch).
PNG_DPI = 200
#: Environment variable choosing the label language of figures: ``en`` (default) or ``zh``.
LANG_ENV = "LOSTGEN_LANG"

HOUSE_STYLE: dict[str, object] = {
    "figure.figsize": (8.0, 6.0),
    "figure.dpi": 100,
    "savefig.dpi": PNG_DPI,
    "savefig.bbox": "tight",
    "savefig.facecolor": "white",
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "axes.grid": False,
    "legend.frameon": False,
    "svg.hashsalt": "lost-generation",
    "svg.fonttype": "path",
    "path.simplify": True,
}


def cjk_font() -> str | None:
    """Name of an installed CJK font, or ``None`` when there is none."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((f for f in CJK_FONTS if f in installed), None)


def current_lang() -> str:
    """Label language of figures: ``"zh"`` if ``$LOSTGEN_LANG`` starts with ``zh``, else ``"en"``."""
    return "zh" if os.environ.get(LANG_ENV, "en").strip().lower().startswith("zh") else "en"


def label(en: str, zh: str) -> str:
    """The English or Chinese version of a figure label, by :func:`current_lang`."""
    return zh if current_lang() == "zh" else en


def province_names(lang: str | None = None) -> pd.Series:
    """Display names of the 34 units indexed by adcode in the figure language (default
    :func:`current_lang`); see :func:`analysis.vocab.provinces.display_names`."""
    return display_names(lang or current_lang())


def use_house_style(lang: str | None = None) -> None:
    """Apply the house style (matplotlib rcParams) used by every figure.

    ``lang`` (default :func:`current_lang`) ``'zh'`` puts a CJK font first; if none is installed
    the build says so on stderr and falls back to DejaVu Sans (Chinese glyphs will then be
    missing — install Debian ``fonts-noto-cjk``). English figures keep the CJK font as a
    fallback for the odd Chinese word.
    """
    lang = lang or current_lang()
    plt.rcParams.update(HOUSE_STYLE)
    families = ["DejaVu Sans"]
    cjk = cjk_font()
    if cjk:
        families = [cjk, *families] if lang == "zh" else [*families, cjk]
    elif lang == "zh":
        print("[figures] no CJK font installed (Debian: apt-get install fonts-noto-cjk): "
              "Chinese labels fall back to DejaVu Sans and will show empty boxes",
              file=sys.stderr)
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["font.sans-serif"] = families
