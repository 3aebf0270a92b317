"""Treasury movements: money moving between cash, cheques to deposit and banks.

Each movement is a fact with its accounts named by role (the accounts
themselves are chart codes the cooperative configures per bank and desk):

- ``cash_deposit``: cash from a desk into a bank account;
- ``cheque_deposit``: third-party cheques from the portfolio into a bank account;
- ``transfer``: between two of the cooperative's bank accounts;
- ``bank_fee``: a fee or tax the bank debited.

The movement's id doubles as the idempotency key (a bank statement line, a
deposit slip number).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.calendar import FiscalCalendar
from domain.chart import ChartOfAccounts
from domain.errors import InvalidInput
from domain.money import ZERO, parse_amount

# Which account each kind takes money from and puts it into, when not given.
KINDS = {
    "cash_deposit": "Depósito de efectivo",
    "cheque_deposit": "Depósito de cheques de terceros",
    "transfer": "Transferencia entre cuentas",
    "bank_fee": "Gastos e impuestos bancarios",
}


class TreasuryMovement(Aggregate):
    @event("TreasuryMovementRecorded")
    def __init__(
        self,
        effective_date: date,
        kind: str,
        from_account: str,
        to_account: str,
        amount: Decimal,
        reference: str,
        description: str,
        recorded_by: str,
        id: UUID | None = None,
    ) -> None:
        self.kind = kind
        self.amount = amount

    @classmethod
    def record(
        cls,
        *,
        effective_date: date,
        kind: str,
        from_account: str,
        to_account: str,
        amount: Decimal | str,
        reference: str,
        chart: ChartOfAccounts,
        calendar: FiscalCalendar,
        recorded_by: str,
        movement_id: UUID | None = None,
    ) -> TreasuryMovement:
        if kind not in KINDS:
            raise InvalidInput(f"Movimiento {kind!r} desconocido; use {', '.join(KINDS)}")
        value = parse_amount(amount, field="importe")
        if value <= ZERO:
            raise InvalidInput("El importe del movimiento debe ser mayor que cero")
        if from_account == to_account:
            raise InvalidInput("La cuenta de origen y la de destino son la misma")
        chart.require_postable(from_account)
        chart.require_postable(to_account)
        calendar.require_open(effective_date)
        return cls(
            effective_date=effective_date,
            kind=kind,
            from_account=from_account,
            to_account=to_account,
            amount=value,
            reference=reference.strip(),
            description=KINDS[kind],
            recorded_by=recorded_by,
            id=movement_id,
        )
