"""``save_figure``: every published chart goes out as PNG, SVG, data CSV and JSON.

``save_figure(fig, name, data=..., title=..., caption=..., source=...)`` writes

* ``figures/<name>.png`` — web resolution, 200 dpi;
* ``figures/<name>.svg`` — vector, for print;
* ``figures/<name>.csv`` — the numbers drawn, so a reporter can check or re-plot them, at
  publication precision (:mod:`analysis.plots.precision`: counts as integers, rates, shares, ratios and
  p-values to a fixed number of significant digits per unit);
* ``figures/<name>.json`` — title, caption, source line, alt text, notebook, file list, and the
  published precision of every numeric column (``precision``);
* ``build/chart_data/<name>.csv`` — the same data at full precision (git-ignored), which the drift
  check (:mod:`analysis.site.drift`) uses so a last digit flipped at a rounding boundary by float noise
  is not reported as a change.

Output is deterministic: no dates or software versions in PNG/SVG metadata, a fixed SVG hash salt,
sorted JSON keys and fixed float formatting in the CSV, so the same data give byte-identical files.
Figure names follow ``NN_topic_variant`` (``NN`` = the notebook that makes them).

Publication precision is decided in :mod:`analysis.plots.precision` (the drift check,
:mod:`analysis.site.drift`, reads it too); the house style is in
:mod:`analysis.plots.style`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TypedDict

import matplotlib.pyplot as plt
import pandas as pd

from analysis.core import paths
from analysis.plots.precision import for_publication, round_frame
from analysis.plots.style import PNG_DPI, current_lang
from analysis.vocab.credits import CREDIT_LINE, CREDIT_LINE_ZH, OUTPUT_LICENCE, OUTPUT_LICENCE_URL

NAME_PATTERN = re.compile(r"^\d{2}_[a-z0-9]+(_[a-z0-9]+)*$")
#: Folder (under ``build/``) of the full-precision copies of the chart data of ``figures/``.
CHART_DATA_DIR = "chart_data"


class FigureText(TypedDict):
    """The publishable text of a figure, as :func:`save_figure` takes it
    (``save_figure(fig, name, data=data, **text)``)."""

    title: str
    caption: str
    source: str


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
        float columns at publication precision (:func:`analysis.plots.precision.for_publication`), and
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
    # looked up at call time: the deny-set is gathered from the raw files (issue 11 makes it pure)
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
