from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from adapters.bank_statements import StatementFileError, read_bank_statement
from domain.reconciliation import BookLine, StatementLine, reconcile


def test_lines_match_by_amount_within_days_and_the_rest_are_reconciling_items() -> None:
    statement = [
        StatementLine(2, date(2026, 4, 2), "DEPOSITO EFECTIVO", D("45000.00"), "Boleta 1234"),
        StatementLine(3, date(2026, 4, 3), "COMISION MANTENIMIENTO", D("-350.50")),
        StatementLine(4, date(2026, 4, 20), "TRANSFERENCIA RECIBIDA", D("8000.00")),
    ]
    books = [
        BookLine("2026/10", date(2026, 4, 1), "Depósito de efectivo Boleta 1234", D("45000.00")),
        BookLine("2026/11", date(2026, 4, 1), "Depósito de efectivo Boleta 1299", D("45000.00")),
        BookLine("2026/12", date(2026, 4, 30), "Depósito de cheques", D("12000.00")),
    ]
    result = reconcile(statement, books)
    assert [(s.line, b.entry) for s, b in result.matched] == [(2, "2026/10")]  # the reference decides
    assert [s.line for s in result.statement_only] == [3, 4]
    assert [b.entry for b in result.books_only] == ["2026/11", "2026/12"]
    assert (result.statement_only_total, result.books_only_total) == (D("7649.50"), D("57000.00"))


def test_a_date_too_far_apart_does_not_match() -> None:
    result = reconcile(
        [StatementLine(2, date(2026, 4, 20), "x", D("10.00"))],
        [BookLine("2026/1", date(2026, 4, 1), "y", D("10.00"))],
    )
    assert not result.matched


def test_statement_csv_is_read_whole_or_refused(tmp_path: Path) -> None:
    good = tmp_path / "extracto.csv"
    good.write_text(
        "fecha;descripcion;importe;referencia\n02/04/2026;DEPOSITO;45.000,00;Boleta 1\n"
        "2026-04-03;COMISION;-350.50;\n",
        encoding="utf-8",
    )
    assert [(s.day, s.amount, s.reference) for s in read_bank_statement(good)] == [
        (date(2026, 4, 2), D("45000.00"), "Boleta 1"),
        (date(2026, 4, 3), D("-350.50"), ""),
    ]
    bad = tmp_path / "malo.csv"
    bad.write_text("fecha;descripcion;importe\n31/02/2026;X;10\n01/04/2026;Y;diez\n", encoding="utf-8")
    with pytest.raises(StatementFileError) as refused:
        read_bank_statement(bad)
    assert [(e.line, e.field) for e in refused.value.errors] == [(2, "fecha"), (3, "importe")]
