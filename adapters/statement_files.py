"""Financial statements and Diario as files: PDF (reportlab), XLSX (openpyxl) and CSV.

Amounts: es-AR text in the PDF, numbers with a "#,##0.00" format in the
workbook (so accountants can add them up), dot-decimal strings in the CSV.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

from domain.money import format_ar
from domain.statements import Statement

AMOUNT_FORMAT = "#,##0.00"
INDENT = "    "


def statement_rows(statement: Statement) -> Iterator[tuple[str, str, int, bool, tuple[Decimal, ...]]]:
    """(code, label, level, bold, amounts) in reading order: sections, their total, the summary."""
    for section in statement.sections:
        for line in section.lines:
            yield line.code, line.name, line.level, line.header, line.amounts
        yield "", f"Total {section.title.lower()}", 0, True, section.totals
    for label, amounts in statement.summary:
        yield "", label, 0, True, amounts


def write_statement_csv(statement: Statement, path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["cuenta", "descripcion", "nivel", *statement.column_labels])
    for code, label, level, _, amounts in statement_rows(statement):
        writer.writerow([code, label, level, *(str(amount) for amount in amounts)])
    path.write_text(buffer.getvalue(), encoding="utf-8")


def write_statement_xlsx(statement: Statement, path: Path, cooperative: str) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = statement.title[:31]
    sheet.append([cooperative])
    sheet.append([statement.title])
    sheet.append([statement.subtitle])
    sheet.append(["Cuenta", "Descripción", *statement.column_labels])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for code, label, level, bold, amounts in statement_rows(statement):
        sheet.append([code, INDENT * level + label, *amounts])
        row = sheet.max_row
        for column in range(3, 3 + len(amounts)):
            sheet.cell(row=row, column=column).number_format = AMOUNT_FORMAT
        if bold:
            for cell in sheet[row]:
                cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 60
    for letter in "CDEF":
        sheet.column_dimensions[letter].width = 20
    book.save(path)


def write_statement_pdf(statement: Statement, path: Path, cooperative: str) -> None:
    header = ["Cuenta", "Descripción", *statement.column_labels]
    data: list[list[str]] = [header]
    bold_rows: list[int] = []
    for code, label, level, bold, amounts in statement_rows(statement):
        data.append([code, INDENT * level + label, *(format_ar(amount) for amount in amounts)])
        if bold:
            bold_rows.append(len(data) - 1)
    amount_width = 32 * mm
    widths = [
        22 * mm,
        180 * mm - amount_width * len(statement.column_labels),
        *[amount_width] * len(statement.column_labels),
    ]
    table = Table(data, colWidths=widths, repeatRows=1)
    style = [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
        ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
    ]
    style += [("FONT", (0, row), (-1, row), "Helvetica-Bold", 8) for row in bold_rows]
    table.setStyle(TableStyle(style))
    title = f"{cooperative} - {statement.title}"

    def page_header(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica-Bold", 11)
        canvas.drawString(15 * mm, A4[1] - 15 * mm, title)
        canvas.setFont("Helvetica", 9)
        canvas.drawString(15 * mm, A4[1] - 20 * mm, statement.subtitle)
        canvas.drawRightString(A4[0] - 15 * mm, 10 * mm, f"Hoja {document.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        topMargin=25 * mm,
        bottomMargin=15 * mm,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        title=title,
        author=cooperative,
    )
    document.build([table], onFirstPage=page_header, onLaterPages=page_header)
