"""The composition root: one place wires the log, the read models and the rules."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine

from adapters.application import AsientoApp
from adapters.store import StoreConfig, config_from_env, make_engine
from ledger_rules import load_rule_book
from projections.balances import BalancesProjection
from projections.cash_desk import CashDeskProjection
from projections.chart import ChartProjection
from projections.commercial import CommercialProjection
from projections.current_accounts import CurrentAccountsProjection
from projections.journal import JournalProjection
from projections.posting import PostingEngine
from projections.runner import DEFAULT_PAGE_SIZE, ProjectionRunner


@dataclass
class Asiento:
    config: StoreConfig
    app: AsientoApp
    engine: Engine
    runner: ProjectionRunner

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def close(self) -> None:
        self.app.close()
        self.engine.dispose()


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
) -> Asiento:
    config = StoreConfig(url) if url else config_from_env()
    app = AsientoApp(env=config.eventsourcing_env())
    engine = make_engine(config)
    rule_book = load_rule_book(rules_path, account_codes=live_postable_codes(app))
    posting = PostingEngine(rule_book)
    journal = JournalProjection(posting)
    # Order matters: the journal reads the calendar, balances read the journal's lines.
    runner = ProjectionRunner(
        engine,
        app.recorder,
        app.mapper,
        [ChartProjection(), journal, BalancesProjection(journal), CommercialProjection(),
         CurrentAccountsProjection(), CashDeskProjection()],
        page_size=page_size,
    )
    return Asiento(config, app, engine, runner)
