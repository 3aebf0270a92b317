"""Bank statements in CSV (``;``, UTF-8, header ``fecha;descripcion;importe;referencia``).

Dates DD/MM/AAAA or AAAA-MM-DD; amounts with a decimal comma or point, negative
for money out. All or nothing: every bad row is reported at once.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from adapters.reading_formats import RowError, RowsError
from domain.reconciliation import StatementLine

COLUMNS = ("fecha", "descripcion", "importe")


class StatementFileError(RowsError):
    nothing_taken = "no se tomó el extracto"


def read_bank_statement(path: Path) -> list[StatementLine]:
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    if not rows:
        raise StatementFileError([RowError(0, "archivo", "está vacío")], path.name)
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise StatementFileError([RowError(1, "encabezado", f"faltan las columnas {missing}")], path.name)
    lines, errors = [], []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = dict(zip(header, (cell.strip() for cell in row), strict=False))
        day, amount = _day(values.get("fecha", "")), _amount(values.get("importe", ""))
        if day is None:
            errors.append(RowError(number, "fecha", f"fecha inválida {values.get('fecha')!r}"))
        if amount is None:
            errors.append(RowError(number, "importe", f"importe inválido {values.get('importe')!r}"))
        if day is not None and amount is not None:
            lines.append(
                StatementLine(
                    number, day, values.get("descripcion", ""), amount, values.get("referencia", "")
                )
            )
    if errors:
        raise StatementFileError(errors, path.name)
    return lines


def _day(text: str) -> date | None:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _amount(text: str) -> Decimal | None:
    cleaned = text.replace(" ", "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value == value.quantize(Decimal("0.01")) else None
