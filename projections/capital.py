"""Member capital movements and surplus distributions as read models.

Every fact that changes an associate's capital becomes dated rows of signed
deltas (subscribed, integrated, transferred), so the register can be read as
of any date: subscriptions and integrations, cuota capital billed on invoices,
transfers (a row for each side), reimbursement requests and capitalised retornos.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Connection, Table, select

from domain.capital import ReimbursementQueue
from domain.invoicing import Invoice
from domain.members import Member
from domain.money import to_cents
from domain.surplus import SurplusDistribution
from projections.bulk import among, insert_rows
from projections.capital_tables import (
    capital_members,
    capital_movements,
    surplus_distributions,
    surplus_shares,
)
from projections.runner import LoggedEvent, PlannedProjection


def _topic(aggregate: type, name: str) -> str:
    return get_topic(getattr(aggregate, name))


class _Page:
    """One page's rows, planned without the database (a planning worker may build them)."""

    def __init__(self) -> None:
        self.members: list[tuple[Any, ...]] = []
        self.movements: list[tuple[Any, ...]] = []
        self.distributions: list[tuple[Any, ...]] = []
        self.shares: list[tuple[Any, ...]] = []
        self.numbers: dict[str, str] = {}  # aggregate id → member number, this page's registrations
        # Movements of events older than ``member_number`` in their fields whose member registered
        # before this page: (index in movements, member aggregate id), the number read when written.
        self.unresolved: list[tuple[int, str]] = []

    def movement(
        self,
        event: LoggedEvent,
        line_no: int,
        member: str | None,
        kind: str,
        cents: int,
        *,
        subscribed: int | None = None,
        transferred: int = 0,
        counterpart: str | None = None,
        reference: str = "",
    ) -> None:
        if member is None:
            self.unresolved.append((len(self.movements), event.originator_id.hex))
        self.movements.append(
            (
                event.position,
                line_no,
                member,
                event.data["effective_date"],
                kind,
                cents if subscribed is None else subscribed,
                cents,
                transferred,
                counterpart,
                reference[:100],
            )
        )

    def member_number(self, aggregate_hex: str) -> str | None:
        """For events that predate ``member_number`` in their fields: None when the member registered
        before this page (``write`` reads it)."""
        return self.numbers.get(aggregate_hex)

    def plan(self) -> _Plan:
        return (self.members, self.movements, self.distributions, self.shares, self.unresolved)


# (members, movements, distributions, shares, unresolved movements): plain values.
_Rows = list[tuple[Any, ...]]
_Plan = tuple[_Rows, _Rows, _Rows, _Rows, list[tuple[int, str]]]


def _write(conn: Connection, plan: _Plan) -> None:
    members, movements, distributions, shares, unresolved = plan
    if unresolved:
        # Every member the page's older events name, in one query.
        c = capital_members.c
        wanted = {aggregate_hex for _, aggregate_hex in unresolved}
        found = conn.execute(select(c.aggregate_id, c.number).where(among(conn, c.aggregate_id, wanted)))
        numbers = dict(found.all())
        for index, aggregate_hex in unresolved:
            if aggregate_hex not in numbers:
                raise LookupError(f"capital: el asociado {aggregate_hex} no está registrado")
            row = movements[index]
            movements[index] = (*row[:2], str(numbers[aggregate_hex]), *row[3:])
    for table, rows in (
        (capital_members, members),
        (capital_movements, movements),
        (surplus_distributions, distributions),
        (surplus_shares, shares),
    ):
        insert_rows(conn, table, rows)


Handler = Callable[[_Page, LoggedEvent], None]


class CapitalProjection(PlannedProjection):
    name = "capital"

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {
            _topic(Member, "MemberRegistered"): _registered,
            _topic(Member, "SharesSubscribed"): _legacy_subscribed,
            _topic(Member, "SharesIntegrated"): _legacy_integrated,
            _topic(Member, "CapitalSubscribed"): _subscribed,
            _topic(Member, "CapitalIntegrated"): _integrated,
            _topic(Member, "CapitalTransferred"): _transferred,
            _topic(Invoice, "InvoiceIssued"): _billed,
            _topic(ReimbursementQueue, "ReimbursementRequested"): _reimbursement,
            _topic(SurplusDistribution, "SurplusDistributionApproved"): _distribution,
        }

    def topics(self) -> frozenset[str]:
        return frozenset(self.handlers)

    def tables(self) -> Sequence[Table]:
        return (capital_members, capital_movements, surplus_distributions, surplus_shares)

    def plan_page(self, events: Sequence[LoggedEvent]) -> _Plan:
        page = _Page()
        for event in events:
            self.handlers[event.topic](page, event)
        return page.plan()

    def write_planned(self, conn: Connection, plan: _Plan) -> None:
        _write(conn, plan)


def _registered(page: _Page, event: LoggedEvent) -> None:
    d = event.data
    page.members.append((d["number"], event.originator_id.hex, d["associate"]))
    page.numbers[event.originator_id.hex] = d["number"]


def _legacy_subscribed(page: _Page, event: LoggedEvent) -> None:
    member = page.member_number(event.originator_id.hex)
    page.movement(event, 0, member, "subscription", 0, subscribed=to_cents(event.data["amount"]))


def _legacy_integrated(page: _Page, event: LoggedEvent) -> None:
    member = page.member_number(event.originator_id.hex)
    page.movement(event, 0, member, "integration", to_cents(event.data["amount"]), subscribed=0)


def _subscribed(page: _Page, event: LoggedEvent) -> None:
    d = event.data
    page.movement(
        event,
        0,
        d["member_number"],
        "subscription",
        0,
        subscribed=to_cents(d["amount"]),
        reference=d["board_minute"],
    )


def _integrated(page: _Page, event: LoggedEvent) -> None:
    d = event.data
    page.movement(event, 0, d["member_number"], "integration", to_cents(d["amount"]), subscribed=0)


def _transferred(page: _Page, event: LoggedEvent) -> None:
    d = event.data
    cents = to_cents(d["amount"])
    reference = f"{d['board_minute']} ({d['board_date']:%d/%m/%Y})"
    page.movement(
        event,
        0,
        d["from_member"],
        "transfer",
        -cents,
        transferred=-cents,
        counterpart=d["to_member"],
        reference=reference,
    )
    page.movement(
        event,
        1,
        d["to_member"],
        "transfer",
        cents,
        transferred=cents,
        counterpart=d["from_member"],
        reference=reference,
    )


def _billed(page: _Page, event: LoggedEvent) -> None:
    d = event.data
    capital = sum((ln["amount"] for ln in d["lines"] if ln["kind"] == "capital"), Decimal(0))
    if capital:
        reference = f"Factura {d['letter']} {d['point_of_sale']:05d}-{d['number']:08d}"
        page.movement(event, 0, d["member_number"], "billed", to_cents(capital), reference=reference)


def _reimbursement(page: _Page, event: LoggedEvent) -> None:
    d = event.data
    page.movement(
        event, 0, d["member_number"], "reimbursement", -to_cents(d["amount"]), reference="Pedido de reembolso"
    )


def _distribution(page: _Page, event: LoggedEvent) -> None:
    d = event.data
    page.distributions.append(
        (
            d["year"],
            d["effective_date"],
            d["assembly_minute"],
            d["retorno_to"],
            to_cents(d["result"]),
            to_cents(d["special_reserve"]),
            to_cents(d["prior_losses"]),
            to_cents(d["loss_offset"]),
            to_cents(d["legal_reserve"]),
            to_cents(d["assistance_fund"]),
            to_cents(d["education_fund"]),
            str(d["interest_rate_percent"]),
            to_cents(d["interest_total"]),
            to_cents(d["retorno_total"]),
        )
    )
    for line_no, share in enumerate(d["shares"]):
        credited = to_cents(share["retorno"] + share["interest"])
        page.shares.append(
            (
                d["year"],
                share["member_number"],
                to_cents(share["operations"]),
                to_cents(share["capital"]),
                to_cents(share["interest"]),
                to_cents(share["retorno"]),
            )
        )
        if d["retorno_to"] == "capital" and credited:
            page.movement(
                event,
                line_no,
                share["member_number"],
                "retorno",
                credited,
                reference=f"Retorno e interés ejercicio {d['year']}",
            )
