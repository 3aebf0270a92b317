"""Account balances per account, per dimension value, by business date.

Each page's postings are summed in memory and applied as one upsert per
(account, date) and per (account, dimension, value, date): the cost follows the
number of distinct keys, not the number of lines.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

from domain.chart import Side
from domain.money import to_cents
from projections.posting import PostingEngine
from projections.runner import LoggedEvent, Projection
from projections.tables import account_balances, account_dimension_balances

Totals = defaultdict[tuple[Any, ...], list[int]]


class BalancesProjection(Projection):
    name = "balances"

    def __init__(self, engine: PostingEngine) -> None:
        self.engine = engine

    def topics(self) -> frozenset[str]:
        return self.engine.topics()

    def tables(self) -> Sequence[Table]:
        return (account_balances, account_dimension_balances)

    def handle_page(self, conn: Connection, events: Sequence[LoggedEvent]) -> None:
        per_account: Totals = defaultdict(lambda: [0, 0])
        per_dimension: Totals = defaultdict(lambda: [0, 0])
        for event in events:
            day: date = event.data["effective_date"]
            for proposed in self.engine.post(event).entries:
                for posting in proposed.postings:
                    column = 0 if posting.side is Side.DEBIT else 1
                    cents = to_cents(posting.amount)
                    per_account[(posting.account, day)][column] += cents
                    for dimension, value in posting.dimensions.items():
                        per_dimension[(posting.account, dimension, value, day)][column] += cents
        _upsert(conn, account_balances, ("account_code", "effective_date"), per_account)
        _upsert(
            conn,
            account_dimension_balances,
            ("account_code", "dimension", "value", "effective_date"),
            per_dimension,
        )


def _upsert(conn: Connection, table: Table, keys: tuple[str, ...], totals: Totals) -> None:
    if not totals:
        return
    rows = [
        {**dict(zip(keys, key, strict=True)), "debit_cents": debit, "credit_cents": credit}
        for key, (debit, credit) in totals.items()
    ]
    dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
    statement = dialect.insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={
            "debit_cents": table.c.debit_cents + statement.excluded.debit_cents,
            "credit_cents": table.c.credit_cents + statement.excluded.credit_cents,
        },
    )
    conn.execute(statement, rows)
