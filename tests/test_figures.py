"""save_figure writes PNG/SVG/CSV/JSON deterministically and refuses personal data."""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis.plots.save import save_figure
from analysis.plots.style import use_house_style
from analysis.privacy.policy import PrivacyError


def _plot(tmp_path, sub):
    use_house_style()
    data = pd.DataFrame({"province": ["Henan", "Sichuan"], "value_per_100k": [1.5, 2.25]})
    fig, ax = plt.subplots()
    ax.bar(data["province"], data["value_per_100k"])
    ax.set_title("Test")
    return save_figure(fig, "99_test_bars", data=data, title="A title", caption="A caption.",
                       source="Source: test", out_dir=tmp_path / sub)


def test_writes_four_files_with_metadata(tmp_path):
    files = _plot(tmp_path, "a")
    assert set(files) == {"png", "svg", "csv", "json"}
    for p in files.values():
        assert p.exists() and p.stat().st_size > 0
    meta = json.loads(files["json"].read_text(encoding="utf-8"))
    assert meta["title"] == "A title" and meta["source"] == "Source: test"
    assert meta["alt_text"] and meta["data_rows"] == 2
    assert pd.read_csv(files["csv"])["value_per_100k"].tolist() == [1.5, 2.25]
    assert files["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_png_is_200_dpi(tmp_path):
    from PIL import Image

    files = _plot(tmp_path, "a")
    dpi = Image.open(files["png"]).info["dpi"]
    assert round(dpi[0]) == 200


def test_byte_identical_across_rebuilds(tmp_path):
    a, b = _plot(tmp_path, "a"), _plot(tmp_path, "b")
    for ext in a:
        assert a[ext].read_bytes() == b[ext].read_bytes(), ext
    svg = a["svg"].read_text()
    assert "<dc:date>" not in svg


def test_bad_names_and_empty_data_are_refused(tmp_path):
    fig, _ = plt.subplots()
    data = pd.DataFrame({"x": [1]})
    with pytest.raises(ValueError, match="NN_topic"):
        save_figure(fig, "Map", data=data, title="t", caption="c", source="s", out_dir=tmp_path)
    with pytest.raises(ValueError, match="non-empty"):
        save_figure(fig, "01_x", data=data.iloc[:0], title="t", caption="c", source="s",
                    out_dir=tmp_path)


def test_personal_data_column_is_refused(tmp_path):
    fig, _ = plt.subplots()
    data = pd.DataFrame({"child_name": ["张三"], "count": [1]})
    with pytest.raises(PrivacyError, match="child_name"):
        save_figure(fig, "01_x", data=data, title="t", caption="c", source="s", out_dir=tmp_path)
    assert not list(tmp_path.glob("01_x.*"))


def test_chinese_labels_by_environment(tmp_path, monkeypatch):
    import warnings

    from analysis.plots.style import cjk_font, label, province_names

    monkeypatch.setenv("LOSTGEN_LANG", "zh")
    assert label("Henan", "河南") == "河南"
    assert province_names().loc[410000] == "河南"
    if cjk_font() is None:
        pytest.skip("no CJK font installed (Debian fonts-noto-cjk)")
    use_house_style()
    assert plt.rcParams["font.sans-serif"][0] == cjk_font()
    fig, ax = plt.subplots()
    ax.set_title("户口登记地在外省的常住人口")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph would warn
        files = save_figure(fig, "99_test_zh", data=pd.DataFrame({"x": [1]}), title="标题",
                            caption="c", source="s", out_dir=tmp_path)
    assert files["png"].name == "99_test_zh_zh.png"
    assert json.loads(files["json"].read_text(encoding="utf-8"))["lang"] == "zh"


def test_english_is_the_default(monkeypatch):
    from analysis.plots.style import current_lang, label, province_names

    monkeypatch.delenv("LOSTGEN_LANG", raising=False)
    assert current_lang() == "en"
    assert label("Henan", "河南") == "Henan"
    assert province_names().loc[540000] == "Tibet"


def test_missing_cjk_font_is_reported(monkeypatch, capsys):
    import analysis.plots.style as F

    monkeypatch.setattr(F, "cjk_font", lambda: None)
    F.use_house_style("zh")
    assert "no CJK font installed" in capsys.readouterr().err
    F.use_house_style("en")
