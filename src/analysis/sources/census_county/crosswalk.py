"""2010 → 2020 crosswalk of the county-level leaf units (``census_county_crosswalk``).

Every leaf unit of both years (coded, or uncoded under its synthetic code) is a node of a
bipartite graph; an edge says "these two units cover (part of) the same ground". Edges, in the
order their basis is recorded:

1. **code** — the same GB/T 2260 code in both years;
2. **name** — the same name, or the same *base* name (the 县/区/市/旗 suffix and ethnic
   designations removed: 蓟县 → 蓟州区 does not match, 富阳市 → 富阳区 does), within the
   province, between units whose code found no partner or found a partner of another name;
   only unique matches on both sides are used (within the same prefecture first, then the
   province);
3. **documented change** — :data:`DOCUMENTED_CHANGES`, administrative changes 2010–2020
   (State Council / Ministry of Civil Affairs approvals) that neither code nor name reveals:
   mergers of districts, counties turned districts under a new name, units carved out of one
   named unit;
4. **suspected swap** — :data:`SUSPECTED_SWAPS`, pairs of 2010 units whose figures look
   exchanged in the raw (each one's 2010 population is close to the other's 2020 one): linked
   both ways, so the pair becomes one merged unit.

Each connected component is one harmonised unit. A 1 × 1 component is ``same`` (code and
name), ``renamed`` (code, other name) or ``recoded`` (name or documented change); a larger
one is ``merged``. A unit left without any edge (a 2010 unit that disappeared, a 2020 unit
with no 2010 counterpart — mostly development zones carved out of unnamed districts) cannot be
resolved: it is pooled, with every component of its 2020 prefecture that holds a district
(区, or county part 01–20), into one combined unit (``unresolved_merged``); in a prefecture
without districts the pool takes every unit of the prefecture. A 2020 unit directly under a
province with no 2010 counterpart (the Xinjiang corps cities founded after 2010) has nothing to
pool with and stays a unit without 2010 members (``new_unmatched``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import networkx as nx
import pandas as pd

from analysis.core.errors import DataError

RELATIONS = ("same", "renamed", "recoded", "merged", "unresolved_merged", "new_unmatched")

#: (2010 code, 2020 code, change): documented administrative changes 2010–2020 not found by
#: code or name. 2010 codes of uncoded units are their synthetic codes (parent × 1000 + n).
DOCUMENTED_CHANGES: tuple[tuple[int, int, str], ...] = (
    (110103, 110101, "崇文区 merged into 东城区 (2010)"),
    (110104, 110102, "宣武区 merged into 西城区 (2010)"),
    (120225, 120119, "蓟县 became 蓟州区 (2016)"),
    (130223, 130284, "滦县 became 滦州市 (2018)"),
    (130230, 130209, "唐海县 became 曹妃甸区 (2012)"),
    (130526, 130505, "任县 became 任泽区 (2020)"),
    (130684, 130672, "保定白沟新城 administered out of 高碑店市"),
    (150781, 150703, "扎赉诺尔区 carved out of 满洲里市 (2013)"),
    (310103, 310101, "卢湾区 merged into 黄浦区 (2011)"),
    (310108, 310106, "闸北区 merged into 静安区 (2015)"),
    (320103, 320104, "白下区 merged into 秦淮区 (2013)"),
    (320107, 320106, "下关区 merged into 鼓楼区 (2013)"),
    (320202, 320213, "崇安区 merged into 梁溪区 (2015)"),
    (320203, 320213, "南长区 merged into 梁溪区 (2015)"),
    (320204, 320213, "北塘区 merged into 梁溪区 (2015)"),
    (320502, 320508, "沧浪区 merged into 姑苏区 (2012)"),
    (320503, 320508, "平江区 merged into 姑苏区 (2012)"),
    (320504, 320508, "金阊区 merged into 姑苏区 (2012)"),
    (320705, 320706, "新浦区 merged into 海州区 (2014)"),
    (320802, 320812, "清河区 merged into 清江浦区 (2016)"),
    (320811, 320812, "清浦区 merged into 清江浦区 (2016)"),
    (321011, 321003, "维扬区 merged into 邗江区 (2011)"),
    (330204, 330212, "江东区 merged into 鄞州区 (2016)"),
    (330212, 330203, "海曙区 took eight towns and subdistricts of 鄞州区 (2016)"),
    (330327, 330383, "龙港市 carved out of 苍南县 (2019)"),
    (330621, 330603, "绍兴县 became 柯桥区 (2013)"),
    (341402, 340181, "居巢区 became the county-level 巢湖市 (2011)"),
    (341522, 341504, "叶集区 carved out of 霍邱县 (2015)"),
    (360421, 360404, "九江县 became 柴桑区 (2017)"),
    (360427, 360483, "星子县 became 庐山市 (2016)"),
    (361121, 361104, "上饶县 became 广信区 (2019)"),
    (370205, 370203, "四方区 merged into 市北区 (2012)"),
    (370284, 370211, "胶南市 merged into 黄岛区 (2012)"),
    (370634, 370614, "长岛县 merged into 蓬莱区 (2020)"),
    (371202, 370116, "莱城区 became 莱芜区 (2019)"),
    (371421, 371403, "陵县 became 陵城区 (2014)"),
    (410211, 410202, "金明区 merged into 龙亭区 (2014)"),
    (410224, 410212, "开封县 became 祥符区 (2014)"),
    (411023, 411003, "许昌县 became 建安区 (2017)"),
    (411222, 411203, "陕县 became 陕州区 (2015)"),
    (420321, 420304, "郧县 became 郧阳区 (2014)"),
    (430221, 430212, "株洲县 became 渌口区 (2018)"),
    (440113, 440115, "南沙区 took three towns of 番禺区 (2012)"),
    (440116, 440112, "萝岗区 merged into 黄埔区 (2014)"),
    (440903, 440904, "茂港区 merged into 电白区 (2014)"),
    (450404, 450403, "蝶山区 merged into 万秀区 (2013)"),
    (460200, 460202, "三亚市 divided into 海棠区, 吉阳区, 天涯区, 崖州区 (2014)"),
    (460200, 460203, "三亚市 divided into 海棠区, 吉阳区, 天涯区, 崖州区 (2014)"),
    (460200, 460204, "三亚市 divided into 海棠区, 吉阳区, 天涯区, 崖州区 (2014)"),
    (460200, 460205, "三亚市 divided into 海棠区, 吉阳区, 天涯区, 崖州区 (2014)"),
    (460000001, 460300, "西沙群岛 (西南中沙群岛办事处) became part of 三沙市 (2012)"),
    (500234, 500154, "开县 became 开州区 (2016)"),
    (510124, 510117, "郫县 became 郫都区 (2016)"),
    (510724, 510705, "安县 became 安州区 (2016)"),
    (511521, 511504, "宜宾县 became 叙州区 (2018)"),
    (511721, 511703, "达县 became 达川区 (2013)"),
    (520114, 520111, "小河区 merged into 花溪区 (2012)"),
    (520222, 520281, "盘县 became 盘州市 (2017)"),
    (520321, 520304, "遵义县 became 播州区 (2016)"),
    (522201, 520602, "铜仁市 (county level) became 碧江区 (2011)"),
    (522401, 520502, "毕节市 (county level) became 七星关区 (2011)"),
    (542121, 540302, "昌都县 became 卡若区 (2014)"),
    (542301, 540202, "日喀则市 (county level) became 桑珠孜区 (2014)"),
    (542421, 540602, "那曲县 became 色尼区 (2017)"),
    (542428, 540627, "班戈县 (printed 班嘎县 in 2010) recoded with 那曲市 (2017)"),
    (542621, 540402, "林芝县 became 巴宜区 (2015)"),
    (610125, 610118, "户县 became 鄠邑区 (2016)"),
    (610427, 610482, "彬县 became 彬州市 (2018)"),
    (610521, 610503, "华县 became 华州区 (2015)"),
    (620121, 620171, "兰州新区 carved out of 永登县 and 皋兰县 (2012)"),
    (620122, 620171, "兰州新区 carved out of 永登县 and 皋兰县 (2012)"),
    (632800001, 632803, "芒崖行委 and 冷湖行委 became 茫崖市 (2018)"),
    (632800003, 632803, "芒崖行委 and 冷湖行委 became 茫崖市 (2018)"),
    (632800002, 632857, "柴旦行委 became 大柴旦行政委员会"),
    (652101, 650402, "吐鲁番市 (county level) became 高昌区 (2015)"),
    (652201, 650502, "哈密市 (county level) became 伊州区 (2016)"),
    (652701, 652702, "阿拉山口市 carved out of 博乐市 (2012)"),
    (654023, 654004, "霍尔果斯市 carved out of 霍城县 (2014)"),
)

#: (2010 code, 2010 code, why): pairs whose 2010 figures look swapped in the raw (each one's
#: 2010 population is close to the other's 2020 population); merged in the crosswalk
SUSPECTED_SWAPS: tuple[tuple[int, int, str], ...] = (
    (230108, 230110, "2010 figures of 平房区 and 香坊区 look swapped (2020/2010 population "
                     "0.26 and 4.73; swapped 1.01 and 1.22)"),
    (654002, 654003, "2010 figures of 伊宁市 and 奎屯市 look swapped (2020/2010 population "
                     "4.68 and 0.44; swapped 1.51 and 1.38)"),
)

_ETHNIC = re.compile(
    r"(土家族|苗族|侗族|瑶族|壮族|黎族|回族|彝族|蒙古族|藏族|满族|畲族|仡佬族|布依族|水族|白族|"
    r"哈尼族|傣族|傈僳族|佤族|拉祜族|纳西族|景颇族|布朗族|阿昌族|普米族|怒族|独龙族|哈萨克族|"
    r"锡伯族|塔吉克族|撒拉族|东乡族|保安族|土族|羌族|各族|毛南族|仫佬族|达斡尔族|鄂温克族|"
    r"鄂伦春族|朝鲜族|维吾尔族|裕固族|柯尔克孜族|蒙古|俄罗斯族)+$")
_SUFFIXES = ("自治县", "自治旗", "县", "区", "市", "旗")


def normalise_name(name: str) -> str:
    """Name with the misprinted 巿 (U+5DFF) read as 市 and spaces removed."""
    return re.sub(r"\s+", "", name).replace("巿", "市")


def base_name(name: str) -> str:
    """Name without its level suffix and ethnic designation (``'富阳市'`` → ``'富阳'``,
    ``'石林彝族自治县'`` → ``'石林'``); names of two characters keep their suffix
    (``'城区'``, ``'矿区'``, ``'蓟县'``)."""
    n = normalise_name(name)
    for suffix in _SUFFIXES:
        if n.endswith(suffix) and len(n) > len(suffix) + 1:
            n = n[: -len(suffix)]
            break
    stripped = _ETHNIC.sub("", n)
    return stripped if len(stripped) >= 2 else n


def is_district(code: int, name: str) -> bool:
    """A district-type unit: county part 01–20 of a printed code, or a name ending in 区."""
    return (code < 1_000_000 and 1 <= code % 100 <= 20) or normalise_name(name).endswith("区")


def build_crosswalk(leaves_2010: pd.DataFrame, leaves_2020: pd.DataFrame, *,
                    changes: tuple[tuple[int, int, str], ...] = DOCUMENTED_CHANGES,
                    swaps: tuple[tuple[int, int, str], ...] = SUSPECTED_SWAPS,
                    file_2010: str = "2010", file_2020: str = "2020") -> pd.DataFrame:
    """``census_county_crosswalk``: one row per leaf unit of either year.

    ``leaves_<year>`` carry ``code``, ``name_zh``, ``prefecture_code``, ``adcode`` and
    ``population`` (one row per leaf). Raises :class:`DataError` if a documented change names
    a code that is not a leaf of its year (the change list and the files disagree).
    """
    a = leaves_2010.set_index("code")
    b = leaves_2020.set_index("code")
    for c10, c20, why in changes:
        if c10 not in a.index:
            raise DataError(file_2010, f"documented change {why!r}: {c10} is no 2010 leaf")
        if c20 not in b.index:
            raise DataError(file_2020, f"documented change {why!r}: {c20} is no 2020 leaf")
    g = nx.Graph()
    g.add_nodes_from((2010, c) for c in a.index)
    g.add_nodes_from((2020, c) for c in b.index)
    basis: dict[tuple, str] = {}

    def link(c10: int, c20: int, why: str) -> None:
        edge = ((2010, c10), (2020, c20))
        if not g.has_edge(*edge):
            g.add_edge(*edge)
            basis[edge] = why

    common = a.index.intersection(b.index)
    for c in common:
        same = normalise_name(a.at[c, "name_zh"]) == normalise_name(b.at[c, "name_zh"])
        link(c, c, "code and name" if same else "code (name changed)")
    renamed = {c for c in common
               if normalise_name(a.at[c, "name_zh"]) != normalise_name(b.at[c, "name_zh"])}
    cand_a = a[~a.index.isin(common) | a.index.isin(renamed)]
    cand_b = b[~b.index.isin(common) | b.index.isin(renamed)]
    _name_edges(cand_a, cand_b, link)
    for c10, c20, why in changes:
        link(c10, c20, f"documented change: {why}")
    for c1, c2, why in swaps:
        if c1 in a.index and c2 in b.index and c2 in a.index and c1 in b.index:
            link(c1, c2, f"suspected swap: {why}")
            link(c2, c1, f"suspected swap: {why}")
    return _components(g, a, b, basis)


def _name_edges(cand_a: pd.DataFrame, cand_b: pd.DataFrame, link) -> None:
    used_a: set[int] = set()
    used_b: set[int] = set()
    for key, scope, label in ((normalise_name, "prefecture_code", "name within prefecture"),
                              (normalise_name, "adcode", "name within province"),
                              (base_name, "prefecture_code", "base name within prefecture"),
                              (base_name, "adcode", "base name within province")):
        ka = pd.DataFrame({"k": cand_a["name_zh"].map(key), "s": cand_a[scope]},
                          index=cand_a.index).drop(index=list(used_a), errors="ignore")
        kb = pd.DataFrame({"k": cand_b["name_zh"].map(key), "s": cand_b[scope]},
                          index=cand_b.index).drop(index=list(used_b), errors="ignore")
        ua = ka[~ka.duplicated(["k", "s"], keep=False)]
        ub = kb[~kb.duplicated(["k", "s"], keep=False)]
        m = ua.reset_index().merge(ub.reset_index(), on=["k", "s"], suffixes=("_a", "_b"))
        for c10, c20 in zip(m["code_a"], m["code_b"], strict=True):
            link(int(c10), int(c20), label)
            used_a.add(int(c10))
            used_b.add(int(c20))


def _components(g: nx.Graph, a: pd.DataFrame, b: pd.DataFrame,
                basis: dict[tuple, str]) -> pd.DataFrame:
    comps = [sorted(c) for c in nx.connected_components(g)]
    # the 2020 prefecture of each component (of its 2020 members; for a 2010-only unit the
    # prefecture most of its 2010 prefecture's resolved population went to)
    pref_map = _prefecture_successors(comps, a, b)
    resolved, lonely = [], []
    for comp in comps:
        (lonely if len(comp) == 1 else resolved).append(comp)
    pools: dict[int, list] = {}
    for (year, code), in lonely:
        if year == 2020:
            pref = int(b.at[code, "prefecture_code"])
        else:
            pref = pref_map.get(int(a.at[code, "prefecture_code"]),
                                int(a.at[code, "prefecture_code"]))
        pools.setdefault(pref, []).append((year, code))
    in_pref: dict[int, list] = {p: [] for p in pools}
    keep = []
    for comp in resolved:
        pref = _component_prefecture(comp, a, b, pref_map)
        if pref in pools:
            in_pref[pref].append(comp)
        else:
            keep.append(comp)
    rows = []
    look = _Lookup.of(a, b, basis)
    for pref, units in pools.items():
        districts = [comp for comp in in_pref[pref]
                     if any(is_district(c, (a if y == 2010 else b).at[c, "name_zh"])
                            for y, c in comp)]
        members = list(units) + [n for comp in districts for n in comp]
        if not ({y for y, _ in members} >= {2010, 2020}):
            # the districts do not give both years: take every unit of the prefecture
            districts = in_pref[pref]
            members = list(units) + [n for comp in districts for n in comp]
        keep.extend(comp for comp in in_pref[pref] if comp not in districts)
        if {y for y, _ in members} >= {2010, 2020}:
            rows.extend(_rows(sorted(members), look, pool=pref))
        else:  # nothing to pool with (a unit founded after 2010 directly under the province)
            for node in units:
                rows.extend(_rows([node], look, pool=None, new=True))
    for comp in keep:
        rows.extend(_rows(comp, look, pool=None))
    out = pd.DataFrame(rows)
    return out.sort_values(["census_year", "code"], ignore_index=True)


def _prefecture_successors(comps: list, a: pd.DataFrame, b: pd.DataFrame) -> dict[int, int]:
    """2010 prefecture code → the 2020 prefecture holding most of its linked 2010 population."""
    weights: dict[tuple[int, int], float] = {}
    for comp in comps:
        p20 = {int(b.at[c, "prefecture_code"]) for y, c in comp if y == 2020}
        if len(p20) != 1:
            continue
        (target,) = p20
        for y, c in comp:
            if y == 2010:
                key = (int(a.at[c, "prefecture_code"]), target)
                weights[key] = weights.get(key, 0.0) + float(a.at[c, "population"] or 0)
    best: dict[int, tuple[float, int]] = {}
    for (src, dst), w in weights.items():
        if src not in best or w > best[src][0]:
            best[src] = (w, dst)
    return {src: dst for src, (_, dst) in best.items()}


def _component_prefecture(comp: list, a: pd.DataFrame, b: pd.DataFrame,
                          pref_map: dict[int, int]) -> int:
    p20 = [int(b.at[c, "prefecture_code"]) for y, c in comp if y == 2020]
    if p20:
        return max(set(p20), key=p20.count)
    p10 = int(a.at[comp[0][1], "prefecture_code"])
    return pref_map.get(p10, p10)


@dataclass
class _Lookup:
    """Plain-dict views of both years' leaves and of the edges, built once."""

    names: dict[int, dict]
    pops: dict[int, dict]
    prefs: dict[int, dict]
    basis: dict[tuple, str]
    edges: dict[tuple, list[str]]

    @classmethod
    def of(cls, a: pd.DataFrame, b: pd.DataFrame, basis: dict[tuple, str]) -> _Lookup:
        edges: dict[tuple, list[str]] = {}
        for (n10, n20), why in basis.items():
            edges.setdefault(n10, []).append(why)
            edges.setdefault(n20, []).append(why)
        return cls({2010: a["name_zh"].to_dict(), 2020: b["name_zh"].to_dict()},
                   {2010: a["population"].to_dict(), 2020: b["population"].to_dict()},
                   {2010: a["prefecture_code"].to_dict(), 2020: b["prefecture_code"].to_dict()},
                   basis, edges)


def _rows(comp: list, look: _Lookup, *, pool: int | None, new: bool = False) -> list[dict]:
    names, pops, prefs20, basis = look.names, look.pops, look.prefs[2020], look.basis
    m10 = [c for y, c in comp if y == 2010]
    m20 = [c for y, c in comp if y == 2020]
    printed20 = [c for c in m20 if c < 1_000_000] or m20
    hcode = min(printed20) if printed20 else min(m10)  # only 2010 members: lowest 2010 code
    pop10 = float(sum(pops[2010][c] for c in m10)) if m10 else float("nan")
    pop20 = float(sum(pops[2020][c] for c in m20)) if m20 else float("nan")
    if pool is not None:
        relation = "unresolved_merged"
    elif new:
        relation = "new_unmatched"
    elif len(m10) == 1 and len(m20) == 1:
        why = basis.get(((2010, m10[0]), (2020, m20[0])), "")
        relation = ("same" if why == "code and name" else
                    "renamed" if why.startswith("code") else "recoded")
    else:
        relation = "merged"
    names20 = "+".join(names[2020][c] for c in sorted(m20))
    pref = (int(prefs20[printed20[0]]) if m20
            else int(pool) if pool is not None else int(look.prefs[2010][m10[0]]))
    rows = []
    for y, c in comp:
        edges = look.edges.get((y, c), [])
        if pool is not None:
            why = (f"unresolved: pooled with the districts of prefecture {pool}"
                   + (f" (linked by {'; '.join(sorted(set(edges)))})" if edges else ""))
        elif new:
            why = "no 2010 counterpart (a unit founded after 2010 directly under the province)"
        else:
            why = "; ".join(sorted(set(edges)))
        rows.append({
            "census_year": y, "code": int(c), "name_zh": str(names[y][c]),
            "code_printed": bool(c < 1_000_000),
            "harmonised_code": int(hcode), "harmonised_name_zh": names20 or "—",
            "harmonised_prefecture_code": pref,
            "harmonised_adcode": pref // 10000 * 10000 if pref < 1_000_000
            else pref // 10_000_000 * 10000,
            "relation": relation, "basis": why,
            "members_2010_count": len(m10), "members_2020_count": len(m20),
            "population_2010_persons": pop10, "population_2020_persons": pop20,
        })
    return rows
