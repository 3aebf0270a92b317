"""Billing run benchmark: supplies/s end to end beside the raw append rate.

Builds a cooperative of N metered supplies with a reading each (setup, not
timed), then times ``BillingRun`` for the period: invoices, consolidated
documents and numbers saved, the journal and current accounts projected. Then
appends the very same stored events into a fresh store with
``recorder.insert_events`` in the same batch size, for the raw append rate.
Prints figures; asserts nothing.

    python bench/billing_run.py --supplies 20000 --database sqlite:////tmp/billing.db
    python bench/billing_run.py --supplies 20000 --database postgresql://postgres@127.0.0.1:5432/bench_billing
"""

from __future__ import annotations

import argparse
import faulthandler
import resource
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eventsourcing.persistence import StoredEvent

from adapters.commercial_commands import read_services_file
from api.billing_run import BillingRun
from api.bootstrap import Asiento, bootstrap
from bench.cpu import CpuMeter, machine_reference_s, reference_summary
from bench.projection_catchup import fresh_database
from domain.identity import stable_id
from domain.members import Member
from domain.meter_readings import MeterReading
from domain.supplies import Supply, check_meter
from ledger_rules import load_chart

SETUP_BATCH = 2_000


def setup(asiento: Asiento, supplies: int) -> None:
    app = asiento.app
    app.install_chart(load_chart(), recorded_by="bench")
    app.open_fiscal_year(2026, recorded_by="bench")
    app.define_services(read_services_file(), recorded_by="bench")
    for path in sorted(Path("adapters/data/tariffs").glob("*.toml")):
        app.publish_tariff(path, recorded_by="bench")
    electricity = app.services().get("electricity")
    for start in range(0, supplies, SETUP_BATCH):
        batch = []
        for n in range(start, min(supplies, start + SETUP_BATCH)):
            batch += _member_with_supply(n, electricity)
        app.save(*batch)
    asiento.runner.catch_up()


def _member_with_supply(n: int, electricity: object) -> list[object]:
    number = f"{n + 1:06d}"
    member = Member(
        number=number,
        name=f"Socio {number}",
        document_type="DNI",
        document_number=f"2{n:07d}",
        vat_condition="CF",
        address="Calle 1",
        postal_address="Calle 1",
        phones=[],
        email=None,
        admission_date=date(2020, 1, 1),
        board_minute=None,
        associate=True,
        recorded_by="bench",
        id=stable_id("member", number),
    )
    supply = Supply.request(
        number=f"E{n + 1:07d}",
        member_number=number,
        service=electricity,  # type: ignore[arg-type]
        category="residential",
        address="Calle 1",
        effective_date=date(2025, 12, 1),
        recorded_by="bench",
    )
    supply.connect(
        date(2025, 12, 1),
        recorded_by="bench",
        meter=check_meter(f"M{n}", 5, Decimal(1)),
        initial_reading=Decimal(1000),
        metered=True,
    )
    consumption = Decimal(150 + (n * 37) % 500)
    reading = MeterReading.record(
        supply_number=supply.number,
        period="2026-01",
        reading_date=date(2026, 1, 31),
        value=1000 + consumption,
        previous_value=Decimal(1000),
        previous_date=date(2025, 12, 1),
        consumption_units=consumption,
        rollover=False,
        estimated=False,
        meter_serial=f"M{n}",
        source="bench",
        held_reason=None,
        recorded_by="bench",
    )
    return [member, supply, reading]


def raw_append(asiento: Asiento, first_position: int, url: str) -> tuple[int, float]:
    """Insert the run's stored events into a fresh store, batch by batch, timing only the inserts."""
    scratch_url = url + "_raw" if not url.startswith("sqlite") else url.replace(".db", "-raw.db")
    scratch = bootstrap(fresh_database(scratch_url))
    recorder, count, elapsed = scratch.app.recorder, 0, 0.0
    position = first_position
    while True:
        notifications = asiento.app.recorder.select_notifications(position, 5_000)
        if not notifications:
            break
        stored = [StoredEvent(n.originator_id, n.originator_version, n.topic, n.state) for n in notifications]
        started = time.perf_counter()
        recorder.insert_events(stored)
        elapsed += time.perf_counter() - started
        count += len(notifications)
        position = notifications[-1].id + 1
    scratch.close()
    return count, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--supplies", type=int, default=20_000)
    parser.add_argument("--database", default="sqlite:////tmp/bench-billing.db")
    parser.add_argument("--members-per-chunk", type=int, default=1_000)
    args = parser.parse_args()
    faulthandler.dump_traceback_later(900, exit=True)  # a stuck benchmark says where, then stops
    url = fresh_database(args.database)
    before = machine_reference_s()
    asiento = bootstrap(url)
    started = time.perf_counter()
    setup(asiento, args.supplies)
    setup_s = time.perf_counter() - started
    first = asiento.runner.head() + 1
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    with CpuMeter() as cpu:
        report = BillingRun(
            asiento,
            period="2026-01",
            issue_date=date(2026, 2, 2),
            recorded_by="bench",
            members_per_chunk=args.members_per_chunk,
        ).run()
    run_s = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    events = asiento.runner.head() - first + 1
    raw_n, raw_s = raw_append(asiento, first, url)
    backend = "sqlite" if url.startswith("sqlite") else "postgresql"
    print(f"backend={backend} supplies={args.supplies} chunk={args.members_per_chunk} setup={setup_s:.1f}s")
    print(
        f"billing run: {report.invoices} invoices, {report.documents} documents, {events} events, "
        f"{run_s:.2f}s -> {report.invoices / run_s:,.0f} supplies/s ({events / run_s:,.0f} events/s)"
    )
    print(cpu.summary())
    print(f"raw append of the same {raw_n} events: {raw_s:.2f}s -> {raw_n / raw_s:,.0f} events/s")
    print(f"peak RSS: {peak:,.0f} MiB (before the run: {rss_before:,.0f} MiB); total billed {report.total}")
    print(reference_summary(before))
    asiento.close()


if __name__ == "__main__":
    main()
