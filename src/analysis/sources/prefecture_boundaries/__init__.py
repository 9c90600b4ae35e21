"""Prefecture polygons of the census city file (Dong et al.) → ``boundaries_prefecture``."""
