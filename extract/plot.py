"""``reform plot METRIC --region A [--region B …] [--years 2008-2015] --out FILE``.

Draws one metric over the years, one line per region, from the same cells as the panel
export (`extract.conflicts.panel_cells`: levels in the metric's unit, the value chosen by
the rule of `reform diff`, only like with like).  METRIC is a key (``ncms_participation_rate``),
a Chinese name (``参合率``) or a panel column with a scope or unit
(``per_visit_cost__inpatient``, ``inpatient_admissions__persons``).

The format follows the file's extension: ``.png`` and ``.svg`` by matplotlib, ``.html`` an
HTML page holding the SVG in which every point shows its source on hover (the record id,
document, date and sentence).  Chinese labels need a CJK font: the first of `CJK_FONTS`
that is installed (``scripts/setup.sh`` installs fonts-wqy-microhei); without one the
labels would be empty boxes, so a warning says so.  In the SVG every region's line is a
group ``series-<code>`` and every point a group ``point-<code>-<year>``.
"""
from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import click

CJK_FONTS = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans SC",
             "Noto Sans CJK JP", "Source Han Sans SC", "Droid Sans Fallback")
PLOT_FORMATS = ("png", "svg", "html")


class PlotError(click.UsageError):
    pass


@dataclass
class Series:
    code: str
    name: str
    points: list = field(default_factory=list)   # (year, value, chosen row, cell)


def parse_years(s: str | None) -> tuple[int | None, int | None]:
    """``2008-2015`` → (2008, 2015); ``2010`` → (2010, 2010); ``2010-`` → (2010, None)."""
    if not s:
        return None, None
    m = re.fullmatch(r"\s*(\d{4})?\s*(?:[-–~:]\s*(\d{4})?)?\s*", s)
    if not m or not (m.group(1) or m.group(2)):
        raise PlotError(f"--years {s!r}: give a year or a range such as 2008-2015")
    lo = int(m.group(1)) if m.group(1) else None
    hi = int(m.group(2)) if m.group(2) else (lo if "-" not in s and "–" not in s
                                              and "~" not in s and ":" not in s else None)
    if lo and hi and lo > hi:
        raise PlotError(f"--years {s!r}: the first year is after the last")
    return lo, hi


def resolve_column(query: str, defs: dict) -> tuple[str, str]:
    """(metric key, panel column) named by *query*."""
    from extract.codebook import _parse_panel_column
    from extract.resolve import resolve_metric
    if "__" in query:
        if _parse_panel_column(query, defs) is None:
            raise PlotError(f"unknown panel column {query!r}")
        return query.split("__")[0], query
    key = resolve_metric(query)
    return key, key


def series_for(db, metric: str, regions, years=(None, None)) -> tuple:
    """(column, one `Series` per region in the order given, the metric's definition, the
    metric's other panel columns holding values for these regions)."""
    from extract.codebook import metric_defs
    from extract.conflicts import panel_cells
    from extract.resolve import resolve_region
    from extract.export import _query_rows
    from extract.store import open_readonly
    defs = metric_defs()
    key, column = resolve_column(metric, defs)
    lo, hi = years
    conn = open_readonly(db)
    out = []
    others: set = set()         # the metric's other columns that hold values
    try:
        for q in regions:
            reg = resolve_region(conn, q)
            rows = _query_rows(conn, {"metric": key, "region": reg.code})
            rows = [r for r in rows if r.get("region_code") in reg.codes]
            cells, _left, cols = panel_cells(rows, defs, [key])
            others.update(c for c in cols if c != column)
            s = Series(reg.code, reg.full_name)
            for (code, year, col), cell in cells.items():
                if col != column or (lo and year < lo) or (hi and year > hi):
                    continue
                if cell.chosen.get("value") is None:
                    continue
                s.points.append((year, float(cell.chosen["value"]), cell.chosen, cell))
            # a renamed unit's codes are one region: one point per year, the first by rule
            by_year = {}
            for p in sorted(s.points, key=lambda p: p[0]):
                by_year.setdefault(p[0], p)
            s.points = sorted(by_year.values(), key=lambda p: p[0])
            out.append(s)
    finally:
        conn.close()
    return column, out, defs[key], sorted(others)


def cjk_font() -> str | None:
    """The first installed font of `CJK_FONTS`, or None."""
    from matplotlib import font_manager
    have = {f.name for f in font_manager.fontManager.ttflist}
    return next((f for f in CJK_FONTS if f in have), None)


def _figure(column: str, series: list[Series], d: dict, title: str | None = None):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator
    from extract.codebook import _parse_panel_column, metric_defs
    from extract.conflicts import column_label
    font = cjk_font()
    defs = metric_defs()
    metric, unit, scope = _parse_panel_column(column, defs) if "__" in column else \
        (column, d["unit"], [])
    label = column_label(metric, unit, d["unit"], tuple(scope), d["zh"])
    if True:     # drawn and saved inside `_rc` (fonts are looked up when drawing)
        fig, ax = plt.subplots(figsize=(7.5, 4.2), dpi=110)
        for s in series:
            xs = [p[0] for p in s.points]
            ys = [p[1] for p in s.points]
            (line,) = ax.plot(xs, ys, "-", lw=1.8, label=s.name, gid=f"series-{s.code}")
            for year, value, _row, cell in s.points:
                ax.plot([year], [value], "o", ms=6, color=line.get_color(),
                        mfc="white" if cell.conflict else line.get_color(),
                        gid=f"point-{s.code}-{year}")
        ax.set_title(title or f"{label} {unit}".strip())
        ax.set_xlabel("年份")
        ax.set_ylabel(f"{label}（{unit}）" if unit else label)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, alpha=0.3)
        if series:
            ax.legend(loc="best", fontsize=9)
        fig.text(0.01, 0.01, "reform-extract · 空心点: 多个来源不一致 (reform conflicts)",
                 fontsize=7, color="#666")
        fig.tight_layout()
    return fig, font


def _rc() -> dict:
    font = cjk_font()
    return {"svg.fonttype": "path", "axes.unicode_minus": False,
            "font.sans-serif": ([font] if font else []) + ["DejaVu Sans"],
            "font.family": "sans-serif", "svg.hashsalt": "reform"}


def _tooltip(s: Series, p) -> str:
    year, value, row, cell = p
    snippet = " ".join((row.get("snippet") or "").split())
    lines = [f"{s.name} {year}: {value:g} {row.get('unit') or ''}",
             f"{row.get('doc_id')} ({row.get('doc_date') or 'undated'}) · {row.get('record_id')}",
             snippet]
    if cell.n > 1:
        lines.append(f"{cell.n} records" + ("; they disagree (reform conflicts)"
                                            if cell.conflict else ""))
    return "\n".join(lines)


def _svg_text(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def plot(db, metric: str, regions, out, years=(None, None), title: str | None = None,
         warn=None) -> list[Series]:
    """Draw *metric* for *regions* into *out* (png, svg or html by its extension)."""
    import matplotlib
    matplotlib.use("Agg")           # files only, never a window
    import matplotlib.pyplot as plt
    out = Path(out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in PLOT_FORMATS:
        raise PlotError(f"--out {out}: the extension must be one of "
                        + ", ".join("." + f for f in PLOT_FORMATS))
    if not regions:
        raise PlotError("give at least one --region")
    column, series, d, others = series_for(db, metric, regions, years)
    if warn and not any(s.points for s in series):
        warn(f"no values of {column} for these regions"
             + (f"; values with a stated scope or unit are in: {', '.join(others)}"
                if others else ""))
    with plt.rc_context(_rc()):
        return _draw(column, series, d, title, out, fmt, warn)


def _draw(column, series, d, title, out, fmt, warn):
    import matplotlib.pyplot as plt
    fig, font = _figure(column, series, d, title)
    if font is None and warn:
        warn("no CJK font found (install fonts-wqy-microhei or fonts-noto-cjk): Chinese "
             "labels will not show")
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        if fmt == "png":
            fig.savefig(out, format="png", metadata={"Software": "reform-extract"})
        elif fmt == "svg":
            out.write_text(_svg_text(fig), encoding="utf-8")
        else:
            svg = _svg_text(fig)
            svg = svg[svg.index("<svg"):]
            for s in series:
                for p in s.points:
                    gid = f'id="point-{s.code}-{p[0]}"'
                    svg = svg.replace(f"<g {gid}>", f"<g {gid} class=\"pt\"><title>"
                                      f"{html.escape(_tooltip(s, p))}</title>", 1)
            rows = "".join(
                f"<tr><td>{html.escape(s.name)}</td><td>{p[0]}</td><td>{p[1]:g}</td>"
                f"<td><code>{html.escape(str(p[2].get('record_id')))}</code></td>"
                f"<td>{html.escape(str(p[2].get('doc_id')))}</td>"
                f"<td>{html.escape(' '.join((p[2].get('snippet') or '').split()))}</td></tr>"
                for s in series for p in s.points)
            out.write_text(
                "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                f"<title>{html.escape(d['zh'])}</title><style>body{{font-family:sans-serif}}"
                ".pt{cursor:pointer} td{padding:2px 6px;border-bottom:1px solid #ddd;"
                "vertical-align:top}</style></head><body>\n"
                f"{svg}\n<p>Hover a point for its source.</p>\n<table><thead><tr><th>region"
                "</th><th>year</th><th>value</th><th>record</th><th>document</th>"
                f"<th>sentence</th></tr></thead><tbody>{rows}</tbody></table>\n"
                "</body></html>\n", encoding="utf-8")
    finally:
        plt.close(fig)
    return series


@click.command("plot")
@click.argument("metric")
@click.option("--region", "regions", multiple=True, required=True,
              help="A region (code, full name, name or former name); repeat for more lines.")
@click.option("--years", help="Years to draw, e.g. 2008-2015.")
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="Output file: .png, .svg or .html (points show their source on hover).")
@click.option("--title", help="Title of the chart (default: the metric and its unit).")
@click.option("--db", default="outputs/reform.db", show_default=True,
              type=click.Path(exists=True, dir_okay=False), help="SQLite database")
def plot_command(metric, regions, years, out, title, db):
    """Draw METRIC over the years, one line per --region (the panel's values).

    \b
    Example:
      reform plot 参合率 --region 襄阳市 --region 湖南省 --years 2008-2012 --out ncms.png
    """
    series = plot(db, metric, regions, out, parse_years(years), title,
                  warn=lambda m: click.echo(f"warning: {m}", err=True))
    for s in series:
        pts = ", ".join(f"{y}: {v:g}" for y, v, *_ in s.points) or "no values"
        click.echo(f"{s.name} ({s.code}): {pts}", err=True)
    click.echo(f"-> {out}", err=True)


# --- small trends for the review pages ---------------------------------------------------

def region_trends(conn, code: str, columns) -> dict:
    """{panel column: [(year, value, chosen row, cell)]} of region *code* over every stored
    document, by the panel's rule (`extract.conflicts.panel_cells`)."""
    from extract.codebook import metric_defs
    from extract.conflicts import panel_cells
    from extract.export import _query_rows
    defs = metric_defs()
    keys = sorted({c.split("__")[0] for c in columns} & set(defs))
    rows = [r for r in _query_rows(conn, {"region": code}) if r.get("region_code") == code]
    cells, _left, _cols = panel_cells(rows, defs, keys)
    out: dict[str, list] = {}
    for (_c, year, col), cell in cells.items():
        if col in columns and cell.chosen.get("value") is not None:
            out.setdefault(col, []).append((year, float(cell.chosen["value"]), cell.chosen, cell))
    return {c: sorted(v, key=lambda p: p[0]) for c, v in out.items()}


def sparkline_svg(points, width: int = 180, height: int = 46, highlight=None) -> str:
    """A small inline SVG line of *points* (year, value, row, cell): every point a circle
    with its year, value and source as its title; the points of document *highlight*
    are filled."""
    if not points:
        return ""
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    pad = 6

    def sx(x):
        return pad + (x - x0) / ((x1 - x0) or 1) * (width - 2 * pad) if x1 != x0 else width / 2

    def sy(y):
        return height - pad - (y - y0) / ((y1 - y0) or 1) * (height - 2 * pad) \
            if y1 != y0 else height / 2
    path = " ".join(f"{'M' if i == 0 else 'L'}{sx(x):.1f},{sy(y):.1f}"
                    for i, (x, y) in enumerate(zip(xs, ys)))
    dots = []
    for year, value, row, cell in points:
        own = highlight is not None and row.get("doc_id") == highlight
        tip = (f"{year}: {value:g} {row.get('unit') or ''} — {row.get('doc_id')} "
               f"{row.get('record_id')}" + (f" ({cell.n} records, they disagree)"
                                             if cell.conflict else ""))
        dots.append(f'<circle cx="{sx(year):.1f}" cy="{sy(value):.1f}" r="3" '
                    f'fill="{"#c0392b" if own else "#fff"}" stroke="#c0392b">'
                    f'<title>{html.escape(tip)}</title></circle>')
    return (f'<svg class="trend" width="{width}" height="{height}" viewBox="0 0 {width} '
            f'{height}" role="img"><path d="{path}" fill="none" stroke="#888" '
            f'stroke-width="1.2"/>{"".join(dots)}</svg>')
