"""The project's random seed, named once. Every permutation test and resampling uses it."""

#: Seed for every permutation inference (esda), bootstrap and random draw in the project.
SEED: int = 20_260_101
