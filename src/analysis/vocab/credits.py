"""Credit and licence of the project's own outputs: one wording, used by every figure's JSON and
the report's footer (see ``LICENSE-outputs.md``; code: MIT, ``LICENSE``)."""

from __future__ import annotations

#: Name of the licence of figures, tables and report pages.
OUTPUT_LICENCE = "CC BY 4.0"
OUTPUT_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
#: The credit line a reuser must give (the data sources are named in each figure's source line).
CREDIT_LINE = (f"Lost Generation (2026), {OUTPUT_LICENCE}; data: the sources named in the "
               "source line")
CREDIT_LINE_ZH = (f"Lost Generation（2026），{OUTPUT_LICENCE}；数据：见来源说明")
