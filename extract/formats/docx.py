"""DOCX: body paragraphs and tables in document order (python-docx for the paragraph text).

A paragraph is one line. A table row is one line with its cells joined by tabs; a cell's
paragraphs are joined inline (no separator next to CJK, else a space). A horizontally
merged cell (gridSpan) is written once with its colspan; a vertically merged continuation
cell (vMerge) is written empty and counted in the rowspan of the cell above, so merged text
never repeats. Content controls (w:sdt) are unwrapped. Headers, footers, footnotes and
text boxes are not part of the text.
"""
from __future__ import annotations

import io
import zipfile
from typing import Optional

from .base import Cell, Extracted, IngestError, Table
from .encoding import sniff_magic
from .tables import RowWriter, join_inline

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read(data: bytes, path) -> Extracted:
    doc = _open(data, path)
    from docx.text.paragraph import Paragraph

    buf: list[str] = []
    tables: list[Table] = []
    pos = 0
    first_para: Optional[str] = None
    for el in _body_items(doc.element.body):
        if el.tag == _W + "p":
            line = Paragraph(el, doc).text
            if first_para is None and line.strip():
                first_para = line.strip()
            buf.append(line + "\n")
            pos += len(line) + 1
        else:
            table, pos = _write_table(el, doc, buf, pos)
            if table is not None:
                tables.append(table)
    text = "".join(buf)
    if text.endswith("\n"):
        text = text[:-1]         # paragraphs are joined by newlines, not terminated
    if not text.strip():
        raise IngestError(path, "empty document: no text in the DOCX body")
    title = (doc.core_properties.title or "").strip() or first_para
    return Extracted(text=text, encoding=None, title=title, tables=tables)


def _open(data: bytes, path):
    import docx
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise IngestError(path, "corrupt DOCX: this is a legacy .doc (OLE2) file, not DOCX")
    if not data.startswith(b"PK"):
        what = sniff_magic(data)
        raise IngestError(path, "corrupt DOCX: not a ZIP package"
                          + (f" (looks like {what})" if what else ""))
    try:
        return docx.Document(io.BytesIO(data))
    except zipfile.BadZipFile as e:
        raise IngestError(path, f"corrupt DOCX: {e}") from None
    except KeyError as e:
        raise IngestError(path, f"corrupt DOCX: {e.args[0] if e.args else 'missing part'}") from None
    except Exception as e:  # python-docx/lxml raise many types for broken packages
        raise IngestError(path, f"corrupt DOCX: {type(e).__name__}: {e}") from None


def _body_items(container):
    """w:p and w:tbl children in order, looking through content controls (w:sdt)."""
    for el in container:
        if el.tag in (_W + "p", _W + "tbl"):
            yield el
        elif el.tag == _W + "sdt":
            content = el.find(_W + "sdtContent")
            if content is not None:
                yield from _body_items(content)


def _write_table(tbl, doc, buf: list[str], pos: int) -> tuple[Optional[Table], int]:
    from docx.text.paragraph import Paragraph

    writer = RowWriter(buf, pos)
    above: dict[int, Cell] = {}          # grid col -> cell that a vMerge continues
    row_index = 0
    marked_header = 0                    # leading rows marked "repeat as header row"
    for tr in tbl.iter(_W + "tr"):
        if _enclosing_table(tr) is not tbl:
            continue                     # rows of a nested table belong to its cell text
        if marked_header == row_index and tr.find(f"{_W}trPr/{_W}tblHeader") is not None:
            marked_header += 1
        col = 0
        for tc in tr.findall(_W + "tc"):
            span = _int(tc, "gridSpan")
            merge = _vmerge(tc)
            text = join_inline(Paragraph(p, doc).text for p in tc.iter(_W + "p"))
            if merge == "continue" and col in above:
                writer.cell("", row_index, col, record=False)
                above[col].rowspan += 1
            else:
                cell = writer.cell(text, row_index, col, colspan=span)
                above[col] = cell
            col += span
        writer.end_row()
        row_index += 1
    first_row = [c.rowspan for c in writer.table.cells if c.row == 0]
    return writer.finish(marked_header or max(first_row, default=1)), writer.pos


def _enclosing_table(tr):
    el = tr.getparent()
    while el is not None and el.tag != _W + "tbl":
        el = el.getparent()
    return el


def _int(tc, prop: str) -> int:
    el = tc.find(f"{_W}tcPr/{_W}{prop}")
    try:
        return max(1, int(el.get(_W + "val"))) if el is not None else 1
    except (TypeError, ValueError):
        return 1


def _vmerge(tc) -> Optional[str]:
    el = tc.find(f"{_W}tcPr/{_W}vMerge")
    if el is None:
        return None
    return el.get(_W + "val") or "continue"
