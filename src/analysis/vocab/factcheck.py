"""Vocabulary of the fact-check: verdicts, the one rule for "cannot be tested", the reasons a
quantity is not observed, and the two articles (EN / 中文).

The verdict of every claim is a reviewed value in ``data/raw/manual/claims.csv``; the build
computes the evidence and checks the reviewed verdict against the claim's rule
(:mod:`analysis.topics.factcheck.rules`).
"""

from __future__ import annotations

#: Verdicts, in display order.
VERDICTS: tuple[str, ...] = ("supported", "partly supported", "not supported",
                             "cannot be tested with public data")
CANNOT_BE_TESTED = VERDICTS[3]
#: Chinese labels of :data:`VERDICTS`.
VERDICTS_ZH: dict[str, str] = {
    "supported": "有依据",
    "partly supported": "部分有依据",
    "not supported": "无依据",
    "cannot be tested with public data": "公开数据无法检验",
}

#: The one rule that decides "cannot be tested", applied to every claim (its ``observable``
#: field in ``claims.csv``). Quoted in the data dictionary, notebook 05 and the report.
TESTABILITY_RULE = (
    "A claim can be tested only when public data reached by this project observe the quantity "
    "it asserts, for the population it names: census and migration tables, the recorded "
    "attributes of platform postings as postings (where and when a child went missing, "
    "recorded sex, age and type of loss, and for reunions where the child was found), or a "
    "published figure of grade A or B whose publisher is identified. Postings do not observe "
    "how many children are abducted or how that number changed (who posts, and when, shapes "
    "every count), what happened to a child afterwards (price, purpose, adoption or labour), "
    "which children are at risk, police practice, or the members of other organisations. When "
    "the claim's quantity is not observed, the verdict is 'cannot be tested with public data', "
    "whatever a related number shows; that number is shown as context, never as evidence.")

#: Ids of the verdict rules (:data:`analysis.topics.factcheck.rules.RULES`, checked equal there).
RULE_IDS: tuple[str, ...] = ("not_observable", "direction_concentration", "figure_matches",
                             "share_in_named_places", "trend_endpoints", "count_at_least")

#: Why a claim's quantity is not observed (``claims.csv`` column ``not_observable_because``).
NOT_OBSERVABLE_REASONS: dict[str, str] = {
    "incidence": "the number of abductions, or its trend, is observed by no public data; "
                 "postings count what was posted",
    "outcome": "what happened to a child after going missing (price, purpose, adoption) is "
               "not in any posting",
    "individual_risk": "which children are at risk is a child-level question; public data are "
                       "aggregates",
    "other_organisation": "the claim is about another organisation's members, who are not in "
                          "the data",
    "no_public_figure": "no public table and no graded A/B published figure here holds the "
                        "number",
    "police_practice": "police practice is recorded in no public dataset",
}

#: The two articles the fact-check answers: id → (title, address or "" when none is known,
#: note shown beside the title).
ARTICLES: dict[str, tuple[str, str, str]] = {
    "hellmann": ("Melissa Hellmann, “A Lost Generation: The Trafficking of China's Left-Behind "
                 "Children”, UC Berkeley Graduate School of Journalism master's project, 2015",
                 "https://escholarship.org/uc/item/49m314s1", ""),
    "essay": ("Essay on child trafficking in China around the documentary “Living with Dead "
              "Hearts” (2013), undated", "",
              "author and address not known to the project: it cannot be linked"),
}

#: How a county association bears on a claim (the readings of
#: :func:`analysis.topics.factcheck.evaluators.ecological_reading`), EN → 中文.
READINGS_ZH: dict[str, str] = {
    "ecologically consistent with the claim": "生态学上与论断一致",
    "ecologically not consistent with the claim": "生态学上与论断不一致",
    "no association distinguishable from none": "无可辨别的关联",
    "the claim predicts no direction here": "论断对此未预测方向",
}
