#!/usr/bin/env python3
"""Build corpus/gold/<stem>.jsonl from the hand annotations in corpus/annotations/<stem>.ann.

Why a helper: offsets are easy to get wrong by hand. The annotator writes, for each record,
a short `context` copied from the report and the `text` of the value inside it; this script
finds the context in the decoded document, computes start/end, parses the printed value to
check the annotated number and unit, looks up the region code in the installed GB/T 2260
data (jionlp's china_location.txt; old codes of renamed units from cpca's adcodes.csv), and
warns about qualifier words next to a value that the annotation does not mention.

Document text: for .txt the file decoded with the encoding named in the .ann (CRLF kept);
for .html/.docx/.pdf the UTF-8 source in corpus/sources/<stem>.source (see corpus/README.md).

Annotation format (one item per line, `#` starts a comment line):
  D <file name>            the document (first line)
  E <encoding>             encoding of a .txt (default utf-8)
  R <full region name>|-   default region for following records (- = null)
  Y <year>|-               default year for following records (- = null)
  <context> || <text> || <metric> [options] [|| note]
options: level|change|target (default level), v=<value> vh=<value_high> u=<unit>,
  neg (a fall: negate), q=approx|at_least|more_than|at_most|less_than, r=<region>|-,
  y=<year>|-, opt (optional), sus (suspect), n=<k> (k-th occurrence of the context),
  tn=<k> (k-th occurrence of text inside the context)
Usage: make_gold.py [STEM ...]   (all .ann files when none given); --uncovered lists
numbers in the text that no record covers, for the exhaustiveness review; --check verifies
that the committed gold is what the annotations give and that every text sits at its offsets.
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.dirname(HERE)
SITE = None
for root in (os.path.join(CORPUS, "..", ".venv", "lib"),):
    if os.path.isdir(root):
        for d in os.listdir(root):
            cand = os.path.join(root, d, "site-packages")
            if os.path.isdir(cand):
                SITE = cand
LOCATION = os.path.join(SITE, "jionlp", "dictionary", "china_location.txt")
ADCODES = os.path.join(SITE, "cpca", "resources", "adcodes.csv")

METRICS = """insured_persons insurance_coverage_rate ncms_enrollees ncms_participation_rate
per_capita_funding individual_contribution fiscal_subsidy_per_capita reimbursement_ratio deductible
benefit_cap out_of_pocket_share government_investment medical_assistance_funds cost_savings
drug_price_change outpatient_visits inpatient_admissions primary_care_visit_share in_county_visit_rate
family_doctor_signing_rate health_record_rate immunization_rate essential_drug_usage_rate per_visit_cost
medical_expense_growth drug_cost_share medical_service_income_share avg_length_of_stay staff_income
hospital_beds""".split()
UNIT = {m: "%" for m in METRICS}
UNIT.update({m: "人" for m in ("insured_persons", "ncms_enrollees")})
UNIT.update({m: "元" for m in ("per_capita_funding", "individual_contribution", "fiscal_subsidy_per_capita",
                              "deductible", "benefit_cap", "government_investment", "medical_assistance_funds",
                              "cost_savings", "per_visit_cost", "staff_income")})
UNIT.update({"outpatient_visits": "人次", "inpatient_admissions": "人次", "avg_length_of_stay": "天",
             "hospital_beds": "张"})
SHARE = {"insurance_coverage_rate", "ncms_participation_rate", "reimbursement_ratio", "out_of_pocket_share",
         "primary_care_visit_share", "in_county_visit_rate", "family_doctor_signing_rate", "health_record_rate",
         "immunization_rate", "essential_drug_usage_rate", "drug_cost_share", "medical_service_income_share"}

# Units renamed since the report: name as used in the gold -> (code, region_alt).
# Old codes come from cpca's adcodes.csv, new ones from jionlp; 新津 follows the shared gold.
RENAMED = {
    "陕西省咸阳市彬州市": ("610482", ["610427", "陕西省咸阳市彬县"]),
    "四川省成都市新津县": ("510132", ["510118", "四川省成都市新津区"]),
    "贵州省六盘水市盘州市": ("520281", ["520222", "贵州省六盘水市盘县"]),
    "湖北省襄阳市": ("420600", ["湖北省襄樊市"]),
    "江苏省盐城市大丰区": ("320904", ["320982", "江苏省盐城市大丰市"]),
}


def load_regions():
    names = {"全国": "000000"}
    stack = []
    if os.path.exists(LOCATION):
        f = open(LOCATION, encoding="utf-8")
    else:   # newer jionlp ships the table zipped
        import io
        import zipfile
        z = zipfile.ZipFile(LOCATION[:-4] + ".zip")
        f = io.TextIOWrapper(z.open("china_location.txt"), encoding="utf-8")
    with f:
        for line in f:
            depth = len(line) - len(line.lstrip("\t"))
            parts = line.strip().split("\t")
            if depth > 2 or len(parts) < 2 or not re.fullmatch(r"\d{6}", parts[1]):
                continue
            stack = stack[:depth] + [parts[0]]
            full = "".join(p for i, p in enumerate(stack) if i == 0 or p != stack[i - 1])
            names[full] = parts[1]
    return names


REGIONS = None


def region_code(name):
    global REGIONS
    if name in RENAMED:
        return RENAMED[name]
    if REGIONS is None:
        REGIONS = load_regions()
    if name not in REGIONS:
        sys.exit(f"unknown region {name!r}")
    return REGIONS[name], None


# ---------------------------------------------------------------- values
FW = str.maketrans("０１２３４５６７８９．％～，－", "0123456789.%~,-")
CN_DIG = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
          "八": 8, "九": 9}
CN_UNIT = {"十": 10, "百": 100, "千": 1000}


def cn_number(s):
    """Chinese numerals (十二, 两万, 一百二十, 三) -> int."""
    total, section, cur = 0, 0, 0
    for ch in s:
        if ch in CN_DIG:
            cur = CN_DIG[ch]
        elif ch in CN_UNIT:
            section += (cur or 1) * CN_UNIT[ch]
            cur = 0
        elif ch in "万萬":
            total += (section + cur) * 10000
            section, cur = 0, 0
        elif ch in "亿億":
            total += (section + cur) * 10 ** 8
            section, cur = 0, 0
        else:
            raise ValueError(s)
    return total + section + cur


UNITS = [("个百分点", "百分点", 1), ("個百分點", "百分点", 1), ("百分点", "百分点", 1), ("百分點", "百分点", 1),
         ("%", "%", 1), ("万人次", "人次", 1e4), ("萬人次", "人次", 1e4), ("人次", "人次", 1),
         ("万元", "元", 1e4), ("萬元", "元", 1e4), ("亿元", "元", 1e8), ("億元", "元", 1e8),
         ("千元", "元", 1e3), ("元", "元", 1), ("万人", "人", 1e4), ("萬人", "人", 1e4), ("人", "人", 1),
         ("万张", "张", 1e4), ("萬張", "张", 1e4), ("张", "张", 1), ("張", "张", 1), ("天", "天", 1),
         ("日", "天", 1), ("成", "%", 10)]


def one_number(s):
    s = s.strip().rstrip("多余餘")
    mult = 1
    if s and s[-1] in "万萬":
        mult, s = 1e4, s[:-1]
    elif s and s[-1] in "亿億":
        mult, s = 1e8, s[:-1]
    s = s.rstrip("多余餘")
    if re.fullmatch(r"[0-9.]+", s):
        return float(s) * mult
    return float(cn_number(s)) * mult


def parse_value(text):
    """Printed value -> (value, value_high, unit, masked). Raises on what it cannot read."""
    t = text.translate(FW)
    t = re.sub(r"(?<=[0-9])[ ,](?=[0-9])", "", t)
    t = t.replace(" ", "")
    if t.startswith("百分之"):
        return float(cn_number(t[3:])), None, "%", False
    if t[:1] in "-−" and t[1:2].isdigit():   # -2.1%: a fall printed with its sign
        v, vh, unit, masked = parse_value(t[1:])
        return -v, (-vh if vh is not None else None), unit, masked
    for surf, unit, factor in UNITS:
        if t.endswith(surf):
            body = t[: -len(surf)]
            break
    else:
        raise ValueError(f"no unit in {text!r}")
    body = re.sub(r"(?<=[0-9])(多|余|餘)$", "", body)
    if re.search(r"[*xX×＊]", body):
        return None, None, unit, True
    parts = re.split(r"[~\-—–至到〜]+", body)
    if len(parts) == 2:
        lo, hi = parts
        if surf in ("%",) and lo.endswith("%"):
            lo = lo[:-1]
        if lo.endswith(surf):
            lo = lo[: -len(surf)]
        if surf[0] in "万萬亿億" and lo.endswith(surf[0]):
            lo = lo[:-1]  # 0.7万—2.4万元: the unit's multiplier is printed on both ends
        # a shared multiplier (0.7万—2.4万元 carries its own; 1-2万元 shares it)
        if hi and hi[-1] in "万萬亿億" and lo and lo[-1] not in "万萬亿億":
            lo = lo + hi[-1]
        return one_number(lo) * factor, one_number(hi) * factor, unit, False
    return one_number(body) * factor, None, unit, False


QUAL_BEFORE = {"约": "approx", "近": "approx", "約": "approx", "超过": "more_than", "超過": "more_than",
               "逾": "more_than", "不低于": "at_least", "不少于": "at_least", "不低於": "at_least",
               "不少於": "at_least", "不超过": "at_most", "不超過": "at_most", "不足": "less_than",
               "不到": "less_than", "低于": "less_than", "低於": "less_than"}
QUAL_AFTER = {"左右": "approx", "以上": "at_least", "以下": "at_most", "以内": "at_most", "以內": "at_most"}


def nearby_qualifier(doc, start, end, text):
    found = set()
    before = doc[max(0, start - 4):start]
    after = doc[end:end + 3]
    for w, q in QUAL_BEFORE.items():
        if before.replace(" ", "").endswith(w) or before.replace(" ", "").endswith(w + "达") :
            found.add(q)
    for w, q in QUAL_AFTER.items():
        if after.replace(" ", "").startswith(w):
            found.add(q)
    if re.search(r"[0-9０-９](多|余|餘)", text):
        found.add("approx")
    return found


# ---------------------------------------------------------------- documents
def doc_text(fname, enc):
    path = os.path.join(CORPUS, fname)
    stem, ext = os.path.splitext(fname)
    if ext in (".txt", ".md"):
        with open(path, "rb") as f:
            return f.read().decode(enc)
    with open(os.path.join(CORPUS, "sources", stem + ".source"), encoding="utf-8", newline="") as f:
        return f.read()


def build(stem, uncovered=False):
    ann = os.path.join(CORPUS, "annotations", stem + ".ann")
    fname, enc, region, year = None, "utf-8", None, None
    out, errors, warns = [], [], []
    with open(ann, encoding="utf-8") as f:
        lines = f.read().splitlines()
    text = None
    for ln, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith("D "):
            fname = line[2:].strip()
            continue
        if line.startswith("E "):
            enc = line[2:].strip()
            continue
        if line.startswith("R "):
            v = line[2:].strip()
            region = None if v == "-" else v
            continue
        if line.startswith("Y "):
            v = line[2:].strip()
            year = None if v == "-" else int(v)
            continue
        if text is None:
            text = doc_text(fname, enc)
        parts = [p.strip() for p in line.split("||")]
        if len(parts) < 3:
            errors.append(f"{ann}:{ln}: bad line")
            continue
        ctx, vtext, spec = parts[0], parts[1], parts[2].split()
        note = parts[3] if len(parts) > 3 else None
        metric, opts = spec[0], spec[1:]
        if metric not in METRICS:
            errors.append(f"{ann}:{ln}: unknown metric {metric}")
            continue
        o = {"kind": "level"}
        flags = set()
        for op in opts:
            if op in ("level", "change", "target"):
                o["kind"] = op
            elif op in ("neg", "opt", "sus"):
                flags.add(op)
            elif "=" in op:
                k, v = op.split("=", 1)
                o[k] = v
            else:
                errors.append(f"{ann}:{ln}: bad option {op}")
        # locate
        ctx_n = int(o.get("n", 1))
        hits = [m.start() for m in re.finditer(re.escape(ctx), text)]
        if len(hits) < ctx_n or (len(hits) > 1 and "n" not in o):
            errors.append(f"{ann}:{ln}: context found {len(hits)} times: {ctx!r}")
            continue
        c0 = hits[ctx_n - 1]
        t_hits = [m.start() for m in re.finditer(re.escape(vtext), ctx)]
        tn = int(o.get("tn", 1))
        if len(t_hits) < tn or (len(t_hits) > 1 and "tn" not in o):
            errors.append(f"{ann}:{ln}: text {vtext!r} found {len(t_hits)} times in context")
            continue
        start = c0 + t_hits[tn - 1]
        end = start + len(vtext)
        assert text[start:end] == vtext
        # value
        try:
            pv, pvh, punit, pmask = parse_value(vtext)
        except Exception as e:  # noqa
            pv = pvh = punit = None
            pmask = False
            if "v" not in o and "mask" not in o:
                errors.append(f"{ann}:{ln}: cannot parse {vtext!r}: {e}")
                continue
        masked = pmask or "mask" in o
        unit = o.get("u", punit)
        if o["kind"] == "change" and unit not in ("%", "百分点", UNIT[metric]):
            errors.append(f"{ann}:{ln}: change unit {unit}")
        if o["kind"] != "change" and unit != UNIT[metric] and not (
                metric == "inpatient_admissions" and unit == "人"):  # rule 5: 住院人数…万人 stays in 人
            errors.append(f"{ann}:{ln}: unit {unit} for {metric} {o['kind']}")
        value = None if masked else (float(o["v"]) if "v" in o else pv)
        vhigh = float(o["vh"]) if "vh" in o else pvh
        if "v" in o and pv is not None and abs(float(o["v"]) - pv) > 1e-6 * max(1, abs(pv)) and "neg" not in flags:
            errors.append(f"{ann}:{ln}: v={o['v']} but text parses as {pv}")
        if "neg" in flags:
            value = -value if value is not None else None
            vhigh = -vhigh if vhigh is not None else None
        # 8.13万 is 81300.00000000001 in floating point: keep the printed precision
        value = float(f"{value:.12g}") if value is not None else None
        vhigh = float(f"{vhigh:.12g}") if vhigh is not None else None
        rname = o.get("r", region)
        if rname == "-":
            rname = None
        code, alt = (region_code(rname) if rname else (None, None))
        yr = o.get("y", year)
        yr = None if yr in ("-", None) else int(yr)
        q = o.get("q")
        near = nearby_qualifier(text, start, end, vtext)
        if near and q not in near and "noq" not in o:
            warns.append(f"{ann}:{ln}: qualifier words {near} near {vtext!r} but q={q}")
        suspect = "sus" in flags
        if metric in SHARE and o["kind"] == "level" and unit == "%" and value is not None and (
                value > 100 or (vhigh or 0) > 100) and not suspect:
            errors.append(f"{ann}:{ln}: share above 100 not flagged suspect")
        rec = {"doc": stem, "metric": metric, "kind": o["kind"], "value": value, "value_high": vhigh,
               "unit": unit, "qualifier": q, "region": rname, "region_code": code, "year": yr,
               "masked": masked, "suspect": suspect, "text": vtext, "start": start, "end": end,
               "context": ctx}
        if note:
            rec["note"] = note
        if "opt" in flags:
            rec["optional"] = True
        if alt:
            rec["region_alt"] = alt
        out.append(rec)
    spans = sorted((r["start"], r["end"]) for r in out)
    for a, b in zip(spans, spans[1:]):
        if a == b:
            warns.append(f"{stem}: two records on the same span {a}")
    if uncovered and text is not None:
        for m in re.finditer(r"[0-9０-９][0-9０-９., ]*", text):
            s, e = m.start(), m.end()
            if not any(r["start"] <= s < r["end"] for r in out):
                tail = text[e:e + 4].replace("\n", "⏎").replace("\r", "")
                head = text[max(0, s - 8):s].replace("\n", "⏎").replace("\r", "")
                print(f"  uncovered {stem}@{s}: {head}[{m.group()}]{tail}")
    return out, errors, warns


def check(stems):
    """The committed gold equals what the annotations give, and every text sits at its offsets."""
    bad = 0
    for stem in stems:
        recs, errors, _ = build(stem)
        path = os.path.join(CORPUS, "gold", stem + ".jsonl")
        with open(path, encoding="utf-8") as f:
            committed = [json.loads(l) for l in f if l.strip()]
        if errors or committed != recs:
            print(f"stale or broken: corpus/gold/{stem}.jsonl (rerun corpus/tools/make_gold.py {stem})")
            bad += 1
            continue
        with open(os.path.join(CORPUS, "annotations", stem + ".ann"), encoding="utf-8") as f:
            first = [l for l in f.read().splitlines() if l.startswith(("D ", "E "))]
        fname = first[0][2:].strip()
        enc = first[1][2:].strip() if len(first) > 1 and first[1].startswith("E ") else "utf-8"
        text = doc_text(fname, enc)
        for r in committed:
            if text[r["start"]:r["end"]] != r["text"] or r["context"] not in text:
                print(f"offset mismatch in {stem}: {r['text']!r} at {r['start']}")
                bad += 1
    print(f"checked {len(stems)} gold files: {'ok' if not bad else f'{bad} problems'}")
    return bad


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    unc = "--uncovered" in sys.argv
    if "--check" in sys.argv:
        stems = args or sorted(f[:-4] for f in os.listdir(os.path.join(CORPUS, "annotations")) if f.endswith(".ann"))
        sys.exit(1 if check(stems) else 0)
    stems = args or sorted(f[:-4] for f in os.listdir(os.path.join(CORPUS, "annotations")) if f.endswith(".ann"))
    bad = False
    for stem in stems:
        recs, errors, warns = build(stem, unc)
        for w in warns:
            print("warning:", w)
        for e in errors:
            print("ERROR:", e)
        if errors:
            bad = True
            continue
        with open(os.path.join(CORPUS, "gold", stem + ".jsonl"), "w", encoding="utf-8") as f:
            for r in recs:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(f"{stem}: {len(recs)} records")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
