"""The event store as configured by ASIENTO_DATABASE_URL."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from adapters.store import StoreConfig
from api.bootstrap import Asiento
from domain.chart import Side
from domain.journal import EntryLine, JournalEntry
from domain.money import D
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


def test_bulk_loading_rebuilds_the_same_aggregates_as_the_repository(asiento: Asiento) -> None:
    from uuid import UUID

    from adapters.bulk_load import load_aggregates
    from domain.members import member_id
    from tests.integration.cooperative import member

    member(asiento, "1")
    member(asiento, "2")
    asiento.app.subscribe_shares(
        "1", "1000.00", date(2026, 1, 5), integrated="50.00", account="1.1.01.01", recorded_by="test"
    )
    entry_id = asiento.app.post_entry(
        effective_date=date(2026, 5, 1),
        description="x",
        recorded_by="test",
        lines=[EntryLine(CASH, Side.DEBIT, D("1.00")), EntryLine(CAPITAL, Side.CREDIT, D("1.00"))],
    )
    wanted = [member_id("1"), member_id("2"), entry_id, UUID(int=5)]
    loaded = load_aggregates(asiento.app, asiento.engine, wanted)
    assert set(loaded) == {member_id("1"), member_id("2"), entry_id}
    for key, aggregate in loaded.items():
        expected = asiento.app.repository.get(key)
        assert type(aggregate) is type(expected) and aggregate.version == expected.version
        assert aggregate.__dict__ == expected.__dict__


def test_paying_members_are_loaded_at_the_logs_version_with_their_credit(asiento: Asiento) -> None:
    """Only credit changes are read whole; the other events count for the version."""
    from uuid import UUID

    from adapters.bulk_load import load_paying_members
    from domain.members import member_id
    from tests.integration.cooperative import member

    member(asiento, "1")
    member(asiento, "2")
    asiento.app.subscribe_shares(
        "1", "1000.00", date(2026, 1, 5), integrated="50.00", account="1.1.01.01", recorded_by="test"
    )
    one = asiento.app.repository.get(member_id("1"))
    one.change_credit(UUID(int=1), D("75.00"), reason="recibo")
    one.change_credit(UUID(int=2), D("-20.25"), reason="recibo")
    asiento.app.save(one)
    loaded = load_paying_members(asiento.app, asiento.engine, ["000001", "000002", "000009"])
    assert set(loaded) == {member_id("1"), member_id("2")}
    assert sorted((m.number, m.version, m.credit) for m in loaded.values()) == [
        ("000001", 5, D("54.75")),
        ("000002", 1, D("0")),
    ]
    for key, paying in loaded.items():
        assert paying.version == asiento.app.repository.get(key).version


def test_a_save_returns_the_log_positions_and_a_duplicate_writes_nothing(asiento: Asiento) -> None:
    """Events are written in bulk (COPY on PostgreSQL, adapters.pg_store; one executemany on SQLite,
    adapters.sqlite_store): the positions a save reports must be the ones the log gives them, and
    one duplicate must refuse the whole save."""
    import pytest
    from eventsourcing.persistence import IntegrityError

    def entry() -> JournalEntry:
        return JournalEntry.post(
            effective_date=date(2026, 5, 1),
            description="copia",
            lines=[EntryLine(CASH, Side.DEBIT, D("1.00")), EntryLine(CAPITAL, Side.CREDIT, D("1.00"))],
            chart=asiento.app.chart(),
            calendar=asiento.app.calendar(),
            recorded_by="test",
        )

    first, second, third = entry(), entry(), entry()
    recordings = asiento.app.save(first, second, third)
    positions = [r.notification.id for r in recordings]
    logged = asiento.app.recorder.select_notifications(positions[0], 10)
    assert [(n.id, n.originator_id) for n in logged] == list(
        zip(positions, [first.id, second.id, third.id], strict=True)
    )
    assert positions == list(range(positions[0], positions[0] + 3))
    head = asiento.runner.head()
    again = JournalEntry.post(
        effective_date=date(2026, 5, 1),
        description="repetido",
        lines=[EntryLine(CASH, Side.DEBIT, D("2.00")), EntryLine(CAPITAL, Side.CREDIT, D("2.00"))],
        chart=asiento.app.chart(),
        calendar=asiento.app.calendar(),
        recorded_by="test",
        entry_id=first.id,
    )
    with pytest.raises(IntegrityError):
        asiento.app.save(entry(), again)
    assert asiento.runner.head() == head


def test_sqlite_checkpoints_are_left_to_the_read_models_engine(asiento: Asiento) -> None:
    """The event store's connections never checkpoint the write-ahead log (a bulk save's
    commit used to copy it into the file); the engine's connections, which commit every
    projection page, checkpoint it as SQLite does by default, so the log is still copied
    back after every command."""
    if not asiento.config.is_sqlite:
        return  # PostgreSQL has no such log to checkpoint
    datastore = asiento.app.recorder.datastore  # type: ignore[attr-defined]
    with datastore.get_connection(commit=False) as connection:
        assert connection._sqlite_conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    with asiento.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
    asiento.app.post_entry(
        effective_date=date(2026, 1, 5),
        description="Aporte",
        lines=[EntryLine(CASH, Side.DEBIT, D("10.00")), EntryLine(CAPITAL, Side.CREDIT, D("10.00"))],
        recorded_by="t",
    )
    asiento.runner.catch_up()
    with asiento.engine.connect() as conn:
        busy, log_frames, checkpointed = conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
    assert busy == 0 and checkpointed == log_frames


def test_sqlite_notifications_read_as_the_library_reads_them(asiento: Asiento) -> None:
    """The SQLite recorder builds its notifications without the dataclass __init__: the same
    values, for every combination of start, stop and topics the runner asks for."""
    if not asiento.config.is_sqlite:
        return
    from eventsourcing.sqlite import SQLiteApplicationRecorder

    for day in (5, 6, 7):
        asiento.app.post_entry(
            effective_date=date(2026, 1, day),
            description="Aporte",
            lines=[EntryLine(CASH, Side.DEBIT, D("10.00")), EntryLine(CAPITAL, Side.CREDIT, D("10.00"))],
            recorded_by="t",
        )
    recorder = asiento.app.recorder
    head = recorder.max_notification_id()
    topics = sorted({n.topic for n in recorder.select_notifications(1, 1000)})
    for start, stop, chosen, inclusive in [
        (1, None, [], True),
        (2, head - 1, [], True),
        (2, head, topics[:1], False),
        (None, None, topics[-2:], True),
    ]:
        ours = recorder.select_notifications(
            start, 50, stop=stop, topics=chosen, inclusive_of_start=inclusive
        )
        library = SQLiteApplicationRecorder.select_notifications(
            recorder, start, 50, stop=stop, topics=chosen, inclusive_of_start=inclusive  # type: ignore[arg-type]
        )
        assert ours == library and len(ours) > 0
        assert [type(n) for n in ours] == [type(n) for n in library]


def _log_frames(path: object) -> int:
    """Pages in the write-ahead log now (mxFrame of the log index's header), read without a checkpoint."""
    import struct

    with open(f"{path}-shm", "rb") as shm:
        header = shm.read(20)
    return int(struct.unpack("=I", header[16:20])[0])


@pytest.mark.parametrize("keeper", ["now", "in the background", None])
def test_the_sqlite_log_is_started_over_once_long(asiento: Asiento, keeper: str | None) -> None:
    """After a projection page, a log longer than the threshold is copied back with a RESTART
    checkpoint, so the next write starts it from the beginning; left alone (while readers
    and writers keep coming, as beside a bulk command) it only grows: past 1.5 GB once.
    In the background (a follower's keeper) the same, once the thread has run."""
    import sqlite3

    from adapters.store import wal_keeper

    if not asiento.config.is_sqlite:
        assert wal_keeper(asiento.engine) is None and asiento.runner.after_page is None
        return
    assert asiento.runner.after_page is not None  # wired: runs after every page

    def entry(day: int) -> None:
        asiento.app.post_entry(
            effective_date=date(2026, 1, day),
            description="Aporte",
            lines=[EntryLine(CASH, Side.DEBIT, D("10.00")), EntryLine(CAPITAL, Side.CREDIT, D("10.00"))],
            recorded_by="t",
        )

    reader = sqlite3.connect(str(asiento.config.sqlite_path))
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM stored_events").fetchone()  # an old snapshot holds the log
    for day in range(1, 11):
        entry(day)
        asiento.runner.catch_up()
    reader.rollback()
    reader.close()
    grown = _log_frames(asiento.config.sqlite_path)
    if keeper:
        keep_short = wal_keeper(asiento.engine, restart_frames=1, in_background=keeper != "now")
        assert keep_short is not None
        keep_short()
        keep_short.close()  # waits for the thread
    entry(11)
    if keeper:
        assert _log_frames(asiento.config.sqlite_path) < grown  # started over
    else:
        assert _log_frames(asiento.config.sqlite_path) > grown  # appended


def test_additive_updates_add_to_each_keyed_row_only(asiento: Asiento) -> None:
    """``projections.bulk.add_to_column``: one statement on PostgreSQL, executemany on SQLite."""
    from sqlalchemy import select

    from projections.bulk import add_to_column, insert_rows
    from projections.commercial_tables import account_documents

    def row(document: str, paid_cents: int) -> tuple[object, ...]:
        return (document, "000001", "E1", "electricity", "invoice", "B 0001-1", "2026-01-02",
                "2026-01-17", 10_000, paid_cents, 1)

    with asiento.engine.begin() as conn:
        insert_rows(conn, account_documents, [row("a" * 32, 0), row("b" * 32, 250), row("c" * 32, 7)])
        add_to_column(conn, account_documents, "document_id", "paid_cents", {"a" * 32: 1_999, "b" * 32: -50})
        add_to_column(conn, account_documents, "document_id", "paid_cents", {})
        c = account_documents.c
        paid = dict(conn.execute(select(c.document_id, c.paid_cents)).all())
    assert paid == {"a" * 32: 1_999, "b" * 32: 200, "c" * 32: 7}



@pytest.mark.parametrize("parameter_limit", [None, 999])
def test_bulk_inserts_write_every_row_in_order(asiento: Asiento, parameter_limit: int | None) -> None:
    """``insert_rows``: on SQLite statements of many rows, then the rest one row at a time;
    fewer rows a statement where SQLite allows fewer parameters (999 before 3.32)."""
    import sqlite3

    from sqlalchemy import select, text

    from projections.bulk import SQLITE_ROWS_PER_INSERT, insert_rows
    from projections.tables import journal_lines

    count = 3 * SQLITE_ROWS_PER_INSERT + 7
    rows = [
        (n // 4 + 1, n % 4 + 1, f"1.1.{n % 9}", "2026-03-01", n, 0, n, "rule", f"{n:06d}", None, "water",
         None, None, None)
        for n in range(count)
    ]
    with asiento.engine.begin() as conn:
        raw = conn.connection.dbapi_connection
        limited = parameter_limit is not None and isinstance(raw, sqlite3.Connection)  # PostgreSQL copies
        before = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if limited else 0
        if limited:
            raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, parameter_limit)
        try:
            insert_rows(conn, journal_lines, rows)
        finally:
            if limited:
                raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)
        stored = [tuple(r) for r in conn.execute(select(journal_lines).order_by("entry_id", "line_no"))]
        # None is bound as NULL (on SQLite through the adapter registered for it, see make_engine).
        nulls = conn.execute(
            text("SELECT count(*) FROM journal_lines WHERE supply IS NULL AND zone IS NULL AND member <> ''")
        ).scalar()
    assert [r[:2] + r[4:7] + r[8:] for r in stored] == [r[:2] + r[4:7] + r[8:] for r in rows]
    assert [str(r[3]) for r in stored] == ["2026-03-01"] * count
    assert nulls == count


def test_sqlite_read_models_free_pages_without_zeroing_them(asiento: Asiento) -> None:
    """Debian's SQLite zeroes every freed page (secure_delete): a rebuild's DROP of the journal
    then wrote it all again. Read models use FAST (zeroes only inside pages written anyway); a
    deferred index is sorted with helper threads, and the pooled connection is left without."""
    if not asiento.config.is_sqlite:
        return  # PostgreSQL has neither setting
    with asiento.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 2  # FAST
    runner = asiento.runner
    runner.reset(["journal"], defer_indexes=True)
    assert "ix_journal_lines_account_date" in runner.build_deferred_indexes()
    for _ in range(3):  # every pooled connection
        with asiento.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA threads").scalar() == 0


def test_a_followers_store_checkpoints_only_in_the_background(asiento: Asiento) -> None:
    """A bulk command's follower: its commits never copy the log back (wal_autocheckpoint=0);
    its keeper does, in a thread after each page, and closing the store waits for it."""
    from api.bootstrap import bootstrap

    if not asiento.config.is_sqlite:
        return
    follower = bootstrap(asiento.config.url, create_tables=False, background_checkpoints=True)
    try:
        assert follower.wal is not None and follower.wal.in_background
        assert follower.runner.after_page is follower.wal
        with follower.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
        with asiento.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000  # SQLite's own
    finally:
        follower.close()
    assert follower.wal._running is None
