"""The documents a billing run produces besides invoices.

- ``PayableDocument``: the consolidated document a member pays (one per member
  and period, joining the invoices of all their supplies) with one collection
  barcode; each invoice can still be paid alone.
- ``HeldBill``: a bill not issued because it looked wrong (Ley 24.240 art. 31: a
  consumption more than 75% above the average of the same period in the two
  previous years). A person releases it, then the run issues it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import event

from domain.bulk_aggregate import BulkCreated
from domain.errors import Conflict, InvalidInput
from domain.identity import stable_id
from domain.money import ZERO

# Consolidated payable documents are numbered in their own series (type 0).
PAYABLE_DOCUMENT_TYPE = 0

# Ley 24.240 art. 31: more than 75% above the two-year average is presumed wrong.
CONSUMER_PROTECTION_EXCESS = Decimal("0.75")


def payable_document_id(member_number: str, period: str, sequence: int) -> UUID:
    return stable_id("payable-document", f"{member_number}/{period}/{sequence}")


def invoice_id(supply_number: str, period: str) -> UUID:
    """The billing run's invoice of a supply for a period: one id, so a period is billed once."""
    return stable_id("invoice", f"{supply_number}/{period}")


def held_bill_id(supply_number: str, period: str) -> UUID:
    return stable_id("held-bill", f"{supply_number}/{period}")


def exceeds_consumer_protection_limit(consumption: Decimal, same_period_history: list[Decimal]) -> bool:
    """True when consumption is more than 75% above the average of the previous years' same period.

    Needs both previous years: with less history there is no legal presumption.
    """
    if len(same_period_history) < 2:
        return False
    average = sum(same_period_history[-2:], ZERO) / 2
    if average <= 0:
        return False
    return consumption > average * (1 + CONSUMER_PROTECTION_EXCESS)


class PayableDocument(BulkCreated):
    @event("PayableDocumentIssued")
    def __init__(
        self,
        member_number: str,
        period: str,
        sequence: int,
        number: int,
        effective_date: date,
        invoice_ids: list[UUID],
        total: Decimal,
        due_date: date,
        second_due_date: date,
        second_due_total: Decimal,
        barcode: str,
        recorded_by: str,
        id: UUID | None = None,
    ) -> None:
        self.member_number = member_number
        self.period = period
        self.invoice_ids = invoice_ids
        self.total = total

    @classmethod
    def issue(cls, *, member_number: str, period: str, sequence: int, number: int, effective_date: date,
              invoice_ids: list[UUID], total: Decimal, due_date: date, second_due_date: date,
              second_due_total: Decimal, barcode: str, recorded_by: str) -> PayableDocument:
        if not invoice_ids:
            raise InvalidInput(f"Documento del asociado {member_number}: sin facturas")
        if second_due_date < due_date or second_due_total < total:
            raise InvalidInput("El segundo vencimiento debe ser posterior y no menor en importe")
        return cls(member_number=member_number, period=period, sequence=sequence, number=number,
                   effective_date=effective_date, invoice_ids=invoice_ids, total=total,
                   due_date=due_date, second_due_date=second_due_date, second_due_total=second_due_total,
                   barcode=barcode, recorded_by=recorded_by,
                   id=payable_document_id(member_number, period, sequence))


class HeldBill(BulkCreated):
    @event("BillHeld")
    def __init__(
        self,
        supply_number: str,
        member_number: str,
        period: str,
        reason: str,
        consumption_units: Decimal,
        average_units: Decimal,
        computed_total: Decimal,
        recorded_by: str,
        id: UUID | None = None,
    ) -> None:
        self.supply_number = supply_number
        self.period = period
        self.released = False

    @classmethod
    def hold(cls, *, supply_number: str, member_number: str, period: str, reason: str,
             consumption_units: Decimal, average_units: Decimal, computed_total: Decimal,
             recorded_by: str) -> HeldBill:
        return cls(supply_number=supply_number, member_number=member_number, period=period, reason=reason,
                   consumption_units=consumption_units, average_units=average_units,
                   computed_total=computed_total, recorded_by=recorded_by,
                   id=held_bill_id(supply_number, period))

    def release(self, note: str, *, recorded_by: str) -> None:
        if self.released:
            raise Conflict(f"La factura retenida {self.supply_number} {self.period} ya fue liberada")
        if not note.strip():
            raise InvalidInput("Indique por qué se libera la factura (verificación realizada)")
        self._released(note=note.strip(), recorded_by=recorded_by)

    @event("BillReleased")
    def _released(self, note: str, recorded_by: str) -> None:
        self.released = True
