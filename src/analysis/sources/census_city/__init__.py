"""Room of the prefecture-level census compilation (Dong et al.)."""
