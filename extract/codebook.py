"""What the columns of an export mean: a Frictionless data package and a Markdown codebook.

Every `reform export` writes, beside the data file ``OUT``:

* ``OUT.datapackage.json`` – a Frictionless Data Package (https://specs.frictionlessdata.io/)
  with one resource (the data file): every field's name, type and description, each
  metric's zh name, unit, plausible range and definition (from ``patterns/metrics.yaml``),
  the extractor version, the filters and the command line that made it, and for Stata
  files the mapping between the data's column names and the original names;
* ``OUT.codebook.md`` – the same, readable.

The metric definitions are those of the project (``patterns/metrics.yaml``); the same
descriptions feed the Datasette metadata (`datasette_metadata`, shipped as
``extract/data/metadata.json``; ``python -m extract.codebook`` prints it).
"""
from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

from extract import EXTRACTOR_VERSION

METADATA_PATH = Path(__file__).resolve().parent / "data" / "metadata.json"

# Frictionless field types of the long layout: (type, description).  The first block is
# the record of shared/spec/RECORDS.md, then its provenance.
LONG_FIELDS: dict[str, tuple[str, str]] = {
    "record_id": ("string", "stable id of the record: derived from its document id, offsets, "
                            "metric and kind, so it is the same after `reform run --force` "
                            "(database column metrics.record_id; review pages anchor it)"),
    "doc": ("string", "document id: the report's file name without the extension "
                      "(stem~<hash of its path> when another file already has the name)"),
    "metric": ("string", "metric key (see the metrics table of this codebook)"),
    "metric_zh": ("string", "the metric's Chinese name"),
    "kind": ("string", "level (a value at a time), change (a difference: 增长/提高/下降/减少) "
                       "or target (a goal: 目标/力争/要求/计划…达到)"),
    "value": ("number", "the number in the canonical unit (万元 → 元 ×10⁴ …); empty when the "
                        "digits are masked; a fall is negative"),
    "value_high": ("number", "the other end of a range (50~70% gives value 50, value_high 70); "
                             "else empty"),
    "unit": ("string", "canonical unit: the metric's unit, or for a change % / 百分点"),
    "qualifier": ("string", "approx (约/近/左右/余/多), at_least (以上/不低于), more_than "
                            "(超过/逾), at_most (以下/不超过/封顶), less_than (不足/低于); "
                            "empty when the value is exact"),
    "region": ("string", "simplified full name of the region the statement is about; empty "
                         "when masked or not said"),
    "region_code": ("string", "six-digit administrative division code (GB/T 2260); "
                              "000000 for 全国"),
    "year": ("integer", "the year the value refers to; empty when unknown"),
    "masked": ("boolean", "the digits of the value are redacted (**, xx, 某)"),
    "suspect": ("boolean", "the value is implausible as printed (a share above 100%)"),
    "text": ("string", "the value as printed in the document"),
    "start": ("integer", "character offset of `text` in the document text (documents.text), "
                         "0-based, counted in Unicode code points"),
    "end": ("integer", "character offset just after `text` in the document text"),
    "region_text": ("string", "the region as written in the document"),
    "region_masked": ("boolean", "the region is redacted in the document (**省, 某县)"),
    "region_alt": ("string", "other accepted names or codes of the region (renamed units), "
                             "a JSON list"),
    "period_start": ("string", "first day of the period the value refers to (ISO date), "
                               "when stated"),
    "period_end": ("string", "last day of the period the value refers to (ISO date), "
                             "when stated"),
    "article": ("integer", "index of the article (one report of a compilation) holding the "
                           "value, 0-based"),
    "section": ("string", "heading of the section holding the value"),
    "snippet": ("string", "the sentence holding the value, from the document text"),
    "source": ("string", "text (running text) or table (a table cell)"),
    "table_row": ("integer", "row of the table cell holding the value (source = table)"),
    "table_col": ("integer", "column of the table cell holding the value (source = table)"),
    "role": ("string", "from: the starting value X of 由X提高到Y (its year is the one stated "
                       "for it, else the year before the change; empty when left vague, as in "
                       "由原来的X); empty for every other value"),
    "scheme": ("string", "the insurance scheme or programme the value belongs to (codes in the "
                         "Scope section); empty: none stated"),
    "setting": ("string", "outpatient or inpatient (codes in the Scope section); empty: none "
                          "stated"),
    "population": ("string", "the subgroup the value is about (codes in the Scope section); "
                             "empty: the whole population"),
    "basis": ("string", "what a change is measured against (codes in the Scope section); "
                        "empty: none stated"),
    "subunit": ("string", "the town, hospital or 医共体 below the region the value is about "
                          "(its name as written); empty: the region itself"),
    "doc_path": ("string", "path of the document file when it was processed"),
    "doc_title": ("string", "title of the document"),
    "doc_date": ("string", "date of the document (ISO date), when found in it"),
    "doc_sha256": ("string", "SHA-256 of the document file's bytes"),
    "extractor_version": ("string", "version of reform-extract that produced the record"),
    "run_id": ("integer", "the `reform run` (table runs) that stored the record"),
}

PANEL_KEYS: dict[str, tuple[str, str]] = {
    "region_code": ("string", "six-digit administrative division code (GB/T 2260)"),
    "region": ("string", "simplified full name of the region"),
    "year": ("integer", "the year the values refer to"),
}

PANEL_RULE = (
    "One row per region_code and year, one column per metric holding the metric's level "
    "in its canonical unit. Only records with kind = level, the metric's own unit, a "
    "region code and a year enter the panel (changes and targets are in the long layout). "
    "A value stated in another unit than the metric's (住院人数 in 人 beside 住院人次) or "
    "with a stated scope (scheme, setting, population: 住院 次均费用, 新农合 报销比例, "
    "重点人群 签约率) has a column of its own, named metric__unit__codes; the column named "
    "after the metric alone holds the values that state none. Records about a sub-unit "
    "(a town, a hospital) are not in the panel. "
    "When several records give the same region, year and column, the value is chosen by "
    "the rule of `reform diff`: the value reached before the starting value of 由X提高到Y, "
    "a value that is not masked, then the latest document "
    "date, then the record without a qualifier, then a single value before a range (a "
    "range contributes its first end), then the first record by document id and offset. "
    "After each value column come its provenance: _record_id, _doc, _sentence of the "
    "chosen record, _n (candidates) and _conflict (they disagree; `reform conflicts` "
    "lists them). An empty cell means no record.")


def metric_defs() -> dict[str, dict]:
    """Metric key -> {zh, unit, range, definition, kind}, in the order of patterns/metrics.yaml."""
    from extract.patterns import load_patterns
    raw = load_patterns("metrics").raw.get("metrics") or {}
    return {k: {"zh": v.get("zh") or k, "unit": v.get("unit") or "",
                "range": v.get("range"), "definition": v.get("definition") or "",
                "kind": v.get("kind")}
            for k, v in raw.items()}


def metric_zh(key: str) -> str:
    return metric_defs().get(key, {}).get("zh", key)


# --- columns ----------------------------------------------------------------------------

def describe_columns(columns, layout: str) -> list[dict]:
    """Frictionless field descriptors for *columns* of an export in *layout*."""
    defs = metric_defs()
    fields = []
    for col in columns:
        variant = panel_column(col, defs) if layout == "panel" else None
        if variant is not None:
            fields.append(variant)
            continue
        if col in defs and layout == "panel":
            d = defs[col]
            rng = f"; plausible range {d['range'][0]}–{d['range'][1]}" if d["range"] else ""
            fields.append({"name": col, "type": "number", "title": d["zh"],
                           "description": f"{d['zh']} ({d['unit']}): {d['definition']}{rng}",
                           "unit": d["unit"]})
            continue
        table = PANEL_KEYS if layout == "panel" and col in PANEL_KEYS else LONG_FIELDS
        typ, desc = table.get(col, ("string", ""))
        fields.append({"name": col, "type": typ, "description": desc})
    return fields


PANEL_PROVENANCE_FIELDS = {
    "record_id": ("string", "record_id of the record whose value the cell holds (the long "
                            "layout's record_id; survives re-runs)"),
    "doc": ("string", "document id of that record"),
    "sentence": ("string", "the sentence (snippet) that states the value"),
    "n": ("integer", "number of records that compete for the cell (same region, year, "
                     "metric, unit and scope)"),
    "conflict": ("integer", "1 when the competing records hold different values (see "
                            "`reform conflicts`; the cell holds the one chosen by the rule), "
                            "else 0"),
}


def _parse_panel_column(col: str, defs: dict):
    """(metric, unit, [(field, code)]) of a metric column of the panel, or None."""
    from extract.conflicts import UNIT_CODES
    from extract.scope import value_names
    parts = col.split("__")
    if parts[0] not in defs:
        return None
    units = {v: k for k, v in UNIT_CODES.items()}
    codes = {code: f for (f, code) in value_names()}
    unit, scope = defs[parts[0]]["unit"], []
    for p in parts[1:]:
        if p in units and not scope:
            unit = units[p]
        elif p in codes:
            scope.append((codes[p], p))
        else:
            return None
    return parts[0], unit, scope


def panel_column(col: str, defs: dict) -> dict | None:
    """The field descriptor of a scoped metric column of the panel (per_visit_cost__inpatient,
    inpatient_admissions__persons) or of a cell's provenance column (…_record_id, …_n);
    None for any other column (a metric's own column is described by `describe_columns`)."""
    from extract.scope import value_names
    for suffix, (typ, desc) in PANEL_PROVENANCE_FIELDS.items():
        base = col[:-len(suffix) - 1]
        if col.endswith("_" + suffix) and (base in defs or (
                "__" in base and _parse_panel_column(base, defs))):
            return {"name": col, "type": typ, "description": f"{base}: {desc}"}
    if "__" not in col:
        return None
    parsed = _parse_panel_column(col, defs)
    if parsed is None:
        return None
    metric, unit, scope = parsed
    d = defs[metric]
    names = value_names()
    what = "; ".join(f"{f} = {c} ({names.get((f, c), c)})" for f, c in scope)
    title = d["zh"] + "（" + "·".join(([unit] if unit != d["unit"] else [])
                                     + [names.get(p, p[1]) for p in scope]) + "）"
    return {"name": col, "type": "number", "title": title, "unit": unit,
            "description": f"{title} ({unit}): {d['definition']}; only records "
                           + (f"in {unit} " if unit != d["unit"] else "")
                           + (f"with {what}" if what else "")
                           + f" (the column {metric} holds those stating no scope)"}


def scope_block() -> dict:
    """The scope fields and their values (patterns/scope.yaml), for the codebook."""
    from extract.scope import default_scoper
    return default_scoper().codebook()


def _metrics_block(keys=None) -> list[dict]:
    defs = metric_defs()
    return [{"key": k, "zh": d["zh"], "unit": d["unit"], "range": d["range"],
             "definition": d["definition"]}
            for k, d in defs.items() if keys is None or k in keys]


_MEDIA = {"csv": "text/csv", "jsonl": "application/x-ndjson",
          "parquet": "application/vnd.apache.parquet", "dta": "application/x-stata-dta",
          "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def datapackage(data_path: Path, fmt: str, columns, layout: str, filters: dict, command: str,
                rows: int, stata_names: dict | None = None, notes: list[str] | None = None) -> dict:
    """The Frictionless descriptor of one exported file (path relative to the descriptor)."""
    fields = describe_columns(columns, layout)
    for f in fields:
        if f["name"] == "region_alt" and fmt == "jsonl":
            f["type"] = "array"       # the jsonl writer keeps the list
            f["description"] = f["description"].replace(", a JSON list", "")
    if stata_names:
        for f in fields:
            f["name"], f["original_name"] = stata_names[f["name"]], f["name"]
    resource = {
        "name": "records" if layout == "long" else "panel",
        "path": data_path.name,
        "format": fmt,
        "mediatype": _MEDIA.get(fmt, "application/octet-stream"),
        "encoding": "utf-8",
        "profile": "tabular-data-resource" if fmt == "csv" else "data-resource",
        "schema": {"fields": fields},
        "rows": rows,
    }
    if fmt == "dta":    # frictionless reads .dta as a plain file: a row count cannot be checked
        del resource["rows"]
    if fmt == "xlsx":
        resource["dialect"] = {"headerRows": [1], "sheetName": resource["name"]}
    if layout == "panel":
        resource["schema"]["primaryKey"] = [
            (stata_names or {}).get(k, k) for k in ("region_code", "year")]
        resource["description"] = PANEL_RULE
    else:
        resource["description"] = ("One row per extracted record (one statement of one "
                                   "core metric in one report) with its provenance.")
    return {
        "profile": "data-package",
        "name": "reform-extract-" + layout,
        "title": "Health-reform metrics extracted from Chinese work reports",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "resources": [resource],
        "sources": [{"title": "reform-extract SQLite database"}],
        "reform": {
            "extractor_version": EXTRACTOR_VERSION,
            "command": command,
            "layout": layout,
            "rows": rows,
            "filters": {k: v for k, v in (filters or {}).items() if v is not None},
            "metrics": _metrics_block(),
            "scope": scope_block(),
            "column_names": ({orig: new for orig, new in stata_names.items()}
                             if stata_names else None),
            "notes": notes or [],
        },
    }


def _md_cell(v) -> str:
    s = "" if v is None else str(v)
    return s.replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def markdown_codebook(pkg: dict) -> str:
    """A readable codebook of a descriptor made by `datapackage`."""
    res = pkg["resources"][0]
    meta = pkg["reform"]
    renamed = bool(meta.get("column_names"))
    out = [f"# Codebook: {res['path']}", "",
           f"- made by: `{meta['command']}`",
           f"- extractor version: {meta['extractor_version']}",
           f"- created: {pkg['created']}",
           f"- format: {res['format']}, layout: {meta['layout']}, rows: {meta['rows']}",
           "- filters: " + (", ".join(f"{k} = {v}" for k, v in meta["filters"].items())
                            or "none"),
           "", res["description"], ""]
    out += [f"- {n}" for n in meta.get("notes") or []]
    out += ["", "## Columns", ""]
    if renamed:
        out += ["Stata names are at most 32 ASCII characters; the original name is the one "
                "of the other export formats.", "",
                "| column | original name | type | description |", "|---|---|---|---|"]
        out += [f"| {_md_cell(f['name'])} | {_md_cell(f['original_name'])} | {f['type']} | "
                f"{_md_cell(f['description'])} |" for f in res["schema"]["fields"]]
    else:
        out += ["| column | type | description |", "|---|---|---|"]
        out += [f"| {_md_cell(f['name'])} | {f['type']} | {_md_cell(f['description'])} |"
                for f in res["schema"]["fields"]]
    out += ["", "## Metrics", "", "| key | 名称 | unit | range | definition |",
            "|---|---|---|---|---|"]
    for m in meta["metrics"]:
        rng = f"{m['range'][0]}–{m['range'][1]}" if m["range"] else ""
        out.append(f"| {m['key']} | {_md_cell(m['zh'])} | {_md_cell(m['unit'])} | {rng} | "
                   f"{_md_cell(m['definition'])} |")
    out += ["", "## Scope", "",
            "Values of one metric are compared (panel cells, `reform diff`, `reform conflicts`)"
            " only when their scope is the same; an empty field means none stated (for "
            "population: the whole population). Found by `patterns/scope.yaml`.", ""]
    for name, f in (meta.get("scope") or {}).items():
        applies = f["applies_to"] if f["applies_to"] == "all" else ", ".join(f["applies_to"])
        out += [f"### {name} ({_md_cell(f['zh'])})", "", _md_cell(f["definition"])
                + f". Asked for: {applies}" + ("" if f["kinds"] == "all"
                                                else f"; kinds: {', '.join(f['kinds'])}") + ".",
                "", "| code | 名称 | meaning |", "|---|---|---|"]
        out += [f"| {v['code']} | {_md_cell(v['zh'])} | {_md_cell(v['definition'])} |"
                for v in f["values"]]
        out.append("")
    return "\n".join(out) + "\n"


def codebook_paths(out: Path) -> tuple[Path, Path]:
    """Where the descriptor and the Markdown codebook of the data file *out* go."""
    out = Path(out)
    return out.with_name(out.name + ".datapackage.json"), out.with_name(out.name + ".codebook.md")


def write_codebook(out: Path, fmt: str, columns, layout: str, filters: dict, command: str,
                   rows: int, stata_names: dict | None = None,
                   notes: list[str] | None = None,
                   paths: tuple[Path, Path] | None = None,
                   encoding: str = "utf-8") -> tuple[Path, Path]:
    """Write both codebook files beside the data file *out* (or to *paths*, temporary
    files the caller renames); return their paths.  *encoding*: of the data file
    (``utf-8-sig`` for a CSV with a byte-order mark)."""
    pkg_path, md_path = paths or codebook_paths(out)
    pkg = datapackage(Path(out), fmt, columns, layout, filters, command, rows, stata_names, notes)
    pkg["resources"][0]["encoding"] = encoding
    from extract.safeio import atomic_write_text
    atomic_write_text(pkg_path, json.dumps(pkg, ensure_ascii=False, indent=2) + "\n")
    atomic_write_text(md_path, markdown_codebook(pkg))
    return pkg_path, md_path


# --- Datasette ----------------------------------------------------------------------------

_TABLES = {
    "documents": ("文档 Documents", "One row per processed file; `text` is the document text "
                  "every record offset points into.", {
                      "doc_id": "document id (file stem)", "path": "absolute file path",
                      "sha256": "SHA-256 of the file bytes", "format": "txt, md, html, docx, pdf",
                      "encoding": "detected text encoding", "title": "document title",
                      "date": "document date (ISO)", "status": "ok or failed",
                      "error": "why the document failed", "n_records": "records extracted",
                      "text": "the document text", "extractor_version": "extractor version",
                      "run_id": "run that stored it", "processed_at": "when (UTC)",
                      "warning": "stored but maybe not whole (e.g. a truncated PDF)"}),
    "metrics": ("指标记录 Metric records", "One row per statement of one core metric; "
                "`metric` is a key of metric_defs (its Chinese name is metric_defs.zh).",
                {k: v[1] for k, v in LONG_FIELDS.items()
                 if k not in ("doc", "metric_zh", "doc_path", "doc_title",
                              "doc_date", "doc_sha256")} | {
                    "doc_id": "document id (documents.doc_id)", "id": "row id (internal; cite record_id, which survives re-runs)",
                    "metric": "metric key; its Chinese name is metric_defs.zh (see the query "
                              "records_named)",
                    "extractor_version": "version of reform-extract that stored the record",
                    "run_id": "the run (runs.run_id) that stored the record"}),
    "metric_defs": ("指标定义 Metric definitions", "The 30 core metrics (patterns/metrics.yaml).",
                    {"key": "metric key", "zh": "中文名称", "unit": "canonical unit",
                     "range_low": "plausible lower bound of a level",
                     "range_high": "plausible upper bound of a level",
                     "definition": "what the metric counts"}),
    "regions": ("行政区划 Regions", "The gazetteer: GB/T 2260 codes with names and former names.",
                {"code": "six-digit code", "name": "name", "full_name": "simplified full name",
                 "short": "short name", "level": "province, prefecture or county",
                 "parent": "code of the parent unit", "valid_from": "valid since",
                 "valid_to": "valid until (renamed or merged)",
                 "aliases": "other names (JSON list)"}),
    "articles": ("篇 Articles", "Reports of a compilation, one row each.",
                 {"idx": "index in the document", "start": "offset in documents.text",
                  "end": "end offset", "title": "title", "region": "region of the article",
                  "region_code": "its code"}),
    "sections": ("节 Sections", "Headed sections of the documents.",
                 {"article": "article index", "idx": "index", "start": "offset",
                  "end": "end offset", "heading": "heading text", "level": "heading level"}),
    "runs": ("运行 Runs", "One row per `reform run`.",
             {"started": "start (UTC)", "finished": "end (UTC)", "options": "options (JSON)",
              "read": "documents read", "skipped": "unchanged, skipped",
              "failed": "documents failed", "records": "records stored"}),
}


def datasette_metadata() -> dict:
    """Datasette metadata for the `reform` database: labels, column descriptions, queries."""
    defs = metric_defs()
    metric_list = "; ".join(f"{k} = {d['zh']} ({d['unit']})" for k, d in defs.items())
    tables = {}
    for name, (title, desc, cols) in _TABLES.items():
        tables[name] = {"title": title, "description": desc, "columns": cols}
    tables["metrics"]["description"] += " Metrics: " + metric_list + "."
    tables["metrics"]["facets"] = ["metric", "year", "kind", "region"]
    tables["metrics"]["sort"] = "doc_id"
    tables["metric_defs"]["label_column"] = "zh"
    tables["regions"]["label_column"] = "full_name"
    tables["documents"]["label_column"] = "title"
    tables["metrics_fts"] = {"hidden": True}
    for t in ("metrics_fts_config", "metrics_fts_data", "metrics_fts_docsize",
              "metrics_fts_idx", "metrics_fts_state"):
        tables[t] = {"hidden": True}
    return {
        "title": "reform-extract: health-reform metrics",
        "description": "Metrics extracted from Chinese health-reform work reports. "
                       "Every record links to its sentence (snippet) and its offsets in "
                       "documents.text.",
        "databases": {"reform": {
            "tables": tables,
            "queries": {
                "records_named": {
                    "title": "记录（带指标名称） Records with metric names",
                    "sql": "SELECT m.record_id, m.doc_id, d.zh AS 指标, m.metric, m.kind, m.value, "
                           "m.value_high, m.unit, m.qualifier, m.region, m.region_code, m.year, "
                           "m.text, m.snippet FROM metrics m LEFT JOIN metric_defs d "
                           "ON d.key = m.metric ORDER BY m.region_code, m.metric, m.year",
                },
                "region_metric": {
                    "title": "一个地区的指标 One region's metrics",
                    "sql": "SELECT d.zh AS 指标, m.metric, m.year, m.kind, m.value, m.unit, "
                           "m.text, m.doc_id, m.snippet FROM metrics m LEFT JOIN metric_defs d "
                           "ON d.key = m.metric WHERE m.region_code = :code "
                           "OR m.region = :code ORDER BY m.metric, m.year, m.doc_id, m.start",
                },
                "record": {
                    "title": "一条记录 One record by its stable id",
                    "sql": "SELECT m.record_id, m.doc_id, d.zh AS 指标, m.metric, m.kind, "
                           "m.value, m.unit, m.region, m.region_code, m.year, m.scheme, "
                           "m.setting, m.population, m.basis, m.role, m.subunit, m.text, "
                           "m.start, m.end, m.snippet FROM metrics m LEFT JOIN metric_defs d "
                           "ON d.key = m.metric WHERE m.record_id = :record_id",
                },
                "failed_documents": {
                    "title": "失败的文档 Failed documents",
                    "sql": "SELECT doc_id, path, error FROM documents WHERE status = 'failed'",
                },
            },
        }},
    }


def main(argv=None) -> None:
    """Print the Datasette metadata: ``python -m extract.codebook > extract/data/metadata.json``."""
    sys.stdout.write(json.dumps(datasette_metadata(), ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()
