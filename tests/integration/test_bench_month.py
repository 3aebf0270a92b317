"""The synthetic cooperative and the month benchmark, small, on SQLite and PostgreSQL.

The figures the benchmark prints are only worth reading if the month it times
is a real one: every supply billed once, the money collected where it was paid,
the trial balance closing with the members' current accounts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from api.bootstrap import Asiento, bootstrap
from bench.generate import bench_period, generate, iter_members
from bench.month import MonthResult, run_month
from projections.commercial_tables import invoices, members, readings, supplies

SUPPLIES, SEED, MONTHS = 60, 11, 12


@pytest.fixture
def store(database_url: str) -> Iterator[Asiento]:
    instance = bootstrap(database_url)
    try:
        yield instance
    finally:
        instance.close()


def test_the_plan_is_reproducible_and_covers_every_service() -> None:
    first = list(iter_members(SUPPLIES, SEED, MONTHS))
    again = list(iter_members(SUPPLIES, SEED, MONTHS))
    other = list(iter_members(SUPPLIES, SEED + 1, MONTHS))
    assert first == again
    assert first != other
    specs = [s for m in first for s in m.supplies]
    assert len(specs) == SUPPLIES
    assert {s.service for s in specs} == {"electricity", "water", "gas", "internet"}
    metered = [s for s in specs if s.meter_serial]
    # history and the benchmarked month, the register wrapped at the meter's digits
    assert all(len(s.readings) == MONTHS + 1 for s in metered)
    assert all(0 <= r.value < 10**s.digits for s in metered for r in s.readings)


def test_a_large_plan_has_estimates_rollovers_and_anomalies() -> None:
    found: Counter[str] = Counter()
    for member in iter_members(3_000, SEED, MONTHS):
        for spec in member.supplies:
            found.update(
                kind
                for r in spec.readings
                for kind, present in (
                    ("estimated", r.estimated),
                    ("rollover", r.rollover),
                    ("anomaly", r.anomaly),
                )
                if present
            )
    assert set(found) == {"estimated", "rollover", "anomaly"}


def test_the_generator_records_the_plan(store: Asiento) -> None:
    done = generate(store, supplies=SUPPLIES, seed=SEED, months=MONTHS, batch_members=7)
    plan = list(iter_members(SUPPLIES, SEED, MONTHS))
    metered = [s for m in plan for s in m.supplies if s.meter_serial]
    assert (done.members, done.supplies, done.readings) == (len(plan), SUPPLIES, len(metered) * MONTHS)
    r = readings.c
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(members)).scalar_one() == len(plan)
        assert conn.execute(select(func.count()).select_from(supplies)).scalar_one() == SUPPLIES
        stored = {
            (number, period): (int(value), int(units), estimated)
            for number, period, value, units, estimated in conn.execute(
                select(r.supply_number, r.period, r.value, r.consumption_units, r.estimated)
            )
        }
    expected = {
        (s.number, r.period): (r.value, r.consumption_units, r.estimated)
        for s in metered
        for r in s.readings[:MONTHS]
    }
    assert stored == expected


def _commercial_rows(asiento: Asiento) -> dict[str, list[tuple[object, ...]]]:
    projection = asiento.runner.projections["commercial"]
    with asiento.read() as conn:
        return {
            table.name: [
                tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in projection.tables()
        }


def test_rebuilding_in_other_pages_gives_the_same_registry(store: Asiento, database_url: str) -> None:
    """Rows created and changed in one page (connected, accepted) are edited before the insert: the
    registry must not depend on where the pages fall."""
    generate(store, supplies=SUPPLIES, seed=SEED, months=MONTHS, batch_members=3)
    incremental = _commercial_rows(store)
    small_pages = bootstrap(database_url, page_size=500)
    try:
        small_pages.runner.rebuild(["commercial"])
        rebuilt = _commercial_rows(small_pages)
    finally:
        small_pages.close()
    assert rebuilt == incremental
    connected = [row for row in incremental["supplies"] if row[11] == "connected"]
    accepted = [row for row in incremental["readings"] if row[10] is None]
    assert len(connected) == SUPPLIES and len(accepted) == len(incremental["readings"])


def test_one_month_end_to_end(store: Asiento, database_url: str, tmp_path: Path) -> None:
    sqlite = database_url.startswith("sqlite")
    result = run_month(
        store, database_url, supplies=SUPPLIES, seed=SEED, months=MONTHS, work_dir=tmp_path, raw_limits=sqlite
    )
    assert [s.name for s in result.stages] == [
        "readings",
        "billing",
        "bills to PDF",
        "collection file",
        "cash desk",
        "month (all but PDF)",
        "rebuild (all)",
        "trial balance",
        "statements",
    ]
    _every_supply_billed_once(store, result)
    _the_money_adds_up(result)
    stages = {s.name: s for s in result.stages}
    assert stages["rebuild (all)"].events == result.log_events
    assert stages["month (all but PDF)"].events == result.log_events - result.generated_events
    pdfs = sorted(tmp_path.glob("factura-*.pdf"))
    assert len(pdfs) == stages["bills to PDF"].items > 0
    assert all(p.read_bytes().startswith(b"%PDF-") for p in pdfs)
    assert result.statement_ms[1] > 0
    assert (result.raw_append_events_per_s > 0) == sqlite


def _every_supply_billed_once(store: Asiento, result: MonthResult) -> None:
    billing = result.billing
    assert billing is not None
    assert (billing.invoices, billing.held, billing.skipped) == (SUPPLIES, 0, [])
    with store.read() as conn:
        per_supply = conn.execute(
            select(invoices.c.supply_number, func.count())
            .where(invoices.c.period == result.period)
            .group_by(invoices.c.supply_number)
        ).all()
        estimated = conn.execute(
            select(func.count()).where((readings.c.period == result.period) & readings.c.estimated)
        ).scalar_one()
        held = conn.execute(
            select(func.count()).where(
                (readings.c.period == result.period) & readings.c.held_reason.is_not(None)
            )
        ).scalar_one()
    assert len(per_supply) == SUPPLIES and {count for _, count in per_supply} == {1}
    assert estimated == billing.estimated > 0  # the meters left blank in the collectors' files
    assert held == 0  # every anomaly reviewed and accepted before the run
    assert result.period == bench_period(MONTHS)


def _the_money_adds_up(result: MonthResult) -> None:
    billing, network = result.billing, result.network
    assert billing is not None and network is not None
    assert billing.total == Decimal("1980099.74")  # the shipped tariffs applied to seed 11's consumption
    assert network.receipts == network.payments > 0 and network.in_suspense == 0
    assert result.counter_receipts > 0
    assert result.total_debit == result.total_credit
    assert result.receivables_ledger == result.receivables_accounts
    assert billing.total - network.collected - result.counter_total == result.receivables_ledger


def test_readings_read_as_stored_text_equal_their_decoded_fields(store: Asiento) -> None:
    """The commercial registry takes a reading's row from the stored JSON without decoding it
    (``LoggedEvent.stored_texts``): it must be exactly what decoding and ``stored_text`` give."""
    from projections.commercial import _READING_FIELDS
    from projections.runner import LoggedEvent, stored_text

    generate(store, supplies=SUPPLIES, seed=SEED, months=MONTHS, batch_members=3)
    recorder, mapper = store.app.recorder, store.app.mapper
    topic = "domain.meter_readings:MeterReading.ReadingRecorded"
    recorded = recorder.select_notifications(1, store.runner.head(), topics=[topic])
    assert len(recorded) > SUPPLIES * MONTHS // 2  # the metered supplies, every month
    kinds: Counter[str] = Counter()
    for n in recorded:
        fast = LoggedEvent(n.id, n.topic, n.originator_version, n, mapper)
        texts = fast.stored_texts(_READING_FIELDS)
        decoded = LoggedEvent(n.id, n.topic, n.originator_version, n, mapper)
        data = decoded.data
        assert texts == tuple(stored_text(data[name]) for name in _READING_FIELDS)
        assert decoded.stored_texts(_READING_FIELDS) == texts  # decoded first: the decoded way
        assert fast.originator_hex == data["originator_id"].hex
        kinds.update(type(value).__name__ for value in texts)
    assert kinds["str"] and kinds["bool"] and kinds["NoneType"]  # dates, amounts, flags, no previous
