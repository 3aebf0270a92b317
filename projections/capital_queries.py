"""Queries for member capital (Registro de Asociados) and the surplus of a year.

The year's result is computed from the revenue and expense lines of the journal
dated inside the fiscal year, leaving out the year-end closing entries (rule
``year_closing``), so it is the same before and after ``period close``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, case, func, select

from domain.money import CENT, ZERO
from projections.capital_tables import capital_members, capital_movements, surplus_distributions
from projections.commercial_tables import members
from projections.tables import fiscal_years, journal_lines, ledger_accounts

CLOSING_RULE = "year_closing"  # the lead's year-end closing entries: not part of the year's result
SERVICE_REVENUE_PREFIX = "4.1"  # operations with members: the services billed to them


def _money(cents: int | None) -> Decimal:
    return (Decimal(cents or 0) / 100).quantize(CENT)


@dataclass(frozen=True)
class RegisterRow:
    """One line of the Registro de Asociados."""

    number: str
    name: str
    document_type: str
    document_number: str
    address: str
    admission_date: date
    board_minute: str
    subscribed: Decimal
    integrated: Decimal
    transferred_in: Decimal
    transferred_out: Decimal
    exit_date: date | None
    exit_cause: str


def member_register(conn: Connection, as_of: date) -> Iterator[RegisterRow]:
    """Every associate admitted by ``as_of``, by member number, with capital as of that date."""
    moved_cents = capital_movements.c.transferred_cents
    moved = (
        select(
            capital_movements.c.member_number.label("number"),
            func.sum(capital_movements.c.subscribed_cents).label("subscribed"),
            func.sum(capital_movements.c.integrated_cents).label("integrated"),
            func.sum(case((moved_cents > 0, moved_cents), else_=0)).label("moved_in"),
            func.sum(case((moved_cents < 0, moved_cents), else_=0)).label("moved_out"),
        )
        .where(capital_movements.c.effective_date <= as_of)
        .group_by(capital_movements.c.member_number)
        .subquery()
    )
    query = (
        select(members, moved.c.subscribed, moved.c.integrated, moved.c.moved_in, moved.c.moved_out)
        .join(capital_members, capital_members.c.number == members.c.number)
        .outerjoin(moved, moved.c.number == members.c.number)
        .where(capital_members.c.associate.is_(True), members.c.admission_date <= as_of)
        .order_by(members.c.number)
    )
    for row in conn.execute(query).mappings():
        left = row["exit_date"] is not None and row["exit_date"] <= as_of
        yield RegisterRow(
            number=row["number"],
            name=row["name"],
            document_type=row["document_type"],
            document_number=row["document_number"],
            address=row["address"],
            admission_date=row["admission_date"],
            board_minute=row["board_minute"] or "",
            subscribed=_money(row["subscribed"]),
            integrated=_money(row["integrated"]),
            transferred_in=_money(row["moved_in"]),
            transferred_out=-_money(row["moved_out"]),
            exit_date=row["exit_date"] if left else None,
            exit_cause=(row["exit_cause"] or "") if left else "",
        )


INTEGRATION_TERM_YEARS = 5  # Ley 20.337 art. 25: the rest of a subscription within five years


@dataclass(frozen=True)
class PendingIntegration:
    member_number: str
    subscribed_on: date
    pending: Decimal
    due_date: date


def pending_integrations(conn: Connection, as_of: date) -> list[PendingIntegration]:
    """Subscriptions not yet fully paid in as of a date, each with its five-year due date.
    Direct integrations pay the oldest subscription first."""
    query = (
        select(
            capital_movements.c.member_number,
            capital_movements.c.effective_date,
            capital_movements.c.kind,
            capital_movements.c.subscribed_cents,
            capital_movements.c.integrated_cents,
        )
        .where(
            capital_movements.c.kind.in_(("subscription", "integration")),
            capital_movements.c.effective_date <= as_of,
        )
        .order_by(
            capital_movements.c.member_number,
            capital_movements.c.effective_date,
            capital_movements.c.position,
        )
    )
    subscriptions: dict[str, list[list[Any]]] = {}
    paid: dict[str, int] = {}
    for member, day, kind, subscribed, integrated in conn.execute(query):
        if kind == "subscription":
            subscriptions.setdefault(member, []).append([day, subscribed])
        else:
            paid[member] = paid.get(member, 0) + integrated
    pending: list[PendingIntegration] = []
    for member, rows in subscriptions.items():
        left = paid.get(member, 0)
        for day, cents in rows:
            applied = min(left, cents)
            left -= applied
            if cents > applied:
                pending.append(PendingIntegration(member, day, _money(cents - applied), _years_after(day)))
    return pending


def _years_after(day: date) -> date:
    try:
        return day.replace(year=day.year + INTEGRATION_TERM_YEARS)
    except ValueError:  # 29 February
        return date(day.year + INTEGRATION_TERM_YEARS, 2, 28)


def capital_by_member(conn: Connection, as_of: date) -> dict[str, Decimal]:
    """Integrated capital per associate as of a date (only those holding some)."""
    query = (
        select(capital_movements.c.member_number, func.sum(capital_movements.c.integrated_cents))
        .where(capital_movements.c.effective_date <= as_of)
        .group_by(capital_movements.c.member_number)
        .order_by(capital_movements.c.member_number)
    )
    return {number: _money(cents) for number, cents in conn.execute(query) if cents}


def member_capital(conn: Connection, number: str, as_of: date) -> Decimal:
    query = select(func.sum(capital_movements.c.integrated_cents)).where(
        capital_movements.c.member_number == number, capital_movements.c.effective_date <= as_of
    )
    return _money(conn.execute(query).scalar())


def member_shares(conn: Connection, number: str, as_of: date) -> tuple[Decimal, Decimal] | None:
    """(subscribed, integrated) of an associate as of a date; None for a non-associate customer."""
    associate = conn.execute(
        select(capital_members.c.associate).where(capital_members.c.number == number)
    ).scalar()
    if not associate:
        return None
    query = select(
        func.sum(capital_movements.c.subscribed_cents), func.sum(capital_movements.c.integrated_cents)
    ).where(capital_movements.c.member_number == number, capital_movements.c.effective_date <= as_of)
    subscribed, integrated = conn.execute(query).one()
    return _money(subscribed), _money(integrated)


def integrated_capital_total(conn: Connection, as_of: date) -> Decimal:
    query = select(func.sum(capital_movements.c.integrated_cents)).where(
        capital_movements.c.effective_date <= as_of
    )
    return _money(conn.execute(query).scalar())


def year_result(conn: Connection, start: date, end: date) -> Decimal:
    """Revenue minus expenses of the journal lines dated in [start, end], closing entries excluded."""
    query = (
        select(func.sum(journal_lines.c.credit_cents - journal_lines.c.debit_cents))
        .join(ledger_accounts, ledger_accounts.c.code == journal_lines.c.account_code)
        .where(
            ledger_accounts.c.account_type.in_(("revenue", "expense")),
            journal_lines.c.effective_date.between(start, end),
            journal_lines.c.rule != CLOSING_RULE,
        )
    )
    return _money(conn.execute(query).scalar())


@dataclass(frozen=True)
class Operations:
    by_associate: dict[str, Decimal]
    non_associates: Decimal


def operations_of_year(conn: Connection, start: date, end: date) -> Operations:
    """Services billed per member in [start, end]: net service revenue posted with the member dimension
    (the invoices' charges, without VAT, levies or cuota capital)."""
    query = (
        select(
            journal_lines.c.member,
            capital_members.c.associate,
            func.sum(journal_lines.c.credit_cents - journal_lines.c.debit_cents),
        )
        .join(capital_members, capital_members.c.number == journal_lines.c.member)
        .where(
            journal_lines.c.account_code.like(f"{SERVICE_REVENUE_PREFIX}.%"),
            journal_lines.c.effective_date.between(start, end),
            journal_lines.c.rule != CLOSING_RULE,
        )
        .group_by(journal_lines.c.member, capital_members.c.associate)
        .order_by(journal_lines.c.member)
    )
    by_associate: dict[str, Decimal] = {}
    non_associates = ZERO
    for member, associate, cents in conn.execute(query):
        if associate:
            by_associate[member] = _money(cents)
        else:
            non_associates += _money(cents)
    return Operations(by_associate, non_associates)


def prior_losses(conn: Connection, year: int) -> Decimal:
    """Accumulated losses of the fiscal years before ``year`` not yet absorbed.

    A year with an approved distribution leaves what that distribution recorded
    (its prior losses minus what it absorbed); any other year's result adds to
    the losses (a loss) or absorbs them (a surplus left unassigned).
    """
    years = conn.execute(
        select(fiscal_years.c.year, fiscal_years.c.start_date, fiscal_years.c.end_date)
        .where(fiscal_years.c.year < year)
        .order_by(fiscal_years.c.start_date)
    ).all()
    approved = {
        row.year: _money(row.prior_losses_cents) - _money(row.loss_offset_cents)
        for row in conn.execute(select(surplus_distributions))
    }
    losses = ZERO
    for prior, start, end in years:
        # A surplus left unassigned absorbs losses; a loss adds to them.
        unabsorbed = max(ZERO, losses - year_result(conn, start, end))
        losses = approved.get(prior, unabsorbed)
    return losses


def approval_of(conn: Connection, year: int) -> tuple[str, date] | None:
    """(assembly minute, assembly date) of the year's approved distribution, if any."""
    query = select(surplus_distributions.c.assembly_minute, surplus_distributions.c.assembly_date).where(
        surplus_distributions.c.year == year
    )
    row = conn.execute(query).first()
    return None if row is None else (row[0], row[1])
