"""Verdict rules of the fact-check: pure functions from a claim's evidence to a verdict.

The verdict of each claim is a reviewed value in ``data/raw/manual/claims.csv`` (column
``verdict``); the claim names its rule (column ``rule``) and the rule's parameters (column
``rule_parameters``, ``key=value;…``). :func:`apply_rule` computes the verdict the evidence
gives under that rule; the build refuses a reviewed verdict that disagrees
(:class:`VerdictMismatch`), so a change in the data that would flip a verdict stops the build
until a reviewer looks at it.

Every rule reads named *facts* computed by the claim's evaluator
(:mod:`analysis.topics.factcheck.evaluators`) and never the evaluator's prose.

==========================  ===============================================================
rule                        verdict
==========================  ===============================================================
``not_observable``          always "cannot be tested with public data" — the one rule of
                            :data:`analysis.vocab.factcheck.TESTABILITY_RULE`; the claim's
                            ``observable`` field must be ``no``
``direction_concentration`` supported: every named origin is a net sender, every named
                            destination a net receiver **and** the corridor is
                            over-represented (the lower bound of the bootstrap interval of its
                            lift is above 1); not supported: no named origin is a net sender
                            and no named destination a net receiver; else partly
``figure_matches``          supported: the comparator matches the claim's definition, place
                            and date (``comparator_matches``) and lies within the claim's own
                            precision (``tolerance``, relative); not supported: it differs by
                            more than the factor ``magnitude`` either way; else partly
``share_in_named_places``   supported: every place the claim names is checked and meets the
                            ``threshold`` share; not supported: none of the checked places
                            meets it; else partly (some places unchecked or below)
``trend_endpoints``         supported: every endpoint of the claimed trend is checked and
                            within ``tolerance`` (absolute, in share points); not supported:
                            a checked endpoint misses it; else partly (an endpoint unchecked)
``count_at_least``          supported: the count reaches the claim and the records are dated
                            up to the claim's date (``dated``); not supported: the count falls
                            short; else partly
==========================  ===============================================================
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from analysis.core.errors import AnalysisError
from analysis.vocab.factcheck import CANNOT_BE_TESTED, RULE_IDS

SUPPORTED, PARTLY, NOT_SUPPORTED = "supported", "partly supported", "not supported"

Facts = Mapping[str, float | bool | int]
Params = Mapping[str, float]


class VerdictMismatch(AnalysisError):
    """A reviewed verdict of ``claims.csv`` disagrees with its rule applied to the evidence."""


class RuleError(AnalysisError):
    """A claim names an unknown rule, or its evidence lacks a fact the rule reads."""


def _fact(facts: Facts, name: str, rule: str) -> float | bool:
    if name not in facts:
        raise RuleError(f"rule {rule} needs the fact {name!r}; the evaluator gave "
                        f"{sorted(facts) or 'none'}")
    return facts[name]


def _param(params: Params, name: str, rule: str) -> float:
    if name not in params:
        raise RuleError(f"rule {rule} needs the parameter {name!r} in claims.csv "
                        f"rule_parameters; given {sorted(params) or 'none'}")
    return float(params[name])


def not_observable(facts: Facts, params: Params) -> str:
    """The claim's quantity is not observed by public data: cannot be tested."""
    return CANNOT_BE_TESTED


def direction_concentration(facts: Facts, params: Params) -> str:
    """Facts: ``origins_named``, ``origins_net_senders``, ``destinations_named``,
    ``destinations_net_receivers`` (counts of provinces) and ``lift_ci_low`` (lower bound of
    the corridor's lift: share of the origins' outflows reaching the destinations ÷ share of
    all inter-provincial flows reaching them)."""
    r = "direction_concentration"
    senders = int(_fact(facts, "origins_net_senders", r))
    receivers = int(_fact(facts, "destinations_net_receivers", r))
    if senders == 0 and receivers == 0:
        return NOT_SUPPORTED
    direction = (senders == int(_fact(facts, "origins_named", r))
                 and receivers == int(_fact(facts, "destinations_named", r)))
    if direction and float(_fact(facts, "lift_ci_low", r)) > 1.0:
        return SUPPORTED
    return PARTLY


def figure_matches(facts: Facts, params: Params) -> str:
    """Facts: ``value`` (the comparator), ``claim_value``, ``comparator_matches`` (bool: same
    definition, place and date as the claim). Parameters: ``tolerance`` (relative),
    ``magnitude`` (factor)."""
    r = "figure_matches"
    value, claim = float(_fact(facts, "value", r)), float(_fact(facts, "claim_value", r))
    if value <= 0 or claim <= 0:
        raise RuleError(f"rule {r}: value and claim_value must be positive ({value}, {claim})")
    ratio = value / claim
    magnitude = _param(params, "magnitude", r)
    if ratio > magnitude or ratio < 1 / magnitude:
        return NOT_SUPPORTED
    if bool(_fact(facts, "comparator_matches", r)) and abs(ratio - 1) <= _param(
            params, "tolerance", r):
        return SUPPORTED
    return PARTLY


def share_in_named_places(facts: Facts, params: Params) -> str:
    """Facts: ``places_named``, ``places_checked``, ``places_meeting`` (checked places whose
    share reaches the parameter ``threshold``; the evaluator applies it)."""
    r = "share_in_named_places"
    named, checked = int(_fact(facts, "places_named", r)), int(_fact(facts, "places_checked", r))
    meeting = int(_fact(facts, "places_meeting", r))
    if not 0 <= meeting <= checked <= named:
        raise RuleError(f"rule {r}: need 0 ≤ meeting ≤ checked ≤ named, got {meeting}, "
                        f"{checked}, {named}")
    if checked and meeting == 0:
        return NOT_SUPPORTED
    if meeting == named:
        return SUPPORTED
    return PARTLY


def trend_endpoints(facts: Facts, params: Params) -> str:
    """Facts: ``endpoints_named``, ``endpoints_checked``, ``largest_miss`` (largest absolute
    difference between a checked endpoint and the claim, share points 0–1). Parameter:
    ``tolerance``."""
    r = "trend_endpoints"
    named, checked = int(_fact(facts, "endpoints_named", r)), int(
        _fact(facts, "endpoints_checked", r))
    if checked and float(_fact(facts, "largest_miss", r)) > _param(params, "tolerance", r):
        return NOT_SUPPORTED
    if checked == named:
        return SUPPORTED
    return PARTLY if checked else CANNOT_BE_TESTED


def count_at_least(facts: Facts, params: Params) -> str:
    """Facts: ``count``, ``claim_count``, ``dated`` (bool: the records are dated up to the
    claim's own date)."""
    r = "count_at_least"
    if float(_fact(facts, "count", r)) < float(_fact(facts, "claim_count", r)):
        return NOT_SUPPORTED
    return SUPPORTED if bool(_fact(facts, "dated", r)) else PARTLY


RULES: dict[str, Callable[[Facts, Params], str]] = {
    "not_observable": not_observable,
    "direction_concentration": direction_concentration,
    "figure_matches": figure_matches,
    "share_in_named_places": share_in_named_places,
    "trend_endpoints": trend_endpoints,
    "count_at_least": count_at_least,
}

if tuple(RULES) != RULE_IDS:  # pragma: no cover - guards an edit of one side
    raise RuntimeError("analysis.topics.factcheck.rules.RULES and vocab.factcheck.RULE_IDS differ")

#: One line per rule, published in ``fact_check.rule_text``.
RULE_TEXT: dict[str, str] = {
    "not_observable": "cannot be tested: the claim's quantity is not observed by public data "
                      "(the testability rule)",
    "direction_concentration": "supported if every named origin is a net sender, every named "
                               "destination a net receiver and the corridor over-represented "
                               "(lift interval above 1); not supported if no named province "
                               "goes the claimed way; else partly",
    "figure_matches": "supported if a comparator of the same definition, place and date lies "
                      "within the claim's precision; not supported if it differs by more than "
                      "the stated factor; else partly",
    "share_in_named_places": "supported if every named place is checked and reaches the "
                             "threshold; not supported if no checked place does; else partly",
    "trend_endpoints": "supported if every endpoint of the trend is checked and within "
                       "tolerance; not supported if a checked endpoint misses; else partly",
    "count_at_least": "supported if the dated count reaches the claim by its date; not "
                      "supported if the count falls short; partly if reached but undated",
}


def parse_parameters(text: str | float | None) -> dict[str, float]:
    """``"tolerance=0.05;magnitude=1.5"`` → ``{"tolerance": 0.05, "magnitude": 1.5}``; empty or
    missing → ``{}``. :class:`RuleError` on a malformed pair."""
    if text is None or (isinstance(text, float) and text != text) or not str(text).strip():
        return {}
    out: dict[str, float] = {}
    for pair in str(text).split(";"):
        key, sep, value = pair.partition("=")
        try:
            if not sep or not key.strip():
                raise ValueError
            out[key.strip()] = float(value)
        except ValueError:
            raise RuleError(f"rule parameter {pair!r} is not key=number") from None
    return out


def apply_rule(rule: str, facts: Facts, params: Params) -> str:
    """The verdict of ``rule`` on ``facts`` (:class:`RuleError` for an unknown rule)."""
    if rule not in RULES:
        raise RuleError(f"unknown verdict rule {rule!r}; known: {', '.join(RULES)}")
    return RULES[rule](facts, params)
