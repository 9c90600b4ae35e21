"""Privacy of everything published: processed tables, figures' data and executed notebooks hold
no personal field and no name string of the raw case files — and the scan can fail."""

from __future__ import annotations

import json

import nbformat
import pandas as pd
import pytest

from analysis.core import paths
from analysis.privacy.policy import (
    PrivacyError,
    assert_publishable,
    personal_columns,
    raw_personal_strings,
    text_leaks,
)
from analysis.schemas import quantity_columns
from analysis.vocab.cases import CATEGORIES, CATEGORY_BASES, SEXES, SIDES, SOURCES

VOCAB = {*SIDES, *CATEGORIES, *CATEGORY_BASES, *SEXES, *SOURCES}


@pytest.fixture(scope="module")
def strings(processed):
    s = raw_personal_strings()  # the deny-set `make data` persisted (data/interim/.deny.json)
    assert len(s) > 5000, "the raw case files must yield their names, ids and handles"
    return s


def _notebook_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        parts.append(cell.source)
        for out in cell.get("outputs", []):
            if "text" in out:
                parts.append(out["text"])
            for mime, value in out.get("data", {}).items():
                if mime.startswith("text/") or mime == "application/json":
                    parts.append(value if isinstance(value, str) else json.dumps(value))
    return "\n".join(parts)


def test_every_processed_table_is_clean(processed, strings):
    files = sorted(processed.glob("*.csv"))
    assert len(files) >= 20
    for f in files:
        frame = pd.read_csv(f)
        name = f.name.removesuffix(".rows.csv").removesuffix(".csv")
        quantities = quantity_columns(name) if not f.name.endswith(".rows.csv") else []
        assert_publishable(frame, where=str(f.name), personal_strings=strings, vocabulary=VOCAB,
                           quantity_columns=quantities)


def test_a_posting_id_in_an_undeclared_numeric_column_is_caught(processed, strings):
    """The schema exemption is per column: the same numbers in a column without a declared
    unit fail."""
    ids = sorted(int(s) for s in strings if s.isdigit() and 3 <= len(s) <= 6)[:3]
    frame = pd.DataFrame({"adcode": [110000, 120000, 130000], "value": ids})
    with pytest.raises(PrivacyError, match="posting ids"):
        assert_publishable(frame, where="bad", personal_strings=strings)
    assert_publishable(frame, where="ok", personal_strings=strings, quantity_columns=["value"])


def test_every_figure_data_file_is_clean(strings):
    files = sorted(paths.FIGURES.glob("*.csv"))
    assert files
    for f in files:
        frame = pd.read_csv(f)
        assert_publishable(frame, where=str(f.name), personal_strings=strings, vocabulary=VOCAB)
        meta = (paths.FIGURES / f"{f.stem}.json").read_text(encoding="utf-8")
        assert not text_leaks(meta, strings, VOCAB), f.stem


def test_every_executed_notebook_is_clean(executed_notebooks, strings):
    notebooks = sorted(paths.EXECUTED_NOTEBOOKS.glob("*.ipynb"))
    assert len(notebooks) >= 2
    for nb_path in notebooks:
        text = _notebook_text(nbformat.read(nb_path, as_version=4))
        assert not text_leaks(text, strings, VOCAB), nb_path.name
        for field in ("photo_url", "姓名", "寻亲编号", "baobeihuijia.com/photo", "view.aspx?id="):
            assert field not in text, (nb_path.name, field)


def test_the_scan_fails_on_a_bad_table(strings):
    name = next(s for s in sorted(strings) if len(s) >= 3 and not s.isdigit())
    bad = pd.DataFrame({"adcode": [110000], "place": [f"北京 {name}"]})
    with pytest.raises(PrivacyError):
        assert_publishable(bad, where="bad", personal_strings=strings, vocabulary=VOCAB)
    assert personal_columns(pd.DataFrame({"name": ["x"], "photo": ["y"]})) == ["name", "photo"]


def test_the_scan_fails_on_a_bad_notebook(strings):
    name = next(s for s in sorted(strings) if len(s) == 2 and not s.isdigit())
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("records.head()")
    cell.outputs = [nbformat.v4.new_output("execute_result", data={
        "text/html": f"<table><tr><td>{name}</td><td>男</td></tr></table>"}, execution_count=1)]
    nb.cells.append(cell)
    assert text_leaks(_notebook_text(nb), strings, VOCAB)
