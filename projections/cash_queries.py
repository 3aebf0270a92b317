"""Cash closing (cierre de caja): per session and per day, totals per instrument."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, and_, func, select

from domain.money import ZERO, from_cents
from projections.commercial_tables import cash_sessions, receipt_instruments, receipts


@dataclass
class SessionClosing:
    session_id: str
    desk: str
    cashier: str
    opening_float: Decimal
    closed: bool
    cash_surplus: Decimal
    cash_shortage: Decimal
    receipts: int = 0
    annulled: int = 0
    by_instrument: dict[str, Decimal] = field(default_factory=dict)

    @property
    def collected(self) -> Decimal:
        return sum(self.by_instrument.values(), ZERO)


@dataclass(frozen=True)
class CashClosing:
    day: date
    sessions: list[SessionClosing]

    def by_instrument(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for session in self.sessions:
            for kind, amount in session.by_instrument.items():
                totals[kind] += amount
        return dict(sorted(totals.items()))


def cash_closing(conn: Connection, day: date) -> CashClosing:
    """Receipts not annulled on or before the day count; annulled ones are listed apart."""
    s, r, i = cash_sessions.c, receipts.c, receipt_instruments.c
    sessions = {
        row.session_id: SessionClosing(
            row.session_id,
            row.desk,
            row.cashier,
            from_cents(row.opening_float_cents),
            row.closed_on is not None,
            from_cents(row.cash_surplus_cents or 0),
            from_cents(row.cash_shortage_cents or 0),
        )
        for row in conn.execute(
            select(cash_sessions).where(s.session_date == day).order_by(s.desk, s.session_id)
        )
    }
    if not sessions:
        return CashClosing(day, [])
    live = and_(r.session_id.in_(list(sessions)), (r.annulled_on.is_(None)) | (r.annulled_on > day))
    for session_id, count in conn.execute(
        select(r.session_id, func.count()).where(live).group_by(r.session_id)
    ):
        sessions[session_id].receipts = int(count)
    annulled = and_(r.session_id.in_(list(sessions)), r.annulled_on <= day)
    for session_id, count in conn.execute(
        select(r.session_id, func.count()).where(annulled).group_by(r.session_id)
    ):
        sessions[session_id].annulled = int(count)
    query = (
        select(r.session_id, i.kind, func.sum(i.amount_cents))
        .join(receipt_instruments, i.receipt_id == r.receipt_id)
        .where(live)
        .group_by(r.session_id, i.kind)
    )
    for session_id, kind, cents in conn.execute(query):
        sessions[session_id].by_instrument[kind] = from_cents(int(cents))
    return CashClosing(day, list(sessions.values()))
