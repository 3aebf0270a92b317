"""Reimbursement of capital shares (Ley 20.337 art. 32): a queue in request order.

An associate who left asks for the integrated capital back; the request moves
that capital from equity to a liability (cuotas sociales a reembolsar). Each
fiscal year the cooperative pays at most a cap (5% by default, data in
``adapters/data/cooperative.toml``) of the integrated capital shown by the last
closed year's balance, serving requests strictly in request order.

Partial payments (our reading of art. 32, which caps the yearly amount and
keeps the order): when the first waiting request does not fit in what is left
of the year's cap, it is paid partially with what is left and keeps its place
at the head of the queue; the requests after it wait for the next year, even a
smaller one that would fit (skipping ahead would break the order of requests).

Example, cap 5% of 1,000,000.00 = 50,000.00 a year; requests A 30,000.00,
B 40,000.00, C 5,000.00: year 1 pays A 30,000.00 and B 20,000.00; year 2 pays
B 20,000.00 and C 5,000.00.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import Conflict, InvalidInput
from domain.identity import stable_id
from domain.money import CENT, ZERO

QUEUE_ID = stable_id("capital-reimbursement-queue")


def reimbursement_cap(integrated_capital: Decimal, cap_percent: Decimal) -> Decimal:
    """The yearly cap, rounded down to the cent: it is a maximum, never exceeded."""
    return (integrated_capital * cap_percent / 100).quantize(CENT, rounding=ROUND_DOWN)


@dataclass(frozen=True)
class ReimbursementRequest:
    member_number: str
    requested_on: date
    amount: Decimal
    paid: Decimal = ZERO

    @property
    def pending(self) -> Decimal:
        return self.amount - self.paid


@dataclass(frozen=True)
class ReimbursementLine:
    """Field names of one payment line as stored in the event (rules read them)."""

    member_number: str
    amount: Decimal


def plan_payments(requests: list[ReimbursementRequest], available: Decimal) -> list[dict[str, object]]:
    """What ``available`` pays of the queue, in order; the first that does not fit is paid in part."""
    lines: list[dict[str, object]] = []
    for request in requests:
        if available <= ZERO:
            break
        paying = min(request.pending, available)
        lines.append({"member_number": request.member_number, "amount": paying})
        available -= paying
    return lines


class ReimbursementQueue(Aggregate):
    """Every reimbursement request and payment of the cooperative (one aggregate: a few hundred)."""

    @staticmethod
    def create_id(*_: Any, **__: Any) -> UUID:
        return QUEUE_ID

    @event("Created")
    def __init__(self) -> None:
        self.requests: list[ReimbursementRequest] = []
        self.paid_by_year: dict[int, Decimal] = {}

    def waiting(self) -> list[ReimbursementRequest]:
        """Requests not fully paid, in request order (date, then the order they were entered)."""
        pending = [r for r in self.requests if r.pending > ZERO]
        return sorted(pending, key=lambda r: r.requested_on)  # stable: entry order breaks ties

    def request(self, member_number: str, amount: Decimal, requested_on: date, *, recorded_by: str) -> None:
        if any(r.member_number == member_number for r in self.requests):
            raise Conflict(f"El asociado {member_number} ya pidió el reembolso de su capital")
        if amount <= ZERO:
            raise InvalidInput(f"El asociado {member_number} no tiene capital integrado que reembolsar")
        self._requested(
            member_number=member_number, amount=amount, effective_date=requested_on, recorded_by=recorded_by
        )

    def pay(
        self,
        *,
        fiscal_year: int,
        base_year: int,
        integrated_capital: Decimal,
        cap_percent: Decimal,
        account: str,
        effective_date: date,
        recorded_by: str,
    ) -> Decimal:
        """Pay the queue within the year's cap; returns the amount paid."""
        cap = reimbursement_cap(integrated_capital, cap_percent)
        available = cap - self.paid_by_year.get(fiscal_year, ZERO)
        due = [r for r in self.waiting() if r.requested_on <= effective_date]
        if not due:
            raise Conflict(f"No hay pedidos de reembolso pendientes al {effective_date:%d/%m/%Y}")
        if available <= ZERO:
            raise Conflict(
                f"El tope de reembolsos del ejercicio {fiscal_year} ($ {cap}, {cap_percent}% del capital "
                f"integrado al cierre de {base_year}) ya está usado: los pedidos esperan al próximo ejercicio"
            )
        lines = plan_payments(due, available)
        total = sum((Decimal(str(ln["amount"])) for ln in lines), ZERO)
        self._paid(
            fiscal_year=fiscal_year,
            base_year=base_year,
            integrated_capital=integrated_capital,
            cap=cap,
            account=account,
            lines=lines,
            total=total,
            effective_date=effective_date,
            recorded_by=recorded_by,
        )
        return total

    @event("ReimbursementRequested")
    def _requested(self, member_number: str, amount: Decimal, effective_date: date, recorded_by: str) -> None:
        self.requests.append(ReimbursementRequest(member_number, effective_date, amount))

    @event("ReimbursementsPaid")
    def _paid(
        self,
        fiscal_year: int,
        base_year: int,
        integrated_capital: Decimal,
        cap: Decimal,
        account: str,
        lines: list[dict[str, object]],
        total: Decimal,
        effective_date: date,
        recorded_by: str,
    ) -> None:
        paid = {str(ln["member_number"]): Decimal(str(ln["amount"])) for ln in lines}
        self.requests = [replace(r, paid=r.paid + paid.get(r.member_number, ZERO)) for r in self.requests]
        self.paid_by_year[fiscal_year] = self.paid_by_year.get(fiscal_year, ZERO) + total
