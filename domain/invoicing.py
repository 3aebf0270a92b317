"""Invoices (facturas) as facts: what was billed, to whom, for which supply.

The billing run computes the lines from tariffs; this aggregate records the
result and refuses documents whose totals do not close. Posting to the journal
happens in the posting rules (``ledger_rules``), never here.

Line kinds:
- ``charge``: a service charge (fixed charge, energy/volume blocks, unmetered fee);
  revenue for the cooperative, part of the VAT base when ``in_vat_base``.
- ``capital``: "cuota capital", credited to the member's capital account.
- ``levy``: municipal or provincial levies collected for third parties.
- ``vat``: VAT debit at ``vat_rate`` (21 or 27).
- ``perception``: VAT perception on non-categorised users.
- ``interest``: late-payment interest (on a debit note or the next bill).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.bulk_aggregate import BulkCreated, StandIn
from domain.calendar import FiscalCalendar
from domain.errors import Conflict, InvalidInput
from domain.money import ZERO, parse_amount

LINE_KINDS = frozenset({"charge", "capital", "levy", "vat", "perception", "interest"})


@dataclass(frozen=True)
class InvoiceLine:
    """Field names of one invoice line as stored in the event (rules read them)."""

    concept: str
    description: str
    kind: str
    amount: Decimal
    vat_rate: Decimal | None = None
    in_vat_base: bool = False


def invoice_line(raw: Mapping[str, Any], index: int) -> dict[str, Any]:
    kind = str(raw.get("kind", ""))
    if kind not in LINE_KINDS:
        raise InvalidInput(f"línea {index + 1}: tipo de línea {kind!r} inválido; use {sorted(LINE_KINDS)}")
    amount = parse_amount(raw.get("amount", ""), field=f"línea {index + 1} amount")
    vat_rate = raw.get("vat_rate")
    if kind == "vat" and vat_rate is None:
        raise InvalidInput(f"línea {index + 1}: una línea de IVA necesita la alícuota (vat_rate)")
    return {
        "concept": str(raw.get("concept", kind)),
        "description": str(raw.get("description", "")),
        "kind": kind,
        "amount": amount,
        "vat_rate": _rate(vat_rate),
        "in_vat_base": bool(raw.get("in_vat_base", kind == "charge")),
    }


def _rate(value: object) -> Decimal | None:
    """A VAT rate as Decimal; a Decimal is kept as it is (no round trip through text)."""
    if value is None or value.__class__ is Decimal:
        return value
    return Decimal(str(value))


class Invoice(BulkCreated):
    """One supply's bill for one period; the id derives from (supply, period)."""

    @event("InvoiceIssued")
    def __init__(
        self,
        effective_date: date,
        member_number: str,
        supply_number: str,
        service: str,
        category: str,
        vat_condition: str,
        document_type: int,
        letter: str,
        point_of_sale: int,
        number: int,
        period: str,
        period_start: date | None,
        period_end: date | None,
        due_date: date,
        second_due_date: date | None,
        second_due_total: Decimal | None,
        consumption_units: Decimal | None,
        payable_document_id: UUID | None,
        lines: list[dict[str, Any]],
        total: Decimal,
        recorded_by: str,
        interest_for: list[str] | None = None,  # "receipt/document" keys of late payments charged here
        id: UUID | None = None,
    ) -> None:
        self.effective_date = effective_date
        self.member_number = member_number
        self.supply_number = supply_number
        self.service = service
        self.category = category
        self.document_type = document_type
        self.letter = letter
        self.point_of_sale = point_of_sale
        self.number = number
        self.period = period
        self.period_start = period_start
        self.period_end = period_end
        self.consumption_units = consumption_units
        self.payable_document_id = payable_document_id
        self.due_date = due_date
        self.second_due_date = second_due_date
        self.second_due_total = second_due_total
        self.lines = lines
        self.total = total
        self.cae: str | None = None
        self.cae_due: date | None = None
        self.paid = ZERO

    @property
    def balance(self) -> Decimal:
        return self.total - self.paid

    def apply_payment(self, receipt_id: UUID, amount: Decimal) -> None:
        """Part of a receipt lands here; never more than what is owed (the balance is the guard)."""
        _check_payment(self, amount)
        # Triggered directly, as the decorated method would after matching its arguments to
        # the event's fields by name: that matching was half the cost (9.3 -> 4.5 us a payment).
        self.trigger_event(self.PaymentApplied, receipt_id=receipt_id, amount=amount)  # type: ignore[attr-defined]

    def reverse_payment(self, receipt_id: UUID, amount: Decimal) -> None:
        """An annulled receipt re-opens what it paid here."""
        if amount <= ZERO or amount > self.paid:
            raise Conflict(f"La factura no registra un pago de {amount} para revertir")
        self._payment_reversed(receipt_id=receipt_id, amount=amount)

    @event("PaymentApplied")
    def _payment_applied(self, receipt_id: UUID, amount: Decimal) -> None:
        self.paid += amount

    @event("PaymentReversed")
    def _payment_reversed(self, receipt_id: UUID, amount: Decimal) -> None:
        self.paid -= amount

    def record_cae(self, cae: str, cae_due: date, *, recorded_by: str) -> None:
        """AFIP's authorisation (WSFEv1 FECAESolicitar answer): 14 digits and its expiry."""
        if not (len(cae) == 14 and cae.isascii() and cae.isdigit()):
            raise InvalidInput(f"CAE inválido {cae!r}: son 14 dígitos")
        if self.cae is not None:
            label = f"{self.letter} {self.point_of_sale:05d}-{self.number:08d}"
            raise Conflict(f"La factura {label} ya tiene CAE {self.cae}")
        if cae_due < self.effective_date:
            raise InvalidInput("El vencimiento del CAE es anterior a la emisión")
        self._cae_recorded(cae=cae, cae_due=cae_due, recorded_by=recorded_by)

    @event("CaeRecorded")
    def _cae_recorded(self, cae: str, cae_due: date, recorded_by: str) -> None:
        self.cae = cae
        self.cae_due = cae_due

    @classmethod
    def issue(
        cls,
        *,
        calendar: FiscalCalendar,
        lines: Sequence[Mapping[str, Any]],
        recorded_by: str,
        period_start: date | None = None,
        period_end: date | None = None,
        second_due_date: date | None = None,
        second_due_total: Decimal | None = None,
        consumption_units: Decimal | None = None,
        payable_document_id: UUID | None = None,
        **header: Any,
    ) -> Invoice:
        checked = [invoice_line(raw, i) for i, raw in enumerate(lines)]
        if not checked:
            raise InvalidInput("La factura no tiene líneas")
        total = sum((ln["amount"] for ln in checked), ZERO)
        if total <= ZERO:
            raise InvalidInput(f"El total de la factura debe ser positivo (es {total})")
        calendar.require_open(header["effective_date"])
        if header["due_date"] < header["effective_date"]:
            raise InvalidInput("El vencimiento no puede ser anterior a la fecha de emisión")
        if second_due_date is not None and (second_due_date < header["due_date"] or second_due_total is None
                                            or second_due_total < total):
            raise InvalidInput("El segundo vencimiento debe ser posterior al primero y no menor en importe")
        if period_start and period_end and period_end < period_start:
            raise InvalidInput("El período de servicio termina antes de empezar")
        return cls(
            lines=checked, total=total, recorded_by=recorded_by, period_start=period_start,
            period_end=period_end, second_due_date=second_due_date, second_due_total=second_due_total,
            consumption_units=consumption_units, payable_document_id=payable_document_id, **header,
        )


def _check_payment(invoice: Invoice | PayableInvoice, amount: Decimal) -> None:
    if amount <= ZERO:
        raise InvalidInput("Un pago aplicado debe ser positivo")
    if amount > invoice.balance:
        raise Conflict(f"La factura {invoice.letter} {invoice.point_of_sale:05d}-{invoice.number:08d} debe "
                       f"{invoice.balance}: no admite un pago de {amount}")


class PayableInvoice(StandIn):
    """An invoice as paying it needs it, without its issue event's lines.

    A collection file pays an invoice per payment. Rebuilding each ``Invoice`` from its
    log decodes the issue event (2.7 KB, most of it lines) for what a payment never
    reads. Here what the invoice was issued with (labels, dates, total) is given by the
    caller, read from the ``invoices`` read model, where it never changes; what changes
    (the amount paid, the CAE) comes from applying the invoice's later events from the
    log, with their own ``apply``, to this object. Its ``version`` is then the log's, so
    the payment's event is saved at the next version: if anything was recorded for the
    invoice meanwhile, the save collides on that version and is refused, as a save of
    the whole ``Invoice`` would be. Never kept as an aggregate (no cache, no snapshot):
    its events are saved as events.
    """

    def __init__(
        self,
        *,
        id: UUID,
        member_number: str,
        supply_number: str,
        service: str,
        letter: str,
        point_of_sale: int,
        number: int,
        effective_date: date,
        due_date: date,
        total: Decimal,
    ) -> None:
        self.id = id
        self.version = Invoice.INITIAL_VERSION  # the issue event; later events raise it
        self.modified_on: Any = None
        self.member_number = member_number
        self.supply_number = supply_number
        self.service = service
        self.letter = letter
        self.point_of_sale = point_of_sale
        self.number = number
        self.effective_date = effective_date
        self.due_date = due_date
        self.total = total
        self.paid = ZERO
        self.cae: str | None = None
        self.cae_due: date | None = None
        self.pending_events: list[Any] = []

    @property
    def balance(self) -> Decimal:
        return self.total - self.paid

    def apply_payment(self, receipt_id: UUID, amount: Decimal) -> None:
        """As ``Invoice.apply_payment``: the same checks, the same event."""
        _check_payment(self, amount)
        self.trigger(Invoice.PaymentApplied, receipt_id=receipt_id, amount=amount)  # type: ignore[attr-defined]
