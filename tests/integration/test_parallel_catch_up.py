"""Catch-up with planning workers (rebuilds, benchmarks) on SQLite and PostgreSQL.

Workers read, decode and evaluate the rules for the next windows of the log;
this process writes them in order. The read models must come out exactly as
the ordinary one-process catch-up makes them, and a rule that fails must stop
the catch-up with the same error, after committing every window before it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from api.billing_run import BillingRun
from api.bootstrap import Asiento, bootstrap
from api.parallel_catch_up import (
    catch_up_in_parallel,
    catch_up_planned_first,
    rebuild,
)
from bench.generate import generate
from domain.chart import Side
from projections.runner import LoggedEvent, ProjectionFailed
from projections.tables import journal_entries, metadata
from tests.integration.helpers import BANK, CAPITAL, CASH, entry

RULES = Path(__file__).resolve().parents[2] / "ledger_rules" / "data" / "rules"


def _every_row(asiento: Asiento) -> dict[str, list[tuple[str, ...]]]:
    with asiento.read() as conn:
        return {
            table.name: sorted(tuple(str(v) for v in row) for row in conn.execute(select(table)))
            for table in metadata.sorted_tables
            if table.name != "projection_positions"
        }


@pytest.fixture
def history(database_url: str) -> Iterator[Asiento]:
    """Members, supplies, readings and two months of billing, plus a manual entry and its reversal."""
    asiento = bootstrap(database_url)
    try:
        generate(asiento, supplies=700, seed=5, months=2, batch_members=100)
        BillingRun(asiento, period="2026-01", issue_date=date(2026, 2, 2), recorded_by="test").run()
        first = entry(asiento, date(2026, 3, 1), (CASH, Side.DEBIT, "10.00"), (CAPITAL, Side.CREDIT, "10.00"))
        asiento.app.reverse_entry(first, effective_date=date(2026, 3, 2), recorded_by="auditor")
        asiento.app.record_treasury_movement(
            effective_date=date(2026, 3, 3),
            kind="cash_deposit",
            from_account=CASH,
            to_account=BANK,
            amount="5.00",
            reference="B-1",
            recorded_by="tesoreria",
        )
        asiento.runner.catch_up()
        yield asiento
    finally:
        asiento.close()


def test_workers_build_the_read_models_of_one_process(history: Asiento) -> None:
    expected = _every_row(history)
    assert len(expected["journal_entries"]) > 700
    names = list(history.runner.projections)
    small = bootstrap(history.config.url, page_size=500)  # many windows
    try:
        small.runner.reset(names)
        read = catch_up_in_parallel(small, names=names, workers=2)
        assert read == small.runner.head()
        assert _every_row(small) == expected
        # Every projection but the chart is planned: all of them through the workers.
        small.runner.reset(names)
        assert catch_up_planned_first(small, names=names, workers=2) == small.runner.head()
        assert _every_row(small) == expected
        # What ``asiento rebuild all`` does: that, with the report indexes built at the end.
        assert rebuild(small, names, workers=2) == small.runner.head()
        assert _every_row(small) == expected
        # In windows of 500: the first planned here, the next three by workers before the
        # tables were emptied, the rest as the writing goes.
        windows: list[int] = []
        read = rebuild(
            small, names, workers=2, window_size=500, progress=lambda at, _head: windows.append(at)
        )
        assert read == small.runner.head() and windows[:3] == [500, 1000, 1500]
        assert len(windows) > 8
        assert _every_row(small) == expected
        assert small.runner.positions() == {name: small.runner.head() for name in names}
    finally:
        small.close()


def test_a_rule_failing_in_a_worker_stops_the_catch_up_as_in_one_process(
    history: Asiento, tmp_path: Path
) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    treasury = rules / "tesoreria.toml"
    # The treasury rules now end mid-February: the March deposit finds no rule in force.
    ends = "valid_from = 2000-01-01\nvalid_to = 2026-02-15"
    text = treasury.read_text().replace("valid_from = 2000-01-01", ends)
    treasury.write_text(text)
    names = ["chart", "journal", "balances"]
    outcomes: list[Any] = []
    for parallel in (False, True):
        broken = bootstrap(history.config.url, rules_path=rules, page_size=500)
        try:
            broken.runner.reset(names)
            with pytest.raises(ProjectionFailed) as caught:
                if parallel:
                    catch_up_in_parallel(broken, names=names, workers=2)
                else:
                    broken.runner.catch_up(names=names)
            with broken.read() as conn:
                written = [tuple(r) for r in conn.execute(select(journal_entries).order_by("entry_id"))]
            outcomes.append((caught.value.projection, str(caught.value.cause), written))
        finally:
            broken.close()
    (alone, alone_cause, alone_rows), (workers, workers_cause, workers_rows) = outcomes
    assert alone == workers == "journal"
    assert "no hay reglas vigentes" in alone_cause and workers_cause == alone_cause
    # Both committed the pages before the failing one; pages are cut differently (by count
    # alone, by log positions with workers), so one prefix of the journal may be the longer.
    assert alone_rows and workers_rows
    shorter = min(len(alone_rows), len(workers_rows))
    assert [r[:11] for r in alone_rows[:shorter]] == [r[:11] for r in workers_rows[:shorter]]


def test_balances_summed_from_the_plan_equal_balances_summed_by_the_database(history: Asiento) -> None:
    """With the journal in the same page the balances add up its plan; alone, the database sums
    the written lines. Both must give the same rows."""
    expected = _every_row(history)
    assert expected["account_balances"] and expected["account_dimension_balances"]
    history.runner.rebuild(["balances"])  # the journal is not replayed: the database sums
    assert _every_row(history) == expected
    history.runner.rebuild(["journal", "balances"])  # the plan is summed
    assert _every_row(history) == expected


# Run in a process of its own: forking is refused from a process with other threads, and
# the test process has some (servers and pools of other tests).
_FORKED_REBUILD = """
import json, sys
from api.bootstrap import bootstrap
from api.parallel_catch_up import WindowWorkers, rebuild, start_method

asiento = bootstrap(sys.argv[1], page_size=500)
methods = [start_method(asiento)]  # the idle connections are closed first
with asiento.read() as conn:  # one in use stays open: its descriptors are found
    conn.exec_driver_sql("SELECT 1").all()
    methods.append(start_method(asiento))
with WindowWorkers(asiento, workers=2) as workers:
    methods.append(workers.start_method)
names = list(asiento.runner.projections)
read = rebuild(asiento, names, workers=2, window_size=500)
print(json.dumps({"methods": methods, "read": read, "head": asiento.runner.head()}))
"""


def test_workers_fork_only_from_a_process_holding_nothing_of_the_sqlite_file_open(history: Asiento) -> None:
    """A forked worker starts without importing Asiento again, but SQLite keeps a file's locks
    per process: a child must not inherit a connection. PostgreSQL's pool runs threads: its
    workers are spawned. Either way the rebuild equals the one-process read models."""
    expected = _every_row(history)
    done = subprocess.run(
        [sys.executable, "-c", _FORKED_REBUILD, history.config.url],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    if history.engine.dialect.name == "sqlite":
        assert report["methods"] == ["fork", "spawn", "fork"]
    else:
        assert report["methods"] == ["spawn", "spawn", "spawn"]
    assert report["read"] == report["head"] == history.runner.head()
    assert _every_row(history) == expected


def test_every_event_decodes_to_the_fields_of_the_librarys_domain_event(history: Asiento) -> None:
    """``LoggedEvent.data`` builds the fields without the event object where the library's
    mapper only decodes: the same keys, values and types as the object's ``__dict__``, for
    every kind of event in the log (chart, members, readings, billing, manual entries)."""
    recorder, mapper = history.app.recorder, history.app.mapper
    logged = recorder.select_notifications(1, history.runner.head())
    topics: Counter[str] = Counter()
    for n in logged:
        data = LoggedEvent(n.id, n.topic, n.originator_version, n, mapper).data
        expected = mapper.to_domain_event(n).__dict__
        assert data == expected
        assert list(data) == list(expected)
        assert [type(v) for v in data.values()] == [type(v) for v in expected.values()]
        topics[n.topic] += 1
    assert len(topics) >= 10, topics
