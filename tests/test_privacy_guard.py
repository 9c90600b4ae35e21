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
