"""Third-party cheques (cheques de terceros) received from members.

A cheque enters the portfolio with the receipt that took it; from there it is
deposited in a bank, endorsed to a supplier, or rejected (bounced). A rejected
cheque goes back to the member's debt: the money the receipt counted never
arrived. Each step is a fact on the cheque; the rules post it.

Once rejected, the cheque is a document of the member's current account and is
paid at the counter like a bill: it offers the same payment interface as an
invoice (``balance``, ``apply_payment``, ``reverse_payment``), and receipts
credit Deudores por cheques rechazados for it (service ``rejected_cheque``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import Conflict, InvalidInput
from domain.identity import stable_id
from domain.money import ZERO

# The "service" a receipt's allocation names when it pays a rejected cheque.
REJECTED_CHEQUE_SERVICE = "rejected_cheque"

STATES = {
    "portfolio": "en cartera",
    "deposited": "depositado",
    "endorsed": "endosado",
    "rejected": "rechazado",
}


def cheque_id(receipt_id: UUID, line_no: int) -> UUID:
    return stable_id("third-party-cheque", f"{receipt_id.hex}/{line_no}")


class ThirdPartyCheque(Aggregate):
    @event("ChequeReceived")
    def __init__(
        self,
        receipt_id: UUID,
        member_number: str,
        amount: Decimal,
        reference: str,
        effective_date: date,
        id: UUID | None = None,
    ) -> None:
        self.member_number = member_number
        self.amount = amount
        self.reference = reference
        self.received_on = effective_date
        self.state = "portfolio"
        self.bank_account: str | None = None
        self.rejected_on: date | None = None
        self.repaid = ZERO

    # -- as a document of the current account, once rejected ---------------------------
    supply_number = ""
    service = REJECTED_CHEQUE_SERVICE

    @property
    def label(self) -> str:
        return f"Cheque rechazado {self.reference}"[:40]

    @property
    def effective_date(self) -> date:
        return self.rejected_on or self.received_on

    @property
    def due_date(self) -> date:
        return self.effective_date

    @property
    def balance(self) -> Decimal:
        return self.amount - self.repaid if self.state == "rejected" else ZERO

    def apply_payment(self, receipt_id: UUID, amount: Decimal) -> None:
        """A receipt pays (part of) the debt the rejection left."""
        if amount <= ZERO:
            raise InvalidInput("Un pago aplicado debe ser positivo")
        if amount > self.balance:
            raise Conflict(
                f"El cheque rechazado {self.reference} debe {self.balance}: no admite un pago de {amount}"
            )
        self._payment_applied(receipt_id=receipt_id, amount=amount)

    def reverse_payment(self, receipt_id: UUID, amount: Decimal) -> None:
        if amount <= ZERO or amount > self.repaid:
            raise Conflict(f"El cheque {self.reference} no registra un pago de {amount} para revertir")
        self._payment_reversed(receipt_id=receipt_id, amount=amount)

    @event("PaymentApplied")
    def _payment_applied(self, receipt_id: UUID, amount: Decimal) -> None:
        self.repaid += amount

    @event("PaymentReversed")
    def _payment_reversed(self, receipt_id: UUID, amount: Decimal) -> None:
        self.repaid -= amount

    def _require(self, *states: str) -> None:
        if self.state not in states:
            raise Conflict(f"El cheque {self.reference} está {STATES[self.state]}")

    def _check_date(self, day: date) -> None:
        if day < self.received_on:
            raise InvalidInput(f"El cheque {self.reference} se recibió el {self.received_on:%d/%m/%Y}")

    def deposit(self, bank_account: str, effective_date: date, *, recorded_by: str) -> None:
        self._require("portfolio")
        self._check_date(effective_date)
        self._deposited(
            bank_account=bank_account,
            effective_date=effective_date,
            amount=self.amount,
            reference=self.reference,
            recorded_by=recorded_by,
        )

    def endorse(self, supplier: str, effective_date: date, *, recorded_by: str) -> None:
        self._require("portfolio")
        self._check_date(effective_date)
        if not supplier.strip():
            raise InvalidInput("Indique el proveedor al que se endosa el cheque")
        self._endorsed(
            supplier=supplier.strip(),
            effective_date=effective_date,
            amount=self.amount,
            reference=self.reference,
            recorded_by=recorded_by,
        )

    def reject(self, reason: str, effective_date: date, *, recorded_by: str) -> None:
        """Bounced: out of the portfolio, or debited back by the bank it was deposited in."""
        self._require("portfolio", "deposited")
        self._check_date(effective_date)
        if not reason.strip():
            raise InvalidInput("Indique el motivo del rechazo")
        in_bank = self.state == "deposited"
        self._rejected(
            reason=reason.strip(),
            effective_date=effective_date,
            member_number=self.member_number,
            reference=self.reference,
            amount=self.amount,
            from_portfolio=Decimal(0) if in_bank else self.amount,
            from_bank=self.amount if in_bank else Decimal(0),
            bank_account=self.bank_account or "1.1.01.04",
            recorded_by=recorded_by,
        )

    @event("ChequeDeposited")
    def _deposited(
        self, bank_account: str, effective_date: date, amount: Decimal, reference: str, recorded_by: str
    ) -> None:
        self.state = "deposited"
        self.bank_account = bank_account

    @event("ChequeEndorsed")
    def _endorsed(
        self, supplier: str, effective_date: date, amount: Decimal, reference: str, recorded_by: str
    ) -> None:
        self.state = "endorsed"

    @event("ChequeRejected")
    def _rejected(
        self,
        reason: str,
        effective_date: date,
        member_number: str,
        reference: str,
        amount: Decimal,
        from_portfolio: Decimal,
        from_bank: Decimal,
        bank_account: str,
        recorded_by: str,
    ) -> None:
        self.state = "rejected"
        self.rejected_on = effective_date
