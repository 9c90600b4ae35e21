"""Step ``derive.factcheck``: the ``fact_check`` table, one row per claim of the reporting.

Reads the reviewed copy ``data/raw/manual/claims_to_check.csv`` (sha256-checked by
``BuildContext.manual``) and evaluates every claim with
:mod:`analysis.topics.factcheck.evaluators` on the tables built before it.
"""

from __future__ import annotations

import pandas as pd

from analysis.core.accounts import RowAccount
from analysis.core.errors import DataError
from analysis.core.step import BuildContext, CleanTable
from analysis.topics.factcheck.evaluators import fact_check

#: The reviewed claims table; its sha256 is pinned in ``data/raw/manual/SHA256SUMS`` and checked
#: by ``BuildContext.manual``.
CLAIMS = "claims_to_check.csv"
COLUMNS = ["claim_id", "article", "claim", "quoted_words", "what_could_test_it"]

#: Tables the evaluators read, and the table this step builds.
NEEDS = ("case_composition", "case_coverage_by_year", "case_flows", "case_rates",
         "census_city_province", "census_hukou_province", "left_behind_children",
         "model_coefficients")
PROVIDES = ("fact_check",)


def read_claims(path) -> pd.DataFrame:
    """The claims table (pass a path from ``BuildContext.manual``, which checks its sha256);
    :class:`DataError` if a column is missing."""
    claims = pd.read_csv(path, dtype=str)
    missing = [c for c in COLUMNS if c not in claims.columns]
    if missing:
        raise DataError(path, "expected column missing or renamed", column=missing[0])
    return claims


def build(ctx: BuildContext) -> list[CleanTable]:
    """Build ``fact_check`` from the claims and the tables in ``ctx.tables``."""
    claims = read_claims(ctx.manual(CLAIMS))
    account = RowAccount("fact_check")
    account.add_read(CLAIMS, len(claims))
    table = fact_check(claims, ctx.tables)
    account.add_kept(CLAIMS, len(table))
    return [CleanTable("fact_check", table, account)]
