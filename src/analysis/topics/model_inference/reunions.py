"""P(found province | lost province) of the reunions (issue 13, item 6), with bootstrap
intervals, published under the disclosure rule.

From ``case_flows`` (source ``uiuing_success``: one pair per reunion with both provinces
known): the share of the reunions lost in province i that were found in province j,
n_ij / n_i·, with a percentile bootstrap interval that resamples the reunion postings
(:func:`analysis.stats.bootstrap.bootstrap_conditional_shares`, seeded). Cells of fewer than
:data:`~analysis.topics.model_inference.schema.MIN_CELL` reunions are pooled per lost province
*before* resampling (a multinomial draw of the pooled cell equals the sum of its cells' draws,
so the pooled interval is that of the sum); a pooled cell still under the threshold is left
out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.accounts import RowAccount
from analysis.stats.bootstrap import bootstrap_conditional_shares
from analysis.topics.model_inference.schema import MIN_CELL, POOLED
from analysis.vocab.provinces import MAINLAND31

#: ``case_flows`` source of the reunions (lost → found).
REUNION_SOURCE = "uiuing_success"


def found_given_lost(flows: pd.DataFrame, replicates: int, seed: int
                     ) -> tuple[pd.DataFrame, RowAccount]:
    """The ``reunion_found_given_lost`` table and its row account.

    Parameters
    ----------
    flows : ``case_flows`` (lost × destination province counts per source)
    replicates : bootstrap replicates
    seed : the project seed

    Returns
    -------
    One row per lost province × found province with at least ``MIN_CELL`` reunions, plus one
    pooled row per lost province (when it reaches ``MIN_CELL``); shares and 95 % intervals.
    """
    f = flows[flows["source"] == REUNION_SOURCE]
    provinces = list(MAINLAND31)
    table = (f.pivot_table(index="lost_adcode", columns="destination_adcode",
                           values="flow_count", aggfunc="sum", fill_value=0)
             .reindex(index=provinces, columns=provinces, fill_value=0).to_numpy(float))
    small = (table > 0) & (table < MIN_CELL)
    pooled = np.where(small, table, 0).sum(axis=1)
    collapsed = np.column_stack([np.where(small, 0, table), pooled])
    share, lo, hi = bootstrap_conditional_shares(collapsed, replicates, seed)
    totals = table.sum(axis=1)
    rows = []
    for i, lost in enumerate(provinces):
        for j in range(len(provinces) + 1):
            n = collapsed[i, j]
            if n < MIN_CELL:
                continue
            is_pool = j == len(provinces)
            rows.append({"lost_adcode": int(lost),
                         "found_group": POOLED if is_pool else "province",
                         "found_adcode": pd.NA if is_pool else int(provinces[j]),
                         "flow_count": int(n), "lost_total": int(totals[i]),
                         "share": float(share[i, j]), "share_ci_low": float(lo[i, j]),
                         "share_ci_high": float(hi[i, j]),
                         "same_province": (not is_pool) and provinces[j] == lost})
    out = pd.DataFrame(rows)
    out["found_adcode"] = out["found_adcode"].astype("Int64")
    acc = RowAccount("reunion_found_given_lost")
    n_pairs = int(table.sum())
    acc.add_read("reunion pairs (case_flows)", n_pairs)
    shown = int(out["flow_count"].sum())
    acc.add_kept("reunion pairs (case_flows)", shown)
    acc.drop("reunion pairs (case_flows)",
             f"pooled cell of a lost province still under {MIN_CELL}", n_pairs - shown)
    acc.note("reunion pairs (case_flows)", f"in cells under {MIN_CELL}, pooled per lost province",
             int(table[small].sum()))
    return out, acc


__all__ = ["REUNION_SOURCE", "found_given_lost"]
