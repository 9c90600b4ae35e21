"""Leaf layer: paths, errors, row accounts, the raw-file registry and fetch, manual-table hashes,
build stamps and the step contract (:mod:`analysis.core.step`). Imports nothing else of the project.
"""
