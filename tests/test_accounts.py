"""RowAccount balances or raises; round-trips through its CSV form."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.accounts import RowAccount
from analysis.errors import AccountError


def test_balanced_account_passes_and_summarises():
    acc = RowAccount("t")
    acc.add_read("a.csv", 10)
    acc.add_kept("a.csv", 7)
    acc.drop("a.csv", "national total row", 1)
    acc.drop("a.csv", "footer", 2)
    acc.note("a.csv", "birth rate missing", 3)
    assert acc.check() is acc
    assert acc.summary() == "t: read 10, kept 7, dropped 3"


def test_unbalanced_account_raises_naming_table_and_file():
    acc = RowAccount("population")
    acc.add_read("a.csv", 10)
    acc.add_kept("a.csv", 8)
    acc.drop("a.csv", "footer", 1)
    with pytest.raises(AccountError, match=r"'population'.*a.csv: read 10 != kept 8 \+ dropped 1"):
        acc.check()


def test_rows_kept_from_an_unread_file_are_caught():
    acc = RowAccount("t")
    acc.add_kept("ghost.csv", 1)
    with pytest.raises(AccountError, match=r"ghost\.csv"):
        acc.check()


def test_negative_drop_is_refused():
    with pytest.raises(ValueError):
        RowAccount("t").drop("a", "x", -1)


@given(st.dictionaries(st.sampled_from(["a.csv", "b.json", "c.xls"]),
                       st.tuples(st.integers(0, 1000),
                                 st.lists(st.integers(0, 50), max_size=4)), min_size=1))
def test_frame_round_trip(spec):
    acc = RowAccount("t")
    for f, (kept, drops) in spec.items():
        acc.add_read(f, kept + sum(drops))
        acc.add_kept(f, kept)
        for i, n in enumerate(drops):
            acc.drop(f, f"reason {i}", n)
    acc.check()
    back = RowAccount.from_frame(acc.to_frame())
    assert back.to_frame().equals(acc.to_frame())
    back.check()
