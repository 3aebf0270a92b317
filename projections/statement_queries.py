"""Signed account figures for the financial statements and the year-end entries.

Signed means debit minus credit (positive = saldo deudor). ``as_known_at`` reads
the journal lines recorded up to that moment, so a statement can be shown as
the books showed it before later corrections.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Connection, and_, func, select

from domain.journal import NOT_IN_BALANCES
from domain.money import from_cents
from projections.queries import trial_balance
from projections.tables import account_balances, journal_entries, journal_lines


def signed_balances(conn: Connection, as_of: date, as_known_at: datetime | None = None) -> dict[str, Decimal]:
    """Every account's balance at the end of ``as_of``."""
    report = trial_balance(conn, as_of, as_known_at)
    return {row.code: row.balance for row in report.rows if row.balance}


def signed_movements(
    conn: Connection,
    date_from: date,
    date_to: date,
    *,
    as_known_at: datetime | None = None,
    exclude_rules: Collection[str] = (),
) -> dict[str, Decimal]:
    """Each account's net movement between two business dates (both included).

    ``exclude_rules`` leaves out the lines of entries by those rules or kinds
    (the closing entry, so that an income statement shows the year's results
    even after they were closed).
    """
    if as_known_at is None:
        totals = _movements_from_balances(conn, date_from, date_to)
        if exclude_rules:
            for code, cents in _line_movements(conn, date_from, date_to, None, exclude_rules, True).items():
                totals[code] = totals.get(code, 0) - cents
    else:
        totals = _line_movements(conn, date_from, date_to, as_known_at, exclude_rules, False)
    return {code: from_cents(cents) for code, cents in sorted(totals.items()) if cents}


def _movements_from_balances(conn: Connection, date_from: date, date_to: date) -> dict[str, int]:
    b = account_balances.c
    query = (
        select(b.account_code, func.sum(b.debit_cents) - func.sum(b.credit_cents))
        .where(and_(b.effective_date >= date_from, b.effective_date <= date_to))
        .group_by(b.account_code)
    )
    return {code: int(cents) for code, cents in conn.execute(query)}


def _line_movements(
    conn: Connection,
    date_from: date,
    date_to: date,
    as_known_at: datetime | None,
    rules: Collection[str],
    only_rules: bool,
) -> dict[str, int]:
    """Net movements from the journal lines: those of ``rules`` only, or all but them."""
    line, entry = journal_lines.c, journal_entries.c
    conditions = [
        line.effective_date >= date_from,
        line.effective_date <= date_to,
        line.rule != NOT_IN_BALANCES,
    ]
    if rules:
        conditions.append(line.rule.in_(rules) if only_rules else line.rule.not_in(rules))
    elif only_rules:
        return {}
    query = select(line.account_code, func.sum(line.debit_cents) - func.sum(line.credit_cents))
    if as_known_at is not None:
        query = query.join(journal_entries, entry.entry_id == line.entry_id)
        conditions.append(entry.recorded_at <= as_known_at)
    query = query.where(and_(*conditions)).group_by(line.account_code)
    return {code: int(cents) for code, cents in conn.execute(query)}
