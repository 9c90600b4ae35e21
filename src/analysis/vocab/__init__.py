"""Leaf layer of vocabulary: provinces, case vocabularies, measures, periods, labels EN/中文,
wording (caveats, source lines, credits), pandera column builders, the seed. Imports only
:mod:`analysis.core`.
"""
