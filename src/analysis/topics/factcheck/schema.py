"""Schema of ``fact_check``."""

from __future__ import annotations

import pandera.pandas as pa

from analysis.vocab.columns import one_row_per, text_column
from analysis.vocab.factcheck import RULE_IDS, TESTABILITY_RULE, VERDICTS
from analysis.vocab.wording import FACT_CHECK_CAVEAT

__all__ = ["SCHEMAS", "VERDICTS"]

SCHEMAS = {
    "fact_check": pa.DataFrameSchema(
        {
            "claim_id": text_column("claim id (C01…)"),
            "article": text_column("hellmann (Hellmann 2015, UC Berkeley) or essay (undated "
                                   "essay around 'Living with Dead Hearts')",
                                   isin=["hellmann", "essay"]),
            "article_citation": text_column("author, title and year of the article"),
            "article_url": text_column("address of the article (empty when none is known: the "
                                       "essay)", nullable=True),
            "claim": text_column("the claim, paraphrased"),
            "quoted_words": text_column("the article's words"),
            "what_our_data_can_say": text_column("what the public data can and cannot say"),
            "computed_value": pa.Column(float, nullable=True, description="the number we "
                                        "computed (unit in computed_unit); empty when none",
                                        metadata={"unit": "see computed_unit"}),
            "computed_unit": text_column("unit and definition of computed_value", nullable=True),
            "verdict": text_column("the reviewed verdict (data/raw/manual/claims.csv): "
                                   "supported / partly supported / not supported / cannot be "
                                   "tested with public data; the build checks it against its "
                                   "rule on the evidence", isin=list(VERDICTS)),
            "rule": text_column("the verdict rule (analysis.topics.factcheck.rules)",
                                isin=list(RULE_IDS)),
            "rule_text": text_column("the rule in words (for 'cannot be tested': why the "
                                     "claim's quantity is not observed)"),
            "verdict_reason": text_column("the reviewer's reason, and whether the verdict "
                                          "changed after review"),
            "verdict_before_review": text_column("the verdict the project gave before the "
                                                 "review of 2026-12", isin=list(VERDICTS)),
            "reviewed_by": text_column("who reviewed the verdict"),
            "reviewed_on": text_column("date of the review (YYYY-MM-DD)"),
            "evidence": text_column("the evidence, with computed numbers"),
            "shown_in": text_column("figure or table that shows it", nullable=True),
        },
        strict=True, ordered=True, **one_row_per("claim_id"),
        description="Every quantitative claim of the two articles, with what our data can say, "
                    "the computed number, a verdict and where it is shown.",
        metadata={"sources": ["claims_to_check.csv", "claims.csv",
                              "published_figures_with_quotes.csv", "case_counts", "case_flows", "case_rates",
                              "case_composition", "case_coverage_by_year", "census_hukou_province",
                              "census_city_province", "census_county", "left_behind_children",
                              "model_coefficients", "county_model_estimates",
                              "county_model_sensitivity", "county_left_behind_check",
                              "prefecture_case_counts", "prefecture_hotspot_local"],
                  "notes": "Verdicts are reviewed values (data/raw/manual/claims.csv), each "
                           "checked against its rule (analysis.topics.factcheck.rules) on the "
                           "computed evidence. Testability rule: " + TESTABILITY_RULE + " "
                           + FACT_CHECK_CAVEAT},
    ),
}
