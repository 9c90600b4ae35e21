"""Schema of ``left_behind_children``: published figures, one row per figure, never pooled.

Besides column checks, the dataframe checks enforce that definitions are not mixed: each
``source_id`` carries exactly one ``definition_id`` (the one assigned in
:data:`SOURCE_DEFINITION`), each ``definition_id`` its one text, and a
``persons`` value derived from a share uses the national total of the *same* source and
definition.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from analysis.vocab.citations import STATUSES, UNKNOWN
from analysis.vocab.columns import adcode_column, one_row_per, persons_column, text_column

#: The reviewed hand-transcribed table read by the step (under ``data/raw/manual/``).
MANUAL_FILE = "left_behind_children_by_province_partial.csv"

#: definition_id → the definition as written in the table.
DEFINITIONS: dict[str, str] = {
    "acwf_rural_0_17_one_or_both_parents": (
        "rural children aged 0-17 with one or both parents migrated away (ACWF 2013 report, "
        "estimated from the 2010 census sample)"),
    "mca_rural_under16_both_parents": (
        "rural-hukou children under 16 with both parents away, or one away and the other "
        "unable to care (Ministry of Civil Affairs / MoE / MPS roster, 摸底排查)"),
}

#: source_id → definition_id. A source_id not listed (and not in DROP_SOURCES) raises DataError,
#: so a new source must be classified by hand before it can enter the table.
SOURCE_DEFINITION: dict[str, str] = {
    "ACWF2013": "acwf_rural_0_17_one_or_both_parents",
    "MCA2016": "mca_rural_under16_both_parents",
    "MCA2016-prov": "mca_rural_under16_both_parents",
    "MCA2018": "mca_rural_under16_both_parents",
}

UNITS = ["persons", "share_of_national_total"]


def _one_definition_per_source(df: pd.DataFrame) -> bool:
    """Each source_id has one definition_id, the one assigned to it, and its canonical text."""
    if (df.groupby("source_id")["definition_id"].nunique() > 1).any():
        return False
    expected = df["source_id"].map(SOURCE_DEFINITION)
    if not expected.eq(df["definition_id"]).all():
        return False
    return bool(df["definition"].eq(df["definition_id"].map(DEFINITIONS)).all())


def _citation_missing_only_when_unknown(df: pd.DataFrame) -> pd.Series:
    """``citation_url`` is missing exactly when no original was identified, and is an address."""
    missing = df["citation_url"].isna()
    is_url = df["citation_url"].fillna("").str.match(r"https?://")
    return (missing == (df["citation_status"] == UNKNOWN)) & (missing | is_url)


def _national_has_no_adcode(df: pd.DataFrame) -> pd.Series:
    return (df["geography"] == "national") == df["adcode"].isna()


def _value_matches_unit(df: pd.DataFrame) -> pd.Series:
    """Shares lie in 0–1; a figure in persons equals its ``persons`` value."""
    share = df["unit"] == "share_of_national_total"
    persons = df["persons"].astype("Float64")
    ok_share = df["value"].between(0, 1)
    ok_persons = persons.eq(df["value"]).fillna(False)
    return (share & ok_share) | (~share & ok_persons & ~df["persons_derived"])


def _derived_from_same_definition(df: pd.DataFrame) -> pd.Series:
    """A derived ``persons`` = share × the national persons of the same source and definition."""
    nat = df[(df["geography"] == "national") & (df["unit"] == "persons")]
    totals = {(s, d): p for s, d, p in zip(nat["source_id"], nat["definition_id"], nat["persons"],
                                           strict=True)}
    ok = []
    for s, d, v, p, derived in zip(df["source_id"], df["definition_id"], df["value"],
                                   df["persons"], df["persons_derived"], strict=True):
        if not derived:
            ok.append(True)
            continue
        total = totals.get((s, d))
        ok.append(total is not None and not pd.isna(p) and abs(p - v * total) <= 1)
    return pd.Series(ok, index=df.index)


def _provinces_within_national(df: pd.DataFrame) -> bool:
    """Within one definition and year, provinces sum to at most the national figure (persons)
    and shares to at most 1."""
    for (_, _), g in df.groupby(["definition_id", "reference_year"]):
        nat = g.loc[g["geography"] == "national", "persons"].dropna()
        prov = g[g["geography"] == "province"]
        if len(nat) and prov["persons"].dropna().sum() > nat.max():
            return False
        if prov.loc[prov["unit"] == "share_of_national_total", "value"].sum() > 1 + 1e-9:
            return False
    return True


SCHEMAS = {
    "left_behind_children": pa.DataFrameSchema(
        {
            "source_id": text_column("publication the figure comes from (see the manual "
                                     ".md file for citations)", isin=sorted(SOURCE_DEFINITION)),
            "publisher": text_column("publisher of the figure"),
            "reference_year": pa.Column("int64", pa.Check.in_range(2000, 2030),
                                        description="year the figure refers to (ACWF 2013: the "
                                        "2010 census)", metadata={"unit": "year"}),
            "definition_id": text_column("definition of 'left-behind child'; figures of "
                                         "different definitions must never be pooled",
                                         isin=sorted(DEFINITIONS)),
            "definition": text_column("the definition in words"),
            "geography": text_column("national or province", isin=["national", "province"]),
            "adcode": adcode_column("province adcode; missing for the national figure",
                                    nullable=True),
            "name_zh": text_column("place as written in the source (全国 = national)"),
            "value": pa.Column("float64", pa.Check.ge(0), description="the figure as published, "
                               "in `unit` (percent converted to a 0-1 share)",
                               metadata={"unit": "see `unit`"}),
            "unit": text_column("unit of `value`: persons, or share_of_national_total (0-1, "
                                "share of the same source's national figure)", isin=UNITS),
            "persons": persons_column("the figure in persons: as published, or share × the "
                                      "national total of the same source and definition; "
                                      "missing when not derivable", nullable=True),
            "persons_derived": pa.Column(bool, description="True when `persons` was computed "
                                         "from a share (rounding of the published percent: "
                                         "about ±0.005 pp × national total)",
                                         metadata={"unit": "flag"}),
            "citation_url": text_column("the publisher's own page for the figure (original_url "
                                        "of the curated table; never the mirror copy it was "
                                        "read from); missing when no original was identified",
                                        nullable=True),
            "citation_status": text_column("how sure citation_url is: is_original (the page "
                                           "read), confirmed (a copy at the publisher's host was "
                                           "seen), reconstructed (derived from a mirror's path, "
                                           "not opened), unknown (no original identified)",
                                           isin=list(STATUSES)),
            "note": text_column("transcriber's note (original wording, conflicts, qualifiers); "
                                "missing when the source row had none", nullable=True),
        },
        checks=[
            pa.Check(_one_definition_per_source,
                     error="definitions mixed: a source_id has several definition_ids or a "
                           "definition_id a different text"),
            pa.Check(_national_has_no_adcode, error="national rows have no adcode, provinces do"),
            pa.Check(_citation_missing_only_when_unknown,
                     error="citation_url must be an address, missing only when citation_status "
                           "is unknown"),
            pa.Check(_value_matches_unit, error="value out of range for its unit"),
            pa.Check(_derived_from_same_definition,
                     error="derived persons not from the same source's national total"),
            pa.Check(_provinces_within_national,
                     error="provinces exceed the national figure of their definition"),
        ],
        strict=True,
        ordered=True,
        **one_row_per("source_id", "geography", "adcode"),
        name="left_behind_children",
        description="One published figure of left-behind children (national or one province), "
                    "with its definition. Partial: only the provinces the sources named.",
        metadata={
            "sources": [MANUAL_FILE],
            "notes": "ACWF 2013 (2010 census sample; 0-17, one or both parents away; 61.03 M) "
                     "and MCA 2016/2018 (<16, both parents away; 9.02 M / 6.97 M) use different "
                     "definitions: use analysis.sources.left_behind.clean.figures_for(definition_id), "
                     "which refuses to mix them. Group, macro-region and unverified aggregator "
                     "figures are dropped (see the row account). Sichuan 11.34 % of ACWF -> "
                     f"{round(0.1134 * 61025500):,} persons (derived). No complete provincial "
                     "table exists in any source reachable here.",
        },
    ),
}
