"""Chart of accounts changes, reversals of manual entries, the audit trail and the hash chain."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from fastapi import APIRouter, Path, Query, Response
from sqlalchemy import select

from api.cli_support import parse_uuid
from api.tracing import MAX_TRACED_ENTRIES, trace_account, trace_entry
from api.web.context import WebContext
from api.web.deps import AccountingRead, AccountingWrite, Context, EventsRead
from api.web.idempotency import KeyHeader, id_for_key
from api.web.routes_accounting import account as account_public
from api.web.schemas import (
    AccountCreate,
    AccountPublic,
    AccountTracePublic,
    ChainVerificationPublic,
    EntryReversalCreate,
    EntryTracePublic,
    JournalEntryPublic,
    JournalLinePublic,
    TracedEntryPublic,
)
from domain.errors import Conflict, EntryAlreadyReversed, NotFound
from domain.journal import YEAR_END_KINDS, JournalEntry
from domain.money import from_cents
from ledger_rules.model import AccountSpec
from projections import queries
from projections.audit_chain import verify as verify_chain
from projections.tables import journal_entries, journal_lines

router = APIRouter(prefix="/api/v1")
MANUAL = "manual"


# -- chart of accounts ----------------------------------------------------------------------------
@router.post("/accounts", tags=["contabilidad"], status_code=201)
def add_account(context: Context, body: AccountCreate, actor: AccountingWrite) -> AccountPublic:
    """Agrega una cuenta al plan (como ``asiento account add``); un código repetido es un conflicto."""
    spec = AccountSpec(
        body.code.strip(),
        body.name,
        body.account_type,
        body.parent_code.strip() if body.parent_code else None,
        body.normal_balance,
        body.header,
    )
    context.command(lambda: context.asiento.app.open_account(spec, recorded_by=actor.username))
    return account_public(context, spec.code, actor)


@router.post("/accounts/{code}/close", tags=["contabilidad"])
def close_account(
    context: Context, code: Annotated[str, Path(max_length=32)], actor: AccountingWrite
) -> AccountPublic:
    """Cierra una cuenta: no admite más imputaciones (cerrarla dos veces es un conflicto)."""
    context.command(lambda: context.asiento.app.close_account(code, recorded_by=actor.username))
    return account_public(context, code, actor)


# -- reversal of a manual entry ---------------------------------------------------------------------
def _manual_entry(context: WebContext, entry_id: UUID) -> JournalEntry:
    found = context.asiento.app._load(entry_id, "El asiento")
    if not isinstance(found, JournalEntry):
        raise NotFound(f"El asiento manual {entry_id.hex} no existe")
    if found.kind in YEAR_END_KINDS:
        raise Conflict(
            f"El asiento {entry_id.hex} es de cierre o apertura de ejercicio: "
            "se anula reabriendo el ejercicio"
        )
    return found


def entry_public(context: WebContext, entry_id: UUID) -> JournalEntryPublic:
    """A journal entry as the journal shows it, by the id of the aggregate that posted it."""
    e, line = journal_entries.c, journal_lines.c
    with context.asiento.read() as conn:
        stored_as = [entry_id.hex, str(entry_id)]  # the journal keeps the aggregate id as text
        head = conn.execute(select(journal_entries).where(e.originator_id.in_(stored_as))).mappings().first()
        if head is None:
            raise NotFound(f"El asiento {entry_id.hex} no figura en el diario")
        lines = conn.execute(
            select(line.account_code, line.debit_cents, line.credit_cents)
            .where(line.entry_id == head["entry_id"])
            .order_by(line.line_no)
        ).all()
        reverses = None
        if head["reverses_entry_id"] is not None:
            original = conn.execute(
                select(e.fiscal_year, e.number).where(e.entry_id == head["reverses_entry_id"])
            ).one()
            reverses = f"{original.fiscal_year}/{original.number}"
    return JournalEntryPublic(
        entry_id=entry_id.hex,
        entry=f"{head['fiscal_year']}/{head['number']}",
        effective_date=head["effective_date"],
        description=head["description"],
        kind=head["kind"],
        recorded_by=head["recorded_by"],
        reverses=reverses,
        lines=[
            JournalLinePublic(account=code, debit=from_cents(d), credit=from_cents(c)) for code, d, c in lines
        ],
    )


def _earlier_reversal(context: WebContext, reversal_id: UUID) -> JournalEntry | None:
    """The reversal an earlier request with the same Idempotency-Key posted, if any."""
    try:
        found: object = context.asiento.app.repository.get(reversal_id)
    except AggregateNotFoundError:
        return None
    return found if isinstance(found, JournalEntry) else None


@router.post("/journal/entries/{entry_id}/reverse", tags=["contabilidad"], status_code=201)
def reverse_entry(
    context: Context,
    entry_id: str,
    body: EntryReversalCreate,
    actor: AccountingWrite,
    response: Response,
    key: KeyHeader = None,
) -> JournalEntryPublic:
    """Revierte un asiento manual con un asiento nuevo de signo contrario, con la fecha indicada.

    Un asiento se revierte una sola vez. Con Idempotency-Key la reversión toma un id derivado de
    la clave (y del usuario): repetir el pedido responde 200 con la reversión ya registrada; usar
    la misma clave para otro asiento es un conflicto (409), como revertir dos veces el mismo.
    """
    reversal_id = id_for_key("journal-reversal", actor.username, key)  # refuses an empty key
    original_id = parse_uuid(entry_id, "Asiento")
    if reversal_id is not None:
        earlier = _earlier_reversal(context, reversal_id)
        if earlier is not None:
            if earlier.reverses != original_id:
                reversed_before = earlier.reverses.hex if earlier.reverses else "otro"
                raise Conflict(
                    f"La Idempotency-Key ya se usó para revertir el asiento {reversed_before}"
                )
            response.status_code = 200
            return entry_public(context, reversal_id)
    original = _manual_entry(context, original_id)
    try:
        reversal = context.command(
            lambda: context.asiento.app.reverse_entry(
                original.id,
                effective_date=body.effective_date,
                recorded_by=actor.username,
                description=body.description,
                reversal_id=reversal_id,
            )
        )
    except EntryAlreadyReversed:
        # A concurrent request with the same key may have won the race: answer with its reversal.
        if reversal_id is None or _earlier_reversal(context, reversal_id) is None:
            raise
        response.status_code = 200
        reversal = reversal_id
    return entry_public(context, reversal)


# -- audit trail and hash chain -------------------------------------------------------------------------
def _traced(found: dict[str, Any]) -> list[TracedEntryPublic]:
    return [TracedEntryPublic.model_validate(item) for item in found["entries"]]


@router.get("/trace/entries/{year}/{number}", tags=["auditoría"])
def trace_journal_entry(
    context: Context,
    year: Annotated[int, Path(ge=1900, le=2999)],
    number: Annotated[int, Path(ge=1, le=10**9)],
    _: AccountingRead,
) -> EntryTracePublic:
    """Del asiento al hecho: sus líneas, el evento y la regla que lo produjeron, quién y cuándo."""
    return EntryTracePublic(entries=_traced(trace_entry(context.asiento, f"{year}/{number}")))


@router.get("/trace/accounts/{code}", tags=["auditoría"])
def trace_ledger_account(
    context: Context,
    code: Annotated[str, Path(max_length=32)],
    _: AccountingRead,
    as_of: Annotated[date | None, Query(description="Saldo a esta fecha (hoy)")] = None,
) -> AccountTracePublic:
    """Del saldo de una cuenta a los hechos: cada asiento que lo forma (los últimos 500)."""
    day = as_of or date.today()
    with context.asiento.read() as conn:
        queries.get_account(conn, code)  # an unknown account is a 404, not an empty trail
    try:
        found = trace_account(context.asiento, code, day)
    except NotFound:  # an account without movements up to that day: a zero balance, no entries
        return AccountTracePublic(
            account=code, as_of=day, balance=Decimal(0), entries=[], shown=0, shown_last=MAX_TRACED_ENTRIES
        )
    return AccountTracePublic(
        account=found["account"],
        as_of=found["as_of"],
        balance=found["balance"],
        entries=_traced(found),
        shown=found["totals"]["entries"],
        shown_last=found["totals"]["shown_last"],
    )


@router.get("/audit/verify", tags=["auditoría"])
def verify_log(context: Context, _: EventsRead) -> ChainVerificationPublic:
    """Recalcula la cadena de hashes del registro de eventos y nombra el primer evento alterado."""
    with context.writing():  # the chain covers every event recorded so far
        pass
    with context.asiento.read() as conn:
        checked, broken = verify_chain(conn, context.asiento.app.recorder)
    return ChainVerificationPublic(
        intact=broken is None,
        events_checked=checked,
        broken_at=broken.position if broken else None,
        reason=broken.reason if broken else None,
    )
