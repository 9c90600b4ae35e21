"""Privacy policy (pure): the deny-list and personal-string scans (:mod:`.policy`) and the
disclosure rule with its linkage attack (:mod:`.disclosure`). Imports only the leaf layers.
"""
