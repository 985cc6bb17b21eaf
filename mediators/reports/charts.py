"""Server-rendered SVG bar charts: no script, no inline style (the CSP allows neither), only
SVG presentation attributes. Each chart names itself (`<title>`, `<desc>` with every value)
for screen readers; the report's table beside it holds the same figures. A hidden value gets
no bar and its "–" label, so a chart never shows what the table hides."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from mediators.reports.tables import Figure

BAR = "#1d4f91"  # 8.6:1 on white (WCAG 1.4.11 needs 3:1 for graphics)
SECOND = "#8a4b00"
TEXT = "#1a1a1a"
GRID = "#6b6b6b"


@dataclass(frozen=True)
class Bar:
    label: str
    figure: Figure


def _number(figure: Figure) -> float:
    return float(figure.value) if isinstance(figure.value, int | float) else 0.0


def bar_chart(chart_id: str, title: str, bars: Sequence[Bar]) -> SafeString:
    """Horizontal bars, one per label, with the value written at the end of each."""
    label_width, bar_width, row = 210, 300, 28
    height = row * len(bars) + 12
    width = label_width + bar_width + 60
    top = max((_number(b.figure) for b in bars), default=0.0) or 1.0
    desc = "; ".join(f"{b.label}: {b.figure.text or '0'}" for b in bars)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
        f'<line x1="{label_width}" y1="4" x2="{label_width}" y2="{height - 6}" '
        f'stroke="{GRID}" stroke-width="1"/>',
    ]
    for index, bar in enumerate(bars):
        y = 6 + index * row
        length = round(bar_width * _number(bar.figure) / top, 1)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" font-size="13" '
            f'fill="{TEXT}">{escape(bar.label)}</text>'
        )
        if length > 0:
            parts.append(
                f'<rect x="{label_width}" y="{y + 2}" width="{length}" height="18" fill="{BAR}"/>'
            )
        parts.append(
            f'<text x="{label_width + length + 6}" y="{y + 15}" font-size="13" '
            f'fill="{TEXT}">{escape(bar.figure.text or "0")}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped # nosec B308 B703


def month_chart(
    chart_id: str,
    title: str,
    months: Sequence[tuple[str, Figure, Figure]],
    legend: tuple[str, str],
) -> SafeString:
    """Two bars per month (e.g. requests and mediations held), a legend in words."""
    left, bottom, plot_h, slot = 44, 40, 160, 46
    width = left + slot * len(months) + 10
    height = plot_h + bottom + 30
    top = max((_number(f) for _, a, b in months for f in (a, b)), default=0.0) or 1.0
    desc = "; ".join(
        f"{label}: {legend[0]} {a.text or '0'}, {legend[1]} {b.text or '0'}"
        for label, a, b in months
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
        f'<line x1="{left}" y1="{30 + plot_h}" x2="{width - 6}" y2="{30 + plot_h}" '
        f'stroke="{GRID}" stroke-width="1"/>',
        f'<text x="{left - 6}" y="{34}" text-anchor="end" font-size="11" fill="{TEXT}">'
        f"{int(top)}</text>",
        f'<rect x="{left}" y="4" width="12" height="12" fill="{BAR}"/>'
        f'<text x="{left + 16}" y="14" font-size="12" fill="{TEXT}">{escape(legend[0])}</text>',
        f'<rect x="{left + 170}" y="4" width="12" height="12" fill="{SECOND}"/>'
        f'<text x="{left + 186}" y="14" font-size="12" fill="{TEXT}">{escape(legend[1])}</text>',
    ]
    for index, (label, a, b) in enumerate(months):
        x = left + 4 + index * slot
        for offset, figure, colour in ((0, a, BAR), (19, b, SECOND)):
            h = round(plot_h * _number(figure) / top, 1)
            if h > 0:
                parts.append(
                    f'<rect x="{x + offset}" y="{30 + plot_h - h}" width="17" height="{h}" '
                    f'fill="{colour}"/>'
                )
            elif figure.hidden:
                parts.append(
                    f'<text x="{x + offset + 8}" y="{26 + plot_h}" text-anchor="middle" '
                    f'font-size="11" fill="{TEXT}">–</text>'
                )
        parts.append(
            f'<text x="{x + 18}" y="{30 + plot_h + 16}" text-anchor="middle" font-size="12" '
            f'fill="{TEXT}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped # nosec B308 B703
