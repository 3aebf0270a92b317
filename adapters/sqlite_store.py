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

import sqlite3
import threading
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    Environment,
    IntegrityError,
    Notification,
    OperationalError,
    PersistenceError,
    StoredEvent,
)
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


class WriteBehind:
    """A bulk command's saves, written while it goes on: SQLite's write lock is waited for in
    a thread, and the events are written at the command's first ``poll`` once it is held.

    Beside its projection follower, a collection import's saves waited 2.2 s of its 21 for
    the write lock the follower's pages held (100,000 payments, measured). Here the command
    encodes a batch's events and hands them over (``submit``); a thread takes the lock
    (``BEGIN IMMEDIATE``: SQLite's busy wait, without Python's lock) while the command
    prepares its next batch, calling ``poll`` between payments, and the first ``poll`` after
    the lock is held writes and commits. The insert is the recorder's own, in one
    transaction: a duplicate (originator, version) refuses the whole batch, as a plain save
    does, with the same ``IntegrityError``, raised by the ``poll``, ``submit`` or ``flush``
    that writes it. One save at a time: ``submit`` writes the one before first, and this
    process's other saves wait for the pool's writer connection until it is written.
    """

    def __init__(self, recorder: AsientoSQLiteRecorder) -> None:
        self.recorder = recorder
        self._pending: _PendingWrite | None = None

    def submit(self, stored_events: Sequence[StoredEvent]) -> None:
        self.flush()
        if stored_events:
            self._pending = _PendingWrite(self.recorder, stored_events)

    def poll(self) -> None:
        """Write the pending save if the lock is held by now."""
        if self._pending is not None and self._pending.locked.is_set():
            self.flush()

    def flush(self) -> None:
        """Write the pending save, waiting for the lock if need be."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.write()


class _PendingWrite:
    def __init__(self, recorder: AsientoSQLiteRecorder, stored_events: Sequence[StoredEvent]) -> None:
        self.recorder = recorder
        self.stored_events = stored_events
        self.connection = recorder.datastore.pool.get_connection(is_writer=True)
        self.locked = threading.Event()
        self.failure: sqlite3.Error | None = None
        self.thread = threading.Thread(target=self._take_lock, name="write-behind", daemon=True)
        self.thread.start()

    def _take_lock(self) -> None:
        try:
            self.connection._sqlite_conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:  # the busy timeout ran out: raised by ``write``
            self.failure = exc
        finally:
            self.locked.set()

    def write(self) -> None:
        self.thread.join()
        raw = self.connection._sqlite_conn
        try:
            if self.failure is not None:
                raise _persistence_error(self.failure) from self.failure
            try:
                self.recorder._insert_events(SQLiteCursor(raw.cursor()), self.stored_events)
                raw.commit()
            except sqlite3.Error as exc:
                raw.rollback()
                raise _persistence_error(exc) from exc
        finally:
            self.recorder.datastore.pool.put_connection(self.connection)


def _persistence_error(error: sqlite3.Error) -> PersistenceError:
    """The library's error for a save's failure (``SQLiteTransaction`` maps them the same way)."""
    if isinstance(error, sqlite3.IntegrityError):
        return IntegrityError(error)
    if isinstance(error, sqlite3.OperationalError):
        return OperationalError(error)
    return PersistenceError(error)


def write_behind(recorder: Any) -> WriteBehind | None:
    """A ``WriteBehind`` for SQLite's recorder; None on PostgreSQL, where saves take row
    locks and do not wait for a follower's pages."""
    return WriteBehind(recorder) if isinstance(recorder, AsientoSQLiteRecorder) else None


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
