"""The composition root: one place wires the log, the read models and the rules."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from eventsourcing.sqlite import SQLiteApplicationRecorder
from sqlalchemy import Connection, Engine

from adapters.application import AsientoApp
from adapters.bulk_load import FastForwardCache
from adapters.store import StoreConfig, WalKeeper, config_from_env, make_engine, wal_keeper
from ledger_rules import EventRecord, RuleBook, load_chart, load_rule_book
from projections.audit_chain import AuditChainProjection
from projections.balances import BalancesProjection
from projections.capital import CapitalProjection
from projections.cash_desk import CashDeskProjection
from projections.chart import ChartProjection
from projections.commercial import CommercialProjection
from projections.current_accounts import CurrentAccountsProjection
from projections.journal import JournalProjection
from projections.posting import PostingEngine
from projections.runner import DEFAULT_PAGE_SIZE, Projection, ProjectionRunner


@dataclass
class Asiento:
    config: StoreConfig
    app: AsientoApp
    engine: Engine
    runner: ProjectionRunner
    posting: PostingEngine | None = None
    rules_path: Path | None = None  # a second process (background projections) loads the same rules
    cash_sessions: FastForwardCache = field(default_factory=FastForwardCache)  # kept between receipts
    wal: WalKeeper | None = None  # SQLite's write-ahead log upkeep, after each projection page

    def scratch_runner(self, engine: Engine) -> ProjectionRunner:
        """The same projections, writing to another database (``verify --deep``)."""
        assert self.posting is not None
        return ProjectionRunner(
            engine,
            self.app.recorder,
            self.app.mapper,
            build_projections(self.posting),
            page_size=self.runner.page_size,
        )

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    @cached_property
    def lone_statements(self) -> Engine:
        """The engine for reads whose every statement stands alone (a lookup by key).

        On PostgreSQL they run without a transaction around them (autocommit): one round
        trip each instead of BEGIN, the query and the ROLLBACK that returns the connection
        to the pool, which was a sixth of a counter receipt's time at 100,000 supplies. A
        statement alone reads one consistent snapshot anyway; reads of several statements
        that must agree with each other use ``read``."""
        if self.engine.dialect.name != "postgresql":
            return self.engine
        return self.engine.execution_options(isolation_level="AUTOCOMMIT")

    @contextmanager
    def read_alone(self) -> Iterator[Connection]:
        """``read`` for statements that each stand alone (see ``lone_statements``)."""
        with self.lone_statements.connect() as conn:
            yield conn

    def close_idle_connections(self) -> None:
        """Close the connections the pools keep open between uses; they open again on demand.

        Before this process forks a helper: a child must not inherit an open SQLite
        connection, whose locks SQLite tracks per process (see ``parallel_catch_up``). The
        read models' pool on either database; the log's pool on SQLite (PostgreSQL's is
        psycopg's own, which keeps its connections itself)."""
        # The pool's idle connections closed, the pool kept: one in use now goes back to it (an
        # engine's ``dispose`` would leave it open in a pool of its own until collected).
        self.engine.pool.dispose()
        recorder = self.app.recorder
        if not isinstance(recorder, SQLiteApplicationRecorder):
            return
        pool = recorder.datastore.pool
        # The log's pool drops a connection returned closed (as when its age timer closes one).
        while pool.num_in_pool:
            connection = pool.get_connection()
            connection.close()
            pool.put_connection(connection)

    def close(self) -> None:
        if self.wal is not None:
            self.wal.close()
        self.app.close()
        self.engine.dispose()


def _dry_post(rule_book: RuleBook, name: str, day: date, data: Mapping[str, Any]) -> None:
    rule_book.entries_for(EventRecord(name, 0, day, data))


def live_postable_codes(app: AsientoApp) -> set[str] | None:
    """Codes that take postings in the recorded chart (closed ones too: old rule sets
    must still replay). Before ``init`` the chart is empty: None means the shipped one."""
    accounts = app.chart().accounts
    return {code for code, account in accounts.items() if not account.header} or None


def bootstrap(
    url: str | None = None,
    *,
    rules_path: Path | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    installing_chart: bool = False,
    create_tables: bool = True,
    background_checkpoints: bool = False,
) -> Asiento:
    """``installing_chart``: for ``init`` and ``demo``, which add the shipped chart's missing
    accounts; rules may then name those too (a database from an older chart can upgrade).
    ``create_tables=False``: the log's tables exist already (helper processes).
    ``background_checkpoints``: on SQLite, the log is checkpointed in a thread after each
    projection page, never on commit (a bulk command's follower, see ``WalKeeper``)."""
    config = StoreConfig(url) if url else config_from_env()
    env = config.eventsourcing_env()
    if not create_tables:
        # A helper process on a store its parent set up: PostgreSQL can refuse two processes'
        # simultaneous CREATE TABLE IF NOT EXISTS ("tuple concurrently updated").
        env["CREATE_TABLE"] = "no"
    app = AsientoApp(env=env)
    engine = make_engine(config, auto_checkpoint=not background_checkpoints)
    codes = live_postable_codes(app)
    if installing_chart and codes is not None:
        codes |= {spec.code for spec in load_chart() if not spec.header}
    rule_book = load_rule_book(rules_path, account_codes=codes)
    posting = PostingEngine(rule_book)
    wal = wal_keeper(engine, in_background=background_checkpoints)
    app.dry_post = lambda name, day, data: _dry_post(rule_book, name, day, data)
    runner = ProjectionRunner(
        engine,
        app.recorder,
        app.mapper,
        build_projections(posting),
        page_size=page_size,
        create_tables=create_tables,
        after_page=wal,
    )
    return Asiento(config, app, engine, runner, posting, rules_path, wal=wal)


def build_projections(posting: PostingEngine) -> list[Projection]:
    """Every read model, in the order a page must reach them."""
    journal = JournalProjection(posting)
    # Order matters: the journal reads the calendar, balances read the journal's lines.
    return [
        ChartProjection(),
        journal,
        BalancesProjection(journal),
        CommercialProjection(),
        CapitalProjection(),
        CurrentAccountsProjection(),
        CashDeskProjection(),
        AuditChainProjection(),
    ]
