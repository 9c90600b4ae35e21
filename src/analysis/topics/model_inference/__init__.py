"""Inference on the province models (issue 13): the period panel, the specification-curve
permutation test and multiplicity adjustments, and the reunion conditional shares."""
