"""A report as a table, written to CSV, XLSX or PDF for download.

CSV is UTF-8 with ``;`` separators (spreadsheets in es-AR split on it) and
amounts with a decimal point (``1234.56``), exact as the books keep them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

Cell = str | int | Decimal | None
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class ReportTable:
    title: str
    columns: tuple[str, ...]
    rows: Sequence[Sequence[Cell]]


def _text(cell: Cell) -> str:
    return "" if cell is None else str(cell)


def to_csv(table: ReportTable) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows([_text(c) for c in row] for row in table.rows)
    return out.getvalue().encode("utf-8")


def sheet_title(title: str) -> str:
    """Excel refuses ``[]:*?/\\`` in sheet names and more than 31 characters: dates become 31-12-2026."""
    return re.sub(r"[\[\]:*?/\\]", "-", title)[:31]


def to_xlsx(table: ReportTable) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title(table.title))
    sheet.append(list(table.columns))
    for row in table.rows:
        sheet.append([c if isinstance(c, int | Decimal) else _text(c) for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_pdf(table: ReportTable) -> bytes:
    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=landscape(A4), title=table.title)
    grid = Table([list(table.columns), *[[_text(c) for c in row] for row in table.rows]], repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 7),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ]
        )
    )
    document.build([Paragraph(table.title, getSampleStyleSheet()["Heading2"]), grid])
    return out.getvalue()


WRITERS = {"csv": to_csv, "xlsx": to_xlsx, "pdf": to_pdf}
