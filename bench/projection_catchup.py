"""Projection catch-up benchmark (journal + balances + chart) from position 0.

Fills a fresh store with invoices and manual entries, then measures, in the same
run: the raw notification read rate (``select_notifications`` pages, decoding
nothing), the decode rate (notifications to domain events), and the full
catch-up rate of the ledger projections. Prints figures; asserts nothing.

    python bench/projection_catchup.py --events 100000 --database sqlite:///tmp/b.db
    python bench/projection_catchup.py --events 100000 --database postgresql://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg

from api.bootstrap import Asiento, bootstrap
from api.parallel_catch_up import default_workers, rebuild, start_method
from bench.cpu import machine_reference_s, reference_summary
from domain.calendar import FiscalCalendar
from domain.chart import ChartOfAccounts, Side
from domain.invoicing import Invoice
from domain.journal import EntryLine, JournalEntry
from ledger_rules import load_chart

SAVE_BATCH = 1_000
SERVICES = [
    ("electricity", "residential"),
    ("electricity", "commercial"),
    ("water", "residential"),
    ("internet", "residential"),
    ("gas", "residential"),
]


def fresh_database(url: str) -> str:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return url
    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url


def invoice(rng: random.Random, n: int, calendar: FiscalCalendar) -> Invoice:
    service, category = SERVICES[n % len(SERVICES)]
    charge = Decimal(rng.randint(2_000_00, 90_000_00)) / 100
    vat = (charge * Decimal("0.21")).quantize(Decimal("0.01"))
    capital = (charge * Decimal("0.10")).quantize(Decimal("0.01"))
    day = date(2026, 1, 1) + timedelta(days=n % 360)
    return Invoice.issue(
        calendar=calendar,
        recorded_by="bench",
        lines=[
            {"concept": "energy", "kind": "charge", "amount": charge},
            {"concept": "cuota_capital", "kind": "capital", "amount": capital},
            {"concept": "vat21", "kind": "vat", "amount": vat, "vat_rate": "21"},
        ],
        effective_date=day,
        member_number=f"{n % 50_000:06d}",
        supply_number=f"S{n:08d}",
        service=service,
        category=category,
        vat_condition="Consumidor Final",
        document_type=6,
        letter="B",
        point_of_sale=1,
        number=n + 1,
        period=f"2026-{day.month:02d}",
        due_date=day + timedelta(days=15),
    )


def manual(rng: random.Random, n: int, chart: ChartOfAccounts, calendar: FiscalCalendar) -> JournalEntry:
    amount = Decimal(rng.randint(100, 10_000_000)) / 100
    return JournalEntry.post(
        effective_date=date(2026, 1, 1) + timedelta(days=n % 360),
        description=f"Gasto {n}",
        lines=[EntryLine("5.3.01", Side.DEBIT, amount), EntryLine("1.1.01.10", Side.CREDIT, amount)],
        chart=chart,
        calendar=calendar,
        recorded_by="bench",
    )


def fill(asiento: Asiento, events: int, seed: int) -> float:
    app = asiento.app
    app.install_chart(load_chart(), recorded_by="bench")
    app.open_fiscal_year(2026, recorded_by="bench")
    chart, calendar = app.chart(), app.calendar()
    rng = random.Random(seed)
    started = time.perf_counter()
    for start in range(0, events, SAVE_BATCH):
        batch = [
            manual(rng, n, chart, calendar) if n % 10 == 9 else invoice(rng, n, calendar)
            for n in range(start, min(events, start + SAVE_BATCH))
        ]
        app.save(*batch)
    return time.perf_counter() - started


def raw_read(asiento: Asiento, page: int) -> tuple[int, float]:
    recorder, head = asiento.app.recorder, asiento.runner.head()
    started, count, position = time.perf_counter(), 0, 1
    while position <= head:
        notifications = recorder.select_notifications(position, page, stop=head)
        if not notifications:
            break
        count += len(notifications)
        position = notifications[-1].id + 1
    return count, time.perf_counter() - started


def decode_read(asiento: Asiento, page: int) -> tuple[int, float]:
    recorder, mapper, head = asiento.app.recorder, asiento.app.mapper, asiento.runner.head()
    started, count, position = time.perf_counter(), 0, 1
    while position <= head:
        notifications = recorder.select_notifications(position, page, stop=head)
        if not notifications:
            break
        for n in notifications:
            mapper.to_domain_event(n)
        count += len(notifications)
        position = notifications[-1].id + 1
    return count, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL", "sqlite:///./bench.db"))
    parser.add_argument("--page", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=default_workers())
    args = parser.parse_args()

    before = machine_reference_s()
    url = fresh_database(args.database)
    asiento = bootstrap(url, page_size=args.page)
    fill_s = fill(asiento, args.events, args.seed)
    raw_n, raw_s = raw_read(asiento, args.page)
    dec_n, dec_s = decode_read(asiento, args.page)
    ledger = ["chart", "journal", "balances"]
    started = time.perf_counter()
    processed = asiento.runner.catch_up(names=ledger)
    catch_s = time.perf_counter() - started
    workers_start = start_method(asiento)  # how the rebuild's workers will start
    started = time.perf_counter()
    # What ``asiento rebuild`` does: tables refilled, their secondary indexes built at the end.
    parallel = rebuild(asiento, ledger, workers=args.workers)
    parallel_s = time.perf_counter() - started
    others = [name for name in asiento.runner.projections if name not in ledger]
    started = time.perf_counter()
    others_n = asiento.runner.catch_up(names=others)
    others_s = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    backend = "sqlite" if url.startswith("sqlite") else "postgresql"
    print(f"backend={backend} events={args.events} page={args.page} log_head={asiento.runner.head()}")
    print(f"{'stage':<36}{'events':>10}{'seconds':>10}{'events/s':>12}")
    for stage, n, seconds in (
        ("append (app.save batches)", args.events, fill_s),
        ("raw select_notifications", raw_n, raw_s),
        ("read + decode", dec_n, dec_s),
        ("catch-up: chart+journal+balances", processed, catch_s),
        (f"rebuild of the same, {args.workers} {workers_start}ed", parallel, parallel_s),
        ("catch-up: the other projections", others_n, others_s),
    ):
        print(f"{stage:<36}{n:>10}{seconds:>10.2f}{n / seconds:>12,.0f}")
    print(
        f"ledger rebuild with workers / raw read ratio: {(parallel / parallel_s) / (raw_n / raw_s):.2f}; "
        f"/ read+decode ratio: {(parallel / parallel_s) / (dec_n / dec_s):.2f}"
    )
    print(
        f"ledger catch-up / raw read ratio: {(processed / catch_s) / (raw_n / raw_s):.2f}; "
        f"/ read+decode ratio: {(processed / catch_s) / (dec_n / dec_s):.2f}"
    )
    print(f"peak RSS: {peak_mib:,.0f} MiB")
    print(reference_summary(before))
    asiento.close()


if __name__ == "__main__":
    main()
