"""Room of the partial left-behind-children figures (ACWF, MCA; manual table)."""
