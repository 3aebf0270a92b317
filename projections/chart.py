"""Chart of accounts and fiscal calendar read models."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Table, select

from domain.events import (
    ACCOUNT_CLOSED_TOPIC,
    ACCOUNT_OPENED_TOPIC,
    FISCAL_PERIOD_CLOSED_TOPIC,
    FISCAL_YEAR_CLOSED_TOPIC,
    FISCAL_YEAR_OPENED_TOPIC,
    FISCAL_YEAR_REOPENED_TOPIC,
)
from projections.runner import LoggedEvent, Projection
from projections.tables import fiscal_years, ledger_accounts


class ChartProjection(Projection):
    name = "chart"

    def topics(self) -> frozenset[str]:
        return frozenset(
            {
                ACCOUNT_OPENED_TOPIC,
                ACCOUNT_CLOSED_TOPIC,
                FISCAL_YEAR_OPENED_TOPIC,
                FISCAL_PERIOD_CLOSED_TOPIC,
                FISCAL_YEAR_CLOSED_TOPIC,
                FISCAL_YEAR_REOPENED_TOPIC,
            }
        )

    def tables(self) -> Sequence[Table]:
        return (ledger_accounts, fiscal_years)

    def handle_page(self, conn: Connection, events: Sequence[LoggedEvent]) -> None:
        # Few events, each small: applied one by one, in order.
        for event in events:
            data = event.data
            if event.topic == ACCOUNT_OPENED_TOPIC:
                conn.execute(
                    ledger_accounts.insert().values(
                        code=data["code"],
                        name=data["name"],
                        account_type=data["account_type"],
                        normal_balance=data["normal_balance"],
                        parent_code=data["parent_code"],
                        header=data["header"],
                        is_open=True,
                        opened_position=event.position,
                    )
                )
            elif event.topic == ACCOUNT_CLOSED_TOPIC:
                conn.execute(
                    ledger_accounts.update()
                    .where(ledger_accounts.c.code == data["code"])
                    .values(is_open=False)
                )
            else:
                self._calendar(conn, event)

    def _calendar(self, conn: Connection, event: LoggedEvent) -> None:
        data = event.data
        year = data["year"]
        where = fiscal_years.c.year == year
        if event.topic == FISCAL_YEAR_OPENED_TOPIC:
            conn.execute(
                fiscal_years.insert().values(
                    year=year,
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    closed=False,
                    closed_months="",
                )
            )
        elif event.topic == FISCAL_PERIOD_CLOSED_TOPIC:
            months = conn.execute(select(fiscal_years.c.closed_months).where(where)).scalar_one()
            joined = ",".join(sorted({*filter(None, months.split(",")), data["month"]}))
            conn.execute(fiscal_years.update().where(where).values(closed_months=joined))
        elif event.topic == FISCAL_YEAR_CLOSED_TOPIC:
            conn.execute(fiscal_years.update().where(where).values(closed=True))
        elif event.topic == FISCAL_YEAR_REOPENED_TOPIC:
            conn.execute(fiscal_years.update().where(where).values(closed=False))
