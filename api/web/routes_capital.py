"""Member capital, reimbursements and the art. 42 surplus distribution over the API (issue 5's commands)."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from api import capital_service
from api.web.deps import AccountingRead, AccountingWrite, Context, MembersRead, MembersWrite
from domain.members import normalize_member_number
from projections import capital_queries

router = APIRouter(prefix="/api/v1")
Amount = Annotated[Decimal, Field(gt=0, le=10**12, decimal_places=2)]
Minute = Annotated[str, Field(min_length=1, max_length=100)]
CashAccount = Annotated[str, Field(min_length=1, max_length=32, description="Cuenta de caja o banco")]


class Subscription(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: Amount
    integrated: Annotated[Decimal, Field(ge=0, le=10**12, decimal_places=2)]
    account: CashAccount
    effective_date: date | None = None
    board_minute: Minute | None = None


class Integration(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: Amount
    account: CashAccount
    effective_date: date | None = None


class Transfer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    from_member: Annotated[str, Field(min_length=1, max_length=10)]
    to_member: Annotated[str, Field(min_length=1, max_length=10)]
    amount: Amount
    board_minute: Minute
    board_date: date
    effective_date: date = Field(description="Día en que se asienta en el Registro de Asociados")


class ReimbursementRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    effective_date: date | None = None


class ReimbursementPayment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account: CashAccount
    effective_date: date | None = None


class SurplusApproval(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assembly_minute: Minute
    assembly_date: date
    retorno_to: Literal["capital", "account"]
    interest_rate_percent: Annotated[Decimal, Field(ge=0, le=100, decimal_places=4)] = Decimal(0)


def _capital(context: Context, number: str) -> dict[str, Any]:
    key = normalize_member_number(number)
    with context.asiento.read() as conn:
        integrated = capital_queries.member_capital(conn, key, date.today())
    return {"member_number": key, "integrated": str(integrated)}


@router.get("/members/{number}/capital", tags=["capital"])
def member_capital(context: Context, number: str, _: MembersRead) -> dict[str, Any]:
    """Capital integrado del asociado hoy (incluye la cuota capital facturada)."""
    return _capital(context, number)


@router.post("/members/{number}/capital/subscribe", tags=["capital"])
def subscribe(context: Context, number: str, body: Subscription, actor: MembersWrite) -> dict[str, Any]:
    """Suscribe cuotas sociales; al menos el 5 % se integra en el acto."""
    context.command(
        lambda: context.asiento.app.subscribe_shares(
            number,
            str(body.amount),
            body.effective_date or date.today(),
            integrated=str(body.integrated),
            account=body.account,
            recorded_by=actor.username,
            board_minute=body.board_minute,
        )
    )
    return _capital(context, number)


@router.post("/members/{number}/capital/integrate", tags=["capital"])
def integrate(context: Context, number: str, body: Integration, actor: MembersWrite) -> dict[str, Any]:
    """Integra capital suscripto y pendiente."""
    context.command(
        lambda: context.asiento.app.integrate_shares(
            number,
            str(body.amount),
            body.effective_date or date.today(),
            account=body.account,
            recorded_by=actor.username,
        )
    )
    return _capital(context, number)


@router.post("/capital/transfers", tags=["capital"])
def transfer(context: Context, body: Transfer, actor: MembersWrite) -> dict[str, Any]:
    """Transfiere cuotas entre asociados con la aprobación del consejo."""
    context.command(
        lambda: capital_service.transfer(
            context.asiento,
            body.from_member,
            body.to_member,
            str(body.amount),
            body.effective_date,
            board_minute=body.board_minute,
            board_date=body.board_date,
            recorded_by=actor.username,
        )
    )
    return {"from": _capital(context, body.from_member), "to": _capital(context, body.to_member)}


@router.post("/members/{number}/capital/reimbursement-request", tags=["capital"])
def request_reimbursement(
    context: Context, number: str, body: ReimbursementRequest, actor: MembersWrite
) -> dict[str, str]:
    """Pide el reembolso del capital de un asociado que egresó: entra en la cola por orden de pedido."""
    amount = context.command(
        lambda: capital_service.request_reimbursement(
            context.asiento, number, body.effective_date or date.today(), recorded_by=actor.username
        )
    )
    return {"member_number": normalize_member_number(number), "requested": str(amount)}


@router.post("/capital/reimbursements/pay", tags=["capital"])
def pay_reimbursements(
    context: Context, body: ReimbursementPayment, actor: AccountingWrite
) -> dict[str, Any]:
    """Paga la cola de reembolsos dentro del tope anual del 5 % del capital integrado."""
    paid, cap = context.command(
        lambda: capital_service.pay_reimbursements(
            context.asiento,
            body.effective_date or date.today(),
            account=body.account,
            recorded_by=actor.username,
        )
    )
    return {
        "paid": str(paid),
        "fiscal_year": cap.fiscal_year,
        "base_year": cap.base_year,
        "integrated_capital": str(cap.integrated_capital),
        "cap_percent": str(cap.cap_percent),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@router.get("/surplus/{year}", tags=["capital"])
def surplus_proposal(
    context: Context,
    year: int,
    _: AccountingRead,
    interest_rate_percent: Annotated[Decimal, Query(ge=0, le=100)] = Decimal(0),
) -> dict[str, Any]:
    """La distribución de excedentes del art. 42 que se propondría a la asamblea para un ejercicio cerrado."""
    proposal = capital_service.compute_surplus(context.asiento, year, interest_rate_percent)
    return {k: _plain(v) for k, v in dataclasses.asdict(proposal).items()}


@router.post("/surplus/{year}/approve", tags=["capital"])
def approve_surplus(
    context: Context, year: int, body: SurplusApproval, actor: AccountingWrite
) -> dict[str, Any]:
    """Registra la aprobación de la asamblea: imputa la distribución y acredita a cada asociado."""
    context.command(
        lambda: capital_service.approve_surplus(
            context.asiento,
            year,
            assembly_minute=body.assembly_minute,
            assembly_date=body.assembly_date,
            retorno_to=body.retorno_to,
            interest_rate_percent=body.interest_rate_percent,
            recorded_by=actor.username,
        )
    )
    return {"year": year, "approved": True, "assembly_minute": body.assembly_minute}
