"""What the staff screens and the API read about one member: search, supplies, documents, payments,
readings and consumption. Every list takes an explicit limit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from domain.errors import NotFound
from domain.members import normalize_member_number
from projections.commercial_tables import (
    account_documents,
    members,
    payable_documents,
    readings,
    receipt_instruments,
    receipts,
    supplies,
)

Row = dict[str, Any]
MEMBER_NUMBER_DIGITS = 10


def _rows(conn: Connection, query: Any) -> list[Row]:
    return [dict(row) for row in conn.execute(query).mappings()]


def _search_condition(text: str) -> Any:
    """A number, a document (CUIT/DNI with or without dashes), a supply number or part of the name."""
    digits = "".join(ch for ch in text if ch.isdigit())
    by_supply = select(supplies.c.member_number).where(supplies.c.number == text.upper())
    conditions = [
        members.c.number == text,
        members.c.number.in_(by_supply),
        func.lower(members.c.name).contains(text.lower(), autoescape=True),
    ]
    if digits:
        conditions.append(members.c.document_number == digits)
    if text.isdigit() and len(text) <= MEMBER_NUMBER_DIGITS:
        conditions.append(members.c.number == normalize_member_number(text))
    return or_(*conditions)


def search_members(conn: Connection, text: str, limit: int, offset: int) -> tuple[list[Row], int]:
    condition = _search_condition(text.strip()) if text.strip() else None
    columns = (
        members.c.number,
        members.c.name,
        members.c.document_type,
        members.c.document_number,
        members.c.address,
    )
    query = select(*columns).order_by(members.c.number).limit(limit).offset(offset)
    count = select(func.count()).select_from(members)
    if condition is not None:
        query, count = query.where(condition), count.where(condition)
    return _rows(conn, query), int(conn.execute(count).scalar_one())


def member_row(conn: Connection, number: str) -> Row:
    found = conn.execute(select(members).where(members.c.number == number)).mappings().first()
    if found is None:
        raise NotFound(f"El asociado {number} no existe")
    return dict(found)


def member_supplies(conn: Connection, number: str) -> list[Row]:
    return _rows(
        conn,
        select(supplies)
        .where(supplies.c.member_number == number)
        .order_by(supplies.c.service, supplies.c.number),
    )


def supply_row(conn: Connection, number: str) -> Row:
    found = conn.execute(select(supplies).where(supplies.c.number == number)).mappings().first()
    if found is None:
        raise NotFound(f"El suministro {number} no existe")
    return dict(found)


def member_documents(conn: Connection, number: str, limit: int, offset: int = 0) -> list[Row]:
    d = account_documents.c
    query = (
        select(
            d.document_id,
            d.label,
            d.kind,
            d.supply_number,
            d.service,
            d.issue_date,
            d.due_date,
            d.total_cents,
            d.paid_cents,
        )
        .where(d.member_number == number)
        .order_by(d.issue_date.desc(), d.label.desc())
        .limit(limit)
        .offset(offset)
    )
    return _rows(conn, query)


def member_bills(conn: Connection, number: str, limit: int) -> list[Row]:
    """The consolidated payable documents (what is printed and paid with one barcode)."""
    p = payable_documents.c
    query = (
        select(
            p.document_id, p.period, p.sequence, p.number, p.issue_date, p.due_date, p.total_cents, p.barcode
        )
        .where(p.member_number == number)
        .order_by(p.period.desc(), p.sequence)
        .limit(limit)
    )
    return _rows(conn, query)


def member_receipts(conn: Connection, number: str, limit: int) -> list[Row]:
    r = receipts.c
    query = (
        select(r.receipt_id, r.receipt_date, r.channel, r.total_cents, r.annulled_on, r.session_id)
        .where(r.member_number == number)
        .order_by(r.receipt_date.desc(), r.event_position.desc())
        .limit(limit)
    )
    return _rows(conn, query)


def receipt_row(conn: Connection, receipt_id: str) -> Row:
    found = conn.execute(select(receipts).where(receipts.c.receipt_id == receipt_id)).mappings().first()
    if found is None:
        raise NotFound(f"El recibo {receipt_id} no existe")
    row = dict(found)
    row["instruments"] = _rows(
        conn,
        select(receipt_instruments)
        .where(receipt_instruments.c.receipt_id == receipt_id)
        .order_by(receipt_instruments.c.line_no),
    )
    return row


def member_readings(conn: Connection, supply_numbers: Sequence[str], limit: int) -> list[Row]:
    r = readings.c
    query = (
        select(
            r.supply_number,
            r.period,
            r.reading_date,
            r.value,
            r.consumption_units,
            r.estimated,
            r.held_reason,
        )
        .where(r.supply_number.in_(list(supply_numbers)))
        .order_by(r.period.desc(), r.supply_number)
        .limit(limit)
    )
    return _rows(conn, query)


def held_readings(conn: Connection, period: str, limit: int, offset: int) -> list[Row]:
    r = readings.c
    query = (
        select(r.supply_number, r.period, r.value, r.consumption_units, r.held_reason)
        .where(and_(r.period == period, r.held_reason.is_not(None)))
        .order_by(r.supply_number)
        .limit(limit)
        .offset(offset)
    )
    return _rows(conn, query)


def payable_by_barcode(conn: Connection, barcode: str) -> Row:
    p = payable_documents.c
    found = (
        conn.execute(
            select(p.member_number, p.document_id, p.period, p.total_cents).where(p.barcode == barcode)
        )
        .mappings()
        .first()
    )
    if found is None:
        raise NotFound(f"Ningún documento tiene el código de barras {barcode}")
    return dict(found)


def reading_row(conn: Connection, supply_number: str, period: str) -> Row:
    r = readings.c
    found = (
        conn.execute(
            select(r.supply_number, r.period, r.value, r.consumption_units, r.held_reason).where(
                and_(r.supply_number == supply_number, r.period == period)
            )
        )
        .mappings()
        .first()
    )
    if found is None:
        raise NotFound(f"No hay lectura de {supply_number} en {period}")
    return dict(found)
