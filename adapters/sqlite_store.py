"""The built-in ``eventsourcing.sqlite`` store, with one change for bulk saves.

eventsourcing 9.5.6 inserts a save's events into SQLite one ``execute`` at a
time, to read each one's rowid (its notification id). Here they go in one
``executemany``. The ids are still exact: the save runs in one transaction
that holds SQLite's single write lock from its first insert, and a rowid table
gives each new row the largest rowid plus one, so the batch's ids are the
consecutive values ending at ``last_insert_rowid()``. A duplicate (originator,
version) still fails the whole save with ``IntegrityError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteFactory


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


class AsientoSQLiteFactory(SQLiteFactory):
    application_recorder_class = AsientoSQLiteRecorder
