"""Bulk row writes for projection pages, through the driver.

SQLAlchemy's per-row parameter processing costs more than the database's own
insert on large pages; here rows are plain tuples in table column order:
``executemany`` on SQLite, ``COPY ... FROM STDIN`` on PostgreSQL. Both run on the
page transaction's connection, so they commit or roll back with the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table


def insert_rows(conn: Connection, table: Table, rows: Sequence[tuple[Any, ...]]) -> None:
    if not rows:
        return
    columns = [c.name for c in table.columns]
    if conn.dialect.name == "postgresql":
        _copy_rows(conn, table, columns, rows)
        return
    marks = ", ".join("?" for _ in columns)
    conn.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})", rows)


def _copy_rows(conn: Connection, table: Table, columns: list[str], rows: Sequence[tuple[Any, ...]]) -> None:
    raw = conn.connection.dbapi_connection
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(  # type: ignore[attr-defined]
        f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    ) as copy:
        for row in rows:
            copy.write_row(row)
