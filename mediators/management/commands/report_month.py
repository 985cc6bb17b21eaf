"""Print one period's report table: `manage.py report_month 2026-10 --scope country`.

Suppressed by default (small counts hidden, mediators/reports/suppression.py), as anything
leaving an office must be; `--exact` prints the exact figures (for the office itself).
"""

import textwrap
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from config.api_errors import ApplicationError
from mediators.models import Office, Region
from mediators.reports.periods import period_check_over, period_parse
from mediators.reports.tables import Report, Scope, report_build

LABEL_WIDTH = 46
COLUMN_WIDTH = 9


def report_text(report: Report) -> str:
    """The report as a fixed-width table for a terminal, 100 columns for the country."""
    names = [column.name for column in report.columns]
    width = (
        max(COLUMN_WIDTH, *(min(len(n), 14) + 1 for n in names))
        if len(names) == 1
        else COLUMN_WIDTH
    )
    wrapped = [textwrap.wrap(name, width - 1) or [""] for name in names]
    lines = []
    for depth in range(max(len(w) for w in wrapped)):
        cells = "".join(f"{(w[depth] if depth < len(w) else ''):>{width}}" for w in wrapped)
        lines.append(f"{'':<{LABEL_WIDTH}}{cells}")
    rule = "-" * (LABEL_WIDTH + width * len(names))
    body = [*lines, rule]
    section = None
    for row in report.rows:
        if row.section != section:
            section = row.section
            if len(body) > len(lines) + 1:
                body.append("")
            body.append(str(section).upper())
        label = str(row.label)
        if len(label) > LABEL_WIDTH - 3:
            label = label[: LABEL_WIDTH - 4] + "…"
        cells = "".join(f"{figure.text:>{width}}" for figure in row.figures)
        body.append(f"  {label:<{LABEL_WIDTH - 2}}{cells}")
    return "\n".join(body)


class Command(BaseCommand):
    help = "Print one month's (or year's) report table: country, a region or an office."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("period", help="YYYY-MM (a month) or YYYY (a year)")
        parser.add_argument("--scope", choices=["country", "region", "office"], default="country")
        parser.add_argument("--region", choices=Region.values)
        parser.add_argument("--office", help="office code, e.g. christiania")
        parser.add_argument("--exact", action="store_true", help="Do not suppress small counts.")
        parser.add_argument("--language", choices=["nb", "en"], default="en")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            self._print(options)

    def _print(self, options: dict[str, Any]) -> None:
        try:
            period = period_parse(options["period"])
            period_check_over(period)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        scope = Scope("country")
        if options["scope"] == "region":
            if not options["region"]:
                raise CommandError("--scope region needs --region (ost, sor, vest, midt, nord).")
            scope = Scope("region", options["region"])
        elif options["scope"] == "office":
            if not Office.objects.filter(code=options["office"] or "").exists():
                raise CommandError("--scope office needs --office with a known office code.")
            scope = Scope("office", options["office"])
        suppressed = not options["exact"]
        report = report_build(scope=scope, period=period, suppressed=suppressed)
        title = f"Mediation report {period.label}, {report.columns[-1].name}"
        note = (
            "Small counts (1–4) hidden as '–', with the cells that would give them back "
            "by subtraction (secondary suppression)."
            if suppressed
            else "Exact figures: not for use outside the office."
        )
        self.stdout.write(f"{title}\n{note}\n\n{report_text(report)}\n")
