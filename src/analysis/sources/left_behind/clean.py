"""Published left-behind-children figures → table ``left_behind_children`` (one row per figure).

Input: the reviewed hand-transcribed table
``data/raw/manual/left_behind_children_by_province_partial.csv`` (see the ``.md`` next to it for
citations, definitions and reliability). No complete provincial table exists in any reachable
source, so the table is *partial*: a national figure per source plus the few provinces each
source named.

Two definitions that must never be pooled (:data:`DEFINITIONS`):

* ``acwf_rural_0_17_one_or_both_parents`` — All-China Women's Federation 2013 report, estimated
  from the 2010 census sample: rural children aged 0–17 with one or both parents away
  (61.03 M in 2010).
* ``mca_rural_under16_both_parents`` — Ministry of Civil Affairs roster (摸底排查) 2016 and its
  2018 update, plus provincial civil-affairs releases of that roster: rural-hukou children under
  16 with both parents away, or one away and the other unable to care (9.02 M in 2016, 6.97 M in
  2018).

Rows kept: geography ``national`` and ``province``. Rows dropped (counted in the row account):
macro-region totals and groups of provinces (no single-province value), and the unverified
aggregator figures (``AGG2016``: definition unclear, reliability grade C). Percent shares are
converted to shares (0–1, unit ``share_of_national_total``); ``persons`` is the value in persons
where published, or share × the *same source's* national total of the *same definition*
(``persons_derived`` = True), else missing.

Citations (:mod:`analysis.vocab.citations`): ``citation_url`` is the publisher's own page
(``original_url`` of the curated table) and ``citation_status`` how sure that address is
(``is_original``, ``confirmed``, ``reconstructed``; ``unknown`` leaves ``citation_url`` missing).
The mirror or spam copy the figure was read from (``read_via_url``, and the older
``cited_via_url``) is never carried into the table.

Use :func:`figures_for` to get the figures of one definition; it refuses to mix definitions.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.accounts import RowAccount
from analysis.core.errors import DataError, UnknownProvinceError
from analysis.core.step import BuildContext, CleanTable
from analysis.sources.left_behind.schema import DEFINITIONS, MANUAL_FILE, SOURCE_DEFINITION
from analysis.vocab.citations import CITATION_COLUMNS, check_hosts, citation
from analysis.vocab.provinces import NATIONAL_ADCODE, to_adcodes

TABLE = "left_behind_children"
# MANUAL_FILE, DEFINITIONS and SOURCE_DEFINITION are defined with the schema (a schema check
# uses them): analysis.sources.left_behind.schema.

#: Tables this step reads (none: one manual table) and builds.
NEEDS: tuple[str, ...] = ()
PROVIDES = (TABLE,)

#: Marker each definition's explicit text in the file must contain (a cross-check of the map).
_DEFINITION_MARKERS: dict[str, str] = {
    "acwf_rural_0_17_one_or_both_parents": "0-17",
    "mca_rural_under16_both_parents": "<16",
}

#: Sources kept out of the table, with the account reason.
DROP_SOURCES: dict[str, str] = {
    "AGG2016": "unverified aggregator page, definition unclear (reliability grade C)",
}

#: Geographies kept, and dropped with the account reason.
KEEP_GEOGRAPHIES = ("national", "province")
DROP_GEOGRAPHIES: dict[str, str] = {
    "group": "group of several provinces (no single-province value)",
    "region": "macro-region total (东部/中部/西部), not a province",
}

#: Raw unit → (output unit, factor applied to the value).
UNITS: dict[str, tuple[str, float]] = {
    "persons": ("persons", 1.0),
    "pct_of_national_total": ("share_of_national_total", 0.01),
}

#: Columns read from the curated table (its ``cited_via_url`` holds the copy read for most rows
#: and is not read).
RAW_COLUMNS = ["source_id", "publisher", "reference_year", "definition", "geography", "name_zh",
               "value", "unit", "note", *CITATION_COLUMNS]

COLUMNS = ["source_id", "publisher", "reference_year", "definition_id", "definition",
           "geography", "adcode", "name_zh", "value", "unit", "persons", "persons_derived",
           "citation_url", "citation_status", "note"]

NOTE_PCT = "percent of national total converted to a share (÷100)"
NOTE_DERIVED = "persons derived as share × national total of the same source and definition"
NOTE_SAME_AS = "definition given as 'same as …': resolved to the referenced definition"


def _read_csv(path: Path) -> pd.DataFrame:
    label = f"data/raw/manual/{path.name}"
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(label, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except pd.errors.ParserError as exc:
        raise DataError(label, f"not a readable CSV: {exc}") from None
    missing = [c for c in RAW_COLUMNS if c not in raw.columns]
    if missing:
        raise DataError(label, f"column(s) missing: {missing} (found {list(raw.columns)})",
                        column=missing[0])
    return raw


def clean_left_behind(path: Path) -> CleanTable:
    """Clean the curated left-behind-children table.

    Parameters
    ----------
    path : the curated CSV (columns :data:`RAW_COLUMNS`, UTF-8)

    Returns
    -------
    CleanTable ``left_behind_children`` with columns :data:`COLUMNS`: ``value`` (float) in
    ``unit`` (``persons`` or ``share_of_national_total`` 0–1), ``persons`` (nullable Int64,
    persons), ``adcode`` (nullable Int64: missing for the national rows), ``citation_url``
    (the original's address; missing when ``citation_status`` is ``unknown``).

    Raises
    ------
    DataError
        missing column, non-UTF-8 text, non-numeric value or year, unknown unit, unknown
        province, unknown source_id, a definition text that contradicts the source's
        definition, inconsistent citation cells or a citation at a host recorded as
        ``read_via_url`` — naming file, row (line number in the CSV) and column.
    """
    label = f"data/raw/manual/{path.name}"
    raw = _read_csv(path)
    account = RowAccount(TABLE)
    account.add_read(label, len(raw))
    rows: list[dict] = []
    explicit: dict[str, str] = {}  # source_id → explicit definition text seen
    previous_text: str | None = None
    for i, r in raw.iterrows():
        line = int(i) + 2  # header is line 1
        cited, status = citation(r["original_url"], r["original_url_status"],
                                 r["read_via_url"], file=label, row=line)
        src, geo, text = r["source_id"].strip(), r["geography"].strip(), r["definition"].strip()
        resolved_text, resolved_by_reference = text, False
        if text.lower().startswith("same as"):
            ref = text[len("same as"):].strip()
            if ref.lower().startswith("above"):
                if previous_text is None:
                    raise DataError(label, "'same as above' in the first row", row=line,
                                    column="definition")
                resolved_text = previous_text
            else:
                ref_id = ref.split()[0] if ref else ""
                if ref_id not in explicit:
                    raise DataError(label, f"definition refers to unknown source {ref_id!r}",
                                    row=line, column="definition")
                resolved_text = explicit[ref_id]
            resolved_by_reference = True
        else:
            explicit[src] = text
        previous_text = resolved_text
        if src in DROP_SOURCES:
            account.drop(label, DROP_SOURCES[src])
            continue
        if src not in SOURCE_DEFINITION:
            raise DataError(label, f"unknown source_id {src!r}: classify its definition in "
                                   "analysis.sources.left_behind.schema.SOURCE_DEFINITION first",
                            row=line, column="source_id")
        definition_id = SOURCE_DEFINITION[src]
        if _DEFINITION_MARKERS[definition_id] not in resolved_text:
            raise DataError(label, f"definition {resolved_text!r} does not match {definition_id}"
                                   " (never pool definitions)", row=line, column="definition")
        if geo in DROP_GEOGRAPHIES:
            account.drop(label, DROP_GEOGRAPHIES[geo])
            continue
        if geo not in KEEP_GEOGRAPHIES:
            raise DataError(label, f"unknown geography {geo!r}", row=line, column="geography")
        unit_raw = r["unit"].strip()
        if unit_raw not in UNITS:
            raise DataError(label, f"unknown unit {unit_raw!r} (known: {sorted(UNITS)})",
                            row=line, column="unit")
        unit, factor = UNITS[unit_raw]
        try:
            value = float(r["value"].replace(",", "").strip())
        except ValueError:
            raise DataError(label, f"value {r['value']!r} is not a number", row=line,
                            column="value") from None
        if not np.isfinite(value) or value < 0:
            raise DataError(label, f"value {r['value']!r} is not a non-negative number",
                            row=line, column="value")
        try:
            year = int(r["reference_year"].strip())
        except ValueError:
            raise DataError(label, f"reference_year {r['reference_year']!r} is not a year",
                            row=line, column="reference_year") from None
        try:
            adcode = int(to_adcodes([r["name_zh"]], context=f"{label} row {line}").iloc[0])
        except UnknownProvinceError as exc:
            raise DataError(label, str(exc), row=line, column="name_zh") from None
        if (adcode == NATIONAL_ADCODE) != (geo == "national"):
            raise DataError(label, f"geography {geo!r} does not match place {r['name_zh']!r}",
                            row=line, column="geography")
        if unit_raw == "pct_of_national_total":
            account.note(label, NOTE_PCT)
        if resolved_by_reference:
            account.note(label, NOTE_SAME_AS)
        note = r["note"].strip()
        extra = text[len("same as"):].strip() if resolved_by_reference else ""
        if "(" in extra:  # keep qualifiers such as "(as of end Aug 2018)"
            note = "; ".join(x for x in [note, extra[extra.index("("):].strip("() ")] if x)
        rows.append({
            "source_id": src, "publisher": r["publisher"].strip(), "reference_year": year,
            "definition_id": definition_id, "definition": DEFINITIONS[definition_id],
            "geography": geo, "adcode": pd.NA if geo == "national" else adcode,
            "name_zh": r["name_zh"].strip(), "value": value * factor, "unit": unit,
            "persons": round(value) if unit == "persons" else pd.NA,
            "persons_derived": False, "citation_url": cited, "citation_status": status,
            "note": note or None,
            "_line": line,
        })
    check_hosts((r["citation_url"] for r in rows), raw["read_via_url"], file=label)
    out = pd.DataFrame(rows)
    # persons from a share: only with the national total of the same source and definition
    national = {(r["source_id"], r["definition_id"]): r["persons"]
                for r in rows if r["geography"] == "national" and r["unit"] == "persons"}
    for idx in out.index[out["unit"] == "share_of_national_total"]:
        key = (out.at[idx, "source_id"], out.at[idx, "definition_id"])
        if key in national:
            out.at[idx, "persons"] = round(out.at[idx, "value"] * national[key])
            out.at[idx, "persons_derived"] = True
            account.note(label, NOTE_DERIVED)
    out = out.astype({"adcode": "Int64", "persons": "Int64", "persons_derived": bool,
                      "reference_year": "int64", "value": "float64"})
    dup = out.duplicated(["source_id", "geography", "adcode"], keep="first")
    if dup.any():
        line = int(out.loc[dup, "_line"].iloc[0])
        raise DataError(label, "a second figure for the same source and place", row=line,
                        column="name_zh")
    out = out.drop(columns="_line")[COLUMNS].reset_index(drop=True)
    account.add_kept(label, len(out))
    return CleanTable(TABLE, out, account.check())


def build(ctx: BuildContext) -> list[CleanTable]:
    """Build ``left_behind_children`` from the reviewed manual table."""
    return [clean_left_behind(ctx.manual(MANUAL_FILE))]


def figures_for(definition_id: str | Iterable[str], frame: pd.DataFrame, *,
                geography: str | None = None) -> pd.DataFrame:
    """The left-behind-children figures of exactly one definition.

    Parameters
    ----------
    definition_id : one key of :data:`DEFINITIONS`; a list naming two different definitions is
        refused
    frame : the ``left_behind_children`` table (``ctx.tables`` in a step; in a notebook
        ``analysis.tables.read("left_behind_children")``)
    geography : optionally ``"national"`` or ``"province"``

    Returns
    -------
    The rows of that definition (columns as the table).

    Raises
    ------
    ValueError
        several or unknown definitions asked for, or ``frame`` (after filtering) holding more
        than one definition.
    """
    if not isinstance(definition_id, str):
        ids = sorted(set(definition_id))
        if len(ids) != 1:
            raise ValueError(f"refusing to mix definitions {ids}: figures of different "
                             "definitions of 'left-behind child' must never be pooled")
        definition_id = ids[0]
    if definition_id not in DEFINITIONS:
        raise ValueError(f"unknown definition_id {definition_id!r}; known: {sorted(DEFINITIONS)}")
    out = frame[frame["definition_id"] == definition_id]
    if geography is not None:
        out = out[out["geography"] == geography]
    mixed = sorted(set(out["definition_id"]))
    if len(mixed) > 1:  # unreachable by construction; kept as a guard
        raise ValueError(f"refusing to mix definitions {mixed}")
    return out.reset_index(drop=True)
