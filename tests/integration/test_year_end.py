"""A hand-worked year: statements, closing and opening entries, re-opening, to the cent.

The year 2026, in pesos:
  02/01 members subscribe and pay capital: caja 100.000,00 / capital suscripto
  15/03 energy bought:  compras de energía 40.000,00 / proveedor de energía
  31/03 energy billed:  deudores 60.500,00 / ventas residencial 50.000,00 + IVA DF 21% 10.500,00
  30/04 collected:      caja 30.000,00 / deudores
  31/05 salaries:       sueldos 8.000,00 / caja
Result: 50.000 - 40.000 - 8.000 = excedente 2.000,00.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from api import year_end
from api.bootstrap import Asiento
from api.statements import build_balance_sheet, build_income_statement
from domain.chart import Side
from domain.errors import Conflict, InvalidInput, PeriodClosed
from domain.statements import Statement
from projections import queries
from projections.tables import journal_entries, journal_lines
from tests.integration.helpers import CAPITAL, CASH, ENERGY_PURCHASES, SUPPLIERS, entry

DEBTORS, SALES, VAT_DEBIT, SALARIES = "1.1.03.01", "4.1.01.01", "2.1.02.01", "5.2.01"
RESULT_OF_YEAR, UNASSIGNED = "3.3.02", "3.3.01"


def hand_worked_year(asiento: Asiento) -> None:
    entry(asiento, date(2026, 1, 2), (CASH, Side.DEBIT, "100000.00"), (CAPITAL, Side.CREDIT, "100000.00"))
    entry(
        asiento,
        date(2026, 3, 15),
        (ENERGY_PURCHASES, Side.DEBIT, "40000.00"),
        (SUPPLIERS, Side.CREDIT, "40000.00"),
    )
    entry(
        asiento,
        date(2026, 3, 31),
        (DEBTORS, Side.DEBIT, "60500.00"),
        (SALES, Side.CREDIT, "50000.00"),
        (VAT_DEBIT, Side.CREDIT, "10500.00"),
    )
    entry(asiento, date(2026, 4, 30), (CASH, Side.DEBIT, "30000.00"), (DEBTORS, Side.CREDIT, "30000.00"))
    entry(asiento, date(2026, 5, 31), (SALARIES, Side.DEBIT, "8000.00"), (CASH, Side.CREDIT, "8000.00"))
    asiento.runner.catch_up()


def lines_of(statement: Statement) -> dict[str, tuple[Decimal, ...]]:
    return {line.code or line.name: line.amounts for section in statement.sections for line in section.lines}


def entry_lines(asiento: Asiento, kind: str) -> list[tuple[str, int, int]]:
    e, ln = journal_entries.c, journal_lines.c
    query = (
        select(ln.account_code, ln.debit_cents, ln.credit_cents)
        .join(journal_entries, e.entry_id == ln.entry_id)
        .where(e.kind == kind)
        .order_by(ln.entry_id, ln.line_no)
    )
    with asiento.read() as conn:
        return [tuple(row) for row in conn.execute(query)]  # type: ignore[misc]


def test_statements_before_closing(asiento: Asiento) -> None:
    hand_worked_year(asiento)
    with asiento.read() as conn:
        sheet = build_balance_sheet(conn, date(2026, 12, 31))
        income = build_income_statement(conn, date(2026, 1, 1), date(2026, 12, 31))
    assert [s.totals[0] for s in sheet.sections] == [
        Decimal("152500.00"),
        Decimal("50500.00"),
        Decimal("102000.00"),
    ]
    assert sheet.summary == (
        ("Total del activo", (Decimal("152500.00"), Decimal(0))),
        ("Total del pasivo y patrimonio neto", (Decimal("152500.00"), Decimal(0))),
    )
    found = lines_of(sheet)
    assert found["1"] == (Decimal("152500.00"), Decimal(0))  # ACTIVO header carries the subtotal
    assert found[CASH] == (Decimal("122000.00"), Decimal(0))
    assert found[DEBTORS] == (Decimal("30500.00"), Decimal(0))
    assert found["Resultado del ejercicio (no cerrado)"] == (Decimal("2000.00"), Decimal(0))
    assert income.summary[0][1] == (Decimal("2000.00"), Decimal(0))
    assert lines_of(income)[SALARIES] == (Decimal("8000.00"), Decimal(0))
    # A group line sits right before its children, with their sum.
    codes = [line.code for line in income.sections[0].lines]
    assert codes == ["4", "4.1", "4.1.01", SALES]


def test_close_records_the_closing_entry_and_locks_the_year(asiento: Asiento) -> None:
    hand_worked_year(asiento)
    outcome = year_end.close_year(asiento, 2026, recorded_by="contadora")
    assert outcome.result == Decimal("2000.00")
    asiento.runner.catch_up()
    assert entry_lines(asiento, "year_closing") == [
        (SALES, 5_000_000, 0),
        (ENERGY_PURCHASES, 0, 4_000_000),
        (SALARIES, 0, 800_000),
        (RESULT_OF_YEAR, 0, 200_000),
    ]
    with asiento.read() as conn:
        balances = {r.code: r.balance for r in queries.trial_balance(conn, date(2026, 12, 31)).rows}
        sheet = build_balance_sheet(conn, date(2026, 12, 31), compare=False)
        income = build_income_statement(conn, date(2026, 1, 1), date(2026, 12, 31), compare=False)
    assert balances[SALES] == balances[ENERGY_PURCHASES] == balances[SALARIES] == Decimal(0)
    assert balances[RESULT_OF_YEAR] == Decimal("-2000.00")
    assert "Resultado del ejercicio (no cerrado)" not in lines_of(sheet)
    assert lines_of(sheet)[RESULT_OF_YEAR] == (Decimal("2000.00"),)
    assert income.summary[0][1] == (Decimal("2000.00"),)  # the closed year still shows its results
    head = asiento.runner.head()
    with pytest.raises(Conflict, match="ya está cerrado"):
        year_end.close_year(asiento, 2026, recorded_by="contadora")
    with pytest.raises(PeriodClosed):
        entry(asiento, date(2026, 6, 1), (CASH, Side.DEBIT, "1.00"), (CAPITAL, Side.CREDIT, "1.00"))
    assert asiento.runner.head() == head


def test_open_next_year_carries_every_balance_sheet_account(asiento: Asiento) -> None:
    hand_worked_year(asiento)
    newly, none_yet = year_end.open_year(asiento, 2027, None, None, recorded_by="contadora")
    assert newly and none_yet is None  # 2026 still open: no opening entry yet
    entry(asiento, date(2027, 1, 10), (CASH, Side.DEBIT, "500.00"), (SALES, Side.CREDIT, "500.00"))
    year_end.close_year(asiento, 2026, recorded_by="contadora")
    newly, opening = year_end.open_year(asiento, 2027, None, None, recorded_by="contadora")
    assert not newly and opening is not None and opening.entry_id is not None
    asiento.runner.catch_up()
    assert entry_lines(asiento, "year_opening") == [
        (CASH, 12_200_000, 0),
        (DEBTORS, 3_050_000, 0),
        (SUPPLIERS, 0, 4_000_000),
        (VAT_DEBIT, 0, 1_050_000),
        (CAPITAL, 0, 10_000_000),
        (RESULT_OF_YEAR, 0, 200_000),
    ]
    assert entry_lines(asiento, "result_transfer") == [(RESULT_OF_YEAR, 200_000, 0), (UNASSIGNED, 0, 200_000)]
    with pytest.raises(Conflict, match="ya está abierto y tiene su asiento de apertura"):
        year_end.open_year(asiento, 2027, None, None, recorded_by="contadora")
    with asiento.read() as conn:
        sheet = build_balance_sheet(conn, date(2027, 1, 31))
    found = lines_of(sheet)
    # 2027 column: last year's balances carried plus January; 2026 column: January 2026.
    assert found[CASH] == (Decimal("122500.00"), Decimal("100000.00"))
    assert found["Resultado del ejercicio (no cerrado)"] == (Decimal("500.00"), Decimal(0))
    assert sheet.summary[0][1] == sheet.summary[1][1] == (Decimal("153000.00"), Decimal("100000.00"))


def test_reopen_reverses_closing_and_opening_then_close_again(asiento: Asiento) -> None:
    hand_worked_year(asiento)
    year_end.open_year(asiento, 2027, None, None, recorded_by="contadora")
    year_end.close_year(asiento, 2026, recorded_by="contadora")
    year_end.open_year(asiento, 2027, None, None, recorded_by="contadora")
    with pytest.raises(InvalidInput, match="motivo"):
        asiento.app.reopen_fiscal_year(2026, "  ", recorded_by="contadora")
    asiento.app.reopen_fiscal_year(2026, "Ajuste de auditoría", recorded_by="contadora")
    entry(asiento, date(2026, 12, 30), (SALARIES, Side.DEBIT, "1000.00"), (CASH, Side.CREDIT, "1000.00"))
    outcome = year_end.close_year(asiento, 2026, recorded_by="contadora")
    assert outcome.result == Decimal("1000.00")
    year_end.open_year(asiento, 2027, None, None, recorded_by="contadora")
    asiento.runner.catch_up()
    with asiento.read() as conn:
        balances = {r.code: r.balance for r in queries.trial_balance(conn, date(2027, 1, 1)).rows}
        kinds = [
            k for (k,) in conn.execute(select(journal_entries.c.kind).order_by(journal_entries.c.entry_id))
        ]
    assert kinds[-7:] == [
        "year_opening",
        "reversal",
        "reversal",
        "manual",
        "year_closing",
        "year_opening",
        "result_transfer",
    ]
    # Balances are cumulative: the opening entries are Diario records, not counted twice.
    assert balances[CASH] == Decimal("121000.00")
    assert balances[UNASSIGNED] == Decimal("-1000.00")  # the corrected 2026 surplus, once
    assert balances.get(RESULT_OF_YEAR, Decimal(0)) == Decimal(0)


def test_closing_requires_the_previous_year_closed(asiento: Asiento) -> None:
    year_end.open_year(asiento, 2027, None, None, recorded_by="contadora")
    with pytest.raises(Conflict, match="2026 sigue abierto"):
        year_end.close_year(asiento, 2027, recorded_by="contadora")
    with pytest.raises(InvalidInput, match="period close 2026"):
        asiento.app.close_period("2026", recorded_by="contadora")
