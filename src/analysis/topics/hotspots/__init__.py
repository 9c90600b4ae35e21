"""Topic: hotspot statistics per province and the comparison with published studies."""
