"""The accounting reports as tables: one definition serves the API, the UI and the downloads."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from itertools import islice

from sqlalchemy import Connection

from adapters.report_files import Cell, ReportTable
from domain.cash_desk import INSTRUMENTS
from domain.errors import InvalidInput
from projections import queries
from projections.cash_queries import cash_closing

MAX_JOURNAL_LINES = 50_000  # a download larger than this is a request for the books export


class ReportName(StrEnum):
    trial_balance = "trial-balance"
    ledger = "ledger"
    journal = "journal"
    cash_closing = "cash-closing"


def trial_balance_table(conn: Connection, as_of: date) -> ReportTable:
    tb = queries.trial_balance(conn, as_of)
    rows = [(r.code, r.name, r.debit, r.credit, r.balance) for r in tb.rows]
    rows.append(("", "Totales", tb.total_debit, tb.total_credit, tb.total_debit - tb.total_credit))
    return ReportTable(
        f"Balance de sumas y saldos al {as_of:%d/%m/%Y}", ("Cuenta", "Nombre", "Debe", "Haber", "Saldo"), rows
    )


def ledger_table(conn: Connection, code: str, date_from: date, date_to: date) -> ReportTable:
    book = queries.ledger(conn, code, date_from, date_to)
    rows: list[tuple[Cell, ...]] = [("", "", "Saldo inicial", None, None, book.opening_balance)]
    rows += [
        (
            r.effective_date.isoformat(),
            f"{r.fiscal_year}/{r.number}",
            r.description,
            r.debit,
            r.credit,
            r.balance,
        )
        for r in book.rows
    ]
    return ReportTable(
        f"Mayor de {book.account.code} {book.account.name} del {date_from:%d/%m/%Y} al {date_to:%d/%m/%Y}",
        ("Fecha", "Asiento", "Descripción", "Debe", "Haber", "Saldo"),
        rows,
    )


def journal_table(conn: Connection, date_from: date, date_to: date) -> ReportTable:
    lines = (
        (
            e.effective_date.isoformat(),
            f"{e.fiscal_year}/{e.number}",
            e.description,
            ln.account_code,
            ln.account_name,
            ln.debit,
            ln.credit,
        )
        for e in queries.iter_journal(conn, date_from, date_to)
        for ln in e.lines
    )
    rows = list(islice(lines, MAX_JOURNAL_LINES + 1))
    if len(rows) > MAX_JOURNAL_LINES:
        raise InvalidInput(f"El libro diario del período supera {MAX_JOURNAL_LINES} líneas: acote las fechas")
    return ReportTable(
        f"Libro diario del {date_from:%d/%m/%Y} al {date_to:%d/%m/%Y}",
        ("Fecha", "Asiento", "Descripción", "Cuenta", "Nombre", "Debe", "Haber"),
        rows,
    )


def cash_closing_table(conn: Connection, day: date) -> ReportTable:
    closing = cash_closing(conn, day)
    rows = [
        (s.desk, s.cashier, INSTRUMENTS.get(kind, kind), amount)
        for s in closing.sessions
        for kind, amount in sorted(s.by_instrument.items())
    ]
    rows += [
        ("", "Total", INSTRUMENTS.get(kind, kind), amount) for kind, amount in closing.by_instrument().items()
    ]
    return ReportTable(
        f"Cierre de caja del {day:%d/%m/%Y}", ("Caja", "Cajero", "Medio de pago", "Importe"), rows
    )


def check_range(date_from: date, date_to: date) -> None:
    if date_from > date_to:
        raise InvalidInput(f"Fechas: desde {date_from} es posterior a hasta {date_to}")
