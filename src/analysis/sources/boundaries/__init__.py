"""Room of the province boundaries (OCHA and cn-atlas basemaps)."""
