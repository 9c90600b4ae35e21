"""Build the static reporter site in ``report/`` (``make report``): opens from disk, no server.

Pages
-----
* ``index.html`` — every figure as a card: thumbnail, title, caption, source line, links to the
  PNG, SVG and chart-data CSV, and the notebook that made it; grouped by notebook;
* ``notebooks/<NN_topic>.html`` — each executed notebook rendered with its code hidden (nbconvert
  ``basic`` template inside our own page: no CDN scripts, so the pages work offline);
* ``data.html`` — the data dictionary of ``data/processed/`` (with the tables in ``data/``);
* ``sources.html`` — every raw file with publisher, licence, citation and pinned URL;
* ``factcheck.html`` — every claim of ``fact_check.csv``: quote, article (linked when its address
  is known), reviewed verdict (EN / 中文), the rule it is checked against, evidence and review;
* ``methodology.html`` — ``docs/methodology.md`` (methods and limitations);
* ``licence.html`` — ``LICENSE-outputs.md`` (CC BY 4.0 for figures and tables, upstream
  licences), with the legal code ``CC-BY-4.0.txt``; every page's footer gives the credit line.

``data/`` holds the published tables of ``data/processed/`` only: aggregates under the disclosure
rule (``docs/disclosure.md``); the per-posting tables of ``data/interim/`` are never copied.

Everything is copied into ``report/`` so the folder can be zipped and sent or served as is.
"""

from __future__ import annotations

import csv
import html
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat
from jinja2 import Environment, PackageLoader, select_autoescape
from markdown_it import MarkdownIt

from analysis.core import paths
from analysis.core.fetch import registry
from analysis.vocab.credits import CREDIT_LINE, OUTPUT_LICENCE, OUTPUT_LICENCE_URL
from analysis.vocab.factcheck import ARTICLES, TESTABILITY_RULE, VERDICTS, VERDICTS_ZH
from analysis.vocab.wording import CASE_RECORDS_CAVEAT

REPORT = paths.ROOT / "report"
METHODOLOGY = paths.ROOT / "docs" / "methodology.md"
#: Licence of the outputs (rendered as ``licence.html``) and the CC BY 4.0 legal code.
OUTPUT_LICENCE_NOTE = paths.ROOT / "LICENSE-outputs.md"
CC_BY_TEXT = paths.ROOT / "LICENSES" / "CC-BY-4.0.txt"
TITLE = "Lost Generation — missing children, hukou and migration in China"
CAVEAT = CASE_RECORDS_CAVEAT


@dataclass(frozen=True)
class Card:
    """One figure on the index page."""

    name: str
    title: str
    caption: str
    source: str
    alt: str
    notebook: str
    notebook_html: str


def _env() -> Environment:
    return Environment(loader=PackageLoader("analysis.site", "templates"),
                       autoescape=select_autoescape(["html"]), keep_trailing_newline=True)


def _markdown(text: str) -> str:
    return MarkdownIt("commonmark", {"html": False}).enable("table").render(text)


def figure_cards(figures_dir: Path) -> list[Card]:
    """Cards of the figures that have a caption JSON, sorted by name."""
    cards = []
    for meta_path in sorted(figures_dir.glob("*.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        nb = meta.get("notebook", "")
        cards.append(Card(name=meta["name"], title=meta["title"], caption=meta["caption"],
                          source=meta["source"], alt=meta["alt_text"], notebook=nb,
                          notebook_html=f"notebooks/{Path(nb).stem}.html" if nb else ""))
    return cards


def render_notebook(nb_path: Path) -> str:
    """HTML body of an executed notebook with the code cells hidden."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="basic", exclude_input=True,
                            exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nbformat.read(nb_path, as_version=4))
    return body


def _page(env: Environment, out: Path, template: str, depth: int = 0, **context) -> None:
    root = "../" * depth
    out.parent.mkdir(parents=True, exist_ok=True)
    text = env.get_template(template).render(site_title=TITLE, caveat=CAVEAT, root=root,
                                             credit=CREDIT_LINE, licence=OUTPUT_LICENCE,
                                             licence_url=OUTPUT_LICENCE_URL, **context)
    out.write_text(text, encoding="utf-8")


FACT_CHECK_TABLE = "fact_check.csv"


def fact_check_context(processed: Path) -> dict | None:
    """What the fact-check page shows, from ``fact_check.csv`` in ``processed`` (None if absent).

    Returns the claims (one dict per row, with ``verdict_zh`` added), the articles of
    :data:`analysis.vocab.factcheck.ARTICLES` that the claims cite (with their address, or the
    note why none is known), the count of claims per verdict in display order, and the one
    testability rule.
    """
    path = processed / FACT_CHECK_TABLE
    if not path.exists():
        return None
    with path.open(encoding="utf-8", newline="") as fh:
        claims = [dict(row, verdict_zh=VERDICTS_ZH[row["verdict"]]) for row in csv.DictReader(fh)]
    cited = {c["article"] for c in claims}
    articles = [{"id": key, "title": title, "url": url, "note": note}
                for key, (title, url, note) in ARTICLES.items() if key in cited]
    counts = [{"verdict": v, "verdict_zh": VERDICTS_ZH[v],
               "n": sum(c["verdict"] == v for c in claims)} for v in VERDICTS]
    return {"claims": claims, "articles": articles, "n_claims": len(claims),
            "verdict_counts": [c for c in counts if c["n"]], "testability_rule": TESTABILITY_RULE}


def build_report(out: Path | None = None, *, figures_dir: Path | None = None,
                 notebooks_dir: Path | None = None, processed: Path | None = None,
                 log=print) -> Path:
    """Build the site into ``out`` (default ``report/``); returns the index path.

    Inputs: figures (``figures/``), executed notebooks (``build/notebooks/``), processed tables
    and their dictionary (``data/processed/``), the registry and ``docs/methodology.md``.
    """
    out = Path(out or REPORT)
    figures_dir = Path(figures_dir or paths.FIGURES)
    notebooks_dir = Path(notebooks_dir or paths.EXECUTED_NOTEBOOKS)
    processed = Path(processed or paths.PROCESSED)
    if out.exists():
        shutil.rmtree(out)
    (out / "figures").mkdir(parents=True)
    env = _env()
    cards = figure_cards(figures_dir)
    for card in cards:
        for ext in ("png", "svg", "csv", "json"):
            shutil.copy2(figures_dir / f"{card.name}.{ext}", out / "figures" / f"{card.name}.{ext}")
    notebooks = []
    for nb_path in sorted(notebooks_dir.glob("[0-9][0-9]_*.ipynb")):
        body = render_notebook(nb_path)
        title = nbformat.read(nb_path, as_version=4).cells[0].source.splitlines()[0].lstrip("# ")
        notebooks.append({"stem": nb_path.stem, "title": title,
                          "href": f"notebooks/{nb_path.stem}.html"})
        _page(env, out / "notebooks" / f"{nb_path.stem}.html", "notebook.html", depth=1,
              title=title, body=body, source=f"notebooks/{nb_path.stem}.py")
    groups: dict[str, list[Card]] = {}
    for card in cards:
        groups.setdefault(card.notebook or "other", []).append(card)
    nb_titles = {f"notebooks/{n['stem']}.py": n["title"] for n in notebooks}
    _page(env, out / "index.html", "index.html", groups=groups, nb_titles=nb_titles,
          notebooks=notebooks, n_figures=len(cards))
    data_out = out / "data"
    data_out.mkdir()
    tables = []
    for f in sorted(processed.glob("*.csv")) + sorted(processed.glob("*.geojson")):
        shutil.copy2(f, data_out / f.name)
        tables.append(f.name)
    dictionary = (processed / "README.md").read_text(encoding="utf-8") \
        if (processed / "README.md").exists() else "(run `make data`)"
    _page(env, out / "data.html", "text.html", title="Data dictionary",
          body=_markdown(dictionary), files=tables)
    sources = sorted(registry().values(), key=lambda e: e.id)
    _page(env, out / "sources.html", "sources.html", title="Sources and licences",
          sources=sources)
    checks = fact_check_context(processed)
    if checks is not None:
        _page(env, out / "factcheck.html", "factcheck.html", title="Fact-check of the claims",
              notebook_href=next((n["href"] for n in notebooks if n["stem"].startswith("05_")),
                                 "index.html"), **checks)
    method = METHODOLOGY.read_text(encoding="utf-8") if METHODOLOGY.exists() else ""
    _page(env, out / "methodology.html", "text.html", title="Methodology and limitations",
          body=_markdown(method), files=[])
    note = OUTPUT_LICENCE_NOTE.read_text(encoding="utf-8") if OUTPUT_LICENCE_NOTE.exists() else ""
    _page(env, out / "licence.html", "text.html", title="Licence and credit",
          body=_markdown(note), files=[])
    if CC_BY_TEXT.exists():
        shutil.copy2(CC_BY_TEXT, out / "CC-BY-4.0.txt")
    shutil.copy2(Path(__file__).parent / "templates" / "style.css", out / "style.css")
    log(f"[report] {len(cards)} figures, {len(notebooks)} notebooks, {len(tables)} tables → "
        f"{out / 'index.html'}")
    return out / "index.html"


def escape(text: str) -> str:
    """HTML-escape ``text`` (for callers building fragments)."""
    return html.escape(text)
