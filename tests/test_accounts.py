"""RowAccount balances or raises; round-trips through its CSV form."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from analysis.core.accounts import RowAccount
from analysis.core.errors import AccountError


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


def test_an_empty_input_is_refused():
    """A file that gave no row at all (empty, or truncated to nothing) is an error."""
    acc = RowAccount("t")
    acc.add_read("empty.json", 0)
    acc.add_kept("empty.json", 0)
    with pytest.raises(AccountError, match=r"'t'.*empty\.json: read 0 rows"):
        acc.check()


def test_an_input_whose_every_row_is_unparsable_is_refused():
    """A truncated one-line JSON array is one unparsable "record": nothing was parsed."""
    acc = RowAccount("t")
    acc.add_read("mi.json", 1)
    acc.drop("mi.json", "unparsable JSON")
    assert acc.parsed("mi.json") == 0 and acc.unparsable("mi.json") == 1
    with pytest.raises(AccountError, match=r"mi\.json: none of its 1 row\(s\) could be parsed"):
        acc.check()
    acc.add_read("mi.json", 1)
    acc.add_kept("mi.json", 1)
    assert acc.parsed("mi.json") == 1 and acc.check() is acc


def test_negative_drop_is_refused():
    with pytest.raises(ValueError):
        RowAccount("t").drop("a", "x", -1)


@given(st.dictionaries(st.sampled_from(["a.csv", "b.json", "c.xls"]),
                       st.tuples(st.integers(0, 1000),
                                 st.lists(st.integers(0, 50), max_size=4)), min_size=1))
def test_frame_round_trip(spec):
    assume(all(kept + sum(drops) > 0 for kept, drops in spec.values()))  # empty inputs raise
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
