"""House style and ``save_figure``: every published chart goes out as PNG, SVG, data CSV and JSON.

``save_figure(fig, name, data=..., title=..., caption=..., source=...)`` writes

* ``figures/<name>.png`` — web resolution, 200 dpi;
* ``figures/<name>.svg`` — vector, for print;
* ``figures/<name>.csv`` — the numbers drawn, so a reporter can check or re-plot them, at
  publication precision (:mod:`analysis.precision`: counts as integers, rates, shares, ratios and
  p-values to a fixed number of significant digits per unit);
* ``figures/<name>.json`` — title, caption, source line, alt text, notebook, file list, and the
  published precision of every numeric column (``precision``);
* ``build/chart_data/<name>.csv`` — the same data at full precision (git-ignored), which the drift
  check (:mod:`analysis.site.drift`) uses so a last digit flipped at a rounding boundary by float noise
  is not reported as a change.

Output is deterministic: no dates or software versions in PNG/SVG metadata, a fixed SVG hash salt,
sorted JSON keys and fixed float formatting in the CSV, so the same data give byte-identical files.
Figure names follow ``NN_topic_variant`` (``NN`` = the notebook that makes them).
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib import font_manager

from analysis.core import paths
from analysis.precision import for_publication, round_frame
from analysis.vocab.credits import CREDIT_LINE, CREDIT_LINE_ZH, OUTPUT_LICENCE, OUTPUT_LICENCE_URL

NAME_PATTERN = re.compile(r"^\d{2}_[a-z0-9]+(_[a-z0-9]+)*$")
#: CJK fonts tried, in order, for Chinese labels (Debian: fonts-noto-cjk).
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "WenQuanYi Zen Hei",
             "Source Han Sans SC", "SimHei")
PALETTE = ["#1b4f72", "#c0392b", "#7d8c8d", "#d68910", "#117a65", "#6c3483"]
NO_DATA_COLOUR = "#e6e6e6"
#: Folder (under ``build/``) of the full-precision copies of the chart data of ``figures/``.
CHART_DATA_DIR = "chart_data"
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
    from analysis.vocab.provinces import display_names

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


def full_precision_dir(out_dir: Path | None = None) -> Path:
    """Where :func:`save_figure` writes the full-precision chart data of figures in ``out_dir``.

    ``figures/`` (and folders inside it, e.g. ``figures/zh``) map to ``build/chart_data/`` (and
    ``build/chart_data/zh``), which git ignores; any other folder (a test's temporary folder)
    gets a ``full_precision/`` subfolder of its own, so the real build is never touched.
    """
    out_dir = Path(out_dir or paths.FIGURES).resolve()
    default = (paths.ROOT / "figures").resolve()
    if out_dir == default or default in out_dir.parents:
        return paths.BUILD / CHART_DATA_DIR / out_dir.relative_to(default)
    return out_dir / "full_precision"


def _alt_text(title: str, caption: str) -> str:
    return f"{title}. {caption}".strip()


def save_figure(fig: plt.Figure, name: str, *, data: pd.DataFrame, title: str, caption: str,
                source: str, alt: str | None = None, notebook: str | None = None,
                out_dir: Path | None = None, close: bool = False) -> dict[str, Path]:
    """Write a figure as PNG (200 dpi), SVG, chart-data CSV and caption JSON.

    Parameters
    ----------
    fig : the matplotlib figure
    name : ``NN_topic_variant`` (lower case, digits, underscores); ``NN`` is the notebook number.
        With ``$LOSTGEN_LANG=zh`` the files get the suffix ``_zh`` (labels in Chinese)
    data : the numbers drawn (tidy, one row per mark); written as UTF-8 CSV without the index,
        float columns at publication precision (:func:`analysis.precision.for_publication`), and
        at full precision into :func:`full_precision_dir`
    title, caption : publishable text (the caption says what is shown and its main caveat)
    source : source line naming the data sources (and the basemap for maps)
    alt : alt text for screen readers; defaults to title + caption
    notebook : the notebook that made it; defaults to ``notebooks/NN_*.py`` by name
    out_dir : default ``figures/`` (``$LOSTGEN_FIGURES``)
    close : close the figure after saving (default False, so a notebook still shows it)

    Returns
    -------
    ``{"png": path, "svg": path, "csv": path, "json": path}`` (the full-precision copy is
    ``full_precision_dir(out_dir) / f"{name}.csv"``)
    """
    if not NAME_PATTERN.match(name):
        raise ValueError(f"figure name {name!r} must look like NN_topic_variant")
    lang = current_lang()
    if lang == "zh":
        name = f"{name}_zh"
    if not isinstance(data, pd.DataFrame) or data.empty:
        raise ValueError(f"figure {name}: data must be a non-empty DataFrame of what is drawn")
    from analysis.privacy.policy import assert_publishable, raw_personal_strings

    personal = raw_personal_strings()
    assert_publishable(data, where=f"figure {name} data", personal_strings=personal)
    # rounding can turn 12344.6 into a whole number that a raw-number check must see
    assert_publishable(round_frame(data), where=f"figure {name} data (as published)",
                       personal_strings=personal)
    out_dir = Path(out_dir or paths.FIGURES)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {ext: out_dir / f"{name}.{ext}" for ext in ("png", "svg", "csv", "json")}
    fig.savefig(files["png"], dpi=PNG_DPI, metadata={"Software": None})
    fig.savefig(files["svg"], metadata={"Date": None, "Creator": None})
    published, precisions = for_publication(data)
    published.to_csv(files["csv"], index=False, lineterminator="\n", encoding="utf-8")
    full = full_precision_dir(out_dir) / f"{name}.csv"
    full.parent.mkdir(parents=True, exist_ok=True)
    # no float_format: pandas writes the shortest text that reads back as the same double
    data.to_csv(full, index=False, lineterminator="\n", encoding="utf-8")
    if notebook is None:
        matches = sorted(paths.NOTEBOOKS.glob(f"{name[:2]}_*.py"))
        notebook = f"notebooks/{matches[0].name}" if matches else ""
    meta = {
        "name": name,
        "title": title,
        "caption": caption,
        "source": source,
        "alt_text": alt or _alt_text(title, caption),
        "notebook": notebook,
        "files": {ext: p.name for ext, p in files.items()},
        "data_columns": list(map(str, data.columns)),
        "data_rows": len(data),
        "lang": lang,
        "credit": CREDIT_LINE_ZH if lang == "zh" else CREDIT_LINE,
        "licence": OUTPUT_LICENCE,
        "licence_url": OUTPUT_LICENCE_URL,
        "precision": {col: p.to_json() for col, p in precisions.items()},
    }
    files["json"].write_text(json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                             encoding="utf-8")
    if close:
        plt.close(fig)
    return files


def figure_names(out_dir: Path | None = None) -> Sequence[str]:
    """Names of the figures present (those with a caption JSON), sorted."""
    return sorted(p.stem for p in Path(out_dir or paths.FIGURES).glob("*.json"))
