"""Report output: rich tables for people (Spanish), JSON for machines.

JSON amounts are decimal strings; each report is a list of rows and a totals object.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table

from domain.money import format_ar
from projections.queries import AccountRow, JournalEntryRow, Ledger, TrialBalance

# Piped output (files, CI logs) gets a wide page instead of rich's 80 columns.
console = Console(width=None if sys.stdout.isatty() else 160)

TYPE_NAMES = {
    "asset": "Activo",
    "liability": "Pasivo",
    "equity": "Patrimonio neto",
    "revenue": "Ingresos",
    "expense": "Egresos",
}


def money(amount: Decimal) -> str:
    return str(amount)


def print_json(payload: Any) -> None:
    print(json.dumps(payload, ensure_ascii=False, indent=2))


def trial_balance_json(tb: TrialBalance) -> dict[str, Any]:
    return {
        "as_of": tb.as_of.isoformat(),
        "accounts": [
            {
                "code": r.code,
                "name": r.name,
                "debit": money(r.debit),
                "credit": money(r.credit),
                "balance": money(r.balance),
            }
            for r in tb.rows
        ],
        "totals": {"debit": money(tb.total_debit), "credit": money(tb.total_credit)},
    }


def print_trial_balance(tb: TrialBalance) -> None:
    table = Table(title=f"Balance de sumas y saldos al {tb.as_of:%d/%m/%Y}")
    for header, justify in (
        ("Cuenta", "left"), ("Nombre", "left"), ("Debe", "right"), ("Haber", "right"),
        ("Saldo deudor", "right"), ("Saldo acreedor", "right"),
    ):
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    for r in tb.rows:
        balance = r.balance
        table.add_row(
            r.code, r.name, format_ar(r.debit), format_ar(r.credit),
            format_ar(balance) if balance > 0 else "", format_ar(-balance) if balance < 0 else "",
        )
    debit_balances = sum((r.balance for r in tb.rows if r.balance > 0), Decimal(0))
    credit_balances = -sum((r.balance for r in tb.rows if r.balance < 0), Decimal(0))
    table.add_row(
        "", "Totales", format_ar(tb.total_debit), format_ar(tb.total_credit),
        format_ar(debit_balances), format_ar(credit_balances), style="bold",
    )
    console.print(table)


def accounts_json(accounts: Sequence[AccountRow]) -> dict[str, Any]:
    return {
        "accounts": [
            {
                "code": a.code, "name": a.name, "account_type": a.account_type,
                "normal_balance": a.normal_balance, "parent_code": a.parent_code,
                "header": a.header, "is_open": a.is_open,
            }
            for a in accounts
        ],
        "totals": {"count": len(accounts)},
    }


def print_accounts(accounts: Sequence[AccountRow]) -> None:
    table = Table(title="Plan de cuentas")
    for header in ("Código", "Nombre", "Tipo", "Saldo normal", "Imputable", "Estado"):
        table.add_column(header)
    for a in accounts:
        depth = a.code.count(".")
        table.add_row(
            a.code, "  " * depth + a.name, TYPE_NAMES[a.account_type],
            "Deudor" if a.normal_balance == "debit" else "Acreedor",
            "no" if a.header else "sí", "abierta" if a.is_open else "cerrada",
            style="bold" if a.header else None,
        )
    console.print(table)


def journal_json(entries: Sequence[JournalEntryRow], date_from: Any, date_to: Any) -> dict[str, Any]:
    debit = sum((ln.debit for e in entries for ln in e.lines), Decimal(0))
    credit = sum((ln.credit for e in entries for ln in e.lines), Decimal(0))
    return {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "entries": [
            {
                "entry_id": e.entry_id,
                "fiscal_year": e.fiscal_year,
                "number": e.number,
                "date": e.effective_date.isoformat(),
                "description": e.description,
                "event_position": e.event_position,
                "event": e.event_name,
                "rule": e.rule,
                "kind": e.kind,
                "recorded_by": e.recorded_by,
                "reverses_entry_id": e.reverses_entry_id,
                "reversed_by_entry_id": e.reversed_by_entry_id,
                "lines": [
                    {
                        "account": ln.account_code, "name": ln.account_name,
                        "debit": money(ln.debit), "credit": money(ln.credit),
                        "dimensions": ln.dimensions,
                    }
                    for ln in e.lines
                ],
            }
            for e in entries
        ],
        "totals": {"entries": len(entries), "debit": money(debit), "credit": money(credit)},
    }


def print_journal(entries: Sequence[JournalEntryRow], date_from: Any, date_to: Any) -> None:
    table = Table(title=f"Libro Diario del {date_from:%d/%m/%Y} al {date_to:%d/%m/%Y}")
    for header, justify in (
        ("Asiento", "left"), ("Fecha", "left"), ("Cuenta", "left"), ("Detalle", "left"),
        ("Debe", "right"), ("Haber", "right"),
    ):
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    total_debit = total_credit = Decimal(0)
    for e in entries:
        table.add_row(
            f"{e.fiscal_year}/{e.number}", f"{e.effective_date:%d/%m/%Y}", "", e.description, "", "",
            style="bold",
        )
        for ln in e.lines:
            total_debit += ln.debit
            total_credit += ln.credit
            table.add_row(
                "", "", ln.account_code, ln.account_name,
                format_ar(ln.debit) if ln.debit else "", format_ar(ln.credit) if ln.credit else "",
            )
    table.add_row("", "", "", "Totales", format_ar(total_debit), format_ar(total_credit), style="bold")
    console.print(table)


def ledger_json(book: Ledger) -> dict[str, Any]:
    return {
        "account": {"code": book.account.code, "name": book.account.name},
        "from": book.date_from.isoformat(),
        "to": book.date_to.isoformat(),
        "opening_balance": money(book.opening_balance),
        "rows": [
            {
                "date": r.effective_date.isoformat(), "entry": f"{r.fiscal_year}/{r.number}",
                "description": r.description, "debit": money(r.debit), "credit": money(r.credit),
                "balance": money(r.balance), "event_position": r.event_position, "rule": r.rule,
            }
            for r in book.rows
        ],
        "totals": {
            "debit": money(sum((r.debit for r in book.rows), Decimal(0))),
            "credit": money(sum((r.credit for r in book.rows), Decimal(0))),
            "closing_balance": money(book.closing_balance),
        },
    }


def print_ledger(book: Ledger) -> None:
    table = Table(
        title=f"Libro Mayor {book.account.code} {book.account.name} "
        f"del {book.date_from:%d/%m/%Y} al {book.date_to:%d/%m/%Y}"
    )
    for header, justify in (
        ("Fecha", "left"), ("Asiento", "left"), ("Detalle", "left"), ("Debe", "right"),
        ("Haber", "right"), ("Saldo", "right"),
    ):
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    table.add_row("", "", "Saldo inicial", "", "", format_ar(book.opening_balance), style="italic")
    for r in book.rows:
        table.add_row(
            f"{r.effective_date:%d/%m/%Y}", f"{r.fiscal_year}/{r.number}", r.description,
            format_ar(r.debit) if r.debit else "", format_ar(r.credit) if r.credit else "",
            format_ar(r.balance),
        )
    table.add_row("", "", "Saldo final", "", "", format_ar(book.closing_balance), style="bold")
    console.print(table)
