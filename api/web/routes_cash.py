"""Cash desk (sessions, receipts), collection files and treasury."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Query, Response, UploadFile
from sqlalchemy import select

from api.cli_cash import open_invoice_ids
from api.cli_support import parse_uuid
from api.collections_service import CollectionImport
from api.counter import record_counter_receipt
from api.web.context import WebContext
from api.web.deps import (
    CashAnnul,
    CashOperate,
    CashRead,
    CollectionsImport,
    Context,
    TreasuryRead,
    TreasuryWrite,
)
from api.web.idempotency import KeyHeader, id_for_key
from api.web.schemas import (
    AllocationPublic,
    BalanceRowPublic,
    CashSessionClose,
    CashSessionCreate,
    CashSessionPublic,
    CollectionImportPublic,
    ReceiptAnnul,
    ReceiptCreate,
    ReceiptPublic,
    TreasuryMovementCreate,
    TreasuryMovementPublic,
)
from api.web.uploads import uploaded
from domain.billing import PayableDocument
from domain.cash_desk import CashSession, Receipt
from domain.errors import AlreadyRecorded, Conflict, InvalidInput, NotFound
from domain.members import normalize_member_number
from domain.staff import StaffUser
from domain.treasury import TreasuryMovement
from projections import queries
from projections.commercial_tables import cash_sessions
from projections.member_queries import payable_by_barcode

router = APIRouter(prefix="/api/v1")


def _aggregate(context: WebContext, aggregate_id: UUID, kind: type[Any], what: str) -> Any:
    found = context.asiento.app._load(aggregate_id, what)
    if not isinstance(found, kind):
        raise NotFound(f"{what} {aggregate_id} no existe")
    return found


def session_public(session: CashSession) -> CashSessionPublic:
    return CashSessionPublic(
        session_id=session.id.hex,
        desk=session.desk,
        cashier=session.cashier,
        session_date=session.effective_date,
        opening_float=session.opening_float,
        closed=session.closed,
        expected=dict(session.expected),
    )


def receipt_public(receipt: Receipt) -> ReceiptPublic:
    return ReceiptPublic(
        receipt_id=receipt.id.hex,
        member_number=receipt.member_number,
        total=receipt.total,
        credit_left=receipt.credit_left,
        annulled=receipt.annulled,
        allocations=[AllocationPublic(label=a["label"], amount=a["amount"]) for a in receipt.allocations],
    )


# -- cash sessions -------------------------------------------------------------------------------
@router.post("/cash-sessions", tags=["caja"], status_code=201)
def open_session(
    context: Context, body: CashSessionCreate, actor: CashOperate, response: Response, key: KeyHeader = None
) -> CashSessionPublic:
    session_id = id_for_key("cash-session", actor.username, key)
    try:
        opened = context.command(
            lambda: context.asiento.app.open_cash_session(
                desk=body.desk,
                cashier=actor.username,
                effective_date=body.effective_date or date.today(),
                opening_float=str(body.opening_float),
                recorded_by=actor.username,
                session_id=session_id,
            )
        )
    except AlreadyRecorded:
        assert session_id is not None  # only a client-chosen id can be recorded before
        response.status_code = 200
        opened = session_id
    return session_public(_aggregate(context, opened, CashSession, "La sesión de caja"))


@router.get("/cash-sessions", tags=["caja"])
def open_sessions(context: Context, _: CashRead) -> list[dict[str, Any]]:
    """Sessions still open (at most 200), oldest first."""
    c = cash_sessions.c
    with context.asiento.read() as conn:
        rows = conn.execute(
            select(c.session_id, c.desk, c.cashier, c.session_date)
            .where(c.closed_on.is_(None))
            .order_by(c.session_date)
            .limit(200)
        ).mappings()
        return [dict(r) for r in rows]


@router.get("/cash-sessions/{session_id}", tags=["caja"])
def get_session(context: Context, session_id: str, _: CashRead) -> CashSessionPublic:
    return session_public(
        _aggregate(context, parse_uuid(session_id, "Sesión"), CashSession, "La sesión de caja")
    )


@router.post("/cash-sessions/{session_id}/close", tags=["caja"])
def close_session(
    context: Context, session_id: str, body: CashSessionClose, actor: CashOperate
) -> CashSessionPublic:
    counted = {kind: str(amount) for kind, amount in body.counted.items()}
    closed = context.command(
        lambda: context.asiento.app.close_cash_session(
            parse_uuid(session_id, "Sesión"),
            counted,
            body.effective_date or date.today(),
            recorded_by=actor.username,
        )
    )
    return session_public(closed)


# -- receipts -------------------------------------------------------------------------------------
def resolve_payer(context: WebContext, body: ReceiptCreate) -> tuple[str, list[UUID]]:
    """The member, and the invoices the scanned bill groups (a typed number pays oldest first)."""
    if body.barcode:
        with context.asiento.read() as conn:
            found = payable_by_barcode(conn, body.barcode.strip())
        payable: PayableDocument = context.asiento.app.repository.get(UUID(found["document_id"]))
        return str(found["member_number"]), list(payable.invoice_ids)
    if not body.member_number:
        raise InvalidInput("Indique el número de asociado o escanee el código de barras")
    return normalize_member_number(body.member_number), []


def collect(context: WebContext, body: ReceiptCreate, actor: StaffUser, receipt_id: UUID | None) -> Receipt:
    number, chosen = resolve_payer(context, body)
    with context.asiento.read_alone() as conn:
        candidates = open_invoice_ids(conn, number)
    chosen = [i for i in chosen if i in set(candidates)]
    instruments = [i.model_dump(mode="json") for i in body.instruments]
    return context.command(
        lambda: record_counter_receipt(
            context.asiento,
            member_number=number,
            instruments=instruments,
            effective_date=body.effective_date or date.today(),
            open_invoice_ids=candidates,
            recorded_by=actor.username,
            session_id=parse_uuid(body.session_id, "Sesión") if body.session_id else None,
            chosen=chosen,
            receipt_id=receipt_id,
        )
    )


@router.post("/receipts", tags=["caja"], status_code=201)
def record_receipt(
    context: Context, body: ReceiptCreate, actor: CashOperate, response: Response, key: KeyHeader = None
) -> ReceiptPublic:
    """Cobra al asociado (número o código de barras): saldo a favor primero, luego lo más antiguo."""
    receipt_id = id_for_key("receipt", actor.username, key)
    try:
        return receipt_public(collect(context, body, actor, receipt_id))
    except AlreadyRecorded:
        assert receipt_id is not None
        earlier: Receipt = _aggregate(context, receipt_id, Receipt, "El recibo")
        total = sum((i.amount for i in body.instruments), start=Decimal(0))
        if earlier.total != total or (
            body.member_number and earlier.member_number != normalize_member_number(body.member_number)
        ):
            raise Conflict("Idempotency-Key ya usada para otro cobro: use una clave nueva") from None
        response.status_code = 200
        return receipt_public(earlier)


@router.get("/receipts/{receipt_id}", tags=["caja"])
def get_receipt(context: Context, receipt_id: str, _: CashRead) -> ReceiptPublic:
    return receipt_public(_aggregate(context, parse_uuid(receipt_id, "Recibo"), Receipt, "El recibo"))


@router.post("/receipts/{receipt_id}/annul", tags=["caja"])
def annul_receipt(context: Context, receipt_id: str, body: ReceiptAnnul, actor: CashAnnul) -> ReceiptPublic:
    found = parse_uuid(receipt_id, "Recibo")
    _aggregate(context, found, Receipt, "El recibo")
    context.command(
        lambda: context.asiento.app.annul_receipt(
            found, body.reason, body.effective_date or date.today(), recorded_by=actor.username
        )
    )
    return get_receipt(context, receipt_id, actor)


# -- collection files and treasury --------------------------------------------------------------------
@router.post("/collection-files", tags=["cobranzas"], status_code=201)
def import_collection_file(
    context: Context, file: UploadFile, network: Annotated[str, Form(max_length=20)], actor: CollectionsImport
) -> CollectionImportPublic:
    """Rendición de una red de cobranza: cada pago una sola vez; lo que no coincide va a imputar."""
    service = CollectionImport(context.asiento, recorded_by=actor.username)
    with uploaded(file) as path:
        report = context.command(lambda: service.run(path, network))
    summary = {k: str(v) if not isinstance(v, int | list) else v for k, v in asdict(report).items()}
    return CollectionImportPublic(summary=summary)


@router.post("/treasury/movements", tags=["tesorería"], status_code=201)
def treasury_move(
    context: Context,
    body: TreasuryMovementCreate,
    actor: TreasuryWrite,
    response: Response,
    key: KeyHeader = None,
) -> TreasuryMovementPublic:
    movement_id = id_for_key("treasury", actor.username, key)
    try:
        movement: TreasuryMovement = context.command(
            lambda: context.asiento.app.record_treasury_movement(
                effective_date=body.effective_date or date.today(),
                kind=body.kind,
                from_account=body.from_account,
                to_account=body.to_account,
                amount=str(body.amount),
                reference=body.reference,
                recorded_by=actor.username,
                movement_id=movement_id,
            )
        )
    except AlreadyRecorded:
        assert movement_id is not None
        response.status_code = 200
        movement = _aggregate(context, movement_id, TreasuryMovement, "El movimiento")
    return TreasuryMovementPublic(movement_id=movement.id.hex, kind=movement.kind, amount=movement.amount)


@router.get("/treasury/balances", tags=["tesorería"])
def treasury_balances(
    context: Context, _: TreasuryRead, as_of: Annotated[date | None, Query()] = None
) -> list[BalanceRowPublic]:
    """Caja, valores y bancos (cuentas 1.1.01.*) según el diario."""
    with context.asiento.read() as conn:
        rows = queries.trial_balance(conn, as_of or date.today()).rows
    return [
        BalanceRowPublic(code=r.code, name=r.name, debit=r.debit, credit=r.credit, balance=r.balance)
        for r in rows
        if r.code.startswith("1.1.01.")
    ]
