"""Treasury movements on SQLite and PostgreSQL: posted through the rules, refused when they cannot be."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from api.bootstrap import Asiento
from domain.chart import Side
from domain.errors import AlreadyRecorded, DomainError
from projections import queries
from tests.integration.helpers import CASH, entry

D = Decimal
BANK, CHEQUES, FEES = "1.1.01.10", "1.1.01.04", "5.5.01"
DAY = date(2026, 4, 2)


def balances(asiento: Asiento) -> dict[str, Decimal]:
    asiento.runner.catch_up()
    with asiento.read() as conn:
        return {r.code: r.balance for r in queries.trial_balance(conn, date(2026, 12, 31)).rows}


def move(asiento: Asiento, kind: str, source: str, target: str, amount: str, **kw: object) -> object:
    return asiento.app.record_treasury_movement(
        effective_date=DAY,
        kind=kind,
        from_account=source,
        to_account=target,
        amount=amount,
        reference=str(kw.pop("reference", "B-1")),
        recorded_by="tesoreria",
        **kw,
    )  # type: ignore[arg-type]


def test_deposits_transfers_and_fees_move_the_books(asiento: Asiento) -> None:
    entry(asiento, date(2026, 4, 1), (CASH, Side.DEBIT, "50000.00"), ("3.1.01", Side.CREDIT, "50000.00"))
    entry(asiento, date(2026, 4, 1), (CHEQUES, Side.DEBIT, "8000.00"), ("3.1.01", Side.CREDIT, "8000.00"))
    move(asiento, "cash_deposit", CASH, BANK, "45000.00", reference="Boleta 1234")
    move(asiento, "cheque_deposit", CHEQUES, BANK, "8000.00", reference="Boleta 1235")
    move(asiento, "transfer", BANK, "1.1.01.11", "20000.00", reference="TRF 77")
    move(asiento, "bank_fee", BANK, FEES, "350.50", reference="Extracto abril")
    after = balances(asiento)
    assert (after[CASH], after[CHEQUES], after[BANK], after["1.1.01.11"], after[FEES]) == (
        D("5000.00"),
        D("0.00"),
        D("32649.50"),
        D("20000.00"),
        D("350.50"),
    )


def test_movements_the_rules_cannot_post_write_nothing(asiento: Asiento) -> None:
    head = asiento.runner.head()
    with pytest.raises(DomainError, match="reglas de imputación"):
        move(asiento, "transfer", BANK, "4.1.02", "10.00")  # revenue is not a treasury account
    with pytest.raises(DomainError):
        move(asiento, "transfer", BANK, BANK, "10.00")
    with pytest.raises(DomainError):
        move(asiento, "teleport", BANK, CASH, "10.00")
    assert asiento.runner.head() == head


def test_a_deposit_slip_is_recorded_once(asiento: Asiento) -> None:
    key = uuid4()
    move(asiento, "cash_deposit", CASH, BANK, "100.00", movement_id=key)
    with pytest.raises(AlreadyRecorded):
        move(asiento, "cash_deposit", CASH, BANK, "100.00", movement_id=key)


def test_the_statement_reconciles_against_the_bank_account(asiento: Asiento, tmp_path: object) -> None:
    from pathlib import Path

    from adapters.bank_statements import read_bank_statement
    from domain.reconciliation import reconcile

    entry(asiento, date(2026, 4, 1), (CASH, Side.DEBIT, "50000.00"), ("3.1.01", Side.CREDIT, "50000.00"))
    move(asiento, "cash_deposit", CASH, BANK, "45000.00", reference="Boleta 1234")
    move(asiento, "bank_fee", BANK, FEES, "350.50", reference="Extracto abril")
    statement = Path(str(tmp_path)) / "extracto.csv"
    statement.write_text(
        "fecha;descripcion;importe;referencia\n03/04/2026;DEPOSITO;45000,00;1234\n"
        "05/04/2026;COMISION;-350,50;\n06/04/2026;TRANSFERENCIA SOCIO;1200,00;\n",
        encoding="utf-8",
    )
    asiento.runner.catch_up()
    with asiento.read() as conn:
        books = queries.bank_book_lines(conn, BANK, date(2026, 4, 1), date(2026, 4, 30))
    result = reconcile(read_bank_statement(statement), books)
    assert len(result.matched) == 2 and result.books_only == ()
    assert [(s.amount, s.description) for s in result.statement_only] == [
        (D("1200.00"), "TRANSFERENCIA SOCIO")
    ]
