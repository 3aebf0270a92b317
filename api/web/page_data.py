"""What each UI page shows, read in a few queries (the 360° view must stay fast on a slow office PC)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import and_, select

from api.web.context import WebContext
from domain.cash_desk import CashSession
from domain.errors import NotFound
from domain.members import normalize_member_number
from domain.money import from_cents
from domain.supplies import STATE_NAMES
from projections import member_queries as mq
from projections.account_queries import Statement, member_statement
from projections.commercial_tables import cash_sessions

SEARCH_LIMIT = 50
CHART_PERIODS = 12
CHART_HEIGHT_PX = 80


@dataclass(frozen=True)
class Bar:
    period: str
    units: Decimal
    height_px: int


def search(context: WebContext, text: str) -> tuple[list[dict[str, Any]], int]:
    if not text.strip():
        return [], 0
    with context.asiento.read() as conn:
        return mq.search_members(conn, text, SEARCH_LIMIT, 0)


def consumption_bars(readings: list[dict[str, Any]]) -> dict[str, list[Bar]]:
    """Per supply, the last periods' consumption as bar heights (a chart without JavaScript)."""
    by_supply: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in readings:
        if len(by_supply[row["supply_number"]]) < CHART_PERIODS:
            by_supply[row["supply_number"]].append(row)
    charts = {}
    for supply, rows in by_supply.items():
        peak = max((Decimal(r["consumption_units"]) for r in rows), default=Decimal(0)) or Decimal(1)
        charts[supply] = [
            Bar(
                r["period"],
                Decimal(r["consumption_units"]),
                max(1, int(Decimal(r["consumption_units"]) * CHART_HEIGHT_PX / peak)),
            )
            for r in reversed(rows)
        ]
    return charts


def member_360(context: WebContext, number: str) -> dict[str, Any]:
    with context.asiento.read() as conn:
        member = mq.member_row(conn, number)
        supplies = mq.member_supplies(conn, number)
        statement = member_statement(conn, number, date.today())
        bills = mq.member_bills(conn, number, 24)
        receipts = mq.member_receipts(conn, number, 24)
        readings = mq.member_readings(conn, [s["number"] for s in supplies], 24 * max(1, len(supplies)))
    by_service: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for supply in supplies:
        by_service[supply["service"]].append({**supply, "state_name": STATE_NAMES[supply["state"]]})
    return {
        "member": member,
        "credit": from_cents(member["credit_cents"]),
        "supplies_by_service": dict(by_service),
        "statement": statement,
        "ageing": statement.ageing(),
        "bills": [{**b, "total": from_cents(b["total_cents"])} for b in bills],
        "receipts": [{**r, "total": from_cents(r["total_cents"])} for r in receipts],
        "readings": readings,
        "charts": consumption_bars(readings),
    }


def held(context: WebContext, period: str) -> list[dict[str, Any]]:
    with context.asiento.read() as conn:
        return mq.held_readings(conn, period, 500, 0)


def open_session_of(context: WebContext, cashier: str) -> dict[str, Any] | None:
    c = cash_sessions.c
    with context.asiento.read() as conn:
        row = (
            conn.execute(
                select(c.session_id, c.desk, c.session_date, c.opening_float_cents)
                .where(and_(c.cashier == cashier, c.closed_on.is_(None)))
                .order_by(c.session_date.desc())
                .limit(1)
            )
            .mappings()
            .first()
        )
    if row is None:
        return None
    session: CashSession = context.asiento.app.repository.get(UUID(row["session_id"]))
    return {**row, "expected": dict(session.expected)}


def statement_or_none(context: WebContext, member: str) -> Statement | None:
    try:
        with context.asiento.read() as conn:
            return member_statement(conn, normalize_member_number(member), date.today())
    except NotFound:
        return None
