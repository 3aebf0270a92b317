"""Libro Diario with daily summaries of the Subdiario de Ventas: numbering and agreement to the cent."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from api.bootstrap import Asiento
from domain.chart import Side
from ledger_rules.books import load_subledgers, summarized_events
from projections.diario_queries import diario, subledger_entries
from tests.integration.helpers import CAPITAL, CASH, STANDARD_INVOICE_LINES, entry, invoice_header

SALES_EVENTS = frozenset({"InvoiceIssued"})


def a_month(asiento: Asiento) -> None:
    entry(asiento, date(2026, 1, 15), (CASH, Side.DEBIT, "1000.00"), (CAPITAL, Side.CREDIT, "1000.00"))
    for number, day in ((1, 1), (2, 1), (3, 1), (4, 2)):
        asiento.app.issue_invoice(
            lines=STANDARD_INVOICE_LINES,
            recorded_by="test",
            **invoice_header(number, effective_date=date(2026, 2, day)),
        )
    entry(asiento, date(2026, 2, 1), (CASH, Side.DEBIT, "50.00"), (CAPITAL, Side.CREDIT, "50.00"))
    asiento.runner.catch_up()


def test_the_default_books_summarise_sales_and_collections() -> None:
    books = load_subledgers()
    assert books["ventas"].title == "Subdiario de Ventas"
    assert summarized_events(books) == {
        "InvoiceIssued",
        "ReceiptIssued",
        "ReceiptAnnulled",
        "CollectionHeldInSuspense",
    }


def test_summary_entries_are_numbered_in_date_order_and_agree_with_the_detail(asiento: Asiento) -> None:
    a_month(asiento)
    with asiento.read() as conn:
        book = list(diario(conn, date(2026, 1, 1), date(2026, 12, 31), SALES_EVENTS))
        detail = list(subledger_entries(conn, SALES_EVENTS, date(2026, 1, 1), date(2026, 12, 31)))
        later = list(diario(conn, date(2026, 2, 2), date(2026, 12, 31), SALES_EVENTS))
        unsummarised = list(diario(conn, date(2026, 1, 1), date(2026, 12, 31), frozenset()))
    assert [(e.number, e.effective_date, e.description[:16]) for e in book] == [
        (1, date(2026, 1, 15), "Asiento de prueb"),
        (2, date(2026, 2, 1), "Resumen del día:"),
        (3, date(2026, 2, 1), "Asiento de prueb"),
        (4, date(2026, 2, 2), "Resumen del día:"),
    ]
    assert book[1].reference == "2026/2 a 2026/4" and "3 asientos" in book[1].description
    # Numbering continues from the start of the fiscal year when the report starts later.
    assert [e.number for e in later] == [4]
    assert [e.number for e in unsummarised] == [1, 2, 3, 4, 5, 6]
    # Summary = detail, per day and account, to the cent.
    summed: dict[tuple[date, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for row in detail:
        for line in row.lines:
            summed[(row.effective_date, line.account_code)][0] += line.debit
            summed[(row.effective_date, line.account_code)][1] += line.credit
    summarised: dict[tuple[date, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for item in (book[1], book[3]):
        for line in item.lines:
            summarised[(item.effective_date, line.account)][0] += line.debit
            summarised[(item.effective_date, line.account)][1] += line.credit
    assert summarised == summed
    assert book[1].total_debit == Decimal("3") * Decimal("14200.00")
    assert sum((e.total_debit for e in book), Decimal(0)) == sum(
        (e.total_debit for e in unsummarised), Decimal(0)
    )
