"""The HTML gradebook: ``gpulint grade DIR --batch --format html -o report.html``.

One self-contained file an instructor can open offline or attach to an LMS post: how the class
did (score histogram, pass rate of each criterion), which findings cost the most points (with
each rule's ``gpulint explain`` text), a sortable, filterable table of the submissions, and each
student's feedback as that student may see it (``visibility.StudentView``). Charts are inline SVG
(``charts``), the stylesheet and script are inline and admitted by hash by the page's Content
Security Policy, and everything that comes from a submission (names, quoted lines, messages) is
escaped. Nothing reads the clock: the same class, rubric and gpulint give the same bytes.
"""

from __future__ import annotations

from html import escape

from gpulint.grading.batch import Row
from gpulint.grading.charts import histogram_svg, pass_rate_svg
from gpulint.grading.class_stats import ClassStats, class_stats
from gpulint.grading.compare import Comparison
from gpulint.grading.provenance import GPULINT_VERSION, rubric_hash
from gpulint.grading.report_assets import CONTENT_SECURITY_POLICY, SCRIPT, STYLE
from gpulint.grading.rubric import Rubric
from gpulint.grading.visibility import StudentView
from gpulint.rules.base import find_rule

TOP_RULES = 20
_MARK = {"passed": "PASS", "failed": "FAIL", "skipped": "SKIP"}


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _pts(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def render_report(rows: list[Row], rubric: Rubric, view: StudentView, comparison: Comparison | None = None) -> str:
    stats = class_stats(rows, rubric)
    title = f"Gradebook: {rubric.title}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_e(CONTENT_SECURITY_POLICY)}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head><body><main>",
        _header(title, rubric, stats, view),
        _charts(stats),
        _top_rules(stats),
        _ungraded(rows, stats),
        _comparison(comparison) if comparison is not None else "",
        _students_table(rows, rubric, stats),
        _student_sections(rows, view),
        _rubric_section(rubric),
        _rule_reference(stats),
        f"</main><script>{SCRIPT}</script></body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def _header(title: str, rubric: Rubric, stats: ClassStats, view: StudentView) -> str:
    seen = {"visible": "visible criteria only (before the due date)",
            "after_due_date": "visible and after-due-date criteria",
            "after_published": "every criterion but hidden ones (grades published)"}[view.release]
    if view.show_hidden:
        seen = "every criterion, hidden ones too (instructor view)"
    cards = [("submissions", stats.total, False), ("graded", len(stats.graded), False),
             ("could not be graded", len(stats.ungraded), bool(stats.ungraded)),
             ("mean score", f"{_pts(stats.mean)} / {_pts(stats.max_score)}", False),
             ("median score", f"{_pts(stats.median)} / {_pts(stats.max_score)}", False),
             ("below half the points", stats.low, bool(stats.low))]
    return "\n".join([
        "<header>",
        f"<h1>{_e(title)}</h1>",
        '<dl class="provenance">',
        f'<dt>rubric</dt><dd><a href="#rubric"><code>{_e(rubric.name)}</code></a>: {_e(rubric.title)}</dd>',
        f"<dt>gpulint</dt><dd><code>{_e(GPULINT_VERSION)}</code></dd>",
        f'<dt>rubric hash</dt><dd><code id="rubric-hash">{_e(rubric_hash(rubric))}</code></dd>',
        f"<dt>student sections show</dt><dd>{_e(seen)}; findings "
        f"{'hidden from students' if view.hide_findings else 'shown line by line'}</dd>",
        "</dl>",
        '<div class="cards">' + "".join(
            f'<div class="card{" warn" if warn else ""}"><b>{_e(value)}</b><span>{_e(name)}</span></div>'
            for name, value, warn in cards) + "</div>",
        "</header>",
    ])


def _charts(stats: ClassStats) -> str:
    outside = (f" {len(stats.ungraded)} submission{'s' if len(stats.ungraded) != 1 else ''} that could not be "
               "graded are not in it." if stats.ungraded else "")
    return "\n".join([
        '<section id="charts"><h2>How the class did</h2><div class="charts">',
        '<figure id="histogram">', histogram_svg(stats.bins),
        f"<figcaption>Scores of the graded submissions, in ranges of {_pts(stats.bins[0].high - stats.bins[0].low)} "
        f"points.{_e(outside)}</figcaption></figure>",
        '<figure id="pass-rates">', pass_rate_svg(stats.rates),
        "<figcaption>Share of graded submissions passing each criterion (live criteria count only where "
        "they were run).</figcaption></figure>",
        "</div></section>",
    ])


def _rule_name(rule_id: str) -> str:
    rule = find_rule(rule_id)
    return rule.name if rule is not None else ""


def _top_rules(stats: ClassStats) -> str:
    if not stats.rules:
        return '<section id="findings"><h2>Most common findings</h2><p>No finding cost any points.</p></section>'
    rows = []
    for item in stats.rules[:TOP_RULES]:
        rule = find_rule(item.rule)
        summary = rule.summary if rule is not None else ""
        rows.append(
            f'<tr><td><a class="mono" href="#rule-{_e(item.rule.lower())}">{_e(item.rule)}</a></td>'
            f"<td>{_e(_rule_name(item.rule))}<br><small>{_e(summary)}</small></td>"
            f'<td class="num">{item.findings}</td><td class="num">{item.students}</td>'
            f'<td class="mono">{_e(", ".join(item.criteria))}</td></tr>')
    more = len(stats.rules) - TOP_RULES
    return "\n".join([
        '<section id="findings"><h2>Most common findings</h2>',
        "<p>Findings that cost points, by the number of submissions they appear in. Each rule links to its "
        "documentation below (<code>gpulint explain RULE</code>, also <code>docs/rules.md</code>).</p>",
        '<table id="findings-table"><thead><tr><th>rule</th><th>what it means</th><th class="num">findings</th>'
        '<th class="num">submissions</th><th>criteria it failed</th></tr></thead><tbody>',
        *rows, "</tbody></table>",
        f'<p class="note">…and {more} more rules.</p>' if more > 0 else "",
        "</section>",
    ])


def _ungraded(rows: list[Row], stats: ClassStats) -> str:
    if not stats.ungraded:
        return ""
    index = {id(row): i for i, row in enumerate(rows)}
    items = "".join(f'<li><a href="#student-{index[id(row)]}">{_e(row.name)}</a>: '
                    f'<span class="status-ungraded">{_e(row.status)}</span>: {_e(row.error)}</li>'
                    for row in stats.ungraded)
    return (f'<section id="ungraded"><h2>Could not be graded ({len(stats.ungraded)})</h2>'
            "<p>These submissions have no score: they scored 0 in the CSV only because nothing could be "
            f"graded. Check them by hand.</p><ul>{items}</ul></section>")


def _comparison(comparison: Comparison) -> str:
    lines = comparison.lines()
    body = "".join(f"<li>{_e(line)}</li>" for line in lines) or "<li>No submission changed.</li>"
    return (f'<section id="changes"><h2>Changes since {_e(comparison.old_label)}</h2>'
            f"<p>{_e(comparison.summary())}</p><ul>{body}</ul></section>")


def _students_table(rows: list[Row], rubric: Rubric, stats: ClassStats) -> str:
    options = "".join(f'<option value="{_e(c.id)}">{_e(c.id)}</option>' for c in rubric.criteria)
    body = []
    for index, row in enumerate(rows):
        failed = [cid for cid, state in row.statuses.items() if state == "failed"] if row.graded else []
        low = stats.is_low(row)
        search = " ".join([row.name, row.status, *failed]).lower()
        score_sort = f"{row.score:g}" if row.graded else "-1"
        row_class = ' class="low"' if low else ""
        status_class = "" if row.graded else ' class="status-ungraded"'
        body.append(
            f'<tr data-index="{index}" data-status="{"graded" if row.graded else "ungraded"}" '
            f'data-low="{1 if low else 0}" data-failed="{_e(" ".join(failed))}" data-search="{_e(search)}"{row_class}>'
            f'<td data-sort="{_e(row.name.lower())}"><a href="#student-{index}">{_e(row.name)}</a></td>'
            f'<td data-sort="{_e(row.status)}"{status_class}>{_e(row.status)}</td>'
            f'<td class="num" data-sort="{score_sort}">{_e(_pts(row.score) if row.graded else "–")}</td>'
            f'<td class="num" data-sort="{len(failed)}">{len(failed)}</td>'
            f'<td class="failed-list mono" data-sort="{_e(" ".join(failed))}">{_e(", ".join(failed))}</td>'
            f'<td data-sort="{_e(row.form)}">{_e(row.form)}</td></tr>')
    return "\n".join([
        f'<section id="students"><h2>Submissions ({len(rows)})</h2>',
        '<div class="filters">',
        '<label>Search <input id="filter-text" type="search" placeholder="name, criterion or status"></label>',
        '<label>Failed <select id="filter-criterion"><option value="">any criterion</option>'
        f"{options}</select></label>",
        '<label>Show <select id="filter-status"><option value="">all</option><option value="graded">graded</option>'
        '<option value="ungraded">could not be graded</option><option value="low">below half the points</option>'
        "</select></label>",
        f'<span>showing <b id="shown-count">{len(rows)}</b> of {len(rows)}</span>',
        "</div>",
        '<table id="students-table"><thead><tr>'
        '<th><button type="button">submission</button></th>'
        '<th><button type="button">status</button></th>'
        '<th class="num" data-type="number"><button type="button">score</button></th>'
        '<th class="num" data-type="number"><button type="button">failed</button></th>'
        '<th><button type="button">failed criteria</button></th>'
        '<th><button type="button">form</button></th>'
        "</tr></thead><tbody>",
        *body, "</tbody></table></section>",
    ])


def _student_sections(rows: list[Row], view: StudentView) -> str:
    out = ['<section id="feedback"><h2>Feedback to each student</h2>',
           "<p>Each section is what its student may see, as in the feedback files.</p>"]
    for index, row in enumerate(rows):
        report = row.student
        out.append(f'<section class="student" id="student-{index}"><h3>{_e(row.name)}</h3>')
        if report is None:
            out.append(f'<p class="meta">{_e(row.status)}</p></section>')
            continue
        out.append(f'<p class="meta">{_e(report.status)} · {_e(report.form)} · <b>{_e(report.score_line())}</b></p>')
        if report.error:
            out.append(f'<p class="error">The submission {_e(report.error_phrase)}: {_e(report.error)}</p>')
        if report.skipped_note:
            out.append(f'<p class="note">{_e(report.skipped_note)}</p>')
        if report.error is None:
            out.append("<table><tbody>" + "".join(
                f'<tr><td class="mark {_e(item.status)}">{_MARK.get(item.status, "")}</td>'
                f'<td>{_e(item.title)} (<code>{_e(item.id)}</code>)</td>'
                f'<td class="num">{_pts(item.points)} / {_pts(item.max_points)}</td></tr>'
                for item in report.items) + "</tbody></table>")
            for item in report.items:
                if item.notes:
                    out.append(f'<h4><span class="mark {_e(item.status)}">{_MARK.get(item.status, "")}</span> '
                               f"{_e(item.title)}</h4><pre>{_e(item.feedback)}</pre>")
        if report.withheld:
            out.append(f'<p class="note">{_e(report.withheld_note())}</p>')
        out.append('<p class="back"><a href="#students">back to the table</a></p></section>')
    out.append("</section>")
    return "\n".join(out)


def _rubric_section(rubric: Rubric) -> str:
    rows = "".join(
        f'<tr><td class="mono">{_e(c.id)}</td><td>{_e(c.title)}</td><td class="num">{_pts(c.points)}</td>'
        f'<td>{_e(c.visibility)}</td><td class="mono">{_e(", ".join(c.rules) or "-")}</td>'
        f'<td>{"live" if c.live else "static"}</td></tr>' for c in rubric.criteria)
    return "\n".join([
        f'<section id="rubric"><h2>Rubric <code>{_e(rubric.name)}</code></h2>',
        f"<p>{_e(rubric.description)}</p>" if rubric.description else "",
        '<table><thead><tr><th>criterion</th><th>title</th><th class="num">points</th><th>visibility</th>'
        f"<th>rules</th><th>graded</th></tr></thead><tbody>{rows}</tbody></table></section>",
    ])


def _rule_reference(stats: ClassStats) -> str:
    out = ['<section id="rules"><h2>Rule reference</h2>']
    for item in stats.rules:
        rule = find_rule(item.rule)
        anchor = item.rule.lower()
        if rule is None:
            out.append(f'<div class="rule-doc" id="rule-{_e(anchor)}"><h3>{_e(item.rule)}</h3></div>')
            continue
        out.append(f'<div class="rule-doc" id="rule-{_e(anchor)}"><h3>{_e(rule.id)} {_e(rule.name)}</h3>'
                   f'<p>{_e(rule.summary)} <span class="note">(severity {_e(rule.severity.value)}; '
                   f"docs/rules.md#{_e(anchor)})</span></p>"
                   f"<details><summary><code>gpulint explain {_e(rule.id)}</code></summary>"
                   f"<pre>{_e(rule.documentation())}</pre></details></div>")
    out.append("</section>")
    return "\n".join(out)
