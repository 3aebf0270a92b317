"""The accounting reports as tables: one definition serves the API, the UI and the downloads."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from itertools import islice

from sqlalchemy import Connection

from adapters.report_files import Cell, ReportTable
from adapters.statement_files import statement_rows
from domain.cash_desk import INSTRUMENTS
from domain.errors import InvalidInput
from domain.statements import Statement
from ledger_rules.books import load_subledgers, summarized_events
from projections import queries
from projections.capital_queries import member_register
from projections.cash_queries import cash_closing
from projections.diario_queries import diario

MAX_JOURNAL_LINES = 50_000  # a download larger than this is a request for the books export


def at_most_journal_lines(lines: Iterable[tuple[Cell, ...]], what: str) -> list[tuple[Cell, ...]]:
    """The report's lines, refused whole (not cut short) beyond MAX_JOURNAL_LINES."""
    rows = list(islice(lines, MAX_JOURNAL_LINES + 1))
    if len(rows) > MAX_JOURNAL_LINES:
        raise InvalidInput(f"{what} del período supera {MAX_JOURNAL_LINES} líneas: acote las fechas")
    return rows


class ReportName(StrEnum):
    trial_balance = "trial-balance"
    ledger = "ledger"
    journal = "journal"
    cash_closing = "cash-closing"
    balance_sheet = "balance-sheet"
    income_statement = "income-statement"
    diario = "diario"
    member_register = "member-register"


REPORT_TITLES = {
    "trial-balance": "Balance de sumas y saldos",
    "ledger": "Mayor",
    "journal": "Asientos del diario",
    "cash-closing": "Cierre de caja",
    "balance-sheet": "Estado de situación patrimonial",
    "income-statement": "Estado de resultados",
    "diario": "Libro Diario (con resúmenes)",
    "member-register": "Registro de Asociados",
}


def statement_table(statement: Statement) -> ReportTable:
    """A balance sheet or an income statement, group lines indented, totals at the end."""
    rows: list[tuple[Cell, ...]] = [
        (code, "  " * level + label, *amounts) for code, label, level, _, amounts in statement_rows(statement)
    ]
    return ReportTable(
        f"{statement.title} — {statement.subtitle}", ("Cuenta", "Descripción", *statement.column_labels), rows
    )


def diario_table(conn: Connection, date_from: date, date_to: date) -> ReportTable:
    """The Libro Diario as the law books it: numbered per fiscal year, bulk facts summarised per day."""
    summarized = summarized_events(load_subledgers())
    lines = (
        (
            e.number,
            e.effective_date.isoformat(),
            e.reference,
            e.description,
            ln.account,
            ln.name,
            ln.debit,
            ln.credit,
        )
        for e in diario(conn, date_from, date_to, summarized)
        for ln in e.lines
    )
    rows = at_most_journal_lines(lines, "El Libro Diario")
    return ReportTable(
        f"Libro Diario del {date_from:%d/%m/%Y} al {date_to:%d/%m/%Y}",
        ("N°", "Fecha", "Referencia", "Descripción", "Cuenta", "Nombre", "Debe", "Haber"),
        rows,
    )


def member_register_table(conn: Connection, as_of: date) -> ReportTable:
    rows = [
        (
            r.number,
            r.admission_date.isoformat(),
            r.board_minute,
            r.name,
            f"{r.document_type} {r.document_number}",
            r.address,
            r.subscribed,
            r.integrated,
            r.transferred_in,
            r.transferred_out,
            r.exit_date.isoformat() if r.exit_date else None,
            r.exit_cause,
        )
        for r in member_register(conn, as_of)
    ]
    return ReportTable(
        f"Registro de Asociados al {as_of:%d/%m/%Y}",
        (
            "Asociado",
            "Ingreso",
            "Acta",
            "Nombre",
            "Documento",
            "Domicilio",
            "Suscripto",
            "Integrado",
            "Recibido por transf.",
            "Transferido",
            "Egreso",
            "Causa",
        ),
        rows,
    )


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
    rows = at_most_journal_lines(lines, "El libro diario")
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
