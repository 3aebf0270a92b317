"""`asiento verify --deep`: replay the whole log into a scratch database and compare every read model.

The scratch area is a fresh SQLite file, or a fresh PostgreSQL database on the
same server (dropped afterwards), or a URL the auditor names. Rows are
compared table by table in primary-key order, streamed, and the first
difference is named: table, key, column, live value and rebuilt value.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import Connection, Engine, Table, select, text

from adapters.store import StoreConfig, make_engine
from api.bootstrap import Asiento
from domain.errors import Conflict

COMPARE_CHUNK = 5_000
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Difference:
    table: str
    key: tuple[Any, ...]
    detail: str


@dataclass(frozen=True)
class DeepReport:
    position: int
    tables: int
    rows: int
    difference: Difference | None


@contextmanager
def scratch_engine(config: StoreConfig, scratch_url: str | None) -> Iterator[Engine]:
    """An empty database for the replay: named by the auditor, or made here and removed after."""
    if scratch_url:
        engine = make_engine(StoreConfig(scratch_url))
        try:
            yield engine
        finally:
            engine.dispose()
        return
    if config.is_sqlite:
        with tempfile.TemporaryDirectory(prefix="asiento-verify-") as folder:
            engine = make_engine(StoreConfig(f"sqlite:///{Path(folder) / 'scratch.db'}"))
            try:
                yield engine
            finally:
                engine.dispose()
        return
    yield from _postgres_scratch(config)


def _postgres_scratch(config: StoreConfig) -> Iterator[Engine]:
    name = f"asiento_verify_{uuid.uuid4().hex[:12]}"
    admin = make_engine(config).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(StoreConfig(urlparse(config.url)._replace(path=f"/{name}").geturl()))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def verify_deep(
    asiento: Asiento, scratch_url: str | None = None, progress: Progress | None = None
) -> DeepReport:
    """Rebuild every projection from the log elsewhere and compare it with the live read models."""
    asiento.runner.catch_up()
    position = asiento.runner.head()
    with scratch_engine(asiento.config, scratch_url) as engine:
        scratch = asiento.scratch_runner(engine)
        scratch.catch_up(progress=progress)
        if scratch.head() != position:
            raise Conflict("Se registraron hechos durante la verificación: vuelva a ejecutarla")
        tables = [t for p in asiento.runner.projections.values() for t in p.tables()]
        rows = 0
        with asiento.engine.connect() as live, engine.connect() as rebuilt:
            for table in tables:
                counted, difference = compare_table(table, live, rebuilt)
                rows += counted
                if difference is not None:
                    return DeepReport(position, len(tables), rows, difference)
    return DeepReport(position, len(tables), rows, None)


def _ordered(table: Table) -> Sequence[Any]:
    keys = list(table.primary_key.columns)
    return keys or list(table.columns)


def _rows(conn: Connection, table: Table) -> Iterator[tuple[Any, ...]]:
    result = conn.execution_options(stream_results=True, yield_per=COMPARE_CHUNK).execute(
        select(table).order_by(*_ordered(table))
    )
    for row in result:
        yield tuple(row)


def compare_table(table: Table, live: Connection, rebuilt: Connection) -> tuple[int, Difference | None]:
    """Rows compared, and the first one that differs between the live and the rebuilt table."""
    names = [c.name for c in table.columns]
    key_at = [names.index(c.name) for c in _ordered(table)]
    count = 0
    for live_row, rebuilt_row in zip_longest(_rows(live, table), _rows(rebuilt, table)):
        count += 1
        if live_row == rebuilt_row:
            continue
        if rebuilt_row is None:
            key = tuple(live_row[i] for i in key_at)
            return count, Difference(
                table.name, key, "la fila existe en el modelo vivo pero no al reconstruir"
            )
        if live_row is None:
            key = tuple(rebuilt_row[i] for i in key_at)
            return count, Difference(
                table.name, key, "la fila aparece al reconstruir pero falta en el modelo vivo"
            )
        live_key = tuple(live_row[i] for i in key_at)
        rebuilt_key = tuple(rebuilt_row[i] for i in key_at)
        if live_key != rebuilt_key:
            detail = f"filas distintas: vivo {live_key}, reconstruido {rebuilt_key}"
            return count, Difference(table.name, live_key, detail)
        columns = [
            f"{name}: vivo {a!r}, reconstruido {b!r}"
            for name, a, b in zip(names, live_row, rebuilt_row, strict=True)
            if a != b
        ]
        return count, Difference(table.name, live_key, "; ".join(columns))
    return count, None
