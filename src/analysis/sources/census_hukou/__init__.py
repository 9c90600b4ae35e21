"""Room of the census tables of people living away from their hukou township (2010 raw, 2020 manual)."""
