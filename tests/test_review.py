"""`reform review`: HTML pages checked as HTML and rendered in a real headless Chromium."""
from __future__ import annotations

import colorsys
import re
import shutil
import subprocess

import lxml.html

from extract.model import record_id
import pytest
from click.testing import CliRunner

from extract.cli import reform
from extract.review import metric_colours, page_name, render_text
from test_diff import DOCS, build_sample_db

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HN_2010 = [("95.5%", "ncms_participation_rate"), ("120万人", "insured_persons"),
           ("118万人", "insured_persons"), ("150元", "per_capita_funding"),
           ("98%", "ncms_participation_rate"), ("2万张", "hospital_beds"),
           ("99%", "ncms_participation_rate"), ("30%", "family_doctor_signing_rate")]


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("review")
    db = build_sample_db(tmp / "reform.db")
    res = CliRunner().invoke(reform, ["review", "--all", "--out", str(tmp / "html"),
                                      "--db", str(db)])
    assert res.exit_code == 0, res.output
    assert "4 document pages" in res.output
    return tmp / "html"


def marks(tree):
    return [(m.text_content(), m.get("data-metric"), m.get("id"), m.get("title"))
            for m in tree.xpath('//pre[@class="doc"]//mark')]


def test_pages_and_index(pages):
    assert sorted(p.name for p in pages.iterdir()) == [
        "hn_2010.html", "hn_2011.html", "index.html", "px_2016.html", "xy_2010.html"]
    tree = lxml.html.parse(str(pages / "hn_2010.html")).getroot()
    found = marks(tree)
    assert [(t, m) for t, m, _, _ in found] == HN_2010
    # the stored text, every character of it, in order
    text = tree.xpath('//pre[@class="doc"]')[0].text_content()
    _, _, title, items = DOCS[0]
    assert text == f"{title}\n" + "".join(s for s, *_ in items) + "\n"   # HTML reads CRLF as LF
    assert "耒阳家庭医生签约率30%<b>。" in text            # escaped, not a tag
    assert not tree.xpath('//pre[@class="doc"]//b')
    assert found[0][3] == ("参合率 (ncms_participation_rate) · 水平 level · 95.5 % · 湖南省 430000"
                           " · 2010年 · #"
                           + record_id("hn_2010", 26, 31, "ncms_participation_rate", "level")
                           + " [26:31]")
    # anchors are the stable record ids
    assert found[0][2] == record_id("hn_2010", 26, 31, "ncms_participation_rate", "level")
    assert found[1][3].startswith("参保人数 (insured_persons) · 水平 level · 1,200,000 人 · approx")
    # each row of the table links to its mark, and each mark back to its row
    links = [a.get("href") for a in tree.xpath('//table[@id="records"]//td[1]/a')]
    assert links == [f"#{i}" for _, _, i, _ in found]
    rows = tree.xpath('//table[@id="records"]/tbody/tr')
    assert [r.get("id") for r in rows] == [f"row-{i}" for _, _, i, _ in found]
    legend = [li.text_content() for li in tree.xpath('//ul[@class="legend"]/li')]
    assert legend == [" 参保人数 insured_persons (2)", " 参合率 ncms_participation_rate (3)",
                      " 人均筹资标准 per_capita_funding (1)",
                      " 家庭医生签约率 family_doctor_signing_rate (1)", " 床位数 hospital_beds (1)"]

    index = lxml.html.parse(str(pages / "index.html")).getroot()
    rows = [[td.text_content() for td in tr.xpath("td")]
            for tr in index.xpath('//table[@id="documents"]/tbody/tr')]
    assert rows[0] == ["broken<1>", "", "", "", "failed", "0", "0",
                       "no text layer; OCR not supported <script>"]
    assert [r[0] for r in rows[1:]] == ["hn_2010", "hn_2011", "px_2016", "xy_2010"]
    assert [(r[4], r[5]) for r in rows[1:]] == [("ok", "8"), ("ok", "1"), ("ok", "2"),
                                                ("ok", "5")]
    assert not index.xpath("//script")
    assert index.xpath('//a/@href') == ["hn_2010.html", "hn_2011.html", "px_2016.html",
                                        "xy_2010.html"]


def test_overlaps_mismatches_and_escaping():
    text = "甲<i>参合率95%与98%"
    recs = [dict(id=1, metric="a", start=7, end=10, suspect=False, _mismatch=False, text="95%",
                 **_blank()),
            dict(id=2, metric="b", start=8, end=10, suspect=True, _mismatch=False, text="5%",
                 **_blank()),
            dict(id=3, metric="a", start=11, end=14, suspect=False, _mismatch=True, text="99%",
                 **_blank()),
            dict(id=4, metric="a", start=30, end=33, suspect=False, _mismatch=False, text="x",
                 **_blank())]
    out = render_text(text, recs, {"a": "甲", "b": "乙"})
    tree = lxml.html.fromstring(f"<pre>{out}</pre>")
    assert tree.text_content() == text
    assert [(m.text_content(), m.get("class"), m.get("data-records"))
            for m in tree.xpath("//mark")] == [
        ("9", "v m-a", "1"), ("5%", "v m-a suspect multi", "1 2"),
        ("98%", "v m-a mismatch", "3")]
    assert tree.xpath("//a/@id") == ["r2"] and tree.xpath("//mark/@id") == ["r1", "r3"]
    assert "&lt;i&gt;" in out and "<i>" not in out


def _blank():
    return dict(kind="level", value=1.0, value_high=None, unit="%", qualifier=None, region=None,
                region_code=None, region_masked=False, year=None, masked=False)


def test_page_names_are_safe():
    assert page_name("hn_2010") == "hn_2010.html"
    assert page_name("report~2") == "report~2.html"
    bad = page_name("../../etc/x y")
    assert "/" not in bad and " " not in bad and bad.endswith(".html")
    assert page_name("a/b") != page_name("a_b")


def test_cli_arguments(pages, tmp_path):
    db = tmp_path / "r.db"
    build_sample_db(db)
    run = lambda *a: CliRunner().invoke(reform, ["review", *a, "--db", str(db),   # noqa: E731
                                                 "--out", str(tmp_path / "o")])
    res = run()
    assert res.exit_code == 2 and "give either a document id or --all" in res.output
    res = run("nope")
    assert res.exit_code == 2 and "unknown document 'nope'" in res.output
    res = run("hn_2012")                                   # near ids as candidates
    assert res.exit_code == 2 and "did you mean: hn_2010, hn_2011" in res.output
    assert not (tmp_path / "o").exists()                   # nothing made for a bad argument
    res = run("broken<1>")
    assert res.exit_code == 2 and "OCR not supported" in res.output
    res = run("xy_2010")
    assert res.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["index.html", "xy_2010.html"]


def chromium(*args, tmp_path):
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
           "--enable-logging=stderr", "--v=0", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


PROBE = """<script>
window.addEventListener("load", () => {
  for (const m of document.querySelectorAll("pre.doc mark")) {
    const r = m.getBoundingClientRect();
    m.dataset.bg = getComputedStyle(m).backgroundColor;
    m.dataset.visible = String(r.width > 0 && r.height > 0);
  }
  document.body.dataset.probed = "yes";
});
</script>"""


def _rgb(hsl: str) -> str:
    h, s, l = map(float, re.findall(r"[\d.]+", hsl))
    r, g, b = colorsys.hls_to_rgb(h / 360, l / 100, s / 100)
    return f"rgb({round(r * 255)}, {round(g * 255)}, {round(b * 255)})"


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (CI installs it)")
def test_highlights_render_in_chromium(pages, tmp_path):
    # the page as written, with a probe that records each mark's computed colour on load
    page = (pages / "hn_2010.html").read_text("utf-8")
    probed = tmp_path / "hn_2010.html"
    probed.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    res = chromium("--dump-dom", probed.as_uri(), tmp_path=tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "Uncaught" not in res.stderr
    tree = lxml.html.fromstring(res.stdout)
    assert tree.xpath("//body/@data-probed") == ["yes"]
    got = [(m.text_content(), m.get("data-metric"), m.get("data-bg"), m.get("data-visible"))
           for m in tree.xpath('//pre[@class="doc"]//mark')]
    colours = metric_colours([m for _, m in HN_2010])
    assert got == [(t, m, _rgb(colours[m]), "true") for t, m in HN_2010]
    assert len({c for _, _, c, _ in got}) == 5          # one colour per metric

    # the unmodified page: no console errors, and the highlight colour is on screen
    shot = tmp_path / "shot.png"
    res = chromium(f"--screenshot={shot}", "--window-size=1200,900",
                   (pages / "hn_2010.html").as_uri(), tmp_path=tmp_path)
    assert res.returncode == 0 and shot.stat().st_size > 10_000
    assert "Uncaught" not in res.stderr
    from PIL import Image
    img = Image.open(shot).convert("RGB")
    want = tuple(int(x) for x in re.findall(r"\d+", _rgb(colours["hospital_beds"])))
    hits = sum(n for n, px in img.getcolors(1 << 24)
               if all(abs(a - b) <= 2 for a, b in zip(px, want)))
    assert hits > 400       # the legend and table swatches and the mark in the text

    res = chromium("--dump-dom", (pages / "index.html").as_uri(), tmp_path=tmp_path)
    index = lxml.html.fromstring(res.stdout)
    assert index.xpath('//tr[@class="failed"]/td[last()]')[0].text_content() == \
        "no text layer; OCR not supported <script>"
    assert not index.xpath("//script")
