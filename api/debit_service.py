"""Automatic debit (débito automático): the request file for the bank and its result.

Members adhered with a CBU have their period's consolidated documents sent to
the bank; the bank's result file then records a receipt (instrument: transfer
to the bank account) for each debited document, and a rejection, with the
bank's reason, for each one it could not debit: that document simply stays
open. Receipt and rejection ids derive from the file number and the document
reference, so a result imported twice records nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from sqlalchemy import and_, func, select

from adapters.billing_settings import load_billing_settings
from adapters.collection_files import file_fingerprint
from adapters.debit_files import DebitOrder, DebitRequestFile, parse_debit_result, write_debit_request
from api.bootstrap import Asiento
from domain.bulk_aggregate import StandIn
from domain.cash_desk import CollectionFileImport, DebitRejection
from domain.errors import AlreadyRecorded, InvalidInput
from domain.identity import stable_id
from domain.money import from_cents
from projections.commercial_tables import account_documents, invoices, members, payable_documents
from projections.heap import bulk_heap

SERVICE_CODE = "ASIENTO"


def document_reference(period: str, number: int) -> str:
    """What the bank sends back to identify a document: period and consolidated number."""
    return f"{period.replace('-', '')}{number:08d}"


@dataclass
class DebitReport:
    orders: int = 0
    debited: int = 0
    rejected: int = 0
    debited_amount: Decimal = Decimal(0)


def export_debit_request(
    asiento: Asiento, period: str, file_number: int, output: Path, file_date: date
) -> DebitReport:
    """Every open consolidated document of the period of every adhered member."""
    asiento.runner.catch_up()
    p, m, d, i = payable_documents.c, members.c, account_documents.c, invoices.c
    owed = (
        select(i.payable_document_id, func.sum(d.total_cents - d.paid_cents).label("open_cents"))
        .join(account_documents, d.document_id == i.invoice_id)
        .group_by(i.payable_document_id)
        .subquery()
    )
    query = (
        select(m.debit_cbu, p.member_number, p.number, p.due_date, owed.c.open_cents)
        .join(members, m.number == p.member_number)
        .join(owed, owed.c.payable_document_id == p.document_id)
        .where(and_(p.period == period, m.debit_cbu.is_not(None), owed.c.open_cents > 0))
        .order_by(p.member_number, p.number)
    )
    with asiento.read() as conn:
        orders = tuple(
            DebitOrder(cbu, member, document_reference(period, number), due, from_cents(int(cents)))
            for cbu, member, number, due, cents in conn.execute(query)
        )
    cuit = load_billing_settings().cooperative.cuit
    output.write_bytes(
        write_debit_request(DebitRequestFile(cuit, SERVICE_CODE, file_date, file_number, orders))
    )
    return DebitReport(orders=len(orders))


@bulk_heap()
def import_debit_result(asiento: Asiento, path: Path, *, recorded_by: str) -> DebitReport:
    raw = path.read_bytes()
    file_id = stable_id("debit-result", file_fingerprint(raw))
    if asiento.app.recorder.select_events(file_id, limit=1):
        raise AlreadyRecorded("El archivo", path.name)
    result = parse_debit_result(raw)
    report = DebitReport(orders=len(result.outcomes))
    documents = _documents_by_reference(asiento)
    cache: dict[UUID, Any] = {}
    changed: dict[UUID, Aggregate | StandIn] = {}
    for outcome in result.outcomes:
        key = f"{result.file_number}/{outcome.order.document_reference}"
        document = documents.get(outcome.order.document_reference)
        if document is None:
            raise InvalidInput(f"{path.name}: el documento {outcome.order.document_reference} no existe")
        if not outcome.accepted:
            rejection = DebitRejection(
                effective_date=result.file_date,
                member_number=outcome.order.account_number,
                document_reference=outcome.order.document_reference,
                amount=outcome.order.amount,
                reject_code=outcome.reject_code,
                reason=outcome.reject_reason,
                recorded_by=recorded_by,
                id=stable_id("debit-rejection", key),
            )
            changed[rejection.id] = rejection
            report.rejected += 1
            continue
        _, touched = asiento.app.prepare_receipt(
            member_number=document[0],
            effective_date=result.file_date,
            open_invoice_ids=list(document[1]),
            chosen=list(document[1]),
            recorded_by=recorded_by,
            receipt_id=stable_id("debit-receipt", key),
            instruments=[{"kind": "transfer", "amount": outcome.order.amount, "reference": f"débito {key}"}],
            channel="debito_automatico",
            cache=cache,
        )
        changed.update({a.id: a for a in touched})
        report.debited += 1
        report.debited_amount += outcome.order.amount
    marker = CollectionFileImport(
        network="debito_automatico",
        file_name=path.name,
        fingerprint=file_fingerprint(raw),
        payments=len(result.outcomes),
        total=report.debited_amount,
        recorded_by=recorded_by,
        id=file_id,
    )
    asiento.app.save(*changed.values(), marker)
    asiento.runner.catch_up()
    return report


def _documents_by_reference(asiento: Asiento) -> dict[str, tuple[str, list[UUID]]]:
    p, i = payable_documents.c, invoices.c
    with asiento.read() as conn:
        rows = conn.execute(
            select(p.period, p.number, p.member_number, i.invoice_id).join(
                invoices, i.payable_document_id == p.document_id
            )
        )
        found: dict[str, tuple[str, list[UUID]]] = {}
        for period, number, member, invoice_id in rows:
            found.setdefault(document_reference(period, number), (member, []))[1].append(UUID(invoice_id))
    return found
