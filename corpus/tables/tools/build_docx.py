#!/usr/bin/env python3
"""Write the Word reports of the table corpus (corpus/tables/*.docx) from the texts below.

    python corpus/tables/tools/build_docx.py

The .docx files are committed (so that the corpus works on a fresh clone); rerun this after
editing a text here. A paragraph is one line; a table is a list of rows, where a cell "<"
continues the merged cell to its left (gridSpan) and "^" the one above (vMerge).
"""
import datetime
import os

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

DOCS = {
    "kunshan_yigai_zhibiao_2019": {
        "author": "昆山市卫生健康委员会",
        "date": datetime.datetime(2020, 1, 10, 9, 30),
        "body": [
            "昆山市2019年深化医药卫生体制改革工作总结",
            "昆山市卫生健康委员会",
            "2019年，我市以建设健康昆山为统领，纵深推进分级诊疗、现代医院管理、全民医保、药品供应保障和综合监管五项基本医疗卫生制度建设，医改各项重点任务基本完成。",
            "一、主要指标完成情况",
            "全市公立医疗机构主要运行指标如下表。",
            [["指标", "2017年", "2018年", "2019年", "2020年目标"],
             ["门急诊人次（万人次）", "1486.2", "1553.7", "1618.4", "—"],
             ["出院人数（万人）", "21.36", "22.48", "23.95", "—"],
             ["门诊次均费用（元）", "218.6", "226.3", "231.9", "240"],
             ["住院次均费用（元）", "11862", "12147", "12389", "12600"],
             ["药占比（%）", "36.8", "32.4", "29.7", "28"],
             ["基层就诊率（%）", "58.3", "60.7", "63.2", "65"],
             ["家庭医生签约服务覆盖率（%）", "35.6", "40.2", "45.1", "50"],
             ["平均住院日（天）", "8.6", "8.3", "7.9", "—"]],
            "二、下一步工作打算",
            "2020年，我市将继续完善医联体建设，推进医保支付方式改革，巩固破除以药补医成果。",
            "昆山市卫生健康委员会",
            "2020年1月10日",
        ],
    },
    "dingxi_xinnonghe_2018": {
        "author": "定西市卫生健康委员会",
        "date": datetime.datetime(2019, 2, 26, 15, 0),
        "body": [
            "定西市2018年新型农村合作医疗工作情况汇报",
            "定西市卫生健康委员会",
            "2018年，我市新农合制度运行平稳，参合率稳定在较高水平，筹资标准按省上要求提高，农村贫困人口全部纳入保障范围。",
            "各县区2017—2018年参合及筹资情况如下：",
            [["县区", "2017年", "<", "2018年", "<"],
             ["^", "参合率（%）", "人均筹资（元）", "参合率（%）", "人均筹资（元）"],
             ["安定区", "98.76", "600", "99.02", "670"],
             ["通渭县", "99.13", "600", "99.28", "670"],
             ["陇西县", "98.85", "600", "99.10", "670"],
             ["渭源县", "99.02", "600", "99.21", "670"],
             ["临洮县", "98.64", "600", "98.97", "670"],
             ["漳县", "99.20", "600", "99.35", "670"],
             ["岷县", "98.91", "600", "99.16", "670"],
             ["全市", "98.89", "600", "99.13", "670"]],
            "2019年，我市将全面落实城乡居民基本医疗保险制度整合，确保参保工作平稳过渡。",
            "定西市卫生健康委员会",
            "2019年2月26日",
        ],
    },
    "lishui_jiceng_2021": {
        "author": "丽水市卫生健康委员会",
        "date": datetime.datetime(2022, 1, 18, 10, 0),
        "body": [
            "丽水市2021年基层卫生健康工作情况通报",
            "丽水市卫生健康委员会",
            "2021年，各县（市、区）深入推进基层卫生健康综合试验区建设，基层医疗卫生服务能力明显提升。现将主要指标完成情况通报如下。",
            "表1 2021年各县（市、区）基层卫生主要指标",
            "单位：万人次，%",
            [["县（市、区）", "基层门急诊人次", "基层就诊率", "比上年±", "排名"],
             ["莲都区", "412.6", "58.4", "1.2", "6"],
             ["青田县", "286.3", "63.7", "2.1", "3"],
             ["缙云县", "301.8", "66.2", "1.8", "1"],
             ["遂昌县", "152.4", "64.9", "0.9", "2"],
             ["松阳县", "168.7", "61.3", "1.5", "5"],
             ["云和县", "89.5", "62.8", "-0.4", "4"],
             ["全市", "1411.3", "62.1", "1.3", "—"]],
            "从通报情况看，各地基层就诊率均有提升，但发展仍不平衡。",
        ],
    },
}


def write_table(doc, rows):
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    # merges first (python-docx joins the texts of merged cells), then the texts
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text == "<":
                table.cell(r, c - 1).merge(table.cell(r, c))
            elif text == "^":
                table.cell(r - 1, c).merge(table.cell(r, c))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text not in ("<", "^"):
                table.cell(r, c).text = text


def build(stem, spec, outdir=HERE):
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    style.font.size = Pt(12)
    for i, item in enumerate(spec["body"]):
        if isinstance(item, list):
            write_table(doc, item)
        elif i == 0:
            doc.add_heading(item, level=1).alignment = WD_ALIGN_PARAGRAPH.CENTER
        else:
            doc.add_paragraph(item)
    props = doc.core_properties
    props.author = spec["author"]
    props.title = spec["body"][0]
    props.created = props.modified = spec["date"]
    path = os.path.join(outdir, stem + ".docx")
    doc.save(path)
    return path


if __name__ == "__main__":
    for stem, spec in DOCS.items():
        print("wrote", os.path.relpath(build(stem, spec), os.getcwd()))
