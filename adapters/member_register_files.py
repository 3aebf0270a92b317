"""The Registro de Asociados (Ley 20.337, INAES) as CSV and XLSX files.

One row per associate with every field the law asks: member number, admission
date and board minute, name, document and number (CUIT/CUIL/DNI), address,
shares subscribed, integrated and transferred (received and given), exit date
and cause. The CSV is for Spanish spreadsheets: ``;`` between fields, decimal
comma without thousands separator, dates dd/mm/aaaa, UTF-8, CRLF line ends.
The XLSX keeps numbers as numbers and dates as dates.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

from projections.capital_queries import RegisterRow

HEADERS = (
    "Número de asociado",
    "Fecha de ingreso",
    "Acta de consejo de ingreso",
    "Apellido y nombre o razón social",
    "Tipo de documento",
    "Número de documento",
    "Domicilio",
    "Capital suscripto",
    "Capital integrado",
    "Cuotas recibidas por transferencia",
    "Cuotas transferidas a otros",
    "Fecha de egreso",
    "Causa de egreso",
)
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "DD/MM/YYYY"


def _values(row: RegisterRow) -> tuple[object, ...]:
    return (
        row.number,
        row.admission_date,
        row.board_minute,
        row.name,
        row.document_type,
        row.document_number,
        row.address,
        row.subscribed,
        row.integrated,
        row.transferred_in,
        row.transferred_out,
        row.exit_date,
        row.exit_cause,
    )


def _csv_text(value: object) -> str:
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return "" if value is None else str(value)


def register_csv(rows: Iterable[RegisterRow]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([_csv_text(value) for value in _values(row)])
    return buffer.getvalue().encode("utf-8")


def write_register_xlsx(rows: Iterable[RegisterRow], path: Path, *, title: str) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = "Registro de Asociados"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True)
    sheet.append(list(HEADERS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(_values(row)))  # openpyxl writes Decimal as a number: no float on the way
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, Decimal):
                cell.number_format = MONEY_FORMAT
            elif isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
    for letter, width in zip(
        "ABCDEFGHIJKLM", (10, 12, 14, 34, 8, 14, 34, 14, 14, 14, 14, 12, 30), strict=True
    ):
        sheet.column_dimensions[letter].width = width
    book.save(path)
