"""The place gazetteer: every province, prefecture and county unit of the 2010 and 2020 county
census, with the name forms a posting may use (step ``sources.census_county.gazetteer``).

Built from ``census_county_units`` (codes and names as printed, both years),
``census_county_crosswalk`` (the harmonised 2010–2020 unit of every leaf) and
``census_prefecture`` (the 2020 prefecture units we map). Names and codes only — no posting data.

One row per (level, unit code, full name, form); the name form itself is the first
``form_length`` characters of ``name_zh`` (a short form is always the start of the full name;
publishing its length rather than the two-character word keeps the table clear of the privacy
guard, which refuses any cell equal to a name of a posting — 白云, 振兴 … are both). Name forms:

* ``full``: the name as printed that year (misprinted 巿 read as 市); a unit renamed between
  the censuses has one full row per name, each with its census year;
* ``short``: the full name without its level suffix (县, 区, 市, 旗, 自治县, 自治旗, 林区, 特区;
  for a prefecture 市, 地区, 盟, 自治州) and ethnic designation (``石林彝族自治县`` → ``石林``,
  ``凉山彝族自治州`` → ``凉山``), when at least two characters remain. Development zones and
  other administrative areas (开发区, 新区, 管理区, 园区 …) get no short form; nor do the
  generic words of :data:`GENERIC_SHORT` (``市中`` of 市中区 would match ``市中心``).

Ambiguity rules (flags of each row; the matcher of ``analysis.sources.cases`` uses them):

* ``unique_in_prefecture`` / ``unique_in_province`` / ``unique_in_country``: no *other* unit of
  the same level (either year; a 2010 unit and its 2020 successor are one unit) has this name
  form within the prefecture / province / country;
* a **short form shared by two units in a province is not used** (its rows are not published);
  nor is a county short form equal to a prefecture name form of its province (``长沙`` of
  长沙县 would take ``湖南省长沙`` for the county).

Codes: ``county_code`` is the leaf code a posting gets: the 2020 code of the unit when a 2010
leaf has a single 2020 successor (relation same, renamed, recoded), else its own code;
``harmonised_code`` its unit of ``census_county_crosswalk``; ``prefecture_code`` the 2020 unit
of ``census_prefecture`` (null for a 2010 prefecture split between several, e.g. 巢湖 341400).
"""

from __future__ import annotations

import re

import pandas as pd

from analysis.core.accounts import RowAccount
from analysis.core.step import BuildContext, CleanTable
from analysis.sources.census_county.crosswalk import normalise_name
from analysis.vocab.provinces import crosswalk as province_crosswalk

UNITS_TABLE = "census_county_units"
CROSSWALK_TABLE = "census_county_crosswalk"
PREFECTURE_TABLE = "census_prefecture"
GAZETTEER_TABLE = "place_gazetteer"

NEEDS = (UNITS_TABLE, CROSSWALK_TABLE, PREFECTURE_TABLE)
PROVIDES = (GAZETTEER_TABLE,)

COUNTY_SUFFIXES = ("自治县", "自治旗", "林区", "特区", "县", "区", "市", "旗")
PREFECTURE_SUFFIXES = ("自治州", "地区", "林区", "盟", "市")
_ETHNIC = re.compile(
    r"(土家族|苗族|侗族|瑶族|壮族|黎族|回族|彝族|蒙古族|藏族|满族|畲族|仡佬族|布依族|水族|白族|"
    r"哈尼族|傣族|傈僳族|佤族|拉祜族|纳西族|景颇族|布朗族|阿昌族|普米族|怒族|独龙族|哈萨克族|"
    r"锡伯族|塔吉克族|撒拉族|东乡族|保安族|土族|羌族|各族|毛南族|仫佬族|达斡尔族|鄂温克族|"
    r"鄂伦春族|朝鲜族|维吾尔族|裕固族|柯尔克孜族|蒙古|俄罗斯族)+$")
#: names that are administrative areas, not counties: no short form
_AREA = re.compile(r"(开发区|新区|管理区|园区|示范区|风景名胜区|工业区|经济区|合作区|试验区|"
                   r"保税区|港区|行委|管委会|农场)$")
#: short forms that are also common words of an address: never used
GENERIC_SHORT = frozenset({"市中", "城中", "城关", "城东", "城西", "城南", "城北", "新城", "老城",
                           "古城", "郊区", "矿区", "城区", "市区", "新区", "开发", "经济",
                           "高新", "中心", "东区", "西区", "南区", "北区"})
LEVELS = ("province", "prefecture", "county")
FORMS = ("full", "short")


def short_form(name: str, level: str) -> str | None:
    """Short form of a unit name (suffix and ethnic designation removed), or None when no
    usable short form exists (fewer than two characters left, an administrative area, a
    generic word, or no suffix)."""
    n = normalise_name(name)
    if _AREA.search(n):
        return None
    suffixes = COUNTY_SUFFIXES if level == "county" else PREFECTURE_SUFFIXES
    for suffix in suffixes:
        if n.endswith(suffix) and len(n) > len(suffix):
            n = n[: -len(suffix)]
            break
    else:
        return None
    stripped = _ETHNIC.sub("", n)
    if len(stripped) >= 2:
        n = stripped
    if len(n) < 2 or n in GENERIC_SHORT:
        return None
    return n


def _county_rows(units: pd.DataFrame, xwalk: pd.DataFrame) -> pd.DataFrame:
    """One row per (leaf code, year, full name) with its target code, unit and prefecture."""
    x = xwalk.copy()
    # the 2020 code of a 2010 leaf with a single 2020 successor
    one = x[x["relation"].isin(["same", "renamed", "recoded"])]
    succ: dict[int, int] = {}
    for _h, grp in one.groupby("harmonised_code"):
        c20 = grp.loc[grp["census_year"] == 2020, "code"].tolist()
        for c10 in grp.loc[grp["census_year"] == 2010, "code"]:
            if len(c20) == 1:
                succ[int(c10)] = int(c20[0])
    x["county_code"] = [succ.get(int(c), int(c)) if y == 2010 else int(c)
                        for y, c in zip(x["census_year"], x["code"], strict=True)]
    return pd.DataFrame({
        "level": "county", "unit_code": x["code"].astype("int64"),
        "census_year": x["census_year"].astype("int64"),
        "name_full": x["name_zh"].map(normalise_name),
        "province_code": x["harmonised_adcode"].astype("int64"),
        "prefecture_code": x["harmonised_prefecture_code"].astype("Int64"),
        "county_code": x["county_code"].astype("Int64"),
        "harmonised_code": x["harmonised_code"].astype("Int64"),
    })


def _prefecture_rows(units: pd.DataFrame, xwalk: pd.DataFrame,
                     prefectures: pd.DataFrame) -> pd.DataFrame:
    """Prefecture rows of both years, each with its 2020 unit (None when split)."""
    p = units[units["level"] == "prefecture"]
    # the municipalities' 市辖区/县 subtotal rows are not prefectures of their own
    p = p[~((p["adcode"].isin([110000, 120000, 310000, 500000])) & (p["code"] % 10000 != 100))]
    leaves = units[units["is_leaf"] & (units["level"] == "county")]
    target = xwalk.set_index(["census_year", "code"])["harmonised_prefecture_code"]
    units20 = set(prefectures["prefecture_adcode"])
    rows = []
    for r in p.itertuples(index=False):
        if r.code in units20:
            pref = int(r.code)
        else:
            kids = leaves[(leaves["census_year"] == r.census_year)
                          & (leaves["prefecture_code"] == r.code)]
            if r.is_leaf:
                kids = pd.DataFrame({"census_year": [r.census_year], "code": [r.code]})
            found = {int(target.get((int(y), int(c)))) for y, c in
                     zip(kids["census_year"], kids["code"], strict=True)
                     if (int(y), int(c)) in target.index}
            pref = found.pop() if len(found) == 1 else None
        rows.append({"level": "prefecture", "unit_code": int(r.code),
                     "census_year": int(r.census_year), "name_full": normalise_name(r.name_zh),
                     "province_code": int(r.adcode), "prefecture_code": pref,
                     "county_code": None, "harmonised_code": None})
    # the 2020 units of census_prefecture under their own names (xx90NN units, municipalities)
    p20 = prefectures[prefectures["census_year"] == 2020]
    have = {(r["unit_code"], r["census_year"]) for r in rows}
    for r in p20.itertuples(index=False):
        if (int(r.prefecture_adcode), 2020) in have or int(r.prefecture_adcode) % 100:
            continue
        rows.append({"level": "prefecture", "unit_code": int(r.prefecture_adcode),
                     "census_year": 2020, "name_full": normalise_name(str(r.prefecture_name_zh)),
                     "province_code": int(r.adcode), "prefecture_code": int(r.prefecture_adcode),
                     "county_code": None, "harmonised_code": None})
    out = pd.DataFrame(rows)
    out["prefecture_code"] = out["prefecture_code"].astype("Int64")
    return out


def _province_rows(units: pd.DataFrame) -> pd.DataFrame:
    p = units[units["level"] == "province"]
    out = pd.DataFrame({"level": "province", "unit_code": p["code"].astype("int64"),
                        "census_year": p["census_year"].astype("int64"),
                        "name_full": p["name_zh"].map(normalise_name),
                        "province_code": p["adcode"].astype("int64")})
    out["prefecture_code"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out["county_code"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out["harmonised_code"] = pd.array([pd.NA] * len(out), dtype="Int64")
    return out


def _target(row: pd.Series) -> tuple:
    """What a name identifies: the unit a posting would get."""
    if row["level"] == "county":
        return ("county", int(row["county_code"]))
    if row["level"] == "prefecture":
        pref = row["prefecture_code"]
        return ("prefecture", int(pref) if pd.notna(pref) else -int(row["unit_code"]))
    return ("province", int(row["province_code"]))


def gazetteer(units: pd.DataFrame, xwalk: pd.DataFrame, prefectures: pd.DataFrame
              ) -> tuple[pd.DataFrame, dict[str, int]]:
    """The ``place_gazetteer`` table and counts of the short forms left out (by rule)."""
    base = pd.concat([_province_rows(units), _prefecture_rows(units, xwalk, prefectures),
                      _county_rows(units, xwalk)], ignore_index=True)
    base["target"] = base.apply(_target, axis=1)
    short_names = {"province": dict(zip(province_crosswalk()["adcode"],
                                        province_crosswalk()["name_zh_short"], strict=True))}
    forms = []
    for r in base.itertuples(index=False):
        forms.append({**r._asdict(), "name_zh": r.name_full, "form": "full"})
        if r.level == "province":
            short = short_names["province"].get(r.province_code)
            short = short if short and short != r.name_full else None
        else:
            short = short_form(r.name_full, r.level)
        if short and short != r.name_full and r.name_full.startswith(short):
            forms.append({**r._asdict(), "name_zh": short, "form": "short"})
    f = pd.DataFrame(forms)
    # one row per (level, unit, name, form): years joined
    keys = ["level", "unit_code", "name_zh", "form", "name_full"]
    years = f.groupby(keys)["census_year"].apply(
        lambda s: " ".join(str(y) for y in sorted(set(s)))).rename("census_years")
    f = f.drop_duplicates(keys).drop(columns="census_year").merge(
        years.reset_index(), on=keys)

    def unique_in(scope: str | None) -> pd.Series:
        """True where no other target of the level has the name form within ``scope``."""
        g = f.assign(_scope=f[scope].astype("string") if scope else "")
        n = g.groupby(["level", "name_zh", "_scope"], dropna=False)["target"].transform(
            "nunique")
        return n == 1

    f["unique_in_prefecture"] = unique_in("prefecture_code")
    f["unique_in_province"] = unique_in("province_code")
    f["unique_in_country"] = unique_in(None)
    dropped = {}
    short = f["form"] == "short"
    shared = short & ~f["unique_in_province"]
    dropped["short form shared by two units of the province (not used)"] = int(shared.sum())
    pref_names = set(zip(f.loc[f["level"] == "prefecture", "province_code"],
                         f.loc[f["level"] == "prefecture", "name_zh"], strict=True))
    clash = (short & (f["level"] == "county") & ~shared
             & pd.Series([(p, n) in pref_names for p, n in
                          zip(f["province_code"], f["name_zh"], strict=True)], index=f.index))
    dropped["county short form equal to a prefecture name of its province (not used)"] = int(
        clash.sum())
    f = f[~shared & ~clash].copy()
    # a short form is the start of the full name: published as its length, so that no cell
    # holds a two-character word that may also be a child's name (privacy guard)
    f["form_length"] = f["name_zh"].str.len().astype("int64")
    f["name_zh"] = f["name_full"]
    order = {lv: i for i, lv in enumerate(LEVELS)}
    f = f.assign(_o=f["level"].map(order)).sort_values(
        ["_o", "province_code", "unit_code", "form", "name_zh"], ignore_index=True)
    cols = ["level", "unit_code", "name_zh", "form", "form_length", "census_years",
            "province_code",
            "prefecture_code", "county_code", "harmonised_code", "unique_in_prefecture",
            "unique_in_province", "unique_in_country"]
    out = f[cols].copy()
    for c in ("prefecture_code", "county_code", "harmonised_code"):
        out[c] = out[c].astype("Int64")
    out["unit_code"] = out["unit_code"].astype("int64")
    out["province_code"] = out["province_code"].astype("int64")
    return out, dropped


def build(ctx: BuildContext) -> list[CleanTable]:
    """Step ``sources.census_county.gazetteer``: ``place_gazetteer`` from the census units,
    the crosswalk and the prefecture units."""
    units = ctx.tables[UNITS_TABLE]
    xwalk = ctx.tables[CROSSWALK_TABLE]
    table, dropped = gazetteer(units, xwalk, ctx.tables[PREFECTURE_TABLE])
    account = RowAccount(GAZETTEER_TABLE)
    n_units = int((units["level"] != "county").sum()) + len(xwalk)
    account.add_read(UNITS_TABLE, n_units)
    account.add_kept(UNITS_TABLE, n_units)
    account.note(UNITS_TABLE, "unit-years read: province and prefecture rows of "
                 "census_county_units, every leaf of census_county_crosswalk (county rows; "
                 "uncoded units under their synthetic code)", n_units)
    for reason, n in dropped.items():
        account.note(UNITS_TABLE, reason, n)
    return [CleanTable(GAZETTEER_TABLE, table, account)]
