"""Member capital and surplus: the commands that need figures from the read models.

An associate's capital includes the cuota capital billed, which only the
register (a projection) sums; the reimbursement cap needs the integrated capital
at the last closed year's end; the surplus needs the year's journal. Each
command here catches the projections up first, reads those figures, and hands
them to the write side, which records them in the event with the decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from adapters.cooperative_settings import CooperativeSettings, load_cooperative_settings
from api.bootstrap import Asiento
from domain.calendar import FiscalYear
from domain.errors import Conflict
from domain.members import normalize_member_number
from domain.money import ZERO
from domain.surplus import SurplusDistribution, SurplusInputs, SurplusProposal, check_interest_rate, propose
from projections import capital_queries

FAR_FUTURE = date(9999, 12, 31)


def capital_held(asiento: Asiento, number: str, on: date) -> Decimal:
    """The member's integrated capital on a date, and never more than what is left after
    facts dated later (a later reimbursement request or transfer)."""
    asiento.runner.catch_up()
    key = normalize_member_number(number)
    with asiento.read() as conn:
        return min(
            capital_queries.member_capital(conn, key, on),
            capital_queries.member_capital(conn, key, FAR_FUTURE),
        )


def transfer(
    asiento: Asiento,
    from_number: str,
    to_number: str,
    amount: str,
    on: date,
    *,
    board_minute: str,
    board_date: date,
    recorded_by: str,
) -> None:
    held = capital_held(asiento, from_number, on)
    asiento.app.transfer_shares(
        from_number,
        to_number,
        amount,
        on,
        capital_held=held,
        board_minute=board_minute,
        board_date=board_date,
        recorded_by=recorded_by,
    )


def request_reimbursement(asiento: Asiento, number: str, on: date, *, recorded_by: str) -> Decimal:
    held = capital_held(asiento, number, FAR_FUTURE)
    return asiento.app.request_reimbursement(number, on, capital_held=held, recorded_by=recorded_by)


@dataclass(frozen=True)
class ReimbursementCap:
    fiscal_year: int
    base_year: int
    integrated_capital: Decimal
    cap_percent: Decimal


def reimbursement_cap(
    asiento: Asiento, on: date, settings: CooperativeSettings | None = None
) -> ReimbursementCap:
    """The cap for payments on ``on``: a share of the integrated capital at the end of the last
    fiscal year closed before the payment's year."""
    settings = settings or load_cooperative_settings()
    calendar = asiento.app.calendar()
    paying = calendar.year_of(on)
    closed = [y for y in calendar.years.values() if y.closed and y.end_date < paying.start_date]
    if not closed:
        raise Conflict(
            f"No hay un ejercicio cerrado antes del {paying.year}: el tope de reembolso se calcula sobre el "
            "capital integrado del último balance"
        )
    base = max(closed, key=lambda y: y.end_date)
    asiento.runner.catch_up()
    with asiento.read() as conn:
        integrated = capital_queries.integrated_capital_total(conn, base.end_date)
    return ReimbursementCap(paying.year, base.year, integrated, settings.reimbursement_cap_percent)


def pay_reimbursements(
    asiento: Asiento, on: date, *, account: str, recorded_by: str
) -> tuple[Decimal, ReimbursementCap]:
    cap = reimbursement_cap(asiento, on)
    paid = asiento.app.pay_reimbursements(
        fiscal_year=cap.fiscal_year,
        base_year=cap.base_year,
        integrated_capital=cap.integrated_capital,
        cap_percent=cap.cap_percent,
        account=account,
        effective_date=on,
        recorded_by=recorded_by,
    )
    return paid, cap


def closed_year(asiento: Asiento, year: int) -> FiscalYear:
    fiscal_year = asiento.app.calendar().get_year(year)
    if not fiscal_year.closed:
        raise Conflict(
            f"El ejercicio {year} no está cerrado: la distribución de excedentes es de un ejercicio cerrado"
        )
    return fiscal_year


def surplus_inputs(
    asiento: Asiento, year: int, interest_rate_percent: Decimal, settings: CooperativeSettings | None = None
) -> SurplusInputs:
    fiscal_year = closed_year(asiento, year)
    settings = settings or load_cooperative_settings()
    if interest_rate_percent:
        check_interest_rate(interest_rate_percent, settings.bna_discount_rate(fiscal_year.end_date))
    asiento.runner.catch_up()
    start, end = fiscal_year.start_date, fiscal_year.end_date
    with asiento.read() as conn:
        operations = capital_queries.operations_of_year(conn, start, end)
        return SurplusInputs(
            year=year,
            result=capital_queries.year_result(conn, start, end),
            operations=operations.by_associate,
            non_associate_operations=operations.non_associates,
            prior_losses=capital_queries.prior_losses(conn, year),
            capital=capital_queries.capital_by_member(conn, end) if interest_rate_percent else {},
            interest_rate_percent=interest_rate_percent,
        )


def compute_surplus(asiento: Asiento, year: int, interest_rate_percent: Decimal = ZERO) -> SurplusProposal:
    return propose(surplus_inputs(asiento, year, interest_rate_percent))


def approve_surplus(
    asiento: Asiento,
    year: int,
    *,
    assembly_minute: str,
    assembly_date: date,
    retorno_to: str,
    interest_rate_percent: Decimal = ZERO,
    recorded_by: str,
) -> SurplusDistribution:
    proposal = compute_surplus(asiento, year, interest_rate_percent)
    return asiento.app.approve_surplus(
        proposal,
        assembly_minute=assembly_minute,
        assembly_date=assembly_date,
        retorno_to=retorno_to,
        recorded_by=recorded_by,
    )
