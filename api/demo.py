"""Sample data for ``make run``: a small cooperative's first days, posted for real.

Every sample fact has a stable id, so running the demo again adds nothing twice.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import date
from decimal import Decimal

from eventsourcing.persistence import IntegrityError

from api.bootstrap import Asiento
from domain.chart import Side
from domain.identity import stable_id
from domain.journal import EntryLine, JournalEntry
from ledger_rules import load_chart

DEMO_YEAR = 2026

SAMPLE_ENTRIES: list[tuple[str, date, str, list[tuple[str, Side, str]]]] = [
    ("capital", date(DEMO_YEAR, 1, 2), "Integración de cuotas sociales en efectivo",
     [("1.1.01.01", Side.DEBIT, "2500000.00"), ("3.1.01", Side.CREDIT, "2500000.00")]),
    ("deposito", date(DEMO_YEAR, 1, 5), "Depósito de efectivo en Banco Nación",
     [("1.1.01.10", Side.DEBIT, "2000000.00"), ("1.1.01.01", Side.CREDIT, "2000000.00")]),
    ("energia", date(DEMO_YEAR, 1, 31), "Compra de energía a CAMMESA, enero",
     [("5.1.01", Side.DEBIT, "1200000.00"), ("2.1.01.02", Side.CREDIT, "1200000.00")]),
]

SAMPLE_INVOICES = [
    ("0001", "E-0001", "electricity", "residential", "Consumidor Final", "B", 6, 1,
     [("fixed", "charge", "4500.00", None), ("energy", "charge", "18250.40", None),
      ("cuota_capital", "capital", "2737.56", None), ("vat21", "vat", "4777.58", "21"),
      ("municipal", "levy", "1365.02", None)]),
    ("0002", "W-0002", "water", "residential", "Consumidor Final", "B", 6, 2,
     [("fixed", "charge", "3200.00", None), ("volume", "charge", "5120.00", None),
      ("vat21", "vat", "1747.20", "21")]),
]


def run_demo(asiento: Asiento, *, recorded_by: str) -> date:
    app = asiento.app
    app.install_chart(load_chart(), recorded_by=recorded_by)
    if DEMO_YEAR not in app.calendar().years:
        app.open_fiscal_year(DEMO_YEAR, recorded_by=recorded_by)
    chart, calendar = app.chart(), app.calendar()
    for key, day, description, entry_lines in SAMPLE_ENTRIES:
        entry = JournalEntry.post(
            effective_date=day, description=description,
            lines=[EntryLine(code, side, Decimal(amount)) for code, side, amount in entry_lines],
            chart=chart, calendar=calendar, recorded_by=recorded_by,
            entry_id=stable_id("demo-entry", key),
        )
        _save_once(asiento, entry)
    for member, supply, service, category, vat, letter, doc_type, number, invoice_lines in SAMPLE_INVOICES:
        invoice_id = stable_id("demo-invoice", supply)
        if _exists(asiento, invoice_id):
            continue
        from domain.invoicing import Invoice

        invoice = Invoice.issue(
            calendar=calendar, recorded_by=recorded_by,
            lines=[{"concept": c, "kind": k, "amount": a, "vat_rate": r} for c, k, a, r in invoice_lines],
            effective_date=date(DEMO_YEAR, 2, 1), member_number=member, supply_number=supply,
            service=service, category=category, vat_condition=vat, document_type=doc_type,
            letter=letter, point_of_sale=1, number=number, period=f"{DEMO_YEAR}-01",
            due_date=date(DEMO_YEAR, 2, 15), id=invoice_id,
        )
        _save_once(asiento, invoice)
    return date(DEMO_YEAR, 12, 31)


def _exists(asiento: Asiento, aggregate_id: object) -> bool:
    return bool(asiento.app.recorder.select_events(aggregate_id, limit=1))  # type: ignore[arg-type]


def _save_once(asiento: Asiento, aggregate: object) -> None:
    with suppress(IntegrityError):  # recorded by an earlier run of the demo
        asiento.app.save(aggregate)  # type: ignore[arg-type]
