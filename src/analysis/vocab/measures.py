"""The registry of rate measures: one :class:`Measure` entry per measure, everything else a view.

A measure is one series of postings counted per province: one source (scrape), one side of the
platform and one place role (where the child went missing, or where the adult lives now / the
child was found). Sources are never pooled with each other. Every measure is a row group of
``case_rates``, a map of ``hotspot_local`` and an outcome of the models.

**Adding a measure = one entry in** :data:`REGISTRY`. Every table of the project that lists
measures is computed from it:

========================  ==================================================================
view                      used by
========================  ==================================================================
:data:`MEASURES`          ``case_rates`` (:mod:`analysis.topics.cases.build`), the hotspot
                          inputs, the model specifications, every schema's ``measure`` check
:data:`MEASURE_LABELS`    map titles and notebook prose (English, 中文)
:data:`OUTCOME_SHORT`     short labels of dense model charts
:data:`CHILDREN_YEAR`     the census year of the children aged 0–14 used as the rate's scale
:data:`PERIOD_PANELS`     the period maps and period rows of ``hotspot_local``
:data:`PAIRS`             lost ↔ destination measure of each flow source
:data:`MEASURE_OD_PERIOD` the O–D period of each pooled outcome's migration exposure
:data:`PERIOD_MEASURES`   measures also modelled period by period
:data:`MAP_MEASURES`      order of the significance maps: lost side first, then destinations,
                          each side in registry order (:data:`LOST_MEASURES`: the lost side)
========================  ==================================================================

The registry order is the display order everywhere (tables, charts, the data dictionary).
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.vocab.cases import CASE_COUNT_SOURCES, PERIOD_LABELS, PLACE_ROLES, SIDES
from analysis.vocab.periods import OD_PERIODS

#: Sides of the models: the missing side (``lost`` place role) against out-migration, the
#: found / current side against in-migration.
MODEL_SIDES: tuple[str, ...] = ("missing", "found_current")
#: Census years whose children aged 0–14 can scale a rate (``case_rates`` has both).
CHILDREN_YEARS: tuple[int, ...] = (2020, 2010)

#: A period panel: (label of the panel, case periods of ``case_counts`` summed into it).
Panel = tuple[str, tuple[str, ...]]


@dataclass(frozen=True)
class Measure:
    """One rate measure.

    Attributes
    ----------
    id : the measure id (``<place>_<source>``), as published in ``case_rates.measure``.
    source, side, place_role : which rows of ``case_counts`` it counts
        (:data:`~analysis.vocab.cases.CASE_COUNT_SOURCES`, :data:`~analysis.vocab.cases.SIDES`,
        :data:`~analysis.vocab.cases.PLACE_ROLES`).
    description : one line for the data dictionary (``case_rates``).
    label_en, label_zh : display label of maps and prose.
    short_en, short_zh : short label of dense charts.
    children_year : census year (2020 or 2010) of the children aged 0–14 scaling the hotspot rates.
    od_period, od_period_matched, od_period_why : O–D period of the pooled outcome's migration
        exposure, whether it overlaps the years of the postings, and why it was chosen.
    period_panels : the period maps (hotspot statistics by period); empty: pooled only.
    modelled_by_period : also modelled period by period (dated postings, missing side).
    """

    id: str
    source: str
    side: str
    place_role: str
    description: str
    label_en: str
    label_zh: str
    short_en: str
    short_zh: str
    children_year: int
    od_period: str
    od_period_matched: bool
    od_period_why: str
    period_panels: tuple[Panel, ...] = ()
    modelled_by_period: bool = False

    def __post_init__(self) -> None:
        checks = {"source": (self.source, CASE_COUNT_SOURCES), "side": (self.side, SIDES),
                  "place_role": (self.place_role, PLACE_ROLES),
                  "children_year": (self.children_year, CHILDREN_YEARS),
                  "od_period": (self.od_period, OD_PERIODS)}
        for name, (value, allowed) in checks.items():
            if value not in allowed:
                raise ValueError(f"measure {self.id!r}: {name} {value!r} is not one of "
                                 f"{allowed}")
        for label, periods in self.period_panels:
            unknown = [p for p in periods if p not in PERIOD_LABELS]
            if unknown or not periods:
                raise ValueError(f"measure {self.id!r}: panel {label!r} has unknown case "
                                 f"periods {unknown} (known: {PERIOD_LABELS})")

    @property
    def model_side(self) -> str:
        """``missing`` for a measure of where children went missing, else ``found_current``."""
        return MODEL_SIDES[0] if self.place_role == "lost" else MODEL_SIDES[1]

    @property
    def is_lost_side(self) -> bool:
        """True for a measure of where children went missing (place role ``lost``)."""
        return self.place_role == "lost"


_WTT_PANELS: tuple[Panel, ...] = (
    ("before 1980", ("before 1980",)), ("1980–1989", ("1980–1989",)),
    ("1990–1999", ("1990–1999",)), ("2000–2023", ("2000–2009", "2010–2023")))

#: The measures, in display order. uiuing_missing: the 1990s (42 postings) and unknown years are
#: in the pooled rows only; wtt1002_data: 2000–2009 and 2010–2023 are joined (few postings).
REGISTRY: tuple[Measure, ...] = (
    Measure(
        id="lost_uiuing_missing", source="uiuing_missing", side="lost", place_role="lost",
        description="families searching (家寻宝贝), children born 1999+, scraped 2021: where the "
                    "child went missing",
        label_en="Families searching (2021 scrape): where the child went missing",
        label_zh="家寻宝贝（2021年抓取）：走失地",
        short_en="Families searching 2021: place lost", short_zh="家寻宝贝2021：走失地",
        children_year=2020,
        od_period="2005–2010", od_period_matched=True,
        od_period_why="children missing 1999–2021 (45 % in 2000–2009, 53 % in 2010–2021): the "
                      "central O–D period",
        period_panels=(("2000–2009", ("2000–2009",)), ("2010–2023", ("2010–2023",))),
        modelled_by_period=True),
    Measure(
        id="lost_wtt1002_family", source="wtt1002_family", side="lost", place_role="lost",
        description="families searching (家寻宝贝), scraped 2016: where the child went missing "
                    "(no dates)",
        label_en="Families searching (2016 scrape): where the child went missing",
        label_zh="家寻宝贝（2016年抓取）：走失地",
        short_en="Families searching 2016: place lost", short_zh="家寻宝贝2016：走失地",
        children_year=2010,
        od_period="2005–2010", od_period_matched=False,
        od_period_why="no dates (2016 scrape): default period"),
    Measure(
        id="lost_wtt1002_data", source="wtt1002_data", side="current", place_role="lost",
        description="adults searching for their birth family (宝贝寻家), registered 2016: where "
                    "they went missing as children",
        label_en="Adults searching (2016 scrape): where they went missing",
        label_zh="宝贝寻家（2016年抓取）：走失地",
        short_en="Adults searching 2016: place lost", short_zh="宝贝寻家2016：走失地",
        children_year=2010,
        od_period="1995–2000", od_period_matched=False,
        od_period_why="missing mostly before 2000: 1995–2000 is the earliest O–D table",
        period_panels=_WTT_PANELS, modelled_by_period=True),
    Measure(
        id="current_wtt1002_data", source="wtt1002_data", side="current",
        place_role="current_or_found",
        description="adults searching for their birth family, registered 2016: where they live "
                    "now",
        label_en="Adults searching (2016 scrape): where they live now",
        label_zh="宝贝寻家（2016年抓取）：现居地",
        short_en="Adults searching 2016: living now", short_zh="宝贝寻家2016：现居地",
        children_year=2010,
        od_period="2010–2015", od_period_matched=True,
        od_period_why="where the adults lived when they registered (2016)",
        period_panels=_WTT_PANELS),
    Measure(
        id="lost_uiuing_success", source="uiuing_success", side="found", place_role="lost",
        description="reunions (2021 scrape): where the child went missing",
        label_en="Reunions (2021 scrape): where the child went missing",
        label_zh="团圆（2021年抓取）：走失地",
        short_en="Reunions 2021: place lost", short_zh="团圆2021：走失地",
        children_year=2020,
        od_period="2005–2010", od_period_matched=False,
        od_period_why="no dates (2021 scrape): default period"),
    Measure(
        id="found_uiuing_success", source="uiuing_success", side="found",
        place_role="current_or_found",
        description="reunions (2021 scrape): where the child was found",
        label_en="Reunions (2021 scrape): where the child was found",
        label_zh="团圆（2021年抓取）：找到地",
        short_en="Reunions 2021: place found", short_zh="团圆2021：找到地",
        children_year=2020,
        od_period="2005–2010", od_period_matched=False,
        od_period_why="no dates (2021 scrape): default period"),
    Measure(
        id="lost_juvenilexi", source="juvenilexi", side="unknown", place_role="lost",
        description="postings registered 2023 (side not recorded): where the child went missing",
        label_en="Juvenile-XI postings (2023): where the child went missing",
        label_zh="Juvenile-XI（2023年）：走失地",
        short_en="Juvenile-XI 2023: place lost", short_zh="Juvenile-XI 2023：走失地",
        children_year=2020,
        od_period="1995–2000", od_period_matched=False,
        od_period_why="missing mostly 1980–1999: earliest O–D table",
        modelled_by_period=True),
)


def _index(registry: tuple[Measure, ...]) -> dict[str, Measure]:
    ids = [m.id for m in registry]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValueError(f"measure id(s) registered twice: {repeated}")
    return {m.id: m for m in registry}


def _pairs(registry: tuple[Measure, ...]) -> dict[str, tuple[str, str]]:
    """Sources with both a lost-side and a destination-side measure → (lost id, destination id),
    sorted by source; ``ValueError`` if such a source has two measures of one place role."""
    by_source: dict[str, dict[str, list[str]]] = {}
    for m in registry:
        by_source.setdefault(m.source, {}).setdefault(m.place_role, []).append(m.id)
    lost, dest = PLACE_ROLES
    pairs = {}
    for source, roles in sorted(by_source.items()):
        if lost not in roles or dest not in roles:
            continue
        if len(roles[lost]) > 1 or len(roles[dest]) > 1:
            raise ValueError(f"source {source!r} has lost measures {roles[lost]} and destination "
                             f"measures {roles[dest]}: the flow pairing is ambiguous")
        pairs[source] = (roles[lost][0], roles[dest][0])
    return pairs


#: Measure id → :class:`Measure`, in registry (display) order. Iterating gives the ids.
MEASURES: dict[str, Measure] = _index(REGISTRY)
#: Measure id → (English, Chinese) display label.
MEASURE_LABELS: dict[str, tuple[str, str]] = {m.id: (m.label_en, m.label_zh) for m in REGISTRY}
#: Measure id → (English, Chinese) short label for dense charts.
OUTCOME_SHORT: dict[str, tuple[str, str]] = {m.id: (m.short_en, m.short_zh) for m in REGISTRY}
#: Measure id → census year of the children aged 0–14 used as its scale.
CHILDREN_YEAR: dict[str, int] = {m.id: m.children_year for m in REGISTRY}
#: Measure id → its period panels, for the measures mapped by period.
PERIOD_PANELS: dict[str, tuple[Panel, ...]] = {m.id: m.period_panels for m in REGISTRY
                                               if m.period_panels}
#: Flow source → (lost-side measure, destination-side measure), sorted by source.
PAIRS: dict[str, tuple[str, str]] = _pairs(REGISTRY)
#: Sources of ``case_flows`` (both a lost and a destination province), sorted.
FLOW_SOURCES: tuple[str, ...] = tuple(PAIRS)
#: Pooled measure → (O–D period of its exposure, period matched?, why).
MEASURE_OD_PERIOD: dict[str, tuple[str, bool, str]] = {
    m.id: (m.od_period, m.od_period_matched, m.od_period_why) for m in REGISTRY}
#: Measures modelled period by period, in registry order.
PERIOD_MEASURES: tuple[str, ...] = tuple(m.id for m in REGISTRY if m.modelled_by_period)
#: Order of the significance maps: the lost side first, then the destination side.
MAP_MEASURES: list[str] = ([m.id for m in REGISTRY if m.is_lost_side]
                           + [m.id for m in REGISTRY if not m.is_lost_side])
#: The lost-side measures, in map order.
LOST_MEASURES: list[str] = [m for m in MAP_MEASURES if MEASURES[m].is_lost_side]


def model_side(measure: str) -> str:
    """Model side of a measure id (:attr:`Measure.model_side`); ``ValueError`` if unknown."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}")
    return MEASURES[measure].model_side


__all__ = [
    "CHILDREN_YEAR",
    "CHILDREN_YEARS",
    "FLOW_SOURCES",
    "LOST_MEASURES",
    "MAP_MEASURES",
    "MEASURES",
    "MEASURE_LABELS",
    "MEASURE_OD_PERIOD",
    "MODEL_SIDES",
    "OUTCOME_SHORT",
    "PAIRS",
    "PERIOD_MEASURES",
    "PERIOD_PANELS",
    "REGISTRY",
    "Measure",
    "Panel",
    "model_side",
]
