"""One setting picks the store: ``ASIENTO_DATABASE_URL``.

It configures both the eventsourcing log (``eventsourcing.sqlite`` or
``eventsourcing.postgres``) and the SQLAlchemy engine for the read models, which
live in the same database so that a page of view rows and its tracking position
commit in one transaction.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlparse

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL

DEFAULT_DATABASE_URL = "sqlite:///./asiento.db"
SQLITE_BUSY_TIMEOUT_S = 30
# The write-ahead log is started over once it holds this many pages (64 MiB of 4 KiB pages).
WAL_RESTART_FRAMES = 16_384
WAL_RESTART_ATTEMPTS = 250  # of 2 ms each, while another connection's checkpoint is running


class StoreConfigError(ValueError):
    pass


@dataclass(frozen=True)
class StoreConfig:
    url: str

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite:")

    @property
    def sqlite_path(self) -> Path:
        raw = self.url.removeprefix("sqlite:///")
        if not raw or raw == ":memory:":
            raise StoreConfigError("SQLite needs a file: the log and read models share it")
        return Path(raw)

    def eventsourcing_env(self) -> dict[str, str]:
        if self.is_sqlite:
            return {
                # eventsourcing.sqlite with one executemany per save (see adapters.sqlite_store).
                "PERSISTENCE_MODULE": "adapters.sqlite_store:AsientoSQLiteFactory",
                "SQLITE_DBNAME": str(self.sqlite_path),
                "SQLITE_LOCK_TIMEOUT": str(SQLITE_BUSY_TIMEOUT_S),
                "CREATE_TABLE": "yes",
            }
        parts = self._postgres_parts()
        return {
            # eventsourcing.postgres with bulk inserts outside pipeline mode (see adapters.pg_store).
            "PERSISTENCE_MODULE": "adapters.pg_store:AsientoPostgresFactory",
            "POSTGRES_DBNAME": parts["dbname"],
            "POSTGRES_HOST": parts["host"],
            "POSTGRES_PORT": parts["port"],
            "POSTGRES_USER": parts["user"],
            "POSTGRES_PASSWORD": parts["password"],
            "POSTGRES_POOL_SIZE": "5",
            # A wrong host or database should fail in seconds, not half a minute.
            "POSTGRES_CONNECT_TIMEOUT": "5",
            "POSTGRES_MAX_OVERFLOW": "5",
            # Bulk work may hold a transaction open between statements for a while.
            "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "60",
            "CREATE_TABLE": "yes",
        }

    def sqlalchemy_url(self) -> URL | str:
        if self.is_sqlite:
            return f"sqlite:///{self.sqlite_path}"
        parts = self._postgres_parts()
        return URL.create(
            "postgresql+psycopg",
            username=parts["user"],
            password=parts["password"] or None,
            host=parts["host"],
            port=int(parts["port"]),
            database=parts["dbname"],
        )

    def _postgres_parts(self) -> dict[str, str]:
        parsed = urlparse(self.url)
        if parsed.scheme not in ("postgresql", "postgres", "postgresql+psycopg"):
            raise StoreConfigError(
                f"ASIENTO_DATABASE_URL {self.url!r}: use sqlite:///FILE o postgresql://user@host:port/db"
            )
        dbname = parsed.path.lstrip("/")
        if not dbname:
            raise StoreConfigError(f"ASIENTO_DATABASE_URL {self.url!r}: falta el nombre de la base")
        return {
            "dbname": dbname,
            "host": parsed.hostname or "127.0.0.1",
            "port": str(parsed.port or 5432),
            "user": unquote(parsed.username or "postgres"),
            "password": unquote(parsed.password or ""),
        }


def config_from_env(environ: Mapping[str, str] | None = None) -> StoreConfig:
    env = os.environ if environ is None else environ
    return StoreConfig(env.get("ASIENTO_DATABASE_URL") or DEFAULT_DATABASE_URL)


_NOTHING: dict[None, None] = {}  # its ``get`` returns None for any value, in C


def make_engine(config: StoreConfig, *, auto_checkpoint: bool = True) -> Engine:
    """``auto_checkpoint=False``: on SQLite, commits leave the write-ahead log to ``WalKeeper``."""
    if config.is_sqlite:
        # Bulk projection writes bind Decimals (meter units) directly; NUMERIC affinity stores them.
        sqlite3.register_adapter(Decimal, str)
        # None binds as NULL either way; registered, it is found at the first of the three
        # places the driver looks for an adapter of a value that is not text or a number
        # (``microprotocols_adapt``). Unregistered, the two attribute look-ups after it cost
        # a sixth of a rebuild's writing: a third of a journal line's values are None
        # (instructions counted). A C call as the adapter: cheaper than a Python function.
        sqlite3.register_adapter(type(None), _NOTHING.get)
    else:
        return create_engine(config.sqlalchemy_url(), pool_size=5, max_overflow=5)
    engine = create_engine(
        config.sqlalchemy_url(), connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S}
    )

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # WAL lets the log writer and read-model readers work side by side;
        # the eventsourcing recorder switches the file to WAL as well.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Index maintenance on bulk projection pages wants more than the 2 MB default cache.
        cursor.execute("PRAGMA cache_size=-65536")
        # Debian builds SQLite with secure_delete on: every page a DROP or DELETE frees is
        # overwritten with zeros and written again. Read models hold nothing the event log does
        # not (it is never deleted from), so FAST, which zeroes only within pages written anyway:
        # a rebuild emptied 3.8 million journal lines in 0.16 s instead of 4.9 s (measured).
        cursor.execute("PRAGMA secure_delete=FAST")
        if not auto_checkpoint:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    return engine


class WalKeeper:
    """On SQLite, what keeps the write-ahead log short; called after each projection page.

    SQLite copies the log back into the database file after commits (checkpoints), but it
    starts writing the log from its beginning again only when the log is wholly copied back
    at the moment a write begins. While a bulk command saves and its follower projects, one
    of them always writes: the log never started over and grew past 1.5 GB in a
    100,000-payment import, and every page read searches the whole log's index. Here, once
    it holds more than ``restart_frames`` pages, a RESTART checkpoint copies it back,
    waiting for the other writer's transaction (up to the busy timeout), so the next write
    starts it over. It returns at once, busy, while another connection checkpoints: then it
    tries again shortly. Measured at 100,000 payments: 3.5 s less CPU in all (18.7 + 12.8 s
    -> 17.9 + 10.6 s, the import and its follower), the log under 130 MB throughout.

    ``in_background``: the checkpoint runs in a thread while the caller goes on, one at a
    time (a page that ends while one runs leaves it to the next page); for a bulk command's
    follower, whose engine does not checkpoint on commit (``make_engine``). SQLite copies
    the log without Python's lock, so the follower plans its next page meanwhile: its
    checkpoints took 0.16 s of each 8,000-event page, a third of its time, in a
    100,000-payment import. ``close`` waits for the one running."""

    def __init__(
        self, engine: Engine, restart_frames: int = WAL_RESTART_FRAMES, *, in_background: bool = False
    ) -> None:
        self.engine = engine
        self.restart_frames = restart_frames
        self.in_background = in_background
        self._running: threading.Thread | None = None

    def __call__(self) -> None:
        if not self.in_background:
            self.keep_short()
            return
        if self._running is not None and self._running.is_alive():
            return
        self._running = threading.Thread(target=self.keep_short, name="wal-checkpoint", daemon=True)
        self._running.start()

    def keep_short(self) -> None:
        with self.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            cursor = raw.cursor()
            try:
                _busy, frames, _copied = cursor.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                if frames < self.restart_frames:
                    return
                for _ in range(WAL_RESTART_ATTEMPTS):
                    busy, _frames, _copied = cursor.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
                    if not busy:
                        return
                    time.sleep(0.002)
            finally:
                cursor.close()

    def close(self) -> None:
        if self._running is not None:
            self._running.join()
            self._running = None


def wal_keeper(
    engine: Engine, restart_frames: int = WAL_RESTART_FRAMES, *, in_background: bool = False
) -> WalKeeper | None:
    """A ``WalKeeper`` on SQLite; None on PostgreSQL."""
    if engine.dialect.name != "sqlite":
        return None
    return WalKeeper(engine, restart_frames, in_background=in_background)
