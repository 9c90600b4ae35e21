"""Room of the NBS inter-provincial migration origin–destination tables (2000–2020)."""
