"""County exposures and controls of the county count models: names, labels EN/中文, formulas.

Each :class:`CountyExposure` names one column of ``county_exposures`` (step
``topics.county_models``) and states its formula in the columns of ``census_county``; the
schema's column descriptions are composed from these entries, so the data dictionary states
the same formula and unit. All are computed per harmonised 2010–2020 county unit
(``census_county_crosswalk.harmonised_code``): numerator and denominator are summed over the
unit's leaves of that census year before dividing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CountyExposure:
    """One county exposure or control.

    Attributes
    ----------
    id : column of ``county_exposures`` (the unit suffix is part of the id)
    role : ``"exposure"`` (a quantity the models are about) or ``"control"``
    year : census year of the inputs
    formula : the formula in ``census_county`` columns (summed over the unit's leaves)
    unit : unit of the value
    label_en, label_zh : figure and table labels
    """

    id: str
    role: str
    year: int
    formula: str
    unit: str
    label_en: str
    label_zh: str

    def description(self) -> str:
        """Column description of the data dictionary: label, formula, unit, year."""
        return f"{self.label_en} ({self.label_zh}), census {self.year}: {self.formula}; {self.unit}"


COUNTY_EXPOSURES: tuple[CountyExposure, ...] = (
    CountyExposure(
        id="out_migration_2010_share", role="exposure", year=2010,
        formula="(hukou_registered_persons − population_persons) ÷ hukou_registered_persons "
                "(registered hukou population minus resident population, over registered; "
                "negative where more people live in the county than are registered there)",
        unit="share of registered population (−∞ to 1)",
        label_en="Out-migration share 2010", label_zh="人口外流比例（2010）"),
    CountyExposure(
        id="in_migrant_2020_share", role="exposure", year=2020,
        formula="(hukou_elsewhere_other_province_persons + hukou_elsewhere_other_county_persons)"
                " ÷ population_persons (residents whose hukou is in another province or in "
                "another county of the province, over residents)",
        unit="share of residents (0–1)",
        label_en="In-migrant share 2020", label_zh="外来人口比例（2020）"),
    CountyExposure(
        id="in_migrant_other_province_2020_share", role="exposure", year=2020,
        formula="hukou_elsewhere_other_province_persons ÷ population_persons",
        unit="share of residents (0–1)",
        label_en="Other-province in-migrant share 2020", label_zh="外省流入人口比例（2020）"),
    CountyExposure(
        id="children_per_adult_2010_ratio", role="exposure", year=2010,
        formula="age_0_14_persons ÷ age_20_49_persons (residents aged 0–14 per resident aged "
                "20–49): the left-behind proxy, high where prime-age parents are away and "
                "children stay",
        unit="children per adult (ratio)",
        label_en="Children per prime-age adult 2010 (left-behind proxy)",
        label_zh="每名20–49岁成人对应的0–14岁儿童（2010，留守代理指标）"),
    CountyExposure(
        id="children_per_adult_2020_ratio", role="exposure", year=2020,
        formula="age_0_14_persons ÷ age_20_49_persons",
        unit="children per adult (ratio)",
        label_en="Children per prime-age adult 2020 (left-behind proxy)",
        label_zh="每名20–49岁成人对应的0–14岁儿童（2020，留守代理指标）"),
    CountyExposure(
        id="child_sex_ratio_2010_boys_per_100_girls", role="exposure", year=2010,
        formula="100 × (age_0_4_male_persons ÷ age_0_4_female_persons)",
        unit="boys per 100 girls aged 0–4",
        label_en="Child sex ratio 0–4, 2010", label_zh="0–4岁儿童性别比（2010）"),
    CountyExposure(
        id="child_sex_ratio_2020_boys_per_100_girls", role="exposure", year=2020,
        formula="100 × (age_0_4_male_persons ÷ age_0_4_female_persons)",
        unit="boys per 100 girls aged 0–4",
        label_en="Child sex ratio 0–4, 2020", label_zh="0–4岁儿童性别比（2020）"),
    CountyExposure(
        id="urban_2010_share", role="control", year=2010,
        formula="urban_persons ÷ population_persons",
        unit="share of residents (0–1)",
        label_en="Urban share 2010", label_zh="城镇人口比例（2010）"),
    CountyExposure(
        id="college_2010_share", role="control", year=2010,
        formula="college_or_above_persons ÷ population_persons (junior college or higher, "
                "aged 6+, over all residents: the census gives no county population aged 6+)",
        unit="share of residents (0–1)",
        label_en="College share 2010", label_zh="大专及以上学历人口比例（2010）"),
    CountyExposure(
        id="farm_occupation_2010_share", role="control", year=2010,
        formula="agriculture_occupation_sample_persons ÷ employed_sample_persons (both "
                "long-form sample counts, about 10 %)",
        unit="share of the employed (0–1)",
        label_en="Farm occupation share 2010", label_zh="农林牧渔业从业人员比例（2010）"),
)

#: id → entry.
BY_ID: dict[str, CountyExposure] = {e.id: e for e in COUNTY_EXPOSURES}
if len(BY_ID) != len(COUNTY_EXPOSURES):  # pragma: no cover
    raise ValueError("county exposure ids must be unique")

#: The two exposures of every headline county model (in the same model).
MODEL_EXPOSURES: tuple[str, ...] = ("out_migration_2010_share",
                                    "child_sex_ratio_2010_boys_per_100_girls")
#: Controls of the adjusted county models.
MODEL_CONTROLS: tuple[str, ...] = ("urban_2010_share", "college_2010_share",
                                   "farm_occupation_2010_share")


def label(exposure_id: str, lang: str = "en") -> str:
    """Label of an exposure in ``lang`` (``"en"`` or ``"zh"``); ``KeyError`` for an unknown id."""
    e = BY_ID[exposure_id]
    return e.label_zh if lang == "zh" else e.label_en
