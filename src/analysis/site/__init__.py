"""The published site: the notebook runner, the static report and the drift check.
"""
