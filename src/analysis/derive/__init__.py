"""Derived tables: built from other tidy tables (never from raw files), in the same validated build.

Each module exposes ``build(ctx) -> list[CleanTable]`` like a cleaning step; its step name in
:data:`analysis.tables.STEPS` is ``derive.<module>``.
"""
