"""What a billing run needs to know, read from the registry in chunks.

One query per chunk for the supplies due (with their members), one for the
readings of the period and of the history the run compares against, one for the
payable documents the members already have for the period: never a query per supply.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, and_, func, select

from domain.billing import held_bill_id, invoice_id
from domain.supplies import BILLABLE_STATES
from projections.bulk import among
from projections.commercial_tables import (
    document_payments,
    held_bills,
    invoices,
    members,
    payable_documents,
    readings,
    supplies,
)

HISTORY_PERIODS = 12


def shift_period(period: str, months: int) -> str:
    year, month = (int(part) for part in period.split("-"))
    index = year * 12 + (month - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclass(frozen=True)
class ReadingRow:
    period: str
    reading_date: date
    previous_date: date | None
    value: Decimal
    consumption_units: Decimal
    estimated: bool
    held_reason: str | None


@dataclass(frozen=True)
class LatePayment:
    """A payment made after its document's first due date whose interest no bill has charged yet."""

    key: str  # "receipt/document"
    label: str
    amount: Decimal
    due_date: date
    paid_on: date


@dataclass
class BillingCandidate:
    supply_number: str
    member_number: str
    service: str
    category: str
    beneficiaries: int
    member_name: str
    vat_condition: str
    document_type: str
    document_number: str
    held_released: bool
    meter_serial: str | None
    meter_digits: int | None
    meter_multiplier: Decimal | None
    initial_reading: Decimal | None
    connected_on: date | None
    readings: dict[str, ReadingRow] = field(default_factory=dict)
    late_payments: list[LatePayment] = field(default_factory=list)

    def reading(self, period: str) -> ReadingRow | None:
        return self.readings.get(period)

    def same_period_history(self, period: str) -> list[Decimal]:
        """Consumption of the same period one and two years before (oldest first), when read."""
        found = [self.readings.get(shift_period(period, -12 * years)) for years in (2, 1)]
        return [r.consumption_units for r in found if r is not None]

    def previous_readings(self, period: str) -> list[ReadingRow]:
        """Readings of the months before ``period``, oldest first."""
        rows = [self.readings.get(shift_period(period, -n)) for n in range(HISTORY_PERIODS, 0, -1)]
        return [r for r in rows if r is not None]


@dataclass(frozen=True)
class CandidateChunk:
    candidates: list[BillingCandidate]
    payables_so_far: dict[str, int]  # member -> payable documents already issued for the period
    last_member: str | None


def billing_chunk(
    conn: Connection,
    period: str,
    period_end: date,
    *,
    after_member: str,
    member_limit: int,
    service: str | None = None,
    zone: str | None = None,
) -> CandidateChunk:
    """The next ``member_limit`` members (after ``after_member``) with supplies due for ``period``.

    Members come from the supplies' member index alone, and what is already billed or held
    is read for the chunk's supplies by key: every query costs what the chunk holds. An
    anti-join against the period's invoices instead let the planner scan every supply after
    ``after_member`` for each chunk (its statistics go stale while the run fills the table):
    at 100,000 supplies that was half the run, and the run's last query alone took seconds.
    A chunk whose members are all billed (a resumed run) has no candidates but moves on."""
    s, m = supplies.c, members.c
    connected = and_(s.state.in_(sorted(BILLABLE_STATES)), s.connected_on <= period_end)
    if service:
        connected = and_(connected, s.service == service)
    if zone:
        connected = and_(connected, s.zone == zone)
    member_numbers = [
        row[0]
        for row in conn.execute(
            select(s.member_number)
            .where(and_(connected, s.member_number > after_member))
            .group_by(s.member_number)
            .order_by(s.member_number)
            .limit(member_limit)
        )
    ]
    if not member_numbers:
        return CandidateChunk([], {}, None)
    rows = conn.execute(
        select(
            s.number.label("supply_number"),
            s.member_number,
            s.service,
            s.category,
            s.beneficiaries,
            m.name.label("member_name"),
            m.vat_condition,
            m.document_type,
            m.document_number,
            s.meter_serial,
            s.meter_digits,
            s.meter_multiplier,
            s.initial_reading,
            s.connected_on,
        )
        .join(members, m.number == s.member_number)
        .where(and_(connected, among(conn, s.member_number, member_numbers)))
        .order_by(s.member_number, s.number)
    ).all()
    billed = _billed_or_held(conn, period, [row.supply_number for row in rows])
    candidates = [
        BillingCandidate(**row._mapping, held_released=billed.get(row.supply_number) is False)
        for row in rows
        if billed.get(row.supply_number) is not True
    ]
    _attach_readings(conn, candidates, period)
    _attach_late_payments(conn, candidates, period_end)
    return CandidateChunk(candidates, _payables_so_far(conn, period, member_numbers), member_numbers[-1])


def _billed_or_held(conn: Connection, period: str, supply_numbers: list[str]) -> dict[str, bool]:
    """Supplies not to bill now (True: the run's invoice for the period exists, or a held bill
    not released) and held bills released for billing (False).

    Both are looked up by their ids, which derive from (supply, period): the run's own
    idempotency key, so an invoice of another kind (a debit note dated in the period) does
    not count as the period's bill."""
    found: dict[str, bool] = {}
    if not supply_numbers:
        return found
    i, h = invoices.c, held_bills.c
    by_invoice = {invoice_id(number, period).hex: number for number in supply_numbers}
    for (key,) in conn.execute(select(i.invoice_id).where(among(conn, i.invoice_id, by_invoice))):
        found[by_invoice[key]] = True
    by_held = {held_bill_id(number, period).hex: number for number in supply_numbers}
    for key, released in conn.execute(
        select(h.aggregate_id, h.released).where(among(conn, h.aggregate_id, by_held))
    ):
        found.setdefault(by_held[key], not released)
    return found


def _attach_readings(conn: Connection, candidates: Sequence[BillingCandidate], period: str) -> None:
    """The period's reading and the same period one and two years before, for every metered supply;
    the twelve months before only for the few the collector did not read (the run estimates them)."""
    metered = {c.supply_number: c for c in candidates if c.meter_serial is not None}
    _read_periods(conn, metered, {period, shift_period(period, -12), shift_period(period, -24)})
    unread = {number: c for number, c in metered.items() if period not in c.readings}
    _read_periods(conn, unread, {shift_period(period, -n) for n in range(1, HISTORY_PERIODS + 1)})


def _read_periods(conn: Connection, by_supply: dict[str, BillingCandidate], periods: set[str]) -> None:
    if not by_supply:
        return
    r = readings.c
    query = select(
        r.supply_number,
        r.period,
        r.reading_date,
        r.previous_date,
        r.value,
        r.consumption_units,
        r.estimated,
        r.held_reason,
    ).where(and_(among(conn, r.supply_number, by_supply), r.period.in_(sorted(periods))))
    for supply_number, *fields in conn.execute(query):
        row = ReadingRow(*fields)
        by_supply[supply_number].readings[row.period] = row


def _payables_so_far(conn: Connection, period: str, member_numbers: list[str]) -> dict[str, int]:
    p = payable_documents.c
    counts: dict[str, int] = defaultdict(int)
    query = (
        select(p.member_number, func.count())
        .where(and_(p.period == period, among(conn, p.member_number, member_numbers)))
        .group_by(p.member_number)
    )
    for member_number, count in conn.execute(query):
        counts[member_number] = int(count)
    return counts


def _attach_late_payments(conn: Connection, candidates: Sequence[BillingCandidate], period_end: date) -> None:
    by_supply = {c.supply_number: c for c in candidates}
    p, i = document_payments.c, invoices.c
    rows = conn.execute(
        select(
            p.receipt_id,
            p.document_id,
            p.supply_number,
            p.amount_cents,
            p.paid_on,
            i.due_date,
            i.letter,
            i.point_of_sale,
            i.number,
        )
        .join(invoices, i.invoice_id == p.document_id)
        .where(
            and_(
                among(conn, p.supply_number, by_supply),
                p.annulled.is_(False),
                p.interest_invoice_id.is_(None),
                p.paid_on > i.due_date,
                p.paid_on <= period_end,
            )
        )
        .order_by(p.paid_on, p.receipt_id)
    )
    for receipt, document, supply, cents, paid_on, due, letter, pos, number in rows:
        by_supply[supply].late_payments.append(
            LatePayment(
                f"{receipt}/{document}",
                f"{letter} {pos:05d}-{number:08d}",
                Decimal(cents) / 100,
                due,
                paid_on,
            )
        )
