"""Member statement (estado de cuenta): documents, balances, debt per supply and service, ageing."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, select

from domain.errors import NotFound
from domain.money import ZERO, from_cents
from projections.commercial_tables import account_documents, members

AGEING_BUCKETS = (("no vencido", None, 0), ("1 a 30 días", 1, 30), ("31 a 60 días", 31, 60),
                  ("61 a 90 días", 61, 90), ("más de 90 días", 91, None))


@dataclass(frozen=True)
class StatementLine:
    document_id: str
    label: str
    supply_number: str | None
    service: str | None
    issue_date: date
    due_date: date
    total: Decimal
    paid: Decimal

    @property
    def balance(self) -> Decimal:
        return self.total - self.paid

    def days_overdue(self, as_of: date) -> int:
        return max(0, (as_of - self.due_date).days)


@dataclass(frozen=True)
class Statement:
    member_number: str
    member_name: str
    as_of: date
    lines: list[StatementLine]
    credit: Decimal = ZERO  # overpayments not yet applied (today's figure, not as of the date)

    @property
    def debt(self) -> Decimal:
        return sum((ln.balance for ln in self.lines), ZERO)

    def debt_by(self, attribute: str) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for line in self.lines:
            if line.balance:
                totals[str(getattr(line, attribute))] += line.balance
        return dict(sorted(totals.items()))

    def ageing(self) -> dict[str, Decimal]:
        buckets = {name: ZERO for name, _, _ in AGEING_BUCKETS}
        for line in self.lines:
            if not line.balance:
                continue
            days = line.days_overdue(self.as_of)
            for name, low, high in AGEING_BUCKETS:
                if (low is None or days >= low) and (high is None or days <= high):
                    buckets[name] += line.balance
                    break
        return buckets


def member_statement(conn: Connection, member_number: str, as_of: date) -> Statement:
    found = conn.execute(
        select(members.c.name, members.c.credit_cents).where(members.c.number == member_number)
    ).first()
    if found is None:
        raise NotFound(f"El asociado {member_number} no existe")
    d = account_documents.c
    rows = conn.execute(
        select(d.document_id, d.label, d.supply_number, d.service, d.issue_date, d.due_date, d.total_cents,
               d.paid_cents)
        .where((d.member_number == member_number) & (d.issue_date <= as_of))
        .order_by(d.issue_date, d.label)
    )
    lines = [
        StatementLine(doc_id, label, supply, service, issued, due, from_cents(total), from_cents(paid))
        for doc_id, label, supply, service, issued, due, total, paid in rows
    ]
    return Statement(member_number, found.name, as_of, lines, from_cents(found.credit_cents))
