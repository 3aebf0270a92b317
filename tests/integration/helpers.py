from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from api.bootstrap import Asiento
from domain.chart import Side
from domain.journal import EntryLine
from projections.tables import (
    account_balances,
    account_dimension_balances,
    journal_entries,
    journal_lines,
    journal_sequences,
    ledger_accounts,
)

CASH, BANK, CAPITAL, ENERGY_PURCHASES, SUPPLIERS = "1.1.01.01", "1.1.01.10", "3.1.01", "5.1.01", "2.1.01.02"


def entry(asiento: Asiento, day: date, *spec: tuple[str, Side, str], **kw: Any) -> Any:
    return asiento.app.post_entry(
        effective_date=day,
        description=kw.pop("description", "Asiento de prueba"),
        lines=[EntryLine(code, side, Decimal(amount), kw.pop("dims", {})) for code, side, amount in spec],
        recorded_by="test",
        **kw,
    )


def snapshot(asiento: Asiento) -> dict[str, list[tuple[Any, ...]]]:
    """Every ledger read-model row, in a stable order, for comparisons."""
    tables = (ledger_accounts, journal_entries, journal_lines, journal_sequences,
              account_balances, account_dimension_balances)
    with asiento.read() as conn:
        result = {}
        for table in tables:
            columns = [c for c in table.c if c.name != "recorded_at"]
            keys = list(table.primary_key.columns)
            result[table.name] = [tuple(r) for r in conn.execute(select(*columns).order_by(*keys))]
    return result


def invoice_header(number: int = 1, **overrides: Any) -> dict[str, Any]:
    header: dict[str, Any] = {
        "effective_date": date(2026, 2, 1), "member_number": "0001", "supply_number": "E-0001",
        "service": "electricity", "category": "residential", "vat_condition": "Consumidor Final",
        "document_type": 6, "letter": "B", "point_of_sale": 1, "number": number,
        "period": "2026-01", "due_date": date(2026, 2, 15),
    }
    header.update(overrides)
    return header


STANDARD_INVOICE_LINES = [
    {"concept": "energy", "kind": "charge", "amount": "10000.00"},
    {"concept": "cuota_capital", "kind": "capital", "amount": "1500.00"},
    {"concept": "vat21", "kind": "vat", "amount": "2100.00", "vat_rate": "21"},
    {"concept": "municipal", "kind": "levy", "amount": "600.00"},
]
