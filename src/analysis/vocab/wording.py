"""Wording, written once: the caveats every case figure and table carries, and the figures'
source lines, composed from named parts (never sliced). Credit and licence lines are in
:mod:`analysis.vocab.credits`.

Caveats
-------
Case records are **postings on a volunteer platform, not verified abductions or incidence**, and
destinations are known only for children who were found or adults who are searching. The phrases
below are the parts; each published variant (figure captions, the report footer, the data
dictionary's table notes) is composed from them here, so a change of wording is one edit. The
variants keep the published text as it is (the drift check and the data dictionary compare it).

Source lines
------------
:func:`source_line` joins data sources and the analysis credit: ``Source: <data>; <data>;
Lost Generation analysis.`` — the analysis always last, one full stop at the end. Add to a line
by passing more parts, never by cutting a composed line.
"""

from __future__ import annotations

# --- caveat parts ----------------------------------------------------------------------------

#: The platform, as figure captions and the report name it.
PLATFORM = "the volunteer platform Baby Come Home (宝贝回家)"
#: The platform, as the data dictionary's table notes name it.
PLATFORM_IN_TABLES = "a volunteer missing-child platform (Baby Come Home)"
#: What the counts are not.
NOT_ABDUCTIONS = "not verified abductions or incidence"
#: Why postings are not incidence.
PLATFORM_DEPENDS = "they depend on internet access, awareness and volunteers"
#: The place lost is not the hukou province.
NOT_HUKOU = "The place lost is not the child's hukou province."
#: Who has a destination (no full stop: captions continue or end it).
DESTINATIONS = ("Destinations are known only for children who were found or adults who are "
                "searching")
#: Short phrase of the fact-check and its table.
POSTINGS_NOT_INCIDENCE = "postings on a volunteer platform, not incidence"

# --- caveats as published --------------------------------------------------------------------

#: One-line caveat of every caption that shows case records (no full stop).
CAVEAT = f"Postings on {PLATFORM}, {NOT_ABDUCTIONS}"
#: Footer of the report.
CASE_RECORDS_CAVEAT = f"Case records are postings on {PLATFORM}, {NOT_ABDUCTIONS}."
#: Destination caveat of the flow and net-source figures (no full stop).
DESTINATIONS_CAPTION = f"{DESTINATIONS} for their birth family"
#: Caveat of every model figure: the outcome is postings, the design ecological.
MODEL_CAVEAT = (f"{CAVEAT}. Associations across the 31 mainland provinces, not causation and "
                "not a risk for any child.")

#: Notes of the per-posting record tables (``analysis.sources.cases.schema``).
RECORD_TABLE_CAVEAT = (f"Postings on a volunteer missing-child platform, not incidence: "
                       f"{PLATFORM_DEPENDS}. {NOT_HUKOU}")
#: Start of the table caveats of the case aggregates and hotspot tables.
_TABLE_CAVEAT = f"Postings on {PLATFORM_IN_TABLES}, not verified abductions and not incidence"
#: Notes of the case aggregates (``analysis.topics.cases.schema``).
CASE_TABLE_CAVEAT = (f"{_TABLE_CAVEAT}: {PLATFORM_DEPENDS}, and on what each scraper reached. "
                     f"{NOT_HUKOU} Destinations are known only for children found or adults "
                     "searching.")
#: Notes of the hotspot tables (``analysis.topics.hotspots.schema``).
HOTSPOT_TABLE_CAVEAT = f"{_TABLE_CAVEAT}. {DESTINATIONS}."
#: Notes of the model tables (``analysis.topics.models.schema``).
MODEL_TABLE_CAVEAT = ("Ecological associations across 31 provinces, not effects on children; "
                      "outcomes are postings on a volunteer platform (not incidence); the place "
                      "lost is not the hukou province. Every specification is reported; none "
                      "was selected by its p-value.")
#: Notes of the county model tables (``analysis.topics.county_models.schema``).
COUNTY_MODEL_TABLE_CAVEAT = ("Ecological associations across county units, not effects on "
                             "children; outcomes are postings on a volunteer platform (not "
                             "incidence); the place lost is not the hukou province. Province "
                             "fixed effects absorb province-level platform coverage, not "
                             "coverage that varies within a province.")
#: Caveat of every county model figure (no full stop at the end of the first part).
COUNTY_MODEL_CAVEAT = (f"{CAVEAT}. Associations across county units within provinces, not "
                       "causation and not a risk for any child.")
#: Notes of the fact-check table.
FACT_CHECK_CAVEAT = f"Case records are postings on {PLATFORM_IN_TABLES}, {NOT_ABDUCTIONS}."
#: The caveat paragraph of the published data dictionary (Markdown, wrapped as published).
DATA_DICTIONARY_CAVEAT = (f"Case records are **postings on {PLATFORM_IN_TABLES}, not verified\n"
                          "abductions**.")

# --- source lines ----------------------------------------------------------------------------

#: Credit of the project's own analysis: the last part of every source line.
ANALYSIS = "Lost Generation analysis"
#: The case scrapes.
CASE_DATA = ("Baby Come Home postings as scraped by uiuing/Findbaby (2021), wtt1002/FindBaby "
             "(2016) and Juvenile-XI/baobeihuijia_spider (2023)")
#: The children aged 0–14 scaling the case rates.
CHILDREN_DATA = ("children aged 0–14: NBS 2020 census and a 2010 estimate (prefecture census × "
                 "year-end population)")
#: The census and survey tables of the models.
MODEL_DATA = ("Migration, hukou, children 0–14, urban share, schooling, sex ratio: NBS 2000, "
              "2010 and 2020 censuses and 2005, 2015 1 % surveys (inter-provincial O–D tables, "
              "census yearbooks)")
#: The county census tables of the county models.
COUNTY_CENSUS_DATA = "county census 2010 and 2020 yearbook tables (Dong et al., leiii/census)"
#: Analysis credit of the county model figures.
COUNTY_MODEL_ANALYSIS = f"{ANALYSIS} (statsmodels)"
#: Analysis credit of the model figures (the libraries that fitted them).
MODEL_ANALYSIS = f"{ANALYSIS} (statsmodels, PySAL spreg)"


def source_line(*data: str, analysis: str = ANALYSIS, sep: str = "; ") -> str:
    """A figure's source line: ``"Source: "``, the ``data`` parts and ``analysis`` joined by
    ``sep`` (``"; "``, or ``". "`` for parts that are sentences), one full stop at the end.

    Every part is text without a trailing ``.`` or ``;`` (``ValueError`` otherwise, and for no
    data part), so parts compose the same way wherever they are used.
    """
    if not data:
        raise ValueError("a source line needs at least one data source")
    for part in (*data, analysis):
        if not part.strip() or part.rstrip() != part or part.endswith((".", ";")):
            raise ValueError(f"source-line part {part!r}: empty, or ends with a space, "
                             "'.' or ';'")
    return f"Source: {sep.join([*data, analysis])}."


#: Source line of every figure of case records alone.
CASE_SOURCE_LINE = source_line(CASE_DATA)
#: Source line of the case-rate figures (case scrapes and the children scaling them).
CASE_RATE_SOURCE_LINE = source_line(CASE_DATA, CHILDREN_DATA)

__all__ = ["ANALYSIS", "CASE_DATA", "CASE_RATE_SOURCE_LINE", "CASE_RECORDS_CAVEAT",
           "CASE_SOURCE_LINE", "CASE_TABLE_CAVEAT", "CAVEAT", "CHILDREN_DATA",
           "COUNTY_CENSUS_DATA", "COUNTY_MODEL_ANALYSIS", "COUNTY_MODEL_CAVEAT",
           "COUNTY_MODEL_TABLE_CAVEAT",
           "DATA_DICTIONARY_CAVEAT", "DESTINATIONS", "DESTINATIONS_CAPTION",
           "FACT_CHECK_CAVEAT", "HOTSPOT_TABLE_CAVEAT", "MODEL_ANALYSIS", "MODEL_CAVEAT",
           "MODEL_DATA", "MODEL_TABLE_CAVEAT", "NOT_ABDUCTIONS",
           "NOT_HUKOU", "PLATFORM", "PLATFORM_DEPENDS", "PLATFORM_IN_TABLES",
           "POSTINGS_NOT_INCIDENCE", "RECORD_TABLE_CAVEAT", "source_line"]
