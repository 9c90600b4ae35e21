"""The bench's parsing of build output (the timings themselves are measured by ``make bench``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bench():
    spec = importlib.util.spec_from_file_location("bench", ROOT / "scripts" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_slowest_steps_reads_data_steps_and_notebooks_in_order():
    out = "\n".join([
        "[data] step sources.cases.uiuing done in 1.5 s",
        "[data] case_flows: read 7920, kept 6830, dropped 1090 (922 rows)",
        "[notebooks] 03_hotspots.py done in 25.7 s (23 figure files)",
        "[data] step topics.prefecture_hotspots done in 10.3 s",
        "[notebooks] 01_migration_atlas.py: up to date",
    ])
    assert _bench().slowest_steps(out, top=2) == [("03_hotspots.py", 25.7),
                                                  ("topics.prefecture_hotspots", 10.3)]


def test_every_floor_part_is_described():
    bench = _bench()
    assert len(bench.FLOOR_PARTS) == 4
    for word in ("import", "read", "statistics", "figures"):
        assert any(part.startswith(word) for part in bench.FLOOR_PARTS)
    # the floor code measures the same four parts it prints
    assert bench.FLOOR_CODE.count("time.perf_counter() - t0") == 4
