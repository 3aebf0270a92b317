"""Manual journal entries, tariff tables, collections in suspense and the cheque portfolio."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from eventsourcing.application import AggregateNotFoundError
from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from api.web.deps import AccountingWrite, CollectionsRead, Context, MembersRead, Paging, TreasuryRead
from api.web.idempotency import KeyHeader, id_for_key
from domain.chart import Side
from domain.errors import AlreadyRecorded, InvalidInput, NotFound
from domain.journal import EntryLine
from domain.money import from_cents
from domain.tariff_book import TariffBook, tariff_book_id
from projections.commercial_tables import cheques, collections_in_suspense

router = APIRouter(prefix="/api/v1")


class EntryLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account: str = Field(min_length=1, max_length=32)
    debit: Decimal = Field(default=Decimal(0), ge=0, le=10**12)
    credit: Decimal = Field(default=Decimal(0), ge=0, le=10**12)


class EntryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    effective_date: date
    description: str = Field(min_length=1, max_length=200)
    lines: list[EntryLineIn] = Field(min_length=2, max_length=500)


class EntryPublic(BaseModel):
    entry_id: str


def _line(line: EntryLineIn) -> EntryLine:
    """One side per line: what the accountant typed in the debit or the credit column."""
    if (line.debit > 0) == (line.credit > 0):
        raise InvalidInput(f"Cuenta {line.account}: indique el debe o el haber (uno solo, mayor que cero)")
    side, amount = (Side.DEBIT, line.debit) if line.debit > 0 else (Side.CREDIT, line.credit)
    return EntryLine(line.account, side, amount, {})


@router.post("/journal/entries", tags=["contabilidad"], status_code=201)
def post_entry(
    context: Context, body: EntryCreate, actor: AccountingWrite, response: Response, key: KeyHeader = None
) -> EntryPublic:
    """Asiento manual: todas las líneas o ninguna; la clave de idempotencia evita asentarlo dos veces."""
    entry_id = id_for_key("journal-entry", actor.username, key)
    lines = [_line(line) for line in body.lines]
    try:
        posted = context.command(
            lambda: context.asiento.app.post_entry(
                effective_date=body.effective_date,
                description=body.description,
                lines=lines,
                recorded_by=actor.username,
                entry_id=entry_id,
            )
        )
    except AlreadyRecorded:
        assert entry_id is not None
        response.status_code = 200
        posted = entry_id
    return EntryPublic(entry_id=posted.hex)


@router.get("/tariffs/{service}", tags=["servicios"])
def tariff_versions(context: Context, service: str, _: MembersRead) -> list[dict[str, Any]]:
    """Las versiones publicadas del cuadro tarifario del servicio, con el texto tal como se cargó."""
    try:
        book: TariffBook = context.asiento.app.repository.get(tariff_book_id(service))
    except AggregateNotFoundError:
        raise NotFound(f"El servicio {service} no tiene cuadro tarifario") from None
    return [
        {"valid_from": v["valid_from"], "source_name": v["source_name"], "source_text": v["source_text"]}
        for v in book.versions
    ]


@router.get("/collections/suspense", tags=["cobranzas"])
def suspense(context: Context, _: CollectionsRead, page: Paging) -> list[dict[str, Any]]:
    """Cobranzas a imputar: lo que las redes cobraron sin documento que coincida."""
    s = collections_in_suspense.c
    with context.asiento.read() as conn:
        rows = conn.execute(
            select(s.payment_key, s.network, s.payment_date, s.amount_cents, s.barcode, s.reason)
            .order_by(s.payment_date, s.payment_key)
            .limit(page.limit)
            .offset(page.offset)
        )
        return [
            {
                **{k: v for k, v in r.items() if k != "amount_cents"},
                "amount": str(from_cents(r["amount_cents"])),
            }
            for r in rows.mappings()
        ]


@router.get("/treasury/cheques", tags=["tesorería"])
def cheque_portfolio(
    context: Context,
    _: TreasuryRead,
    page: Paging,
    state: Annotated[
        str | None, Query(max_length=12, description="portfolio, deposited, endorsed, rejected")
    ] = None,
) -> list[dict[str, Any]]:
    c = cheques.c
    query = select(c.cheque_id, c.member_number, c.reference, c.amount_cents, c.received_on, c.state)
    if state:
        query = query.where(c.state == state)
    with context.asiento.read() as conn:
        rows = conn.execute(query.order_by(c.received_on, c.cheque_id).limit(page.limit).offset(page.offset))
        return [
            {
                **{k: v for k, v in r.items() if k != "amount_cents"},
                "amount": str(from_cents(r["amount_cents"])),
            }
            for r in rows.mappings()
        ]
