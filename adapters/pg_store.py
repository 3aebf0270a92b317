"""The built-in ``eventsourcing.postgres`` store, with one fix for bulk saves.

eventsourcing 9.5.6 inserts a save's events as one statement in psycopg's
pipeline mode. When that statement carries more than about 4 MB (a billing
chunk of ~2,000 invoices), client and server each wait for the other and the
save never returns (reproduced with ``insert_events`` alone: 2,000 events of
2 KB pass, 3,000 hang). Here the very same statements run in an ordinary
transaction: the lock, the notify, the insert and the returned notification
ids are the library's own; only the pipeline is gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresFactory
from eventsourcing.utils import retry


class AsientoPostgresRecorder(PostgresApplicationRecorder):
    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        with self.datastore.get_connection() as conn, conn.transaction():
            with conn.cursor() as curs:
                self._insert_events(curs, stored_events, **kwargs)
            if not stored_events:
                return None
            with conn.cursor() as curs:
                self._insert_stored_events(curs, stored_events, **kwargs)
                return self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)


class AsientoPostgresFactory(PostgresFactory):
    application_recorder_class = AsientoPostgresRecorder
