"""Chart, fiscal calendar and manual entries: the checks, with no I/O."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.calendar import FiscalCalendar
from domain.chart import AccountType, ChartOfAccounts, Side
from domain.errors import (
    AccountClosed,
    AccountNotPostable,
    Conflict,
    DuplicateAccount,
    EntryAlreadyReversed,
    InvalidAmount,
    InvalidInput,
    NoOpenFiscalYear,
    PeriodClosed,
    UnbalancedEntry,
    UnknownAccount,
)
from domain.journal import EntryLine, JournalEntry, line_from_input


@pytest.fixture
def chart() -> ChartOfAccounts:
    chart = ChartOfAccounts()
    chart.open_account("1", "Activo", "asset", header=True)
    chart.open_account("1.1", "Caja", "asset", parent_code="1")
    chart.open_account("1.2", "Banco", "asset", parent_code="1")
    chart.open_account("4", "Ingresos", "revenue", header=True)
    chart.open_account("4.1", "Ventas de energía", "revenue", parent_code="4")
    return chart


@pytest.fixture
def calendar() -> FiscalCalendar:
    calendar = FiscalCalendar()
    calendar.open_year(2026)
    return calendar


def lines(*spec: tuple[str, Side, str]) -> list[EntryLine]:
    return [EntryLine(code, side, Decimal(amount)) for code, side, amount in spec]


def post(chart: ChartOfAccounts, calendar: FiscalCalendar, entry_lines: list[EntryLine],
         day: date = date(2026, 3, 1)) -> JournalEntry:
    return JournalEntry.post(effective_date=day, description="Prueba", lines=entry_lines,
                             chart=chart, calendar=calendar, recorded_by="test")


def test_account_types_carry_their_normal_balance(chart: ChartOfAccounts) -> None:
    assert chart.get("1.1").normal_balance is Side.DEBIT
    assert chart.get("4.1").normal_balance is Side.CREDIT
    assert AccountType.REVENUE.is_result and not AccountType.ASSET.is_result


def test_chart_refuses_bad_accounts(chart: ChartOfAccounts) -> None:
    with pytest.raises(DuplicateAccount):
        chart.open_account("1.1", "Otra caja", "asset", parent_code="1")
    with pytest.raises(InvalidInput, match="Código de cuenta inválido"):
        chart.open_account("1.x", "Mala", "asset", parent_code="1")
    with pytest.raises(InvalidInput, match="no es de agrupación"):
        chart.open_account("1.1.1", "Hija", "asset", parent_code="1.1")
    with pytest.raises(InvalidInput, match="no puede colgar"):
        chart.open_account("1.3", "Deuda", "liability", parent_code="1")
    with pytest.raises(UnknownAccount):
        chart.open_account("9.1", "Huérfana", "expense", parent_code="9")
    with pytest.raises(InvalidInput, match="Tipo de cuenta inválido"):
        chart.open_account("7", "Rara", "gasto")


def test_balanced_entry_is_recorded(chart: ChartOfAccounts, calendar: FiscalCalendar) -> None:
    entry = post(chart, calendar, lines(("1.1", Side.DEBIT, "100.00"), ("4.1", Side.CREDIT, "100.00")))
    assert [e.__class__.__name__ for e in entry.collect_events()] == ["ManualEntryPosted"]
    assert entry.lines[0] == {"account": "1.1", "side": "debit", "amount": Decimal("100.00"),
                              "dimensions": {}}


@pytest.mark.parametrize(
    ("entry_lines", "error"),
    [
        (lines(("1.1", Side.DEBIT, "100.00"), ("4.1", Side.CREDIT, "99.99")), UnbalancedEntry),
        (lines(("1.1", Side.DEBIT, "100.00"), ("9.9", Side.CREDIT, "100.00")), UnknownAccount),
        (lines(("1", Side.DEBIT, "100.00"), ("4.1", Side.CREDIT, "100.00")), AccountNotPostable),
        (lines(("1.1", Side.DEBIT, "100.00")), InvalidInput),
    ],
)
def test_bad_entries_are_refused(chart: ChartOfAccounts, calendar: FiscalCalendar,
                                 entry_lines: list[EntryLine], error: type[Exception]) -> None:
    with pytest.raises(error):
        post(chart, calendar, entry_lines)


def test_closed_account_is_refused(chart: ChartOfAccounts, calendar: FiscalCalendar) -> None:
    chart.close_account("1.2")
    with pytest.raises(AccountClosed):
        post(chart, calendar, lines(("1.2", Side.DEBIT, "1.00"), ("4.1", Side.CREDIT, "1.00")))


def test_line_input_refuses_zero_negative_both_sides_and_unknown_dimensions() -> None:
    with pytest.raises(InvalidAmount, match="mayor que cero"):
        line_from_input({"account": "1.1", "debit": "0"}, 0)
    with pytest.raises(InvalidAmount, match="mayor que cero"):
        line_from_input({"account": "1.1", "credit": "-5.00"}, 0)
    with pytest.raises(InvalidInput, match="uno solo"):
        line_from_input({"account": "1.1", "debit": "5", "credit": "5"}, 0)
    with pytest.raises(InvalidInput, match="dimensión desconocida"):
        line_from_input({"account": "1.1", "debit": "5", "dimensions": {"color": "rojo"}}, 0)
    line = line_from_input({"account": "1.1", "credit": "5.5", "dimensions": {"member": 12}}, 3)
    assert line == EntryLine("1.1", Side.CREDIT, Decimal("5.50"), {"member": "12"})


def test_dates_outside_open_years_and_closed_periods_are_refused(
    chart: ChartOfAccounts, calendar: FiscalCalendar
) -> None:
    ok = lines(("1.1", Side.DEBIT, "1.00"), ("4.1", Side.CREDIT, "1.00"))
    with pytest.raises(NoOpenFiscalYear):
        post(chart, calendar, ok, date(2025, 12, 31))
    calendar.close_period("2026-03")
    with pytest.raises(PeriodClosed, match="2026-03"):
        post(chart, calendar, ok, date(2026, 3, 31))
    post(chart, calendar, ok, date(2026, 4, 1))
    calendar.close_year(2026)
    with pytest.raises(PeriodClosed, match="ejercicio 2026"):
        post(chart, calendar, ok, date(2026, 4, 1))
    with pytest.raises(Conflict):
        calendar.close_year(2026)
    with pytest.raises(InvalidInput, match="motivo"):
        calendar.reopen_year(2026, " ")
    calendar.reopen_year(2026, "Ajuste pedido por auditoría")
    post(chart, calendar, ok, date(2026, 4, 1))


def test_fiscal_years_do_not_overlap_and_can_be_non_calendar() -> None:
    calendar = FiscalCalendar()
    calendar.open_year(2026, date(2025, 7, 1))
    assert calendar.get_year(2026).end_date == date(2026, 6, 30)
    assert calendar.year_of(date(2026, 1, 15)).year == 2026
    assert calendar.get_year(2026).months()[:2] == ["2025-07", "2025-08"]
    with pytest.raises(Conflict, match="se superpone"):
        calendar.open_year(2027, date(2026, 6, 1))


def test_reversal_mirrors_lines_once(chart: ChartOfAccounts, calendar: FiscalCalendar) -> None:
    entry = post(chart, calendar, lines(("1.1", Side.DEBIT, "10.00"), ("4.1", Side.CREDIT, "10.00")))
    reversal = entry.reverse(effective_date=date(2026, 3, 2), chart=chart, calendar=calendar,
                             recorded_by="test")
    assert reversal.reverses == entry.id and entry.reversed_by == reversal.id
    assert [(ln.account, ln.side) for ln in reversal.entry_lines()] == [
        ("1.1", Side.CREDIT), ("4.1", Side.DEBIT)]
    with pytest.raises(EntryAlreadyReversed):
        entry.reverse(effective_date=date(2026, 3, 2), chart=chart, calendar=calendar, recorded_by="t")
    with pytest.raises(InvalidInput, match="ya es una reversión"):
        reversal.reverse(effective_date=date(2026, 3, 2), chart=chart, calendar=calendar,
                         recorded_by="t")
