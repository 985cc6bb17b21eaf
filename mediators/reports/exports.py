"""The report as CSV and as XLSX (openpyxl): one row per figure, one column per unit.

Hidden cells are written as "–" (never as the number), exact reports say so in the heading.
CSV cells that a spreadsheet would read as a formula are prefixed with a quote.
"""

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from mediators.reports.tables import Report

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _note(report: Report) -> str:
    if report.suppressed:
        return _(
            "Counts from 1 to 4 are hidden (–), and so are the cells that would give one back "
            "by subtraction."
        )
    return _("Exact figures for your own office: not for use outside the office.")


def _header(report: Report) -> list[str]:
    return [_("Figure"), _("Key"), *(column.name for column in report.columns)]


def _safe(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_START) else value


def report_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Mediation report"), report.period.label, report.columns[-1].name])
    writer.writerow([_note(report)])
    writer.writerow(_header(report))
    for row in report.rows:
        writer.writerow([_safe(str(row.label)), row.key, *(_safe(f.text) for f in row.figures)])
    return out.getvalue()


def report_xlsx(report: Report) -> bytes:
    book = Workbook()
    sheet = book.create_sheet(report.period.label, 0)
    book.remove(book.worksheets[1])
    sheet.append([f"{_('Mediation report')} {report.period.label}, {report.columns[-1].name}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([_note(report)])
    sheet.append([])
    sheet.append(_header(report))
    for cell in sheet[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
    for row in report.rows:
        values: list[str | int | float] = [str(row.label), row.key]
        for figure in row.figures:
            if figure.hidden:
                values.append("–")
            elif figure.value is None:
                values.append("")
            else:
                values.append(figure.value)
        sheet.append(values)
    sheet.column_dimensions["A"].width = 58
    sheet.column_dimensions["B"].width = 28
    for index in range(len(report.columns)):
        letter = sheet.cell(row=4, column=3 + index).column_letter
        sheet.column_dimensions[letter].width = 14
    sheet.freeze_panes = "C5"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
