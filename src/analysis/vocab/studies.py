"""The published studies our hotspots and flows are set beside (:mod:`analysis.topics.hotspots.compare`):
their DOIs and citations, Xin & Cai's hotspot regions, and the scopes of our flow measures.

* **Xin & Cai**, "Child trafficking in China: Evidence from sentencing documents",
  *International Journal of Population Studies* 4(2): four hotspot regions named in the
  article's prose, written out here as :data:`XIN_CAI_REGIONS`.
* **Wang et al. 2018**, "Child-trafficking networks of illegal adoption in China", *Nature
  Sustainability* 1:254–260: figures read from the curated table
  ``data/raw/manual/published_figures_with_quotes.csv``.

Both are cited by their DOI (:func:`analysis.vocab.citations.doi_url`).
"""

from __future__ import annotations

#: DOI of Xin & Cai (International Journal of Population Studies 4(2)).
XIN_CAI_DOI = "10.18063/ijps.v4i2.817"
#: DOI of Wang et al. 2018 (Nature Sustainability 1:254–260).
WANG_DOI = "10.1038/s41893-018-0065-5"
#: Citation of Xin & Cai.
XIN_CAI_CITATION = ("Xin & Cai, 'Child trafficking in China: Evidence from sentencing documents', "
                    f"International Journal of Population Studies 4(2), doi:{XIN_CAI_DOI} "
                    "(sentencing documents 2014–2016)")
#: Citation of Wang et al. 2018.
WANG_CITATION = ("Wang, Wei, Peng et al. 2018, 'Child-trafficking networks of illegal adoption in "
                 f"China', Nature Sustainability 1:254–260, doi:{WANG_DOI} (Baby Come Home "
                 "records; figures as reported by a press summary of the paper, grade B)")
#: Name of Wang et al. in the ``study`` column of ``published_flow_comparison``.
WANG_STUDY = "Wang et al. 2018"

#: Roles Xin & Cai give the regions.
SUPPLIER, BUYER, BOTH = ("supplier", "destination (buyers)",
                         "destination (buyers of boys and girls) and supplier of boys")
#: Xin & Cai's four hotspot regions: region → (role, provinces by adcode).
XIN_CAI_REGIONS: dict[str, tuple[str, tuple[int, ...]]] = {
    "central": (BUYER, (370000, 410000, 130000)),      # Shandong, Henan, Hebei
    "east": (BUYER, (320000, 330000)),                  # Jiangsu, Zhejiang
    "southeast": (BOTH, (440000, 350000)),              # Guangdong, Fujian
    "southwest": (SUPPLIER, (510000, 520000, 530000)),  # Sichuan, Guizhou, Yunnan
}
#: Region and role of a province outside the four regions.
NO_REGION = "none"

#: Scopes of our flow measures beside Wang et al.'s: inter-provincial pairs only, or all pairs.
FLOW_SCOPES: tuple[str, ...] = ("inter-provincial", "all")

__all__ = ["BOTH", "BUYER", "FLOW_SCOPES", "NO_REGION", "SUPPLIER", "WANG_CITATION", "WANG_DOI",
           "WANG_STUDY", "XIN_CAI_CITATION", "XIN_CAI_DOI", "XIN_CAI_REGIONS"]
