"""The deny-list check used at every exit point can fail."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.privacy.policy import PrivacyError, assert_publishable, personal_columns


@pytest.mark.parametrize("col", ["name", "child_name", "姓名", "photo_url", "description",
                                 "phone", "posting_id", "volunteer", "height_cm", "birth_date",
                                 "id", "寻亲编号", "title"])
def test_personal_columns_are_detected(col):
    assert personal_columns(pd.DataFrame({col: ["x"]})) == [col]


@pytest.mark.parametrize("col", ["adcode", "name_en", "name_zh", "province_name", "sex",
                                 "birth_year", "missing_year", "count", "record_key", "category"])
def test_safe_columns_pass(col):
    assert personal_columns(pd.DataFrame({col: ["x"]})) == []


def test_personal_strings_in_cells_are_detected():
    frame = pd.DataFrame({"place": ["河南", "王小明"], "n": [1, 2]})
    with pytest.raises(PrivacyError, match="'place'"):
        assert_publishable(frame, where="t", personal_strings={"王小明"})
    assert_publishable(frame, where="t", personal_strings={"李四"})


# ------------------------------------------------------------------ the persisted deny-set


@pytest.fixture
def interim(tmp_path, monkeypatch):
    """An empty internal folder standing in for ``data/interim``."""
    from analysis.core import paths

    folder = tmp_path / "interim"
    folder.mkdir()
    monkeypatch.setattr(paths, "INTERIM", folder)
    return folder


def test_raw_personal_strings_fails_closed_without_the_deny_set(interim):
    from analysis.privacy.denyset import DenySetError
    from analysis.privacy.policy import raw_personal_strings

    with pytest.raises(DenySetError, match=r"\.deny\.json does not exist: run `make data`"):
        raw_personal_strings()
    assert raw_personal_strings(missing_ok=True) == frozenset()  # explicit opt-out only


@pytest.mark.parametrize("content", ["", "{", '{"strings": "王小明"}', '["王小明"]',
                                     '{"strings": []}'])
def test_an_unreadable_or_empty_deny_set_fails_closed(interim, content):
    from analysis.privacy.denyset import DENY_FILE_NAME, DenySetError
    from analysis.privacy.policy import raw_personal_strings

    (interim / DENY_FILE_NAME).write_text(content, encoding="utf-8")
    with pytest.raises(DenySetError, match="run `make data`"):
        raw_personal_strings()
    with pytest.raises(DenySetError):
        raw_personal_strings(missing_ok=True)  # the opt-out covers a missing file only


def test_deny_set_round_trip_private_and_reloaded_when_rewritten(interim):
    import stat

    from analysis.privacy.denyset import deny_file, write_deny
    from analysis.privacy.policy import raw_personal_strings

    write_deny({"王小明", "515998"}, deny_file())
    assert stat.S_IMODE(deny_file().stat().st_mode) == 0o600
    assert raw_personal_strings() == {"王小明", "515998"}
    first = deny_file().read_bytes()
    write_deny(["515998", "王小明", "515998"], deny_file())
    assert deny_file().read_bytes() == first  # sorted, deduplicated: same bytes
    write_deny({"李四"}, deny_file())
    assert raw_personal_strings() == {"李四"}  # the cache follows the file
    frame = pd.DataFrame({"place": ["河南", "李四"]})
    with pytest.raises(PrivacyError, match="'place'"):
        assert_publishable(frame, where="t", personal_strings=raw_personal_strings())


def test_loading_the_deny_set_reads_no_raw_file_and_imports_no_cleaning_code(processed):
    """In a fresh interpreter: the strings come from data/interim/.deny.json; no file under
    data/raw/ is opened and no module of analysis.sources / analysis.topics is imported."""
    import subprocess
    import sys

    code = """
import sys
from analysis.core import paths
opened = []
sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event == "open" else None)
from analysis.privacy.policy import raw_personal_strings
n = len(raw_personal_strings())
raw = [p for p in opened if p.startswith(str(paths.RAW))]
rooms = [m for m in sys.modules if m.startswith(("analysis.sources", "analysis.topics"))]
print(n, len(raw), len(rooms), any(p.endswith(".deny.json") for p in opened))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    n, raw, rooms, deny = out.stdout.split()
    assert int(n) > 5000 and raw == "0" and rooms == "0" and deny == "True"
