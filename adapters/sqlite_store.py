"""The built-in ``eventsourcing.sqlite`` store, with one change for bulk saves.

eventsourcing 9.5.6 inserts a save's events into SQLite one ``execute`` at a
time, to read each one's rowid (its notification id). Here they go in one
``executemany``. The ids are still exact: the save runs in one transaction
that holds SQLite's single write lock from its first insert, and a rowid table
gives each new row the largest rowid plus one, so the batch's ids are the
consecutive values ending at ``last_insert_rowid()``. A duplicate (originator,
version) still fails the whole save with ``IntegrityError``.

The event store's own connections never checkpoint the write-ahead log
(``wal_autocheckpoint=0``); the read-model engine's connections do, as SQLite
does by default, after every page a projection commits. A save's commit used
to copy the log into the database file whenever the log had grown past 1,000
pages, and while a bulk command saves, its projection follower writes as much
again: at 100,000 payments the import's saves spent a tenth of their time in
those checkpoints (py-spy), and the import ran at 4,174 and 4,256 payments/s
against 4,475, 4,601 and 4,702 with the checkpoints left to the projections
(10,000 pages instead of never was worse: 4,008 and 4,086). Every command
projects what it saved, so the log is still checkpointed after each one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Environment, Notification, StoredEvent
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteCursor,
    SQLiteFactory,
)


class AsientoSQLiteRecorder(SQLiteApplicationRecorder):
    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **_: Any
    ) -> Sequence[int] | None:
        if not stored_events:
            return []
        c.executemany(
            self.insert_events_statement,
            [
                (
                    s.originator_id.hex if isinstance(s.originator_id, UUID) else s.originator_id,
                    s.originator_version,
                    s.topic,
                    s.state,
                )
                for s in stored_events
            ],
        )
        c.execute("SELECT last_insert_rowid()")
        last = int(c.fetchone()[0])
        return list(range(last - len(stored_events) + 1, last + 1))


    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        """The library's query, its rows made into notifications without the dataclass's
        ``__init__``: a frozen dataclass sets each field through ``object.__setattr__``, and
        every projection page, planning window and rebuild reads thousands of them."""
        clauses: list[str] = []
        params: list[int | str] = []
        if start is not None:
            clauses.append("rowid>=?" if inclusive_of_start else "rowid>?")
            params.append(start)
        if stop is not None:
            clauses.append("rowid<=?")
            params.append(stop)
        if topics:
            clauses.append(f"topic IN ({','.join('?' * len(topics))})")
            params += list(topics)
        where = f"WHERE {' AND '.join(clauses)} " if clauses else ""
        statement = (
            f"SELECT rowid, originator_id, originator_version, topic, state FROM {self.events_table_name} "
            f"{where}ORDER BY rowid LIMIT ?"
        )
        params.append(limit)
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, params)
            rows = c.fetchall()
        convert = self.convert_originator_id
        new, set_state = object.__new__, object.__setattr__
        notifications = []
        for rowid, originator_id, version, topic, state in rows:
            notification = new(Notification)
            set_state(
                notification,
                "__dict__",
                {
                    "originator_id": convert(originator_id),
                    "originator_version": version,
                    "topic": topic,
                    "state": state,
                    "id": rowid,
                },
            )
            notifications.append(notification)
        return notifications


class _EventStorePool(SQLiteConnectionPool):
    """The library's pool, with connections that leave checkpoints to the read models' engine."""

    def _create_connection(self) -> SQLiteConnection:
        connection = super()._create_connection()
        connection._sqlite_conn.execute("PRAGMA wal_autocheckpoint=0")
        return connection


class AsientoSQLiteFactory(SQLiteFactory):
    application_recorder_class = AsientoSQLiteRecorder

    def __init__(self, env: Environment | dict[str, str] | None) -> None:
        super().__init__(env)
        library_pool = self.datastore.pool
        self.datastore.pool = _EventStorePool(
            db_name=library_pool.db_name,
            lock_timeout=library_pool.lock_timeout,
            pool_size=library_pool.pool_size,
            max_overflow=library_pool.max_overflow,
            pool_timeout=library_pool.pool_timeout,
            max_age=library_pool.max_age,
            pre_ping=library_pool.pre_ping,
        )
        library_pool.close()  # it has opened no connection yet
