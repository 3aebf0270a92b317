"""``asiento billing print``: the PDF bill of a member's consolidated documents.

The view is built from the payable documents and readings read models and from
the invoices themselves (their lines live in the events, loaded by id: a member
has a handful per period).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, and_, select

from adapters.billing_settings import BillingSettings, load_billing_settings
from adapters.pdf_bill import (
    BillLine,
    BillView,
    ConsumptionPoint,
    CooperativeView,
    DocumentView,
    InvoiceView,
    MemberView,
    MeterReadingView,
    SupplyView,
    TotalsView,
    VatAmount,
    render_bill,
)
from api.bootstrap import Asiento
from domain.afip import IdKind, Letter, VatCondition
from domain.billing import PayableDocument
from domain.errors import NotFound
from domain.invoicing import Invoice
from domain.money import ZERO
from projections.billing_queries import shift_period
from projections.commercial_tables import members, payable_documents, readings, services, supplies

MONTHS_ES = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)


def period_label(period: str) -> str:
    year, month = period.split("-")
    return f"{MONTHS_ES[int(month) - 1].capitalize()} {year}"


@dataclass(frozen=True)
class _Registry:
    member: dict[str, Any]
    supplies: dict[str, dict[str, Any]]
    service_names: dict[str, tuple[str, str | None]]
    readings: dict[str, dict[str, dict[str, Any]]]


def print_member_bills(
    asiento: Asiento,
    member_number: str,
    period: str,
    output_dir: Path,
    settings: BillingSettings | None = None,
) -> list[Path]:
    settings = settings or load_billing_settings()
    with asiento.read() as conn:
        documents = (
            conn.execute(
                select(payable_documents)
                .where(
                    and_(
                        payable_documents.c.member_number == member_number,
                        payable_documents.c.period == period,
                    )
                )
                .order_by(payable_documents.c.sequence)
            )
            .mappings()
            .all()
        )
        if not documents:
            raise NotFound(f"El asociado {member_number} no tiene documentos del período {period}")
        registry = _registry(conn, member_number, period)
    output_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for document in documents:
        payable: PayableDocument = asiento.app.repository.get(UUID(document["document_id"]))
        invoices: list[Invoice] = [asiento.app.repository.get(i) for i in payable.invoice_ids]
        view = BillView(
            _cooperative(settings),
            _member(registry.member),
            _document(document, period),
            tuple(_supply(inv, registry, period) for inv in invoices),
        )
        path = output_dir / f"factura-{member_number}-{period}-{document['sequence']}.pdf"
        render_bill(view, path)
        paths.append(path)
    return paths


def _registry(conn: Connection, member_number: str, period: str) -> _Registry:
    member = conn.execute(select(members).where(members.c.number == member_number)).mappings().one()
    rows = conn.execute(select(supplies).where(supplies.c.member_number == member_number)).mappings().all()
    names = {
        code: (name, unit)
        for code, name, unit in conn.execute(select(services.c.code, services.c.name, services.c.unit))
    }
    first = shift_period(period, -12)
    by_supply: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in conn.execute(
        select(readings).where(
            and_(
                readings.c.supply_number.in_([r["number"] for r in rows]),
                readings.c.period >= first,
                readings.c.period <= period,
            )
        )
    ).mappings():
        by_supply[row["supply_number"]][row["period"]] = dict(row)
    return _Registry(dict(member), {r["number"]: dict(r) for r in rows}, names, by_supply)


def _cooperative(settings: BillingSettings) -> CooperativeView:
    coop = settings.cooperative
    return CooperativeView(
        coop.name, coop.cuit, coop.address, coop.iibb, coop.activity_start, contact=coop.inaes_registration
    )


def _member(row: dict[str, Any]) -> MemberView:
    return MemberView(
        row["number"],
        row["name"],
        IdKind(row["document_type"]),
        row["document_number"],
        VatCondition(row["vat_condition"]),
        row["postal_address"].replace(", ", "\n"),
    )


def _document(row: Any, period: str) -> DocumentView:
    return DocumentView(
        row["number"],
        row["issue_date"],
        period_label(period),
        row["due_date"],
        Decimal(row["total_cents"]) / 100,
        row["second_due_date"],
        Decimal(row["second_due_total_cents"]) / 100,
        row["barcode"],
    )


def _supply(invoice: Invoice, registry: _Registry, period: str) -> SupplyView:
    supply = registry.supplies[invoice.supply_number]
    service_name, unit = registry.service_names.get(invoice.service, (invoice.service, None))
    lines = [ln for ln in invoice.lines if ln["kind"] != "vat"]
    vat_by_rate: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
    for ln in invoice.lines:
        if ln["kind"] == "vat":
            vat_by_rate[ln["vat_rate"]] += ln["amount"]
    net = sum((ln["amount"] for ln in lines if ln["kind"] == "charge" and ln["in_vat_base"]), ZERO)
    levies = sum((ln["amount"] for ln in lines if ln["kind"] == "levy"), ZERO)
    vat = tuple(VatAmount(rate, amount) for rate, amount in sorted(vat_by_rate.items()))
    other = invoice.total - net - levies - sum(vat_by_rate.values(), ZERO)
    history = registry.readings.get(invoice.supply_number, {})
    return SupplyView(
        service_name=service_name,
        supply_number=invoice.supply_number,
        address=supply["address"],
        category=invoice.category,
        invoice=InvoiceView(
            Letter(invoice.letter), invoice.document_type, invoice.point_of_sale, invoice.number,
            invoice.cae, invoice.cae_due,
        ),
        lines=tuple(BillLine(ln["description"] or ln["concept"], ln["amount"]) for ln in lines),
        totals=TotalsView(net, vat, levies, invoice.total, other),
        reading=_reading(supply, history.get(period), unit),
        history=tuple(
            ConsumptionPoint(f"{p[5:]}/{p[2:4]}", Decimal(r["consumption_units"]))
            for p, r in sorted(history.items())[-12:]
        )
        if unit
        else (),
        service_from=invoice.period_start,
        service_to=invoice.period_end,
    )


def _reading(supply: dict[str, Any], row: dict[str, Any] | None, unit: str | None) -> MeterReadingView | None:
    if row is None or unit is None or row["previous_value"] is None:
        return None
    return MeterReadingView(
        meter_serial=supply["meter_serial"] or "",
        previous=Decimal(row["previous_value"]),
        previous_date=_previous_date(row),
        current=Decimal(row["value"]),
        current_date=row["reading_date"],
        consumption=Decimal(row["consumption_units"]),
        unit=unit,
        multiplier=Decimal(supply["meter_multiplier"] or 1),
        estimated=bool(row["estimated"]),
    )


def _previous_date(row: dict[str, Any]) -> date:
    return row.get("previous_date") or row["reading_date"]
