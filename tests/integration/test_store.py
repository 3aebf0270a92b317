"""The event store as configured by ASIENTO_DATABASE_URL."""

from __future__ import annotations

import threading
from datetime import date

from adapters.store import StoreConfig
from api.bootstrap import Asiento
from domain.journal import JournalEntry
from tests.integration.helpers import CAPITAL, CASH

LARGE_SAVE_EVENTS = 3_000


def test_one_url_configures_both_stores() -> None:
    pg = StoreConfig("postgresql://contadora:s3cr%40t@db.local:5433/coop")
    env = pg.eventsourcing_env()
    assert (
        env["POSTGRES_USER"],
        env["POSTGRES_PASSWORD"],
        env["POSTGRES_HOST"],
        env["POSTGRES_PORT"],
        env["POSTGRES_DBNAME"],
    ) == ("contadora", "s3cr@t", "db.local", "5433", "coop")
    assert str(pg.sqlalchemy_url()).startswith("postgresql+psycopg://contadora:")
    sqlite = StoreConfig("sqlite:///./asiento.db")
    assert sqlite.eventsourcing_env()["SQLITE_DBNAME"] == "asiento.db"


def test_a_large_save_completes(asiento: Asiento) -> None:
    """eventsourcing 9.5.6 deadlocked past ~4 MB per save on PostgreSQL (see adapters.pg_store)."""
    from domain.chart import Side
    from domain.journal import EntryLine
    from domain.money import D

    chart, calendar = asiento.app.chart(), asiento.app.calendar()
    lines = [EntryLine(CASH, Side.DEBIT, D("1.00"), {"member": "x" * 60}) for _ in range(10)]
    lines += [EntryLine(CAPITAL, Side.CREDIT, D("10.00"), {"member": "y" * 60})]
    entries = [
        JournalEntry.post(
            effective_date=date(2026, 5, 1),
            description="d" * 200,
            lines=lines,
            chart=chart,
            calendar=calendar,
            recorded_by="test",
        )
        for _ in range(LARGE_SAVE_EVENTS)
    ]
    head = asiento.runner.head()
    saver = threading.Thread(target=asiento.app.save, args=entries, daemon=True)
    saver.start()
    saver.join(timeout=120)
    assert not saver.is_alive(), "the save of a large batch did not return"
    assert asiento.runner.head() == head + LARGE_SAVE_EVENTS
