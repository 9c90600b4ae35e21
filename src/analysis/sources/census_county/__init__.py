"""Room of the county-level 2010 and 2020 census yearbook tables (Dong et al., leiii/census)."""
