"""Financial statements from the ledger read models, with the previous year beside.

``as_known_at`` shows a statement as the books showed it at that moment.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection

from domain.closing import YEAR_CLOSING
from domain.errors import InvalidInput
from domain.statements import ChartNode, Statement, balance_sheet, income_statement
from projections.queries import list_accounts
from projections.statement_queries import signed_balances, signed_movements


def one_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def chart_nodes(conn: Connection) -> list[ChartNode]:
    return [
        ChartNode(row.code, row.name, row.account_type, row.parent_code, row.header)
        for row in list_accounts(conn)
    ]


def _known(as_known_at: datetime | None) -> str:
    return f"; según lo registrado al {as_known_at:%d/%m/%Y %H:%M}" if as_known_at else ""


def build_balance_sheet(
    conn: Connection, as_of: date, *, compare: bool = True, as_known_at: datetime | None = None
) -> Statement:
    dates = [as_of, one_year_before(as_of)] if compare else [as_of]
    columns = [signed_balances(conn, day, as_known_at) for day in dates]
    labels = [f"{day:%d/%m/%Y}" for day in dates]
    return balance_sheet(chart_nodes(conn), columns, labels, f"Al {as_of:%d/%m/%Y}{_known(as_known_at)}")


def build_income_statement(
    conn: Connection,
    date_from: date,
    date_to: date,
    *,
    compare: bool = True,
    as_known_at: datetime | None = None,
) -> Statement:
    """Results of the period; the closing entry is left out so a closed year still shows them."""
    if date_to < date_from:
        raise InvalidInput(f"--to ({date_to}) es anterior a --from ({date_from})")
    ranges = [(date_from, date_to)]
    if compare:
        ranges.append((one_year_before(date_from), one_year_before(date_to)))
    columns = [
        signed_movements(conn, start, end, as_known_at=as_known_at, exclude_rules=(YEAR_CLOSING,))
        for start, end in ranges
    ]
    labels = [f"{start:%d/%m/%Y} a {end:%d/%m/%Y}" for start, end in ranges]
    subtitle = f"Del {date_from:%d/%m/%Y} al {date_to:%d/%m/%Y}{_known(as_known_at)}"
    return income_statement(chart_nodes(conn), columns, labels, subtitle)


__all__ = ["build_balance_sheet", "build_income_statement", "one_year_before"]
