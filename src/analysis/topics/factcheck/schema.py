"""Schema of ``fact_check``."""

from __future__ import annotations

import pandera.pandas as pa

from analysis.vocab.columns import one_row_per, text_column
from analysis.vocab.wording import FACT_CHECK_CAVEAT

#: Verdicts of the fact-check (rules in :mod:`analysis.topics.factcheck.evaluators`).
VERDICTS = ("supported", "partly supported", "not supported",
            "cannot be tested with public data")

SCHEMAS = {
    "fact_check": pa.DataFrameSchema(
        {
            "claim_id": text_column("claim id (C01…)"),
            "article": text_column("hellmann (Hellmann 2015, UC Berkeley) or essay (undated "
                                   "essay around 'Living with Dead Hearts')",
                                   isin=["hellmann", "essay"]),
            "claim": text_column("the claim, paraphrased"),
            "quoted_words": text_column("the article's words"),
            "what_our_data_can_say": text_column("what the public data can and cannot say"),
            "computed_value": pa.Column(float, nullable=True, description="the number we "
                                        "computed (unit in computed_unit); empty when none",
                                        metadata={"unit": "see computed_unit"}),
            "computed_unit": text_column("unit and definition of computed_value", nullable=True),
            "verdict": text_column("supported / partly supported / not supported / cannot be "
                                   "tested with public data", isin=list(VERDICTS)),
            "evidence": text_column("the evidence, with computed numbers"),
            "shown_in": text_column("figure or table that shows it", nullable=True),
        },
        strict=True, ordered=True, **one_row_per("claim_id"),
        description="Every quantitative claim of the two articles, with what our data can say, "
                    "the computed number, a verdict and where it is shown.",
        metadata={"sources": ["claims_to_check.csv", "case_counts", "case_flows", "case_rates",
                              "case_composition", "case_coverage_by_year", "census_hukou_province",
                              "census_city_province", "left_behind_children"],
                  "notes": "Verdict rules in analysis.topics.factcheck.evaluators. "
                           + FACT_CHECK_CAVEAT},
    ),
}
