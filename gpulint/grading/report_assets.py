"""The HTML gradebook's stylesheet and script, inlined into the page. The page's Content Security
Policy admits exactly these two by their SHA-256 hashes and nothing else: no other script, no
style attribute, no request of any kind."""

from __future__ import annotations

import base64
import hashlib

STYLE = """
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6270; --line: #d8dce4; --soft: #f4f6f9;
  --pass: #2f9e6e; --fail: #c93c3c; --skip: #8a6d1d; --accent: #3b6fd4; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  color: var(--ink); background: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 20px 28px 60px; }
h1 { font-size: 24px; margin: 4px 0 6px; }
h2 { font-size: 18px; margin: 30px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 0 0 6px; overflow-wrap: anywhere; }
h4 { font-size: 14px; margin: 12px 0 4px; }
a { color: var(--accent); }
code, pre, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--soft); padding: 8px 10px;
  border-radius: 6px; margin: 4px 0 8px; }
.provenance { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0 0; }
.provenance dt { color: var(--muted); }
.provenance dd { margin: 0; overflow-wrap: anywhere; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0 4px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 130px; }
.card b { display: block; font-size: 22px; }
.card span { color: var(--muted); }
.card.warn b { color: var(--fail); }
.charts { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: flex-start; }
.charts figure { margin: 0; width: min-content; }
figcaption { color: var(--muted); margin: 2px 0 6px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
th button { font: inherit; font-weight: 600; border: 0; background: none; padding: 0; cursor: pointer; color: inherit; }
th button::after { content: " \\2195"; color: var(--muted); }
th[aria-sort="ascending"] button::after { content: " \\2191"; color: var(--ink); }
th[aria-sort="descending"] button::after { content: " \\2193"; color: var(--ink); }
.filters { display: flex; flex-wrap: wrap; gap: 10px 18px; align-items: center; margin: 6px 0 10px; }
.filters input, .filters select { font: inherit; padding: 4px 6px; border: 1px solid var(--line); border-radius: 5px; }
.filters input { min-width: 240px; }
.status-ungraded { color: var(--fail); font-weight: 600; }
.failed-list { color: var(--muted); overflow-wrap: anywhere; }
tr.low td:first-child { box-shadow: inset 3px 0 0 var(--fail); }
.student { border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; margin: 14px 0; }
.student:target { outline: 3px solid var(--accent); }
.meta { color: var(--muted); margin: 0 0 6px; }
.note { color: var(--muted); font-style: italic; }
.error { color: var(--fail); }
.mark { font-weight: 700; }
.mark.passed { color: var(--pass); }
.mark.failed { color: var(--fail); }
.mark.skipped { color: var(--skip); }
.rule-doc { margin: 10px 0; }
.rule-doc summary { cursor: pointer; }
.back { font-size: 12.5px; }
"""

SCRIPT = """
(function () {
  "use strict";
  var table = document.getElementById("students-table");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var text = document.getElementById("filter-text");
  var criterion = document.getElementById("filter-criterion");
  var status = document.getElementById("filter-status");
  var count = document.getElementById("shown-count");

  function matches(row) {
    var needle = text.value.trim().toLowerCase();
    if (needle && row.getAttribute("data-search").indexOf(needle) === -1) { return false; }
    var wanted = criterion.value;
    if (wanted && (" " + row.getAttribute("data-failed") + " ").indexOf(" " + wanted + " ") === -1) { return false; }
    var state = status.value;
    if (state === "graded" && row.getAttribute("data-status") !== "graded") { return false; }
    if (state === "ungraded" && row.getAttribute("data-status") === "graded") { return false; }
    if (state === "low" && row.getAttribute("data-low") !== "1") { return false; }
    return true;
  }

  function filter() {
    var shown = 0;
    rows.forEach(function (row) {
      var keep = matches(row);
      row.hidden = !keep;
      if (keep) { shown += 1; }
    });
    count.textContent = String(shown);
  }

  function sortBy(header) {
    var column = Array.prototype.indexOf.call(header.parentNode.children, header);
    var numeric = header.getAttribute("data-type") === "number";
    var direction = header.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    Array.prototype.forEach.call(header.parentNode.children, function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", direction === 1 ? "ascending" : "descending");
    rows.sort(function (a, b) {
      var x = a.cells[column].getAttribute("data-sort");
      var y = b.cells[column].getAttribute("data-sort");
      var order = numeric ? parseFloat(x) - parseFloat(y) : (x < y ? -1 : (x > y ? 1 : 0));
      if (order === 0) {
        order = parseInt(a.getAttribute("data-index"), 10) - parseInt(b.getAttribute("data-index"), 10);
      }
      return direction * order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header) {
    var button = header.querySelector("button");
    if (button) { button.addEventListener("click", function () { sortBy(header); }); }
  });
  text.addEventListener("input", filter);
  criterion.addEventListener("change", filter);
  status.addEventListener("change", filter);
  document.documentElement.setAttribute("data-ready", "1");
  filter();
})();
"""


def csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


CONTENT_SECURITY_POLICY = (f"default-src 'none'; script-src {csp_hash(SCRIPT)}; style-src {csp_hash(STYLE)}; "
                           "img-src 'none'; font-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'")
