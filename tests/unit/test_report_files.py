"""Report tables written as CSV, XLSX and PDF."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import load_workbook

from adapters.report_files import ReportTable, sheet_title, to_csv, to_pdf, to_xlsx

TABLE = ReportTable(
    "Libro diario del 01/01/2026 al 31/12/2026",
    ("Fecha", "Cuenta", "Debe"),
    [("2026-01-31", "1.1.03.01", Decimal("53073.88")), ("2026-01-31", "4.1.01", None)],
)


def test_csv_byte_for_byte() -> None:
    assert to_csv(TABLE) == b"Fecha;Cuenta;Debe\n2026-01-31;1.1.03.01;53073.88\n2026-01-31;4.1.01;\n"


def test_xlsx_keeps_numbers_as_numbers_and_a_legal_sheet_name() -> None:
    book = load_workbook(io.BytesIO(to_xlsx(TABLE)))
    sheet = book.active
    assert sheet is not None
    assert sheet.title == "Libro diario del 01-01-2026 al "
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Fecha", "Cuenta", "Debe"],
        ["2026-01-31", "1.1.03.01", 53073.88],
        ["2026-01-31", "4.1.01", None],
    ]


def test_sheet_titles_drop_what_excel_refuses() -> None:
    assert sheet_title("a/b\\c[d]e:f*g?h") == "a-b-c-d-e-f-g-h"
    assert len(sheet_title("x" * 40)) == 31


def test_pdf_is_a_pdf() -> None:
    assert to_pdf(TABLE).startswith(b"%PDF-")
