"""The gradebook's two charts as inline SVG, drawn here rather than by a plotting library: the
page must stay one self-contained file, and a histogram and a bar chart are a few dozen
rectangles. Every bar is a ``rect`` with class ``bar`` and its numbers in ``data-`` attributes,
so a test (or a screen reader, through each bar's ``title``) can read the chart back.
"""

from __future__ import annotations

from html import escape

from gpulint.grading.class_stats import Bin, CriterionRate

HISTOGRAM_WIDTH = 500
RATES_WIDTH = 600  # side by side with the histogram in the page's 1124 pixels
FONT = 12
BAR_COLOUR = "#3b6fd4"
TRACK_COLOUR = "#e6e9ef"
AXIS_COLOUR = "#5b6270"


def _n(value: float) -> str:
    """A coordinate: at most one decimal, no trailing zeros, the same bytes on every run."""
    return f"{value:.1f}".removesuffix(".0")


def rate_colour(rate: float) -> str:
    if rate < 0.5:
        return "#c93c3c"
    if rate < 0.8:
        return "#d99a1e"
    return "#2f9e6e"


def _scale(top: int) -> tuple[int, list[int]]:
    """The height the y axis goes up to and its gridlines: a round step (1, 2, 5, 10, 20, 25, 50, ...)
    giving at most five lines, and ``top`` rounded up to a whole step."""
    step, magnitude = 1, 1
    while True:
        for base in (1, 2, 2.5, 5):
            candidate = base * magnitude
            if candidate == int(candidate) and top / candidate <= 4:
                step = int(candidate)
                ceiling = step * -(-top // step)
                return ceiling, list(range(0, ceiling + 1, step))
        magnitude *= 10


def histogram_svg(bins: list[Bin], unit: str = "students", width: int = HISTOGRAM_WIDTH) -> str:
    """Vertical bars, one per score range; the count above each non-empty bar."""
    left, right, top, bottom = 48, 12, 22, 46
    height = 300
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / max(1, len(bins))
    tallest, ticks = _scale(max([b.count for b in bins] + [1]))
    total = sum(b.count for b in bins)
    label = f"Score distribution of {total} graded submission{'s' if total != 1 else ''}"
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart histogram" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}" font-size="{FONT}" '
           'font-family="system-ui, -apple-system, Segoe UI, Roboto, DejaVu Sans, sans-serif">',
           f"<title>{escape(label)}</title>"]
    for tick in ticks:
        y = top + plot_h - plot_h * tick / tallest
        out.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{_n(y)}" y2="{_n(y)}" '
                   f'stroke="{TRACK_COLOUR}"/>')
        out.append(f'<text x="{left - 6}" y="{_n(y + 4)}" text-anchor="end" fill="{AXIS_COLOUR}">{tick}</text>')
    for index, item in enumerate(bins):
        bar_h = plot_h * item.count / tallest
        x = left + index * slot + slot * 0.08
        y = top + plot_h - bar_h
        tip = f"{item.label} points: {item.count} {unit}"
        out.append(f'<rect class="bar" data-bin="{escape(item.label)}" data-count="{item.count}" x="{_n(x)}" '
                   f'y="{_n(y)}" width="{_n(slot * 0.84)}" height="{_n(bar_h)}" fill="{BAR_COLOUR}" rx="2">'
                   f"<title>{escape(tip)}</title></rect>")
        if item.count:
            out.append(f'<text class="count" x="{_n(x + slot * 0.42)}" y="{_n(y - 5)}" text-anchor="middle" '
                       f'fill="#1d2330">{item.count}</text>')
        out.append(f'<text class="bin" font-size="11" x="{_n(left + index * slot + slot / 2)}" y="{top + plot_h + 16}" '
                   f'text-anchor="middle" fill="{AXIS_COLOUR}">{escape(item.label)}</text>')
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" '
               f'stroke="{AXIS_COLOUR}"/>')
    out.append(f'<text x="{left + plot_w / 2:.0f}" y="{height - 8}" text-anchor="middle" '
               f'fill="{AXIS_COLOUR}">points</text>')
    out.append(f'<text x="12" y="{top + plot_h / 2:.0f}" text-anchor="middle" fill="{AXIS_COLOUR}" '
               f'transform="rotate(-90 12 {top + plot_h / 2:.0f})">{escape(unit)}</text>')
    out.append("</svg>")
    return "".join(out)


def pass_rate_svg(rates: list[CriterionRate], width: int = RATES_WIDTH) -> str:
    """Horizontal bars, one per criterion: the share of graded submissions that passed it."""
    label_w, value_w, row_h, top = 190, 122, 22, 4
    bar_w = width - label_w - value_w
    height = top * 2 + row_h * len(rates)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart pass-rates" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-label="Pass rate of each criterion" '
           f'font-size="{FONT}" font-family="system-ui, -apple-system, Segoe UI, Roboto, DejaVu Sans, sans-serif">',
           "<title>Pass rate of each criterion</title>"]
    for index, item in enumerate(rates):
        y = top + index * row_h
        criterion = item.criterion
        name = criterion.id + (" (hidden)" if criterion.visibility == "hidden" else "")
        rate = item.rate
        width = bar_w * (rate or 0.0)
        if rate is None:
            value = "not graded (live)" if criterion.live and item.skipped else "no graded submissions"
        else:
            value = f"{rate * 100:.0f}% ({item.passed}/{item.graded})"
        tip = f"{criterion.id}: {criterion.title}. {value}"
        out.append(f'<text class="label" x="{label_w - 8}" y="{_n(y + row_h / 2 + 4)}" text-anchor="end" '
                   f'fill="#1d2330">{escape(name)}<title>{escape(criterion.title)}</title></text>')
        out.append(f'<rect class="track" x="{label_w}" y="{_n(y + 5)}" width="{bar_w}" height="{row_h - 10}" '
                   f'fill="{TRACK_COLOUR}" rx="3"/>')
        rate_attr = "" if rate is None else f"{rate:.4f}"
        out.append(f'<rect class="bar" data-criterion="{escape(criterion.id)}" data-rate="{rate_attr}" '
                   f'data-passed="{item.passed}" data-graded="{item.graded}" x="{label_w}" y="{_n(y + 5)}" '
                   f'width="{_n(width)}" height="{row_h - 10}" fill="{rate_colour(rate or 0.0)}" rx="3">'
                   f"<title>{escape(tip)}</title></rect>")
        out.append(f'<text class="value" x="{label_w + bar_w + 8}" y="{_n(y + row_h / 2 + 4)}" '
                   f'fill="{AXIS_COLOUR}">{escape(value)}</text>')
    out.append("</svg>")
    return "".join(out)
