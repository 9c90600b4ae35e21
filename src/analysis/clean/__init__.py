"""Cleaning modules: one raw source → tidy, validated tables with row accounts.

Each module exposes ``build(ctx: analysis.tables.BuildContext) -> list[CleanTable]``. No plotting,
no modelling here.
"""
