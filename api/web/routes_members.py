"""Members, supplies, services, readings and the event history of any member or document."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, UploadFile

from api.cli_support import parse_uuid
from api.readings_service import ReadingsService
from api.web.deps import (
    Context,
    EventsRead,
    MembersRead,
    MembersWrite,
    Paging,
    ReadingsWrite,
    SuppliesWrite,
)
from api.web.history import aggregate_history, member_history
from api.web.schemas import (
    DocumentPublic,
    EventPublic,
    ImportResult,
    Listing,
    MemberCreate,
    MemberPublic,
    MemberSummary,
    ReadingAccept,
    ReadingCreate,
    ReadingPublic,
    ServicePublic,
    StatementLinePublic,
    StatementPublic,
    SupplyConnect,
    SupplyCreate,
    SupplyPublic,
    SupplyStateChange,
)
from api.web.uploads import uploaded
from domain.members import normalize_member_number
from domain.meter_readings import check_period
from domain.money import from_cents
from domain.readings import ReadingInput
from domain.supplies import STATE_NAMES, check_meter
from projections import member_queries as mq
from projections.account_queries import Statement, member_statement

router = APIRouter(prefix="/api/v1")


def member_public(row: dict[str, Any]) -> MemberPublic:
    cents = {k: from_cents(row[f"{k}_cents"]) for k in ("shares_subscribed", "shares_integrated", "credit")}
    plain = {k: row[k] for k in MemberPublic.model_fields if k not in cents}
    return MemberPublic.model_validate({**plain, **cents})


def supply_public(row: dict[str, Any]) -> SupplyPublic:
    plain = {k: row[k] for k in SupplyPublic.model_fields if k != "state_name"}
    return SupplyPublic.model_validate({**plain, "state_name": STATE_NAMES[str(row["state"])]})


def statement_public(statement: Statement) -> StatementPublic:
    lines = [
        StatementLinePublic(
            document_id=ln.document_id,
            label=ln.label,
            supply_number=ln.supply_number,
            service=ln.service,
            issue_date=ln.issue_date,
            due_date=ln.due_date,
            total=ln.total,
            paid=ln.paid,
            balance=ln.balance,
            days_overdue=ln.days_overdue(statement.as_of),
        )
        for ln in statement.lines
    ]
    return StatementPublic(
        member_number=statement.member_number,
        member_name=statement.member_name,
        as_of=statement.as_of,
        debt=statement.debt,
        credit=statement.credit,
        ageing=statement.ageing(),
        debt_by_service=statement.debt_by("service"),
        lines=lines,
    )


# -- members ---------------------------------------------------------------------------------
@router.get("/members", tags=["asociados"])
def search(
    context: Context,
    _: MembersRead,
    page: Paging,
    q: Annotated[str, Query(max_length=100, description="Número, nombre, CUIT/DNI o suministro")] = "",
) -> Listing[MemberSummary]:
    with context.asiento.read() as conn:
        rows, count = mq.search_members(conn, q, page.limit, page.offset)
    return Listing(
        data=[MemberSummary.model_validate(r) for r in rows],
        count=count,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/members", tags=["asociados"], status_code=201)
def add_member(context: Context, body: MemberCreate, actor: MembersWrite) -> MemberPublic:
    fields = body.model_dump()
    fields["admission_date"] = body.admission_date or date.today()
    number = context.command(
        lambda: context.asiento.app.register_member(**fields, board_minute=None, recorded_by=actor.username)
    )
    with context.asiento.read() as conn:
        return member_public(mq.member_row(conn, number))


@router.get("/members/{number}", tags=["asociados"])
def get_member(context: Context, number: str, _: MembersRead) -> MemberPublic:
    with context.asiento.read() as conn:
        return member_public(mq.member_row(conn, normalize_member_number(number)))


@router.get("/members/{number}/statement", tags=["asociados"])
def statement(
    context: Context, number: str, _: MembersRead, as_of: Annotated[date | None, Query()] = None
) -> StatementPublic:
    with context.asiento.read() as conn:
        found = member_statement(conn, normalize_member_number(number), as_of or date.today())
    return statement_public(found)


@router.get("/members/{number}/supplies", tags=["asociados"])
def supplies_of(context: Context, number: str, _: MembersRead) -> list[SupplyPublic]:
    key = normalize_member_number(number)
    with context.asiento.read() as conn:
        mq.member_row(conn, key)
        return [supply_public(r) for r in mq.member_supplies(conn, key)]


@router.get("/members/{number}/documents", tags=["asociados"])
def documents_of(context: Context, number: str, _: MembersRead, page: Paging) -> list[DocumentPublic]:
    key = normalize_member_number(number)
    with context.asiento.read() as conn:
        mq.member_row(conn, key)
        rows = mq.member_documents(conn, key, page.limit, page.offset)
    return [DocumentPublic.from_row(r) for r in rows]


@router.get("/members/{number}/events", tags=["historial"])
def member_events(context: Context, number: str, _: EventsRead, page: Paging) -> list[EventPublic]:
    return member_history(context.asiento, normalize_member_number(number), page.limit, page.offset)


@router.get("/aggregates/{aggregate_id}/events", tags=["historial"])
def document_events(context: Context, aggregate_id: str, _: EventsRead, page: Paging) -> list[EventPublic]:
    """The events of any document (invoice, receipt, payable document, cash session) by its id."""
    return aggregate_history(context.asiento, parse_uuid(aggregate_id, "Documento"), page.limit, page.offset)


# -- supplies and services ---------------------------------------------------------------------
@router.get("/services", tags=["servicios"])
def services(context: Context, _: MembersRead) -> list[ServicePublic]:
    catalog = context.asiento.app.services()
    return [
        ServicePublic(code=s.code, name=s.name, pricing=s.pricing, unit=s.unit)
        for s in catalog.services.values()
    ]


@router.post("/supplies", tags=["suministros"], status_code=201)
def add_supply(context: Context, body: SupplyCreate, actor: SuppliesWrite) -> SupplyPublic:
    fields = body.model_dump(exclude={"effective_date"})
    created = context.command(
        lambda: context.asiento.app.request_supply(
            **fields,
            group="",
            distribution_route="",
            beneficiaries=1,
            effective_date=body.effective_date or date.today(),
            recorded_by=actor.username,
        )
    )
    with context.asiento.read() as conn:
        return supply_public(mq.supply_row(conn, created))


@router.get("/supplies/{number}", tags=["suministros"])
def get_supply(context: Context, number: str, _: MembersRead) -> SupplyPublic:
    with context.asiento.read() as conn:
        return supply_public(mq.supply_row(conn, number.strip().upper()))


@router.post("/supplies/{number}/connect", tags=["suministros"])
def connect(context: Context, number: str, body: SupplyConnect, actor: SuppliesWrite) -> SupplyPublic:
    meter = check_meter(body.meter, body.digits, body.multiplier) if body.meter else None
    key = number.strip().upper()
    context.command(
        lambda: context.asiento.app.connect_supply(
            key,
            body.effective_date or date.today(),
            recorded_by=actor.username,
            meter=meter,
            initial_reading=body.initial if meter else None,
        )
    )
    return get_supply(context, key, actor)


@router.post("/supplies/{number}/state", tags=["suministros"])
def change_state(
    context: Context, number: str, body: SupplyStateChange, actor: SuppliesWrite
) -> SupplyPublic:
    key = number.strip().upper()
    context.command(
        lambda: context.asiento.app.change_supply_state(
            key, body.state, body.effective_date or date.today(), body.reason, recorded_by=actor.username
        )
    )
    return get_supply(context, key, actor)


# -- readings --------------------------------------------------------------------------------------
@router.post("/readings", tags=["lecturas"], status_code=201)
def record_reading(context: Context, body: ReadingCreate, actor: ReadingsWrite) -> ReadingPublic:
    reading = ReadingInput(
        body.supply_number.strip().upper(),
        body.reading_date or date.today(),
        body.value,
        body.estimated,
        "manual",
    )
    service = ReadingsService(context.asiento, recorded_by=actor.username)
    recorded = context.command(lambda: service.record_one(reading, body.period))
    return ReadingPublic(
        supply_number=reading.supply_number,
        period=body.period,
        value=body.value,
        consumption_units=recorded.consumption_units,
        held_reason=recorded.held_reason,
    )


@router.post("/readings/import", tags=["lecturas"], status_code=201)
def import_readings(
    context: Context,
    file: UploadFile,
    period: Annotated[str, Form(pattern=r"^\d{4}-\d{2}$")],
    actor: ReadingsWrite,
) -> ImportResult:
    """Archivo del lector (CSV, TXT o XLSX): todas las filas o ninguna."""
    service = ReadingsService(context.asiento, recorded_by=actor.username)
    with uploaded(file) as path:
        checked, unread = context.command(lambda: service.import_file(path, period))
    return ImportResult(
        recorded=len(checked),
        held_for_review=sum(1 for c in checked if c.held_for_review),
        unread_supplies=unread,
    )


@router.get("/readings/anomalies", tags=["lecturas"])
def anomalies(
    context: Context, _: MembersRead, page: Paging, period: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$")]
) -> list[ReadingPublic]:
    check_period(period)
    with context.asiento.read() as conn:
        rows = mq.held_readings(conn, period, page.limit, page.offset)
    return [ReadingPublic.model_validate(r) for r in rows]


@router.post("/readings/{supply}/{period}/accept", tags=["lecturas"])
def accept_reading(
    context: Context, supply: str, period: str, body: ReadingAccept, actor: ReadingsWrite
) -> ReadingPublic:
    check_period(period)

    def accept() -> None:
        reading = context.asiento.app.meter_reading(supply.strip().upper(), period)
        reading.accept(body.note, recorded_by=actor.username)
        context.asiento.app.save(reading)

    context.command(accept)
    with context.asiento.read() as conn:
        row = mq.reading_row(conn, supply.strip().upper(), period)
    return ReadingPublic.model_validate(row)
