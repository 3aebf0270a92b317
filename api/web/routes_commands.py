"""More commands: releasing held bills, moving cheques, closing periods, automatic-debit adhesion."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api import year_end
from api.cli_support import parse_uuid
from api.web.deps import AccountingRead, AccountingWrite, BillingRun, Context, MembersWrite, TreasuryWrite
from domain.errors import InvalidInput
from domain.members import normalize_member_number
from domain.meter_readings import check_period
from projections import queries

router = APIRouter(prefix="/api/v1")


class Note(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(min_length=1, max_length=200)


class ChequeMove(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["deposit", "endorse", "reject"]
    detail: str = Field(min_length=1, max_length=200, description="Cuenta bancaria, proveedor o motivo")
    effective_date: date | None = None


class DebitAdhesion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cbu: str = Field(min_length=1, max_length=30)
    effective_date: date | None = None


@router.post("/billing/held/{supply}/{period}/release", tags=["facturación"])
def release_held_bill(
    context: Context, supply: str, period: str, body: Note, actor: BillingRun
) -> dict[str, str]:
    """Libera una factura retenida (Ley 24.240 art. 31) ya verificada: la próxima corrida la emite."""
    check_period(period)

    def release() -> None:
        held = context.asiento.app.held_bill(supply.strip().upper(), period)
        held.release(body.note, recorded_by=actor.username)
        context.asiento.app.save(held)

    context.command(release)
    return {"supply_number": supply.strip().upper(), "period": period, "state": "released"}


@router.post("/treasury/cheques/{cheque_id}/move", tags=["tesorería"])
def move_cheque(context: Context, cheque_id: str, body: ChequeMove, actor: TreasuryWrite) -> dict[str, str]:
    """Deposita (detalle: cuenta bancaria), endosa (proveedor) o rechaza (motivo) un cheque de terceros."""
    moved = context.command(
        lambda: context.asiento.app.move_cheque(
            parse_uuid(cheque_id, "Cheque"),
            body.action,
            body.effective_date or date.today(),
            detail=body.detail,
            recorded_by=actor.username,
        )
    )
    return {"cheque_id": moved.id.hex, "reference": moved.reference, "state": moved.state}


@router.get("/periods", tags=["contabilidad"])
def fiscal_years(context: Context, _: AccountingRead) -> list[dict[str, Any]]:
    with context.asiento.read() as conn:
        rows = queries.list_fiscal_years(conn)
    return [{"year": y, "start": s, "end": e, "closed": c, "closed_months": m} for y, s, e, c, m in rows]


@router.post("/periods/{label}/close", tags=["contabilidad"])
def close_period(context: Context, label: str, actor: AccountingWrite) -> list[dict[str, Any]]:
    """Cierra un mes (AAAA-MM) o un ejercicio (AAAA): los hechos con esas fechas se rechazan después.

    Cerrar un ejercicio registra su asiento de cierre (ingresos y egresos a Resultado del ejercicio).
    """
    if label.isdigit():
        year = check_year(label)
        context.command(lambda: year_end.close_year(context.asiento, year, recorded_by=actor.username))
    else:
        check_period(label)
        context.command(lambda: context.asiento.app.close_period(label, recorded_by=actor.username))
    return fiscal_years(context, actor)


class YearOpening(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: date | None = Field(default=None, description="Inicio (por omisión 1 de enero)")
    end: date | None = Field(default=None, description="Cierre (por omisión un año después)")


class Reason(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=300)


def check_year(label: str) -> int:
    year = int(label) if label.isascii() and label.isdigit() else 0  # "²".isdigit() too
    if not 1900 <= year <= 2999:
        raise InvalidInput(f"Ejercicio {label}: use un año entre 1900 y 2999")
    return year


@router.post("/periods/{label}/open", tags=["contabilidad"])
def open_year(
    context: Context, label: str, body: YearOpening, actor: AccountingWrite
) -> list[dict[str, Any]]:
    """Abre un ejercicio; si el anterior está cerrado, registra el asiento de apertura."""
    year = check_year(label)
    context.command(
        lambda: year_end.open_year(context.asiento, year, body.start, body.end, recorded_by=actor.username)
    )
    return fiscal_years(context, actor)


@router.post("/periods/{label}/reopen", tags=["contabilidad"])
def reopen_year(context: Context, label: str, body: Reason, actor: AccountingWrite) -> list[dict[str, Any]]:
    """Reabre un ejercicio cerrado con su motivo: anula su asiento de cierre y la apertura siguiente."""
    year = check_year(label)
    context.command(
        lambda: context.asiento.app.reopen_fiscal_year(year, body.reason, recorded_by=actor.username)
    )
    return fiscal_years(context, actor)


@router.post("/members/{number}/debit", tags=["asociados"])
def adhere_to_debit(
    context: Context, number: str, body: DebitAdhesion, actor: MembersWrite
) -> dict[str, str]:
    """Adhiere al asociado al débito automático con su CBU."""

    def adhere() -> str:
        member = context.asiento.app.member(normalize_member_number(number))
        member.adhere_to_debit(
            body.cbu.strip(), body.effective_date or date.today(), recorded_by=actor.username
        )
        context.asiento.app.save(member)
        return str(member.number)

    return {"member_number": context.command(adhere), "cbu": body.cbu.strip()}
