"""Values in table cells, linked through their row and column headers.

A cell's number takes
- its metric from an alias in one of its labels: the column header (levels joined by ``/``),
  the row's labels (the row header and the text cells left of the value, so that a
  ``序号`` column does not hide the name column), else from the table's caption (表1 各县
  家庭医生签约服务覆盖率) when no label names one; a change column that names none (比上年±)
  is about the nearest metric column to its left. Aliases are those of the text linker plus
  the header-only ones of patterns/tables.yaml; a metric's ``context`` may be met by the
  caption (财政投入 under 医疗卫生投入情况), its ``exclude`` words must not stand in the label;
- its kind from its labels: 增长/提高/降幅 (a change; a fall negative), 目标/计划 (a target),
  else the metric's fixed kind, else a level;
- its unit from the cell (98.5%), else from the labels, the most specific header level first
  (门急诊人次（万人次）/增长（%） is in %), else from the caption (单位：万元, or a
  bracket: 签约率（%）; a list 单位：万人次、% gives the first its metric accepts), else —
  for shares only — % (a change of a share: 百分点); a lone leading minus signs the cell;
- its year from a label (2016年, 2020年目标), else from the caption when it names a single
  year; else the pipeline dates it from the text before the table;
- its region from the row's labels, the column header or the caption, in that order, as
  the pipeline resolves them in the article's context; a row that names none (合计) is
  about the unit containing all the regions the table names (its counties → their city),
  else the text before the table — never the rows above it.

Records from tables say so: ``source = "table"`` with row and column.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

import regex

from .linker import AliasHit, Linker
from .normalise import normalise
from .numbers import recognise
from .patterns import load_patterns

_HAN = regex.compile(r"[\p{Han}A-Za-z]")
_DIGIT = regex.compile(r"\d")
_MINUS = regex.compile(r"^\s*[-−－–]\s*$")
_LINE_END = regex.compile(r"[。！？!?；;]\s*$")
_CAPTION_CHARS = 200        # how far above a table its caption may start
_CAPTION_LINES = 3


@dataclass
class TableValue:
    cell: object               # extract.formats.base.Cell
    start: int                 # offsets of the number in the document text
    end: int
    metric: str
    kind: str
    value: Optional[float]
    value_high: Optional[float]
    unit: str
    qualifier: Optional[str]
    masked: bool
    suspect: bool
    region_headers: tuple      # texts that may name the cell's region, best first (analysis text)
    year: Optional[int]        # a year named by a label or the caption, if any
    context: int               # document-text offset of the table (or its caption): the text
    #                            before it dates and places cells their labels do not


@lru_cache(maxsize=1)
def _rules():
    p = load_patterns("tables")
    units = {}
    for surface, spec in p.raw["header_units"].items():
        units[surface] = (spec["unit"], float(spec.get("scale", 1)))
    aliases = {m: [p.compile(a) for a in al] for m, al in (p.raw.get("header_aliases") or {}).items()}
    excludes = {m: [p.compile(a) for a in al] for m, al in (p.raw.get("header_excludes") or {}).items()}
    aliases = _Aliases(aliases)
    aliases.excludes = excludes
    return p, units, aliases


class _Aliases(dict):
    """Header-only aliases per metric, with the header-only exclusions in ``excludes``."""
    excludes: dict


_LEVEL_SEP = regex.compile(r"/(?![^(（\[]*[)）\]])")     # a / outside brackets (元/人 is a unit)


def _levels(header: str) -> list[str]:
    """Header levels (joined by / in Cell headers), the most specific (lowest) first."""
    return [h for h in reversed(_LEVEL_SEP.split(header)) if h.strip()]


def _header_unit(header: str):
    """(unit, scale) named in a header — 金额（万元）, 门诊量(万人次), 单位:% — looking at
    the most specific level first; None if it names none."""
    p, units, _ = _rules()
    for level in _levels(header):
        for m in p["HeaderUnit"].finditer(level):
            u = m.group("u").strip()
            if u in units:
                return units[u]
    return None


def _year(header: str) -> Optional[int]:
    p, _, _ = _rules()
    for level in _levels(header):
        m = p["HeaderYear"].search(level)
        if m:
            return int(m.group("y"))
    return None


def _caption(src_text: str, table) -> tuple[str, int]:
    """The lines just above the table that title it (表1 …, 单位：万元, a <caption>), as
    analysis text, and the document offset where they start. A prose line (ending in 。)
    ends the caption."""
    above = getattr(table, "caption_at", None)
    above = table.start if above is None else above
    lo = max(0, above - _CAPTION_CHARS)
    lines = src_text[lo:above].splitlines()
    if lo > 0 and lines:
        lines = lines[1:]                        # cut mid-line
    picked: list[str] = []
    for line in reversed(lines):
        if not line.strip():
            if picked:
                break
            continue
        if _LINE_END.search(line) or len(picked) == _CAPTION_LINES or "\t" in line:
            break                                # prose, or the rows of a table above
        picked.insert(0, line.strip())
    start = above
    if picked:
        start = src_text.rfind(picked[0], lo, above)
    return normalise("\n".join(picked)).text, (start if start >= 0 else table.start)


def _caption_year(caption: str) -> Optional[int]:
    p, _, _ = _rules()
    if p["YearRange"].search(caption):
        return None
    years = {int(m.group("y")) for m in p["HeaderYear"].finditer(caption)}
    return years.pop() if len(years) == 1 else None


def _aliases(label: str, caption: str, linker: Linker, title: str = "") -> list[AliasHit]:
    """Metric aliases in a label: the linker's and the header-only ones; the caption may
    supply a metric's context words, never its alias; a metric's exclude words in the
    table's title rows (*title*: 项目名称 | 医疗救助补助资金) keep it off the label too, so
    that 年度资金总额 under that title is no government money but the assistance fund."""
    _, _, header_aliases = _rules()
    s = label + "\n" + caption
    hits = [h for h in linker.find_aliases(s, 0, len(s)) if h.end <= len(label)]
    for metric, rxs in header_aliases.items():
        for rx in rxs:
            for m in rx.finditer(label):
                hits.append(AliasHit(m.start(), m.end(), metric))
    out = []
    for h in hits:
        rule = linker.rules[h.metric]
        if any(x.search(label) or (title and x.search(title)) for x in rule.exclude):
            continue
        if any(x.search(label) for x in header_aliases.excludes.get(h.metric, ())):
            continue
        out.append(h)
    return out


def _pick(hits: list[AliasHit]) -> Optional[tuple]:
    """Metrics of the longest alias, the metric of the hit first, then those inside it, then
    those of the shorter aliases (longest first): the first whose unit fits the cell wins, so
    that 基本医疗保险参保率 (in %) is the rate and not the insured persons."""
    if not hits:
        return None
    ranked = sorted(hits, key=lambda a: (-(a.end - a.start), a.start))
    out: list[str] = []
    for h in ranked:
        for m in (h.metric,) + tuple(h.inner):
            if m not in out:
                out.append(m)
    return tuple(out)


def planned_sentence(sentence: str, budget_year: Optional[int]) -> bool:
    """In a budget document, is a sentence about the budget's own period? Not when it names
    an earlier year or the last one (上年执行数, 2023年全市参保率达到…) and not the budget
    year itself (2025年预算数…，比2024年增加… is about 2025)."""
    p, _, _ = _rules()
    years = {int(m.group("y")) for m in p["HeaderYear"].finditer(sentence)}
    if budget_year and budget_year in years:
        return True
    if budget_year and any(y < budget_year for y in years):
        return False
    return not p["PastMention"].search(sentence)


def plan_document_year(title: Optional[str]) -> Optional[int]:
    """The year a budget title names (眉山市医疗保障局2025年部门预算 → 2025), 0 for a budget
    title without a year, None for a title that is no budget's."""
    if not is_plan_document(title):
        return None
    p, _, _ = _rules()
    m = p["HeaderYear"].search(title)
    return int(m.group("y")) if m else 0


def evaluation_year(title: Optional[str]) -> Optional[int]:
    """The one year a 绩效自评表's or 决算's title names (…2025年度…项目支出绩效自评表 →
    2025), 0 when it names none, None for a title that is no evaluation's or names several."""
    if not title:
        return None
    p, _, _ = _rules()
    if not p["EvaluationDocument"].search(title):
        return None
    years = {int(m.group("y")) for m in p["HeaderYear"].finditer(title)}
    return (years.pop() if len(years) == 1 else None) if years else 0


@lru_cache(maxsize=256)
def is_plan_document(title: Optional[str]) -> bool:
    """A department budget (部门预算, 预算编制说明): its amounts and aims are plans."""
    if not title:
        return False
    p, _, _ = _rules()
    return bool(p["PlanDocument"].search(title)) and not p["ActualCaption"].search(title)


def _text_cells(table) -> dict:
    """Row -> the (column, text) of its non-header cells that hold words and no digits, and
    (column, None) for those holding a figure and no words."""
    out: dict = {}
    for c in table.cells:
        t = c.text.strip()
        if c.header or not t:
            continue
        if _HAN.search(t) and not _DIGIT.search(t):
            item = (c.col, t)
        elif _DIGIT.search(t) and not _HAN.search(t):
            item = (c.col, None)
        else:
            continue
        for r in range(c.row, c.row + c.rowspan):
            out.setdefault(r, []).append(item)
    return out


def _row_labels(text_cells: dict, cell) -> str:
    """The row header and the text cells left of *cell* in its row (序号 | 乡镇 | …); in a
    row of two label-figure pairs side by side (收入 项目 | 预算数 | 支出 项目 | 预算数) only
    the labels after the last figure before *cell*."""
    row = sorted((x for x in text_cells.get(cell.row, ()) if x[0] < cell.col),
                 key=lambda x: x[0])
    start, seen_figure = 0, False
    for i, (col, t) in enumerate(row):
        if t is None:
            seen_figure = True
        elif seen_figure and (i == 0 or row[i - 1][1] is None):
            start = i                               # a label after a figure: a new pair
    parts = [cell.row_header] if cell.row_header and start == 0 else []
    for col, t in row[start:]:
        if t is not None and t not in parts:
            parts.append(t)
    return "/".join(parts)


def _caption_units(caption: str) -> list:
    """Units a caption names: 单位：万元, or several (单位：万人次、%) for different columns,
    else one in brackets (签约服务覆盖率（%）)."""
    p, units, _ = _rules()
    cm = p["CaptionUnit"].search(caption)
    if cm:
        return [units[u.strip()] for u in p["UnitListSep"].split(cm.group("u")) if u.strip() in units]
    hu = _header_unit(caption)
    return [hu] if hu else []


def _corner_units(table) -> list:
    """The unit a header cell above the row labels names for the whole table (资金情况
    （万元） | 全年预算数 | 全年执行数): like a caption's 单位：万元."""
    for c in table.cells:
        if c.row < table.header_rows and c.col < table.header_cols:
            hu = _header_unit(normalise(c.text).text)
            if hu:
                return [hu]
    return []


def _with_title_rows(caption: str, table) -> tuple[str, str]:
    """(the caption with the table's title rows, the title rows): a header row of a table four
    or more columns wide that fills only its first two columns, a name and its value
    (项目名称 | 医疗救助补助资金 | | | |), names what the table is about, as a caption would."""
    if table.n_cols < 4:
        return caption, ""
    filled: dict = {}
    for c in table.cells:
        if c.row < table.header_rows and c.text.strip():
            filled.setdefault(c.row, []).append(c)
    # a form line: its name in the first column alone, its value from the second on
    # (收入 | 支出 spanning two columns each is the table's head, no title)
    title = "\n".join(normalise(" ".join(c.text.strip() for c in cs)).text
                      for _, cs in sorted(filled.items())
                      if len(cs) == 2 and sorted((c.col, c.colspan) for c in cs)[0] == (0, 1)
                      and max(c.col for c in cs) == 1)
    if not title:
        return caption, ""
    return (caption + "\n" + title if caption else title), title


def _metric_columns(table, caption: str, linker: Linker) -> dict:
    """Grid column -> the metric its header names (for 比上年± columns next to it)."""
    out = {}
    for c in table.cells:
        if c.header and c.row < table.header_rows and c.col >= table.header_cols:
            pick = _pick(_aliases(normalise(c.text).text, caption, linker))
            if pick:
                for k in range(c.col, c.col + c.colspan):
                    out[k] = pick
    return out


def table_values(src_text: str, table, linker: Linker, plan: bool = False,
                 evaluation: bool = False) -> list[TableValue]:
    """The values of *table*'s cells; *plan*: the table stands in a budget (部门预算), whose
    amounts are planned unless a label says they are actual (上年执行数, 决算数);
    *evaluation*: it stands in a 绩效自评表, whose 指标值 column is the aim."""
    p, _, _ = _rules()
    caption, caption_start = _caption(src_text, table)
    caption_units = _caption_units(caption) or _corner_units(table)
    caption, title = _with_title_rows(caption, table)
    metric_cols = None
    caption_metric = None
    found = {h.metric for h in _aliases(caption, "", linker)}
    if len(found) == 1:
        caption_metric = found.pop()
    caption_year = _caption_year(caption)
    text_cells = _text_cells(table)
    grid = {(r, k): c for c in table.cells for r in range(c.row, c.row + c.rowspan)
            for k in range(c.col, c.col + c.colspan)}
    parent = None                                  # computed once a cell needs it
    picks: dict = {}                               # label -> metrics its aliases name
    normed: dict = {}                              # label -> its analysis text
    out = []
    for cell in table.cells:
        if cell.header:
            continue
        norm = normalise(cell.text)
        qs = [q for q in recognise(norm.text) if q.value is not None or q.masked]
        if len(qs) != 1:
            continue
        q = qs[0]
        col = _norm(cell.col_header or "", normed)
        if col and p["ScoreHeader"].search(_levels(col)[0]):
            continue                               # 权重 5: a weight, not the indicator's value
        side_unit, side_sign = None, None
        if not q.unit:
            side_unit, side_sign = _side_cells(table, cell, grid)
        row = _norm(_row_labels(text_cells, cell), normed)
        labels = [h for h in (col, row) if h]
        picked = None
        # the first label naming a metric the cell's unit fits: a column header that names
        # one the cell cannot be (项目名称 … 补助资金 over a ≥95% column) gives way to the row's
        tried = False
        for h in labels:
            if h not in picks:
                picks[h] = _pick(_aliases(h, caption, linker, title))
            if not picks[h]:
                continue
            tried = True
            kind_labels = [h] + [o for o in labels if o is not h]
            kind, negative = _kind(kind_labels, linker, caption, plan, evaluation)
            picked = _unit_and_metric(q, kind, kind_labels, caption_units, picks[h], linker,
                                      side_unit)
            if picked is not None:
                break
        if picked is None and not tried:
            kind_labels = labels
            kind, negative = _kind(kind_labels, linker, caption, plan, evaluation)
            metrics = None
            if kind == "change":
                # 比上年± right of a metric's column: the change of that metric
                if metric_cols is None:
                    metric_cols = _metric_columns(table, caption, linker)
                metrics = next((metric_cols[k] for k in range(cell.col - 1, table.header_cols - 1, -1)
                                if k in metric_cols), None)
            if metrics is None:
                if caption_metric is None:
                    continue
                metrics = (caption_metric,)
            picked = _unit_and_metric(q, kind, kind_labels, caption_units, metrics, linker,
                                      side_unit)
        if picked is None:
            continue
        others = kind_labels[1:]
        (unit, scale), metric, k = picked
        if not q.unit and q.unit_text:
            scale = 1.0                    # 2480.6万 under 金额（万元）: the cell's 万 is the magnitude
        rule = linker.rules[metric]
        qs0 = q.start
        if _MINUS.match(norm.text[:q.start]) and (q.value or 0) > 0:
            sign, qs0 = -1.0, 0                   # -0.4 alone in a cell: a signed number
        else:
            sign = -1.0 if k == "change" and negative and (q.value or 0) > 0 else 1.0
        value = None if q.value is None else round(q.value * scale * sign, 6)
        value_high = None if q.value_high is None else round(q.value_high * scale * sign, 6)
        suspect = bool(k != "change" and value is not None and rule.lo is not None
                       and not (rule.lo <= value <= rule.hi))
        a, b = norm.src_span(qs0, q.end)
        year = next((y for y in (_year(h) for h in others + kind_labels) if y), None) or caption_year
        if parent is None:
            parent = _labels_parent(table, text_cells) or ""
        regions = tuple(h for h in (row, col, caption, parent) if h)
        qualifier = q.qualifier or _threshold(norm.text[:q.start]) or _threshold(side_sign or "")
        out.append(TableValue(cell, cell.start + a, cell.start + b, metric, k, value, value_high,
                              unit, qualifier, q.masked, suspect, regions, year, caption_start))
    return _drop_row_repeats(out)


def _labels_parent(table, text_cells: dict) -> Optional[str]:
    """The full name of the unit that contains every region the table's labels name, when
    they name two or more (涪城区, 游仙区, … → 四川省绵阳市): what its 合计 row is about."""
    from .regions import Gazetteer
    gaz = Gazetteer.load()
    labels = {c.text for c in table.cells if c.header}
    labels.update(t for row in text_cells.values() for _, t in row if t)
    chains = {}
    for label in labels:
        for m in gaz.find(normalise(label).text):
            if m.code and m.code != "000000" and not m.masked and not m.ambiguous:
                chains[m.code] = gaz.ancestors(m.code)
    if len(chains) < 2:
        return None
    common = set.intersection(*(set(c) for c in chains.values()))
    if not common:
        return None
    first = next(iter(chains.values()))
    return gaz.full_name(next(c for c in first if c in common))


def _norm(label: str, cache: dict) -> str:
    if label not in cache:
        cache[label] = normalise(label).text if label else ""
    return cache[label]


def _side_cells(table, cell, grid: dict) -> tuple:
    """(unit, sign) printed in cells of their own beside a bare figure: the cell right of it
    holding only a unit (95 | %), the cell left of it only a sign (≥ | 95)."""
    p, units, _ = _rules()
    right = grid.get((cell.row, cell.col + cell.colspan))
    left = grid.get((cell.row, cell.col - 1))
    unit = None
    if right is not None and not right.header:
        t = normalise(right.text).text.strip()
        unit = units.get(t)
    sign = None
    if left is not None and not left.header and p["SignCell"].match(left.text):
        sign = normalise(left.text).text.strip()
    return unit, sign


def _unit_and_metric(q, kind: str, labels: list[str], caption_units: list, metrics: tuple,
                     linker: Linker, side_unit=None):
    """((unit, scale), metric, kind) for a cell: the unit printed in the cell, else named by
    its labels, else one the caption names; a share without any takes its own unit (%), and
    its change percentage points. The first metric (of the alias and those inside it) that
    accepts the unit wins; None when none does."""
    if q.unit:
        units = [(q.unit, 1.0)]
    elif side_unit:
        units = [side_unit]
    else:
        hu = next((u for u in (_header_unit(h) for h in labels) if u), None)
        units = [hu] if hu else []
        share = [("百分点", 1.0) if kind == "change" else ("%", 1.0)]
        if not units and linker.rules[metrics[0]].unit == "%":
            units = share + caption_units if kind == "change" else caption_units + share
        elif not units:
            units = caption_units
    for unit, scale in units:
        for metric in metrics:
            rule = linker.rules[metric]
            k = rule.fixed_kind or kind
            if unit in (rule.change_units if k == "change" else rule.units):
                return (unit, scale), metric, k
    return None


def _kind(labels: list[str], linker: Linker, caption: str = "",
          plan: bool = False, evaluation: bool = False) -> tuple[str, bool]:
    """(kind, negative) named by the labels: 增长（%） a change, 降幅 a negative one,
    2020年目标 a target (not 计划免疫); else a target in a table of planned amounts (its
    caption names a 预算 or 绩效目标, or *plan*: it stands in a budget document) unless the
    caption or a label says the amounts are actual (决算, 上年执行数)."""
    p, _, _ = _rules()
    for h in labels:
        for level in _levels(h):
            m = p["ChangeHeader"].search(level)
            if m:
                return "change", bool(p["NegativeHeader"].search(level))
            if p["TargetHeader"].search(level) and not linker.not_target.search(level):
                return "target", False
            if evaluation and p["EvaluationTargetHeader"].search(level):
                return "target", False             # 指标值 beside 全年实际完成值
    planned = plan or bool(caption and p["PlanCaption"].search(caption))
    if planned and not p["ActualCaption"].search(caption) \
            and not any(p["ActualCaption"].search(h) for h in labels):
        return "target", False
    return "level", False


_THRESHOLDS = (("ThresholdAtLeast", "at_least"), ("ThresholdMoreThan", "more_than"),
               ("ThresholdAtMost", "at_most"), ("ThresholdLessThan", "less_than"))


def _threshold(before: str) -> Optional[str]:
    """The qualifier of a threshold sign standing alone before a cell's figure (≥95%)."""
    if not before.strip():
        return None
    p, _, _ = _rules()
    return next((q for name, q in _THRESHOLDS if p[name].match(before)), None)


def _own_label(tv: TableValue) -> str:
    """The words a cell prints before its figure (a form's 年度资金总额：8652)."""
    return tv.cell.text[:max(0, tv.start - tv.cell.start)]


def _drop_row_repeats(out: list[TableValue]) -> list[TableValue]:
    """ANNOTATION rule 3: inside one table row, a cell that only repeats the row's total
    (合计 333.00 = 项目支出 333.00, no other column filled; a form's 年度资金总额：8652 =
    其中：财政拨款：8652) is not a second record; an
    amount of 0 (0.00: nothing planned) is none."""
    p, _, _ = _rules()
    out = [tv for tv in out if not (tv.unit == "元" and tv.value == 0)]
    rows: dict = {}
    for tv in out:
        rows.setdefault((tv.cell.row, tv.metric), []).append(tv)
    drop = set()
    for tvs in rows.values():
        if len(tvs) != 2:
            continue
        total = [tv for tv in tvs if (tv.cell.col_header and
                 p["TotalHeader"].search(_levels(tv.cell.col_header)[0]))
                 or p["TotalHeader"].search(_own_label(tv))]
        if len(total) == 1 and tvs[0].value == tvs[1].value and tvs[0].kind == tvs[1].kind:
            drop.add(id(next(tv for tv in tvs if tv is not total[0])))
    return [tv for tv in out if id(tv) not in drop]
