"""Former home of the house style and ``save_figure``; both moved to :mod:`analysis.plots`.

Kept only as a re-export so that modules outside the plots package that still import from here
(:mod:`analysis.site.drift` imports :func:`full_precision_dir`) keep working until their imports are
rewritten; new code imports :mod:`analysis.plots.save` and :mod:`analysis.plots.style`.
"""

from __future__ import annotations

from analysis.plots.save import CHART_DATA_DIR, NAME_PATTERN, full_precision_dir, save_figure
from analysis.plots.style import (
    CJK_FONTS,
    HOUSE_STYLE,
    LANG_ENV,
    NO_DATA_COLOUR,
    PALETTE,
    PNG_DPI,
    cjk_font,
    current_lang,
    label,
    province_names,
    use_house_style,
)

__all__ = ["CHART_DATA_DIR", "CJK_FONTS", "HOUSE_STYLE", "LANG_ENV", "NAME_PATTERN",
           "NO_DATA_COLOUR", "PALETTE", "PNG_DPI", "cjk_font", "current_lang",
           "full_precision_dir", "label", "province_names", "save_figure", "use_house_style"]
