"""Topic: the fact-check of the claims in the reporting."""
