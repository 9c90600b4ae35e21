"""Topic: exposures, count and spatial models, their tables and views."""
