"""Account balances per account and per dimension value, by business date.

A projection of the journal: each page, right after the journal projection, the
page's lines are summed per key and added with one upsert per distinct key
(``INSERT ... ON CONFLICT DO UPDATE``). The lines summed are the journal's plan
for the same events (what it has just written), so nothing is read back; when
that plan is not at hand (balances rebuilt alone, or behind the journal) the
database sums the page's written lines instead (``INSERT ... SELECT ... GROUP
BY``). Either way the balances are a function of the journal's lines.

Only the low-cardinality dimensions (service, cost centre, category, zone) are
kept. Per-member and per-supply balances would be as many rows as journal
lines: they come from the journal lines and the member current-account
projection instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Table, func, select, text

from domain.journal import NOT_IN_BALANCES
from projections.journal import JournalProjection, PlannedEntry
from projections.runner import LoggedEvent, PlannedProjection
from projections.tables import (
    DIMENSION_COLUMNS,
    account_balances,
    account_dimension_balances,
    journal_entries,
)

BALANCE_DIMENSIONS = ("service", "cost_center", "category", "zone")

_ACCOUNT_INSERT = "INSERT INTO account_balances (account_code, effective_date, debit_cents, credit_cents)"
_DIMENSION_INSERT = """INSERT INTO account_dimension_balances
  (account_code, dimension, value, effective_date, debit_cents, credit_cents)"""


def _add_on_conflict(table: str, key: str) -> str:
    """An existing row adds the new sums to its own."""
    return f"""ON CONFLICT ({key}) DO UPDATE SET
  debit_cents = {table}.debit_cents + excluded.debit_cents,
  credit_cents = {table}.credit_cents + excluded.credit_cents"""


_ACCOUNT_CONFLICT = _add_on_conflict("account_balances", "account_code, effective_date")
_DIMENSION_CONFLICT = _add_on_conflict(
    "account_dimension_balances", "account_code, dimension, value, effective_date"
)

# The database sums the page's written lines.
_ACCOUNT_UPSERT = f"""{_ACCOUNT_INSERT}
SELECT account_code, effective_date, SUM(debit_cents), SUM(credit_cents)
FROM journal_lines WHERE entry_id BETWEEN :low AND :high AND rule <> '{{excluded}}'
GROUP BY account_code, effective_date
{_ACCOUNT_CONFLICT}"""

_DIMENSION_UPSERT = f"""{_DIMENSION_INSERT}
SELECT account_code, '{{dimension}}', {{dimension}}, effective_date, SUM(debit_cents), SUM(credit_cents)
FROM journal_lines WHERE entry_id BETWEEN :low AND :high AND {{dimension}} IS NOT NULL
  AND rule <> '{{excluded}}'
GROUP BY account_code, {{dimension}}, effective_date
{_DIMENSION_CONFLICT}"""

# The sums come from the journal's plan, as positional parameters for the driver.
_ACCOUNT_ADD = f"""{_ACCOUNT_INSERT}
VALUES (?, ?, ?, ?)
{_ACCOUNT_CONFLICT}"""

_DIMENSION_ADD = f"""{_DIMENSION_INSERT}
VALUES (?, ?, ?, ?, ?, ?)
{_DIMENSION_CONFLICT}"""


def _driver_marks(conn: Connection, statement: str) -> str:
    """The statement with the driver's own parameter marks (qmark on SQLite, format on psycopg)."""
    return statement.replace("?", "%s") if conn.dialect.name == "postgresql" else statement


def _day_as_stored(conn: Connection) -> Callable[[str], str | date]:
    """How a day of the plan (ISO text) goes to the driver: SQLite stores that very text."""
    return date.fromisoformat if conn.dialect.name == "postgresql" else str


class BalancesProjection(PlannedProjection):
    """Follows the same events as the journal, and must run after it in each page."""

    name = "balances"

    def __init__(self, journal: JournalProjection) -> None:
        self.journal = journal

    def topics(self) -> frozenset[str]:
        return self.journal.topics()

    def tables(self) -> Sequence[Table]:
        return (account_balances, account_dimension_balances)

    def plan_page(self, events: Sequence[LoggedEvent]) -> BalancesPlan | None:
        """The page's sums, from the journal's plan of the same events when it is at hand (the
        journal runs just before in every page); otherwise the database sums the page's lines."""
        if not events:
            return None
        planned = self.journal.planned_for(events)
        if planned is None:
            return (events[0].position, events[-1].position)
        return _sums(planned)

    def write_planned(self, conn: Connection, plan: BalancesPlan | None) -> None:
        if plan is None:
            return
        if not isinstance(plan, PageSums):
            self._sum_written_lines(conn, plan)
            return
        accounts, dimensions = plan.accounts, plan.dimensions
        # Through the driver, rows as tuples: SQLAlchemy's parameter processing of the page's
        # 2,500-odd sums cost a tenth of a rebuild's writing (profiled). SQLite keeps dates as
        # the ISO text the plan carries; PostgreSQL is handed dates.
        day = _day_as_stored(conn)
        if accounts:
            conn.exec_driver_sql(
                _driver_marks(conn, _ACCOUNT_ADD),
                [(a, day(d), debit, credit) for (a, d), (debit, credit) in accounts.items()],
            )
        if dimensions:
            conn.exec_driver_sql(
                _driver_marks(conn, _DIMENSION_ADD),
                [
                    (a, dim, v, day(d), debit, credit)
                    for (a, dim, v, d), (debit, credit) in dimensions.items()
                ],
            )

    def _sum_written_lines(self, conn: Connection, positions: tuple[int, int]) -> None:
        event_position = journal_entries.c.event_position
        low, high = conn.execute(
            select(func.min(journal_entries.c.entry_id), func.max(journal_entries.c.entry_id)).where(
                event_position.between(*positions)
            )
        ).one()
        if low is None:
            return
        bounds = {"low": low, "high": high}
        conn.execute(text(_ACCOUNT_UPSERT.format(excluded=NOT_IN_BALANCES)), bounds)
        for dimension in BALANCE_DIMENSIONS:
            upsert = _DIMENSION_UPSERT.format(dimension=dimension, excluded=NOT_IN_BALANCES)
            conn.execute(text(upsert), bounds)


# Debit and credit cents per (account, day) and per (account, dimension, value, day); the day as
# the journal's plan carries it (ISO text).
AccountSums = dict[tuple[str, str], list[int]]
DimensionSums = dict[tuple[str, str, str, str], list[int]]


@dataclass(frozen=True)
class PageSums:
    accounts: AccountSums
    dimensions: DimensionSums


# The page's sums, or the range of log positions whose written lines the database sums.
BalancesPlan = PageSums | tuple[int, int]

# Where each balance dimension sits in a planned journal line (account, day, debit, credit,
# position, rule, *dimensions).
_DIMENSION_SLOTS = tuple((name, 6 + DIMENSION_COLUMNS.index(name)) for name in BALANCE_DIMENSIONS)


def _sums(planned: Sequence[PlannedEntry]) -> PageSums:
    accounts: AccountSums = {}
    dimensions: DimensionSums = {}
    for entry in planned:
        if entry[4] == NOT_IN_BALANCES:  # the rule: opening entries stay out of the balances
            continue
        day = entry[1]
        for line in entry[10]:
            account, debit, credit = line[0], line[2], line[3]
            sums = accounts.get((account, day))
            if sums is None:
                accounts[(account, day)] = [debit, credit]
            else:
                sums[0] += debit
                sums[1] += credit
            for name, slot in _DIMENSION_SLOTS:
                value = line[slot]
                if value is not None:
                    key = (account, name, value, day)
                    sums = dimensions.get(key)
                    if sums is None:
                        dimensions[key] = [debit, credit]
                    else:
                        sums[0] += debit
                        sums[1] += credit
    return PageSums(accounts, dimensions)
