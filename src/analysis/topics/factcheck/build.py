"""Step ``topics.factcheck``: the ``fact_check`` table, one row per claim of the reporting.

Reads two reviewed copies (sha256-checked by ``BuildContext.manual``):

* ``claims_to_check.csv`` — the curated claims (quote, article, what could test each);
* ``claims.csv`` — the project's review of each claim: whether its quantity is observed (the
  testability rule of :mod:`analysis.vocab.factcheck`), the verdict rule and its parameters,
  the **verdict**, the verdict before the review, the reason and who reviewed it.

The claim texts of both must agree word for word. Every claim is evaluated by
:mod:`analysis.topics.factcheck.evaluators` on the tables built before it, and its reviewed
verdict is checked against its rule: a disagreement stops the build
(:class:`~analysis.topics.factcheck.rules.VerdictMismatch`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.core.accounts import RowAccount
from analysis.core.errors import DataError
from analysis.core.step import BuildContext, CleanTable
from analysis.topics.factcheck.evaluators import fact_check
from analysis.topics.factcheck.rules import RULES
from analysis.vocab.factcheck import ARTICLES, NOT_OBSERVABLE_REASONS, VERDICTS

#: The curated claims and the reviewed verdicts; both pinned in ``data/raw/manual/SHA256SUMS``.
CURATED = "claims_to_check.csv"
CLAIMS = "claims.csv"
PUBLISHED = "published_figures_with_quotes.csv"
CURATED_COLUMNS = ["claim_id", "article", "claim", "quoted_words", "what_could_test_it"]
COLUMNS = ["claim_id", "article", "claim", "quoted_words", "what_would_test_it", "observable",
           "not_observable_because", "rule", "rule_parameters", "verdict",
           "verdict_before_review", "verdict_reason", "reviewed_by", "reviewed_on"]
#: Columns of ``claims.csv`` that must be filled on every row.
REQUIRED = ["claim_id", "article", "claim", "quoted_words", "observable", "rule", "verdict",
            "verdict_before_review", "verdict_reason", "reviewed_by", "reviewed_on"]

#: Tables the evaluators read, and the table this step builds.
NEEDS = ("case_composition", "case_coverage_by_year", "case_flows", "case_rates",
         "census_city_province", "census_county", "census_hukou_province",
         "county_left_behind_check", "county_model_estimates", "county_model_sensitivity",
         "left_behind_children", "model_coefficients", "prefecture_case_counts",
         "prefecture_hotspot_local")
PROVIDES = ("fact_check",)


def _read(path: Path, columns: list[str]) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(path, "expected column missing or renamed", column=missing[0])
    return frame


def read_claims(path: Path, curated: Path | None = None) -> pd.DataFrame:
    """The reviewed claims table ``claims.csv`` (pass paths from ``BuildContext.manual``, which
    checks their sha256). With ``curated`` (``claims_to_check.csv``) the claim ids, articles,
    claims and quotes must equal the curated ones row for row.

    :class:`DataError` (file, row, column) for a missing column, an empty required cell, an
    unknown verdict, rule, article or reason, or a text that differs from the curated copy."""
    claims = _read(path, COLUMNS)
    allowed = {"observable": {"yes", "no"}, "verdict": set(VERDICTS),
               "verdict_before_review": set(VERDICTS), "rule": set(RULES),
               "article": set(ARTICLES), "not_observable_because": {"", *NOT_OBSERVABLE_REASONS}}
    for number, row in enumerate(claims.to_dict("records"), start=2):
        for column in REQUIRED:
            if not str(row[column]).strip():
                raise DataError(path, "empty cell", row=number, column=column)
        for column, values in allowed.items():
            if row[column] not in values:
                raise DataError(path, f"{row[column]!r} is not one of {sorted(values)}",
                                row=number, column=column)
        if (row["observable"] == "no") != bool(row["not_observable_because"]):
            raise DataError(path, "a claim that is not observable names why, and only such a "
                            "claim", row=number, column="not_observable_because")
    if curated is not None:
        reference = _read(curated, CURATED_COLUMNS)
        if list(reference["claim_id"]) != list(claims["claim_id"]):
            raise DataError(path, f"claim ids {list(claims['claim_id'])} differ from "
                            f"{CURATED}'s {list(reference['claim_id'])}", column="claim_id")
        for column in ("article", "claim", "quoted_words"):
            differs = reference[column] != claims[column]
            if differs.any():
                number = int(differs.to_numpy().nonzero()[0][0]) + 2
                raise DataError(path, f"differs from {CURATED}", row=number, column=column)
    return claims


def build(ctx: BuildContext) -> list[CleanTable]:
    """Build ``fact_check`` from the reviewed claims and the tables in ``ctx.tables``."""
    claims = read_claims(ctx.manual(CLAIMS), ctx.manual(CURATED))
    published = pd.read_csv(ctx.manual(PUBLISHED), dtype=str, keep_default_na=False)
    account = RowAccount("fact_check")
    account.add_read(CLAIMS, len(claims))
    table = fact_check(claims, {**ctx.tables, "published_figures": published})
    account.add_kept(CLAIMS, len(table))
    return [CleanTable("fact_check", table, account)]
