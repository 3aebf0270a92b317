"""The cash desk: sessions, receipts and their annulment.

A cashier opens a session with an opening float; every receipt is registered
in the session (so a closed session takes no more), and the closing count per
instrument is compared with what the session expects. A cash difference is
posted (surplus or shortage); any other instrument must match before closing.

A receipt pays documents (allocations, oldest first or as chosen), may leave
an overpayment as member credit, and may use the member's existing credit.
Annulling it is a new event that re-opens exactly what it paid; nothing is
deleted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.bulk_aggregate import BulkCreated
from domain.errors import Conflict, InvalidInput
from domain.money import ZERO, parse_amount

# Instrument kinds and what they are (the rules decide the accounts).
INSTRUMENTS = {
    "cash": "Efectivo",
    "cheque": "Cheque de terceros",
    "transfer": "Transferencia",
    "debit_card": "Tarjeta de débito",
    "credit_card": "Tarjeta de crédito",
    "retention_iva": "Certificado de retención de IVA",
    "retention_iibb": "Certificado de retención de Ingresos Brutos",
    "retention_ganancias": "Certificado de retención de Ganancias",
    "network": "Cobranza por red de pago",
}
NEEDS_REFERENCE = frozenset(INSTRUMENTS) - {"cash"}


@dataclass(frozen=True)
class InstrumentLine:
    """Fields of one instrument of a receipt as stored (the rules read them)."""

    kind: str
    amount: Decimal
    reference: str


@dataclass(frozen=True)
class AllocationLine:
    """Fields of one allocation of a receipt: what it paid of which document."""

    document_id: str
    label: str
    supply: str
    service: str
    amount: Decimal


MAX_INSTRUMENTS = 50


def check_instruments(raw: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Instruments as given at the counter: kind, amount and, but for cash, a reference."""
    if not raw:
        raise InvalidInput("El recibo necesita al menos un medio de pago")
    if len(raw) > MAX_INSTRUMENTS:
        raise InvalidInput(f"Un recibo admite hasta {MAX_INSTRUMENTS} medios de pago")
    checked = []
    for number, item in enumerate(raw, start=1):
        kind = str(item.get("kind", ""))
        if kind not in INSTRUMENTS:
            raise InvalidInput(f"Medio de pago {number}: {kind!r} no existe; use {', '.join(INSTRUMENTS)}")
        amount = parse_amount(item.get("amount", ""), field=f"medio de pago {number}")
        if amount <= ZERO:
            raise InvalidInput(f"Medio de pago {number}: el importe debe ser mayor que cero")
        reference = str(item.get("reference") or "").strip()
        if kind in NEEDS_REFERENCE and not reference:
            raise InvalidInput(f"Medio de pago {number} ({INSTRUMENTS[kind]}): falta el número o referencia")
        checked.append({"kind": kind, "amount": amount, "reference": reference})
    return checked


def totals_by_kind(instruments: Sequence[Mapping[str, Any]]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for item in instruments:
        totals[item["kind"]] += item["amount"]
    return dict(totals)


class CashSession(Aggregate):
    @event("CashSessionOpened")
    def __init__(
        self,
        desk: str,
        cashier: str,
        effective_date: date,
        opening_float: Decimal,
        recorded_by: str,
        id: UUID | None = None,
    ) -> None:
        self.desk = desk
        self.cashier = cashier
        self.effective_date = effective_date
        self.opening_float = opening_float
        self.expected: dict[str, Decimal] = {"cash": opening_float}
        self.receipts: set[UUID] = set()
        self.closed = False

    @classmethod
    def open(
        cls,
        *,
        desk: str,
        cashier: str,
        effective_date: date,
        opening_float: Decimal | str,
        recorded_by: str,
        session_id: UUID | None = None,
    ) -> CashSession:
        """``session_id``: chosen by a client that may retry (an idempotency key)."""
        if not desk.strip() or not cashier.strip():
            raise InvalidInput("Indique la caja y el cajero")
        amount = parse_amount(opening_float, field="fondo fijo")
        if amount < ZERO:
            raise InvalidInput("El fondo de apertura no puede ser negativo")
        return cls(
            desk=desk.strip(),
            cashier=cashier.strip(),
            effective_date=effective_date,
            opening_float=amount,
            recorded_by=recorded_by,
            id=session_id,
        )

    def require_open(self) -> None:
        if self.closed:
            raise Conflict(f"La sesión de caja {self.desk} del {self.effective_date:%d/%m/%Y} está cerrada")

    def register(self, receipt_id: UUID, instruments: Sequence[Mapping[str, Any]]) -> None:
        self.require_open()
        self._registered(
            receipt_id=receipt_id, amounts={k: v for k, v in totals_by_kind(instruments).items()}
        )

    def withdraw(self, receipt_id: UUID, instruments: Sequence[Mapping[str, Any]]) -> None:
        """An annulled receipt's money leaves the drawer (only while the session is open)."""
        self.require_open()
        if receipt_id not in self.receipts:
            raise Conflict(f"El recibo {receipt_id} no es de esta sesión")
        self._withdrawn(receipt_id=receipt_id, amounts=totals_by_kind(instruments))

    def close(self, counted: Mapping[str, Decimal | str], effective_date: date, *, recorded_by: str) -> None:
        self.require_open()
        count = {kind: parse_amount(value, field=f"arqueo {kind}") for kind, value in counted.items()}
        unknown = set(count) - set(INSTRUMENTS)
        if unknown:
            raise InvalidInput(f"Arqueo: medios desconocidos {sorted(unknown)}")
        for kind, expected in self.expected.items():
            if kind != "cash" and count.get(kind, ZERO) != expected:
                raise Conflict(
                    f"Arqueo de {INSTRUMENTS[kind]}: se esperaban {expected} y se contaron "
                    f"{count.get(kind, ZERO)}; revise antes de cerrar"
                )
        difference = count.get("cash", ZERO) - self.expected.get("cash", ZERO)
        self._closed(
            effective_date=effective_date,
            expected=dict(self.expected),
            counted=count,
            cash_surplus=max(difference, ZERO),
            cash_shortage=max(-difference, ZERO),
            recorded_by=recorded_by,
        )

    @event("ReceiptRegistered")
    def _registered(self, receipt_id: UUID, amounts: dict[str, Decimal]) -> None:
        self.receipts.add(receipt_id)
        for kind, amount in amounts.items():
            self.expected[kind] = self.expected.get(kind, ZERO) + amount

    @event("ReceiptWithdrawn")
    def _withdrawn(self, receipt_id: UUID, amounts: dict[str, Decimal]) -> None:
        for kind, amount in amounts.items():
            self.expected[kind] = self.expected.get(kind, ZERO) - amount

    @event("CashSessionClosed")
    def _closed(
        self,
        effective_date: date,
        expected: dict[str, Decimal],
        counted: dict[str, Decimal],
        cash_surplus: Decimal,
        cash_shortage: Decimal,
        recorded_by: str,
    ) -> None:
        self.closed = True


class Receipt(BulkCreated):
    """A receipt (recibo); its id is the idempotency key of the payment."""

    @event("ReceiptIssued")
    def __init__(
        self,
        effective_date: date,
        member_number: str,
        session_id: UUID | None,
        channel: str,
        instruments: list[dict[str, Any]],
        allocations: list[dict[str, Any]],
        credit_used: Decimal,
        credit_left: Decimal,
        total: Decimal,
        recorded_by: str,
        surcharge: Decimal = ZERO,
        id: UUID | None = None,
    ) -> None:
        self.effective_date = effective_date
        self.member_number = member_number
        self.session_id = session_id
        self.instruments = instruments
        self.allocations = allocations
        self.credit_used = credit_used
        self.credit_left = credit_left
        self.total = total
        self.surcharge = surcharge  # second-due surcharge collected: revenue, not debt
        self.annulled = False

    def annul(self, reason: str, effective_date: date, *, recorded_by: str) -> None:
        if self.annulled:
            raise Conflict(f"El recibo {self.id} ya fue anulado")
        if not reason.strip():
            raise InvalidInput("Indique el motivo de la anulación")
        if effective_date < self.effective_date:
            raise InvalidInput("La anulación no puede ser anterior al recibo")
        self._annulled(
            reason=reason.strip(),
            effective_date=effective_date,
            member_number=self.member_number,
            instruments=self.instruments,
            allocations=self.allocations,
            credit_used=self.credit_used,
            credit_left=self.credit_left,
            total=self.total,
            surcharge=self.surcharge,
            recorded_by=recorded_by,
        )

    @event("ReceiptAnnulled")
    def _annulled(
        self,
        reason: str,
        effective_date: date,
        member_number: str,
        instruments: list[dict[str, Any]],
        allocations: list[dict[str, Any]],
        credit_used: Decimal,
        credit_left: Decimal,
        total: Decimal,
        recorded_by: str,
        surcharge: Decimal = ZERO,
    ) -> None:
        self.annulled = True


class UnmatchedCollection(BulkCreated):
    """Money a network collected that matches no open document: kept in suspense for review."""

    @event("CollectionHeldInSuspense")
    def __init__(
        self,
        effective_date: date,
        network: str,
        payment_key: str,
        amount: Decimal,
        barcode: str,
        reason: str,
        recorded_by: str,
        id: UUID | None = None,
    ) -> None:
        self.amount = amount
        self.reason = reason


class CollectionFileImport(Aggregate):
    """A network's result file, imported once: its id derives from the file's fingerprint."""

    @event("CollectionFileImported")
    def __init__(
        self,
        network: str,
        file_name: str,
        fingerprint: str,
        payments: int,
        total: Decimal,
        recorded_by: str,
        id: UUID | None = None,
    ) -> None:
        self.network = network
        self.payments = payments


class DebitRejection(Aggregate):
    """The bank did not debit a document: it stays open, with the bank's reason for review."""

    @event("DebitRejected")
    def __init__(
        self,
        effective_date: date,
        member_number: str,
        document_reference: str,
        amount: Decimal,
        reject_code: str,
        reason: str,
        recorded_by: str,
        id: UUID | None = None,
    ) -> None:
        self.reason = reason
