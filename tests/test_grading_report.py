"""The HTML gradebook (`grade --batch --format html`) for a generated class of 200 submissions,
read back with html.parser and checked against what the generator injected; and the same file in
real headless Chromium: charts and table drawn, sorting and filtering working, no request made."""

from __future__ import annotations

import base64
import hashlib
import re
import struct

import pytest

from chromium import CHROMIUM, Chromium
from conftest import REPO
from gradebook_class import PAYLOAD, make_class
from html_tree import parse

import gpulint
from gpulint.grading import load_rubric
from gpulint.grading.class_stats import histogram
from gpulint.grading.provenance import rubric_hash

CLASS_SIZE = 200
LAB = load_rubric("lab")
POINTS = {c.id: c.points for c in LAB.criteria}
STATIC = [c.id for c in LAB.criteria if not c.live]


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """The class, its expected grades, and its HTML gradebook made by the real command line."""
    import subprocess
    import sys

    root = tmp_path_factory.mktemp("class")
    students = make_class(root / "submissions", CLASS_SIZE)
    report = root / "report.html"
    proc = subprocess.run([sys.executable, "-m", "gpulint", "grade", str(root / "submissions"), "--batch",
                           "--format", "html", "-o", str(report), "--jobs", "2"],
                          capture_output=True, text=True, cwd=REPO, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"graded {CLASS_SIZE} submissions" in proc.stdout and "3 could not be graded" in proc.stdout
    return students, report, proc.stdout


def expected_score(student) -> float:
    return sum(POINTS[c] for c in STATIC if c not in student.failed)


def test_class_is_large_and_varied(graded_class):
    students, _, _ = graded_class
    assert len(students) >= 200
    assert len({s.defects for s in students if s.ungraded is None}) >= 15
    assert sum(1 for s in students if s.ungraded) == 3


def test_report_is_self_contained(graded_class):
    _, report, _ = graded_class
    text = report.read_text(encoding="utf-8")
    doc = parse(text)
    assert doc.attrs["doctype"].lower() == "doctype html"
    (script,) = doc.find_all("script")
    (style,) = doc.find_all("style")
    assert "src" not in script.attrs and script.text().strip()
    for tag in ("link", "img", "iframe", "object", "embed", "base", "form", "audio", "video", "source", "image"):
        assert not doc.find_all(tag), tag
    for element in doc.iter():
        assert "src" not in element.attrs and "srcset" not in element.attrs, element.tag
        assert "style" not in element.attrs, element.tag  # inline style attributes would break the CSP
        assert not any(name.startswith("on") for name in element.attrs), (element.tag, element.attrs)
        href = element.attrs.get("href")
        if href is not None:
            assert href.startswith("#"), href  # in-page links only
    assert not re.search(r"url\(|@import|https?://(?!www\.w3\.org/2000/svg)", style.text() + script.text())
    # The CSP admits exactly this script and this stylesheet, by hash; otherwise a browser would not run them.
    csp = doc.find("meta", http_equiv="Content-Security-Policy").attrs["content"]
    assert "default-src 'none'" in csp

    def digest(body: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"

    assert f"script-src {digest(script.text())};" in csp and f"style-src {digest(style.text())};" in csp


def test_report_provenance_and_summary(graded_class):
    students, report, _ = graded_class
    doc = parse(report.read_text(encoding="utf-8"))
    assert doc.find(id="rubric-hash").text() == rubric_hash(LAB)
    header = doc.find("header").text()
    assert f"gpulint{gpulint.__version__}" in header.replace(" ", "").replace("\n", "")
    assert LAB.title in header and "lab" in header
    graded = [s for s in students if s.ungraded is None]
    cards = {c.find("span").text(): c.find("b").text() for c in doc.find_all("div", cls="card")}
    assert cards["submissions"] == str(len(students)) and cards["graded"] == str(len(graded))
    assert cards["could not be graded"] == "3"
    scores = sorted(expected_score(s) for s in graded)
    assert cards["mean score"] == f"{round(sum(scores) / len(scores), 2):g} / 100"
    assert cards["below half the points"] == str(sum(1 for s in scores if s < 50))
    # The rubric is listed, criterion by criterion.
    rubric_rows = doc.find("section", id="rubric").find("tbody").find_all("tr")
    assert [r.find("td").text() for r in rubric_rows] == [c.id for c in LAB.criteria]


def test_histogram_matches_the_generated_scores(graded_class):
    students, report, _ = graded_class
    doc = parse(report.read_text(encoding="utf-8"))
    svg = doc.find("figure", id="histogram").find("svg")
    bars = svg.find_all("rect", cls="bar")
    assert len(bars) == 10
    expected = histogram([expected_score(s) for s in students if s.ungraded is None], 100.0)
    assert [(b.attrs["data-bin"], int(b.attrs["data-count"])) for b in bars] == [(e.label, e.count) for e in expected]
    assert sum(int(b.attrs["data-count"]) for b in bars) == CLASS_SIZE - 3
    heights = [float(b.attrs["height"]) for b in bars]
    tallest = max(range(10), key=lambda i: expected[i].count)
    assert heights[tallest] == max(heights) > 0
    for bar, item in zip(bars, expected, strict=True):  # heights are proportional to the counts
        assert float(bar.attrs["height"]) == pytest.approx(heights[tallest] * item.count / expected[tallest].count,
                                                           abs=0.11)


def test_pass_rates_match_the_injected_defects(graded_class):
    students, report, _ = graded_class
    doc = parse(report.read_text(encoding="utf-8"))
    bars = doc.find("figure", id="pass-rates").find_all("rect", cls="bar")
    assert [b.attrs["data-criterion"] for b in bars] == [c.id for c in LAB.criteria]
    graded = [s for s in students if s.ungraded is None]
    for bar in bars:
        cid = bar.attrs["data-criterion"]
        if cid in STATIC:
            passed = sum(1 for s in graded if cid not in s.failed)
            assert (int(bar.attrs["data-passed"]), int(bar.attrs["data-graded"])) == (passed, len(graded)), cid
            assert float(bar.attrs["data-rate"]) == pytest.approx(passed / len(graded), abs=1e-4)
        else:  # live: skipped everywhere, neither passed nor failed
            assert bar.attrs["data-rate"] == "" and bar.attrs["data-graded"] == "0"
            assert float(bar.attrs["width"]) == 0


def test_most_common_findings_link_to_their_docs(graded_class):
    students, report, _ = graded_class
    doc = parse(report.read_text(encoding="utf-8"))
    rows = doc.find("table", id="findings-table").find("tbody").find_all("tr")
    counted = {}
    for row in rows:
        cells = row.find_all("td")
        link = cells[0].find("a")
        counted[link.text()] = (int(cells[2].text()), int(cells[3].text()))
        target = link.attrs["href"][1:]
        section = doc.find(id=target)
        assert f"gpulint explain {link.text()}" in section.text() and "## What it does" in section.text()
    with_defect = {d: sum(1 for s in students if d in s.defects) for d in
                   ("root-user", "http-healthcheck", "no-gpu-limit", "no-undo", "hosted-runner", "no-workflow")}
    assert counted["GL102"] == (with_defect["root-user"],) * 2
    assert counted["GL104"] == (with_defect["http-healthcheck"],) * 2
    assert counted["GL401"] == (with_defect["no-undo"],) * 2
    assert counted["GL203"][1] == with_defect["hosted-runner"]
    assert counted["GL004"] == (3 * with_defect["no-workflow"], with_defect["no-workflow"])  # one per criterion
    students_column = [v[1] for v in counted.values()]
    assert students_column == sorted(students_column, reverse=True)


def test_students_table_and_feedback_sections(graded_class):
    students, report, _ = graded_class
    doc = parse(report.read_text(encoding="utf-8"))
    rows = doc.find("table", id="students-table").find("tbody").find_all("tr")
    assert len(rows) == CLASS_SIZE
    by_name = {s.name: s for s in students}
    by_id = {e.attrs["id"]: e for e in doc.iter() if e.attrs.get("id")}
    seen = set()
    for row in rows:
        name_cell, status, score, failed_count, failed, _form = row.find_all("td")
        student = by_name[name_cell.text()]
        seen.add(student.name)
        section = by_id[name_cell.find("a").attrs["href"][1:]]
        assert section.tag == "section" and "student" in section.attrs["class"]
        assert section.find("h3").text() == student.name
        if student.ungraded:
            assert status.text() == f"ungraded: {student.ungraded}" and score.text() == "–"
            assert row.attrs["data-status"] == "ungraded"
            assert f"ungraded: {student.ungraded}" in section.text()
            continue
        assert status.text() == "graded" and float(score.text()) == expected_score(student)
        assert set(filter(None, failed.text().split(", "))) == student.failed
        assert int(failed_count.text()) == len(student.failed)
        assert f"Score: {expected_score(student):g} / 100" in section.text()
    assert seen == set(by_name)
    ungraded = doc.find("section", id="ungraded").find_all("li")
    assert len(ungraded) == 3


def test_hostile_names_and_contents_stay_text(graded_class):
    students, report, _ = graded_class
    text = report.read_text(encoding="utf-8")
    doc = parse(text)
    assert len(doc.find_all("script")) == 1 and not doc.find_all("img")
    assert len(doc.find_all("svg")) == 2  # the two charts, not a student's "<svg onload=...>"
    names = {a.text() for a in doc.find("table", id="students-table").find_all("a")}
    assert {'<img src=x onerror=alert(1)>', '"><svg onload=alert(2)>'} <= names
    # The quoted Dockerfile line with a <script> tag is in the feedback, as text.
    quoting = {section.find("h3").text() for section in doc.find_all("section", cls="student")
               if any(PAYLOAD in pre.text() for pre in section.find_all("pre"))}
    assert quoting == {s.name for s in students if "http-healthcheck" in s.defects}
    assert PAYLOAD not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_render_escapes_names_and_findings_given_directly():
    """Names a file system cannot hold ("/" in a closing tag) and HTML in every text field."""
    from gpulint.grading.batch import Row
    from gpulint.grading.html_report import render_report
    from gpulint.grading.visibility import StudentItem, StudentReport, StudentView

    hostile = "<script>alert(1)</script>"
    student = StudentReport(hostile, "repository", "lab", LAB.title, "graded", 78.0, 100.0, 78.0, 100.0, 0,
                            [StudentItem("dockerfile.nonroot", LAB.criteria[1].title, "failed", 0.0, 7.0,
                                         f"- Dockerfile, line 3: `USER {hostile}`\n</pre><b>x</b>")])
    row = Row(hostile, "repository", 78.0, 100.0, {"dockerfile.nonroot": 0.0}, "", "", statuses={
        "dockerfile.nonroot": "failed"}, failing={"dockerfile.nonroot": ["GL102"]}, rule_counts={"GL102": 1},
        student=student)
    broken = Row('</td></tr><tr><td>"\'&', "unreadable", 0.0, 100.0, {}, f"bad {hostile}", "",
                 status=f"ungraded: {hostile}")
    html = render_report([row, broken], LAB, StudentView())
    doc = parse(html)
    assert len(doc.find_all("script")) == 1
    assert not [b for b in doc.find_all("b") if b.text() == "x"]
    rows = doc.find("table", id="students-table").find("tbody").find_all("tr")
    assert len(rows) == 2
    assert rows[0].find("a").text() == hostile and rows[1].find("a").text() == '</td></tr><tr><td>"\'&'
    assert doc.find("section", id="student-0").find("pre").text().endswith("</pre><b>x</b>")
    assert hostile not in html


@pytest.mark.browser
def test_report_in_headless_chromium(graded_class, tmp_path):
    if not CHROMIUM.exists():
        pytest.skip("needs headless Chromium at /usr/bin/chromium (apt-get install chromium chromium-driver)")
    students, report, _ = graded_class
    graded = [s for s in students if s.ungraded is None]
    control = tmp_path / "control.html"
    control.write_text('<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/probe.png"></body></html>')
    with Chromium() as browser:
        # The detector sees requests: a page that loads an image is caught.
        probe = browser.open(control.as_uri())
        assert "http://127.0.0.1:9/probe.png" in browser.requested_urls(probe)

        page = browser.open(report.as_uri(), width=1280, height=1000)
        assert browser.evaluate(page, "document.documentElement.getAttribute('data-ready')") == "1"
        drawn = browser.evaluate(page, """(() => {
            const boxes = sel => Array.from(document.querySelectorAll(sel)).map(r => r.getBoundingClientRect());
            return {hist: boxes('#histogram svg rect.bar').map(b => [b.width, b.height]),
                    rates: boxes('#pass-rates svg rect.bar').map(b => b.width),
                    svg: boxes('svg.chart').map(b => [b.width, b.height]),
                    rows: document.querySelectorAll('#students-table tbody tr').length,
                    visible: Array.from(document.querySelectorAll('#students-table tbody tr'))
                                  .filter(r => r.getBoundingClientRect().height > 0).length};
        })()""")
        assert len(drawn["svg"]) == 2 and all(w > 300 and h > 100 for w, h in drawn["svg"])
        assert len(drawn["hist"]) == 10 and sum(1 for w, h in drawn["hist"] if w > 0 and h > 0) >= 4
        assert len(drawn["rates"]) == len(LAB.criteria) and sum(1 for w in drawn["rates"] if w > 0) == len(STATIC)
        assert drawn["rows"] == drawn["visible"] == CLASS_SIZE

        def shown() -> list[str]:
            return browser.evaluate(page, """Array.from(document.querySelectorAll('#students-table tbody tr'))
                .filter(r => !r.hidden).map(r => r.cells[0].textContent)""")

        def choose(element: str, value: str, event: str = "change") -> None:
            browser.evaluate(page, f"""(() => {{ const e = document.getElementById({element!r});
                e.value = {value!r}; e.dispatchEvent(new Event({event!r})); }})()""")

        choose("filter-status", "ungraded")
        assert sorted(shown()) == sorted(s.name for s in students if s.ungraded)
        assert browser.evaluate(page, "document.getElementById('shown-count').textContent") == "3"
        choose("filter-status", "")
        choose("filter-criterion", "dockerfile.nonroot")
        assert sorted(shown()) == sorted(s.name for s in graded if "dockerfile.nonroot" in s.failed)
        choose("filter-criterion", "")
        choose("filter-text", "student-01", "input")
        assert sorted(shown()) == [f"student-{i:03d}" for i in range(10, 20)]
        choose("filter-text", "", "input")
        assert len(shown()) == CLASS_SIZE

        score_button = "document.querySelectorAll('#students-table thead button')[2]"
        browser.evaluate(page, f"{score_button}.click()")
        ascending = browser.evaluate(page, """Array.from(document.querySelectorAll('#students-table tbody tr'))
            .map(r => parseFloat(r.cells[2].getAttribute('data-sort')))""")
        assert ascending == sorted(ascending) and ascending[:3] == [-1, -1, -1]  # ungraded first: they need a look
        browser.evaluate(page, f"{score_button}.click()")
        descending = browser.evaluate(page, """Array.from(document.querySelectorAll('#students-table tbody tr'))
            .map(r => parseFloat(r.cells[2].getAttribute('data-sort')))""")
        assert descending == sorted(ascending, reverse=True)

        # The link to a student's feedback goes to that section.
        browser.evaluate(page, "document.querySelector('#students-table tbody tr a').click()")
        target = browser.evaluate(page, "location.hash")
        assert browser.evaluate(page, f"document.querySelector('{target}').getBoundingClientRect().top") < 50

        png = browser.screenshot(page)
        (tmp_path / "gradebook.png").write_bytes(png)
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (1280, 1000)
        assert len(png) > 20_000  # a page with text and charts, not a blank one

        assert browser.requested_urls(page) == [report.as_uri()]  # the file itself and nothing else
        assert not browser.events_of(page, "Page.javascriptDialogOpening")  # no injected alert() ran
        assert not browser.events_of(page, "Runtime.exceptionThrown")
        errors = [e["params"]["entry"] for e in browser.events_of(page, "Log.entryAdded")
                  if e["params"]["entry"]["level"] == "error"]
        assert not errors  # a CSP violation (a blocked script or style) would be logged here
