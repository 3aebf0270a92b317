"""Account balances per account and per dimension value, by business date.

A projection of the journal: each page, after the journal projection has
written the page's lines in the same transaction, the database sums those lines
(``INSERT ... SELECT ... GROUP BY ... ON CONFLICT DO UPDATE``), so the cost is a
range scan of the page's lines and one upsert per distinct key.

Only the low-cardinality dimensions (service, cost centre, category, zone) are
kept. Per-member and per-supply balances would be as many rows as journal
lines: they come from the journal lines and the member current-account
projection instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Table, func, select, text

from domain.journal import NOT_IN_BALANCES
from projections.journal import JournalProjection
from projections.runner import LoggedEvent, Projection
from projections.tables import account_balances, account_dimension_balances, journal_entries

BALANCE_DIMENSIONS = ("service", "cost_center", "category", "zone")

_ACCOUNT_UPSERT = """
INSERT INTO account_balances (account_code, effective_date, debit_cents, credit_cents)
SELECT account_code, effective_date, SUM(debit_cents), SUM(credit_cents)
FROM journal_lines WHERE entry_id BETWEEN :low AND :high AND rule <> '{excluded}'
GROUP BY account_code, effective_date
ON CONFLICT (account_code, effective_date) DO UPDATE SET
  debit_cents = account_balances.debit_cents + excluded.debit_cents,
  credit_cents = account_balances.credit_cents + excluded.credit_cents
"""

_DIMENSION_UPSERT = """
INSERT INTO account_dimension_balances
  (account_code, dimension, value, effective_date, debit_cents, credit_cents)
SELECT account_code, '{dimension}', {dimension}, effective_date, SUM(debit_cents), SUM(credit_cents)
FROM journal_lines WHERE entry_id BETWEEN :low AND :high AND {dimension} IS NOT NULL
  AND rule <> '{excluded}'
GROUP BY account_code, {dimension}, effective_date
ON CONFLICT (account_code, dimension, value, effective_date) DO UPDATE SET
  debit_cents = account_dimension_balances.debit_cents + excluded.debit_cents,
  credit_cents = account_dimension_balances.credit_cents + excluded.credit_cents
"""


class BalancesProjection(Projection):
    """Follows the same events as the journal, and must run after it in each page."""

    name = "balances"

    def __init__(self, journal: JournalProjection) -> None:
        self.journal = journal

    def topics(self) -> frozenset[str]:
        return self.journal.topics()

    def tables(self) -> Sequence[Table]:
        return (account_balances, account_dimension_balances)

    def handle_page(self, conn: Connection, events: Sequence[LoggedEvent]) -> None:
        if not events:
            return
        positions = journal_entries.c.event_position
        low, high = conn.execute(
            select(func.min(journal_entries.c.entry_id), func.max(journal_entries.c.entry_id)).where(
                positions.between(events[0].position, events[-1].position)
            )
        ).one()
        if low is None:
            return
        bounds = {"low": low, "high": high}
        conn.execute(text(_ACCOUNT_UPSERT.format(excluded=NOT_IN_BALANCES)), bounds)
        for dimension in BALANCE_DIMENSIONS:
            upsert = _DIMENSION_UPSERT.format(dimension=dimension, excluded=NOT_IN_BALANCES)
            conn.execute(text(upsert), bounds)
