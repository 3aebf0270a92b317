"""verify --deep and the auditor's replay: the log rebuilt elsewhere gives the same books."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from api import year_end
from api.bootstrap import Asiento
from api.deep_verify import scratch_engine, verify_deep
from api.statements import build_balance_sheet, build_income_statement
from domain.chart import Side
from projections import queries
from projections.diario_queries import diario
from tests.integration.helpers import (
    CAPITAL,
    CASH,
    ENERGY_PURCHASES,
    STANDARD_INVOICE_LINES,
    SUPPLIERS,
    entry,
    invoice_header,
)


def some_books(asiento: Asiento) -> None:
    entry(asiento, date(2026, 1, 2), (CASH, Side.DEBIT, "9000.00"), (CAPITAL, Side.CREDIT, "9000.00"))
    entry(
        asiento,
        date(2026, 2, 3),
        (ENERGY_PURCHASES, Side.DEBIT, "700.00"),
        (SUPPLIERS, Side.CREDIT, "700.00"),
    )
    for number in (1, 2):
        asiento.app.issue_invoice(lines=STANDARD_INVOICE_LINES, recorded_by="test", **invoice_header(number))
    year_end.open_year(asiento, 2027, None, None, recorded_by="test")
    year_end.close_year(asiento, 2026, recorded_by="test")
    year_end.open_year(asiento, 2027, None, None, recorded_by="test")
    asiento.runner.catch_up()


def test_deep_verify_finds_the_live_models_equal_to_a_replay(asiento: Asiento) -> None:
    some_books(asiento)
    report = verify_deep(asiento)
    assert report.difference is None
    assert report.position == asiento.runner.head()
    assert report.tables >= 20 and report.rows > 30


def test_deep_verify_names_the_first_row_that_differs(asiento: Asiento) -> None:
    some_books(asiento)
    with asiento.engine.begin() as conn:
        conn.execute(
            text("UPDATE journal_lines SET debit_cents = debit_cents + 1 WHERE entry_id = 2 AND line_no = 1")
        )
    report = verify_deep(asiento)
    assert report.difference is not None
    assert report.difference.table == "journal_lines"
    assert report.difference.key == (2, 1)
    assert report.difference.detail == "debit_cents: vivo 70001, reconstruido 70000"


def test_an_auditor_replaying_the_log_obtains_identical_reports(asiento: Asiento) -> None:
    some_books(asiento)
    with scratch_engine(asiento.config, None) as engine:
        asiento.scratch_runner(engine).catch_up()
        books = []
        for source in (asiento.engine, engine):
            with source.connect() as conn:
                books.append(
                    (
                        queries.trial_balance(conn, date(2027, 12, 31)),
                        build_balance_sheet(conn, date(2027, 1, 31)),
                        build_income_statement(conn, date(2026, 1, 1), date(2026, 12, 31)),
                        list(diario(conn, date(2026, 1, 1), date(2027, 12, 31), {"InvoiceIssued"})),
                        queries.journal(conn, date(2026, 1, 1), date(2027, 12, 31)),
                    )
                )
    live, replayed = books
    assert live == replayed
    assert len(live[4]) == 7  # 2 entries, 2 invoices, closing, opening, result transfer
