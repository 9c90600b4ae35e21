"""Room of the Baby Come Home case scrapes: one step per scrape (uiuing, wtt1002, juvenilexi),
shared rules in :mod:`.common`."""
