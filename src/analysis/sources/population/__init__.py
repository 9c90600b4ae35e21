"""Room of the NBS year-end population series and the 2020 census bulletin tables."""
