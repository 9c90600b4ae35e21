"""Step ``derive.factcheck``: the ``fact_check`` table, one row per claim of the reporting.

Reads the reviewed copy ``data/raw/manual/claims_to_check.csv`` (sha256-checked) and evaluates
every claim with :mod:`analysis.factcheck` on the tables built before it.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from analysis.accounts import RowAccount
from analysis.errors import DataError
from analysis.factcheck import fact_check
from analysis.tables import BuildContext, CleanTable

CLAIMS = "claims_to_check.csv"
CLAIMS_SHA256 = "5ad36faf5c054a085de04bbce387ccf8d8b20a82af30cfad3b569d4d35048ba1"
COLUMNS = ["claim_id", "article", "claim", "quoted_words", "what_could_test_it"]


def read_claims(path) -> pd.DataFrame:
    """The claims table; :class:`DataError` if the copy changed or a column is missing."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != CLAIMS_SHA256:
        raise DataError(path, f"sha256 {digest} differs from the reviewed copy "
                              f"({CLAIMS_SHA256}); review the change and update CLAIMS_SHA256")
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
