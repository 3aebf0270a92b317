"""Read-model tables (SQLAlchemy Core), in the same database as the event log.

Money is stored as integer cents so that sums are exact on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    inspect,
    text,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.schema import CreateTable

from domain.events import MANUAL_ENTRY_EVENT

metadata = MetaData()


SORT_HELPER_THREADS = 2


def create_missing_indexes(engine: Engine) -> list[str]:
    """Build the indexes a newer version added to tables that exist already; their names.

    ``create_all`` makes a table's indexes only with the table. One catalog query on
    PostgreSQL; the first start after an upgrade builds what is missing (on a large
    table that takes a while, once). Two processes starting together may race: the
    loser finds the index built and goes on."""
    built = {index["name"] for indexes in inspect(engine).get_multi_indexes().values() for index in indexes}
    created = []
    for table in metadata.sorted_tables:
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            if index.name in built:
                continue
            try:
                with engine.begin() as conn:
                    _create_index(conn, index)
            except DBAPIError:
                if not inspect(engine).has_index(table.name, str(index.name)):
                    raise
            created.append(str(index.name))
    return created


def _create_index(conn: Connection, index: Index) -> None:
    if conn.dialect.name != "sqlite":
        index.create(conn)
        return
    # SQLite sorts a large index in helper threads when allowed: the journal lines' index of a
    # 1,000,000-event rebuild took 3.2-3.3 s with two, 3.6-3.7 with one, 4.0-4.1 with none
    # (measured; indexes are built when nothing else runs, so the other core is free).
    conn.exec_driver_sql(f"PRAGMA threads={SORT_HELPER_THREADS}")
    try:
        index.create(conn)
    finally:
        conn.exec_driver_sql("PRAGMA threads=0")  # the pooled connection as it was


# Secondary indexes serve reports and commands. A rebuild fills its tables first and builds
# them afterwards (``ProjectionRunner.reset(defer_indexes=True)``, then ``create_missing_indexes``):
# at 100,000 events the journal's rows went in at 2.32 s with every index and at 1.73 s with
# these built once at the end, the build included. An index a projection itself reads while it
# writes carries this flag in its ``info`` and is made with its table.
READ_WHILE_PROJECTING = "read_while_projecting"


def create_table(conn: Connection, table: Table, *, defer_indexes: bool = False) -> None:
    """The table, with all its indexes or (``defer_indexes``) only those read while projecting."""
    if not defer_indexes:
        table.create(conn)
        return
    conn.execute(CreateTable(table))
    for index in table.indexes:
        if index.info.get(READ_WHILE_PROJECTING):
            index.create(conn)


# The entries whose originator a reversal names: manual entries. Written the same in the index
# and in the journal's look-up, or SQLite will not use the partial index.
MANUAL_ENTRY_CONDITION = f"event_name = '{MANUAL_ENTRY_EVENT}'"

ENTRY_ID = BigInteger().with_variant(Integer(), "sqlite")

projection_positions = Table(
    "projection_positions",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

# -- chart and calendar ---------------------------------------------------------
ledger_accounts = Table(
    "ledger_accounts",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("account_type", String(16), nullable=False),
    Column("normal_balance", String(8), nullable=False),
    Column("parent_code", String(32)),
    Column("header", Boolean, nullable=False),
    Column("is_open", Boolean, nullable=False),
    Column("opened_position", BigInteger, nullable=False),
)

fiscal_years = Table(
    "fiscal_years",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("closed", Boolean, nullable=False),
    Column("closed_months", Text, nullable=False),  # comma-separated YYYY-MM
)

# -- journal ----------------------------------------------------------------------
journal_entries = Table(
    "journal_entries",
    metadata,
    # On SQLite an INTEGER primary key is the rowid itself: one b-tree less to fill per entry.
    Column("entry_id", ENTRY_ID, primary_key=True, autoincrement=False),
    Column("fiscal_year", Integer, nullable=False),
    Column("number", Integer, nullable=False),
    Column("effective_date", Date, nullable=False),
    Column("event_position", BigInteger, nullable=False),
    Column("event_name", String(64), nullable=False),
    Column("originator_id", String(36), nullable=False),
    Column("rule", String(100), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("description", Text, nullable=False),
    Column("reverses_entry_id", BigInteger),
    Column("reversed_by_entry_id", BigInteger),
    Column("recorded_by", String(100), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Index("ix_journal_entries_year_number", "fiscal_year", "number", unique=True),
    Index("ix_journal_entries_position", "event_position"),
    Index("ix_journal_entries_originator", "originator_id"),
    # The journal looks reversed entries up while it projects, so this one is never deferred
    # (see below). Only manual entries are ever reversed; indexing only theirs keeps the nine in
    # ten entries of invoices and payments out of it: a rebuild inserted 100,000 entries in
    # 0.31 s without an index on the originator, 0.35 s with this one, 0.66 s with the full one.
    Index(
        "ix_journal_entries_manual_originator",
        "originator_id",
        sqlite_where=text(MANUAL_ENTRY_CONDITION),
        postgresql_where=text(MANUAL_ENTRY_CONDITION),
        info={READ_WHILE_PROJECTING: True},
    ),
    Index("ix_journal_entries_date", "effective_date"),
)

DIMENSION_COLUMNS = ("member", "supply", "service", "cost_center", "category", "zone")

journal_lines = Table(
    "journal_lines",
    metadata,
    Column("entry_id", ENTRY_ID, primary_key=True, autoincrement=False),
    Column("line_no", Integer, primary_key=True, autoincrement=False),
    Column("account_code", String(32), nullable=False),
    Column("effective_date", Date, nullable=False),
    Column("debit_cents", BigInteger, nullable=False),
    Column("credit_cents", BigInteger, nullable=False),
    Column("event_position", BigInteger, nullable=False),
    Column("rule", String(100), nullable=False),
    *(Column(name, String(64)) for name in DIMENSION_COLUMNS),
    Index("ix_journal_lines_account_date", "account_code", "effective_date"),
    # Stored in primary-key order on SQLite: lines arrive in entry order, so each page appends.
    sqlite_with_rowid=False,
)

journal_sequences = Table(
    "journal_sequences",
    metadata,
    Column("fiscal_year", Integer, primary_key=True, autoincrement=False),
    Column("last_number", Integer, nullable=False),
)

# -- balances -----------------------------------------------------------------------
account_balances = Table(
    "account_balances",
    metadata,
    Column("account_code", String(32), primary_key=True),
    Column("effective_date", Date, primary_key=True),
    Column("debit_cents", BigInteger, nullable=False),
    Column("credit_cents", BigInteger, nullable=False),
)

account_dimension_balances = Table(
    "account_dimension_balances",
    metadata,
    Column("account_code", String(32), primary_key=True),
    Column("dimension", String(16), primary_key=True),
    Column("value", String(64), primary_key=True),
    Column("effective_date", Date, primary_key=True),
    Column("debit_cents", BigInteger, nullable=False),
    Column("credit_cents", BigInteger, nullable=False),
)
