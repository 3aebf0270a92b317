"""One full month of a cooperative of N supplies, end to end, beside the store's own limits.

Generates the cooperative (``bench/generate.py``, set-up, not timed), then times
each stage of the month the way the staff run it:

1. ``readings``: one collector file per reading route imported (checked against
   the registry, anomalies held), the held readings reviewed and accepted;
2. ``billing``: the billing run (unread meters estimated);
3. ``pdf``: the bills of a sample of members rendered to PDF;
4. ``collections``: a Pago Fácil result file paying most documents, imported;
5. ``cash desk``: a share of the members paying at the counter, one receipt each;
6. ``rebuild``: every projection dropped and replayed from position 0;
7. ``trial balance`` and ``statements`` (member statement latency, p50/p99).

Beside them, measured in the same run: the raw append rate of the month's very
events (``recorder.insert_events`` into a fresh store) and the raw notification
read rate (``select_notifications`` of the whole log, decoding nothing); each
stage's events/s is shown as a ratio to them. Peak memory is the process's
resident high-water mark, reset before each stage (``/proc/self/clear_refs``).
Prints figures; asserts nothing.

    python bench/month.py --supplies 10000 --database sqlite:////tmp/month.db
    python bench/month.py --supplies 100000 --database postgresql://postgres@127.0.0.1:5432/bench_month

For the largest sizes the cooperative can be generated once (``bench/generate.py``
with the same ``--supplies``/``--seed``/``--months``) and the month timed on it with
``--generated``; the store is then used as it is, not recreated.
"""

from __future__ import annotations

import argparse
import faulthandler
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from datetime import time as clock
from decimal import Decimal
from pathlib import Path
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import and_, func, select

from adapters.bulk_load import load_aggregates
from adapters.collection_files import write_pagofacil_result
from adapters.collection_model import CollectedPayment, CollectionBatch, CollectionFile
from adapters.reading_files import RouteRow, write_route_file
from api.bill_print import print_member_bills
from api.billing_run import BillingReport, BillingRun
from api.bootstrap import Asiento, bootstrap
from api.cli_cash import open_invoice_ids
from api.collections_service import CollectionImport, CollectionReport
from api.counter import record_counter_receipt
from api.parallel_catch_up import default_workers, rebuild
from api.readings_service import ReadingsService
from bench.billing_run import raw_append
from bench.cpu import machine_reference_s, reference_summary
from bench.generate import (
    DEFAULT_MONTHS,
    DEFAULT_SEED,
    RECORDED_BY,
    MemberSpec,
    SupplySpec,
    already_generated,
    bench_period,
    generate,
    iter_members,
)
from bench.projection_catchup import fresh_database
from domain.meter_readings import MeterReading, reading_id
from domain.money import ZERO, from_cents
from domain.readings import ReadingInput
from projections import queries
from projections.account_queries import member_statement
from projections.billing_queries import shift_period
from projections.commercial_tables import account_documents, invoices, payable_documents, readings

UNREAD_SHARE = 0.02  # meters the collector could not read this month: the billing run estimates them
NETWORK_SHARE = 0.70  # documents paid at Pago Fácil
COUNTER_SHARE = 0.33  # of the members still owing after the network file, those who pay at the counter
COLLECTION_POINTS = 1_500
DEFAULT_DESKS = 2  # counter desks taking receipts at once: one per core
RECEIPTS_PER_SESSION = 300  # a cashier's day at one desk; a session reloads its receipts with it
PDF_SAMPLE = 100
STATEMENT_SAMPLE = 500
REVIEW_BATCH = 2_000
REVIEW_NOTE = "Revisada en el informe de anomalías: se acepta la lectura"
NETWORK_BATCH = 5_000


@dataclass
class Stage:
    name: str
    items: int
    unit: str
    elapsed_s: float
    events: int
    peak_rss_mib: float
    cpu_s: float  # this process's CPU: steadier than elapsed when others load the machine
    limit: str = "append"  # the raw rate this stage is compared with
    children_cpu_s: float = 0.0  # its helper processes': projection followers, counter desks

    @property
    def items_per_s(self) -> float:
        return self.items / self.elapsed_s if self.elapsed_s else 0.0

    @property
    def events_per_s(self) -> float:
        return self.events / self.elapsed_s if self.elapsed_s else 0.0


@dataclass
class MonthResult:
    period: str
    supplies: int
    members: int
    generated_events: int
    setup_s: float
    stages: list[Stage] = field(default_factory=list)
    billing: BillingReport | None = None
    network: CollectionReport | None = None
    counter_receipts: int = 0
    counter_total: Decimal = ZERO
    statement_ms: tuple[float, float] = (0.0, 0.0)  # p50, p99
    raw_append_events_per_s: float = 0.0
    raw_read_events_per_s: float = 0.0
    receivables_ledger: Decimal = ZERO  # 1.1.03.* in the trial balance
    receivables_accounts: Decimal = ZERO  # the members' current accounts
    total_debit: Decimal = ZERO
    total_credit: Decimal = ZERO
    log_events: int = 0
    load_average_at_start: float = field(default_factory=lambda: os.getloadavg()[0])


# -- measuring ---------------------------------------------------------------------------------


def reset_peak_rss() -> None:
    """Linux keeps the resident high-water mark per process; writing 5 resets it to the current size."""
    Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def timed(
    result: MonthResult,
    asiento: Asiento,
    name: str,
    unit: str,
    work: Callable[[], int],
    limit: str = "append",
) -> None:
    """Run one stage to the end (projections caught up) and record its figures."""
    analyze_if_nobody_does(asiento)
    reset_peak_rss()
    head = asiento.runner.head()
    started, cpu_started, children_started = time.perf_counter(), time.process_time(), children_cpu_s()
    items = work()
    asiento.runner.catch_up()
    elapsed = time.perf_counter() - started
    events = asiento.runner.head() - head if limit == "append" else items
    cpu = time.process_time() - cpu_started
    children = children_cpu_s() - children_started
    stage = Stage(name, items, unit, elapsed, events, peak_rss_mib(), cpu, limit, children)
    result.stages.append(stage)
    # The table prints at the end; a line per stage now keeps the figures of a long run cut short.
    print(
        f"[{time.strftime('%H:%M:%S')}] {name}: {items:,} {unit} in {elapsed:.2f} s "
        f"({cpu:.2f} s CPU, helpers {children:.2f} s), {events:,} events, "
        f"peak RSS {stage.peak_rss_mib:,.0f} MiB",
        file=sys.stderr,
        flush=True,
    )


def children_cpu_s() -> float:
    """CPU of the helper processes that have ended (Linux counts a child once it is waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def analyze_if_nobody_does(asiento: Asiento) -> None:
    """Fresh planner statistics before a stage, not timed, when PostgreSQL's autovacuum is off.

    The project's server runs with ``autovacuum = off``: no table is ever analyzed, and
    the planner, blind, sends a lookup of four events by id to two parallel workers with
    JIT (50 ms instead of 1 ms, measured at 100,000 supplies). Production runs autovacuum,
    which analyzes a table after 1% of it changed; this does what it would have done."""
    if asiento.engine.dialect.name != "postgresql":
        return
    with asiento.engine.connect() as conn:
        if conn.exec_driver_sql("SHOW autovacuum").scalar() == "on":
            return
    with asiento.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")


def next_month_day(period: str, day: int) -> date:
    """Bills are issued on the 2nd of the next month, paid from the 10th."""
    year, month = shift_period(period, 1).split("-")
    return date(int(year), int(month), day)


# -- stage 1: readings -------------------------------------------------------------------------


def _by_route(supplies: int, seed: int, months: int) -> Iterator[tuple[str, list[MemberSpec]]]:
    """Members come in route order (``bench.generate.route_code``): one route's at a time."""
    route, group = "", list[MemberSpec]()
    for member in iter_members(supplies, seed, months):
        if member.supplies and member.supplies[0].route != route and group:
            yield route, group
            group = []
        route = member.supplies[0].route if member.supplies else route
        group.append(member)
    if group:
        yield route, group


def write_route_files(directory: Path, supplies: int, seed: int, months: int) -> list[Path]:
    """The collectors' files as they come back: the month's register, a few meters left blank."""
    unread = random.Random(seed + 1)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for route, members in _by_route(supplies, seed, months):
        rows: list[RouteRow] = []
        filled: dict[str, ReadingInput] = {}
        for member in members:
            for spec in member.supplies:
                if spec.meter_serial is None:
                    continue
                rows.append(_route_row(route, len(rows) + 1, member, spec, months))
                if unread.random() >= UNREAD_SHARE:
                    now = spec.readings[months]
                    filled[spec.number] = ReadingInput(
                        spec.number, now.reading_date, Decimal(now.value), False, "L01", spec.meter_serial
                    )
        if rows:
            paths.append(write_route_file(directory / f"ruta-{route}.csv", rows, readings=filled))
    return paths


def _route_row(route: str, sequence: int, member: MemberSpec, spec: SupplySpec, months: int) -> RouteRow:
    last = spec.readings[months - 1]
    return RouteRow(
        route,
        sequence,
        spec.number,
        member.name,
        spec.address,
        spec.meter_serial or "",
        spec.digits,
        Decimal(last.value),
        last.reading_date,
    )


def import_readings(asiento: Asiento, files: list[Path], period: str) -> int:
    service = ReadingsService(asiento, recorded_by=RECORDED_BY)
    imported = sum(len(checked) for checked, _ in service.import_files(files, period))
    return imported + review_held(asiento, period)


def review_held(asiento: Asiento, period: str) -> int:
    """The clerk accepts the held readings after checking them (loaded in bulk, saved in batches)."""
    asiento.runner.catch_up()
    with asiento.read() as conn:
        r = readings.c
        held = list(
            conn.scalars(select(r.supply_number).where(and_(r.period == period, r.held_reason.is_not(None))))
        )
    for start in range(0, len(held), REVIEW_BATCH):
        ids = [reading_id(number, period) for number in held[start : start + REVIEW_BATCH]]
        loaded: dict[UUID, MeterReading] = load_aggregates(asiento.app, asiento.engine, ids)
        for reading in loaded.values():
            reading.accept(REVIEW_NOTE, recorded_by=RECORDED_BY)
        asiento.app.save(*loaded.values())
    return 0  # accepted readings were already counted as imported


# -- stages 3 to 5: bills, network payments, cash desk ----------------------------------------


def sample_members(count: int, members: int, seed: int) -> list[str]:
    chosen = random.Random(seed + 2).sample(range(members), min(count, members))
    return [f"{index + 1:07d}" for index in sorted(chosen)]


def render_bills(asiento: Asiento, members: list[str], period: str, directory: Path) -> int:
    return sum(len(print_member_bills(asiento, number, period, directory)) for number in members)


def write_network_file(asiento: Asiento, path: Path, period: str, seed: int) -> int:
    """Pago Fácil's result file: most documents paid at their first due amount, at 1,500 points."""
    chooser = random.Random(seed + 3)
    pay_day = next_month_day(period, 10)
    p = payable_documents.c
    with asiento.read() as conn:
        rows = conn.execute(
            select(p.barcode, p.total_cents).where(p.period == period).order_by(p.member_number)
        ).all()
    payments = [
        CollectedPayment(
            line=0,
            sequence=n + 1,
            payment_date=pay_day,
            payment_time=clock(10, 0),
            transfer_date=pay_day,
            amount=from_cents(cents),
            barcode=barcode,
            instrument="1",
            terminal=f"T{n % COLLECTION_POINTS:04d}",
        )
        for n, (barcode, cents) in enumerate(rows)
        if chooser.random() < NETWORK_SHARE
    ]
    batches = [
        CollectionBatch.of(i // NETWORK_BATCH + 1, payments[i : i + NETWORK_BATCH])
        for i in range(0, len(payments), NETWORK_BATCH)
    ]
    path.write_bytes(write_pagofacil_result(CollectionFile.of("pagofacil", pay_day, batches)))
    return len(payments)


def counter_payments(asiento: Asiento, period: str, seed: int) -> list[tuple[str, int]]:
    """Members with debt left after the network file who come to the counter: (member, owed cents)."""
    chooser = random.Random(seed + 4)
    d = account_documents.c
    with asiento.read() as conn:
        owed = conn.execute(
            select(d.member_number, func.sum(d.total_cents - d.paid_cents))
            .where(d.total_cents > d.paid_cents)
            .group_by(d.member_number)
            .order_by(d.member_number)
        ).all()
    return [(number, int(cents)) for number, cents in owed if chooser.random() < COUNTER_SHARE]


def cash_desk(
    asiento: Asiento, payers: list[tuple[str, int]], period: str, result: MonthResult, desks: int = 1
) -> int:
    """Each payer at one of the desks, cash for the whole debt; the sessions closed with their count.

    A session is one cashier's day (up to ``RECEIPTS_PER_SESSION`` receipts): every receipt loads its
    session, whose events grow with the receipts it registered. ``desks`` sessions take receipts at
    the same time, each desk a process of its own as the web app's workers are (one desk takes them
    one after the other, which measures a receipt's latency rather than the counters' day)."""
    day = next_month_day(period, 12)
    app = asiento.app
    sessions = [
        app.open_cash_session(
            desk=f"CAJA{n + 1}",
            cashier=f"cajero{n + 1}",
            effective_date=day,
            opening_float="0",
            recorded_by=RECORDED_BY,
        )
        for n in range(-(-len(payers) // RECEIPTS_PER_SESSION))
    ]
    days = [
        (session, payers[n * RECEIPTS_PER_SESSION : (n + 1) * RECEIPTS_PER_SESSION], day)
        for n, session in enumerate(sessions)
    ]
    if desks == 1:
        collected = [session_receipts(asiento, *work) for work in days]
    else:
        spawn = multiprocessing.get_context("spawn")  # a fresh process: no inherited connections
        with spawn.Pool(desks, initializer=_open_desk, initargs=(asiento.config.url,)) as pool:
            collected = pool.map(_desk_receipts, days, chunksize=1)
            pool.close()
            pool.join()  # reaped here: their CPU counts in the stage's children
    for session, total in zip(sessions, collected, strict=True):
        app.close_cash_session(session, {"cash": str(total)}, day, recorded_by=RECORDED_BY)
    result.counter_total += sum(collected, ZERO)
    result.counter_receipts = len(payers)
    return len(payers)


def session_receipts(asiento: Asiento, session: UUID, payers: list[tuple[str, int]], day: date) -> Decimal:
    """One cashier's day: a receipt per payer, looked up by member as at the counter; the cash taken."""
    collected = ZERO
    for member, cents in payers:
        with asiento.read_alone() as conn:
            candidates = open_invoice_ids(conn, member)
        amount = from_cents(cents)
        record_counter_receipt(
            asiento,
            member_number=member,
            instruments=[{"kind": "cash", "amount": str(amount)}],
            effective_date=day,
            open_invoice_ids=candidates,
            recorded_by=RECORDED_BY,
            session_id=session,
        )
        collected += amount
    return collected


_desk: Asiento | None = None  # a desk process's store, opened once for all the sessions it takes


def _open_desk(url: str) -> None:
    global _desk
    _desk = bootstrap(url, create_tables=False)


def _desk_receipts(work: tuple[UUID, list[tuple[str, int]], date]) -> Decimal:
    assert _desk is not None, "the pool's initializer opens the desk's store"
    return session_receipts(_desk, *work)


# -- stages 6 and 7: rebuild, trial balance, statements ---------------------------------------------


def rebuild_all(asiento: Asiento) -> int:
    """What ``asiento rebuild all`` does on a long log: planning workers beside the writer."""
    rebuild(asiento, list(asiento.runner.projections), workers=default_workers())
    return asiento.runner.head()


def trial_balance(asiento: Asiento, as_of: date, result: MonthResult) -> int:
    d = account_documents.c
    with asiento.read() as conn:
        trial = queries.trial_balance(conn, as_of)
        owed = conn.execute(
            select(func.coalesce(func.sum(d.total_cents - d.paid_cents), 0)).where(d.issue_date <= as_of)
        ).scalar_one()
    result.total_debit, result.total_credit = trial.total_debit, trial.total_credit
    result.receivables_ledger = sum((r.balance for r in trial.rows if r.code.startswith("1.1.03.")), ZERO)
    result.receivables_accounts = from_cents(int(owed))
    return len(trial.rows)


def statements(asiento: Asiento, members: list[str], as_of: date, result: MonthResult) -> int:
    latencies = []
    with asiento.read() as conn:
        for number in members:
            started = time.perf_counter()
            member_statement(conn, number, as_of)
            latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    result.statement_ms = (latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99)])
    return len(members)


def raw_read_rate(asiento: Asiento) -> float:
    """Notifications of the whole log read page by page, decoding nothing."""
    recorder, position, count = asiento.app.recorder, 1, 0
    started = time.perf_counter()
    while True:
        page = recorder.select_notifications(position, 5_000)
        if not page:
            break
        count += len(page)
        position = page[-1].id + 1
    return count / (time.perf_counter() - started)


# -- the month ---------------------------------------------------------------------------------


def run_month(
    asiento: Asiento,
    url: str,
    *,
    supplies: int,
    seed: int = DEFAULT_SEED,
    months: int = DEFAULT_MONTHS,
    work_dir: Path,
    raw_limits: bool = True,
    generated_before: bool = False,
    rebuild: bool = True,
    desks: int = DEFAULT_DESKS,
) -> MonthResult:
    started = time.perf_counter()
    period = bench_period(months)
    if generated_before:
        generated = already_generated(asiento, supplies=supplies, seed=seed, months=months)
        if not generated.events or _billed(asiento, period):
            raise SystemExit(f"--generated: the store is empty or {period} is billed there already")
    else:
        generated = generate(asiento, supplies=supplies, seed=seed, months=months)
    issued = next_month_day(period, 2)
    result = MonthResult(
        period, generated.supplies, generated.members, generated.events, time.perf_counter() - started
    )
    first_of_month = asiento.runner.head() + 1
    files = write_route_files(work_dir / "rutas", supplies, seed, months)
    timed(result, asiento, "readings", "readings", lambda: import_readings(asiento, files, period))

    def bill() -> int:
        result.billing = BillingRun(asiento, period=period, issue_date=issued, recorded_by=RECORDED_BY).run()
        return result.billing.invoices

    timed(result, asiento, "billing", "supplies", bill)
    sample = sample_members(PDF_SAMPLE, generated.members, seed)
    timed(result, asiento, "bills to PDF", "bills", lambda: render_bills(asiento, sample, period, work_dir))
    network_file = work_dir / "pagofacil.txt"
    write_network_file(asiento, network_file, period, seed)

    def collect() -> int:
        result.network = CollectionImport(asiento, recorded_by=RECORDED_BY).run(network_file, "pagofacil")
        return result.network.payments

    timed(result, asiento, "collection file", "payments", collect)
    payers = counter_payments(asiento, period, seed)
    timed(result, asiento, "cash desk", "receipts", lambda: cash_desk(asiento, payers, period, result, desks))
    month_events = asiento.runner.head() - first_of_month + 1
    counted = [s for s in result.stages if s.name != "bills to PDF"]  # a sample: not the month's work
    result.stages.append(
        Stage(
            "month (all but PDF)",
            month_events,
            "events",
            sum(s.elapsed_s for s in counted),
            month_events,
            max(s.peak_rss_mib for s in counted),
            sum(s.cpu_s for s in counted),
            children_cpu_s=sum(s.children_cpu_s for s in counted),
        )
    )
    result.raw_read_events_per_s = raw_read_rate(asiento)
    if rebuild:
        timed(result, asiento, "rebuild (all)", "events", lambda: rebuild_all(asiento), limit="read")
    as_of = date(issued.year, issued.month, 28)
    timed(result, asiento, "trial balance", "rows", lambda: trial_balance(asiento, as_of, result), "none")
    chosen = sample_members(STATEMENT_SAMPLE, generated.members, seed + 5)
    timed(
        result, asiento, "statements", "members", lambda: statements(asiento, chosen, as_of, result), "none"
    )
    result.log_events = asiento.runner.head()
    if raw_limits:
        count, elapsed = raw_append(asiento, first_of_month, url)
        result.raw_append_events_per_s = count / elapsed
    return result


def _billed(asiento: Asiento, period: str) -> bool:
    with asiento.engine.connect() as conn:
        billed = select(invoices.c.period).where(invoices.c.period == period).limit(1)
        return conn.execute(billed).first() is not None


def print_result(result: MonthResult, backend: str) -> None:
    print(
        f"backend={backend} supplies={result.supplies} members={result.members} period={result.period} "
        f"generated events={result.generated_events} in {result.setup_s:.0f}s; "
        f"log={result.log_events} events; "
        f"load average {result.load_average_at_start:.2f} at start, {os.getloadavg()[0]:.2f} at end"
    )
    print(
        f"limits: raw append {result.raw_append_events_per_s:,.0f} events/s; "
        f"raw read {result.raw_read_events_per_s:,.0f} events/s"
    )
    header = (
        "stage",
        "items",
        "items/s",
        "elapsed s",
        "cpu s",
        "helpers cpu s",
        "events",
        "events/s",
        "ratio",
        "peak RSS MiB",
    )
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for stage in result.stages:
        limit = {"append": result.raw_append_events_per_s, "read": result.raw_read_events_per_s}.get(
            stage.limit
        )
        ratio = f"{stage.events_per_s / limit:.2f} of {stage.limit}" if limit else "-"
        print(
            f"| {stage.name} | {stage.items:,} {stage.unit} | {stage.items_per_s:,.0f} | "
            f"{stage.elapsed_s:.2f} | {stage.cpu_s:.2f} | {stage.children_cpu_s:.2f} | "
            f"{stage.events:,} | {stage.events_per_s:,.0f} | {ratio} | {stage.peak_rss_mib:,.0f} |"
        )
    billing, network = result.billing, result.network
    if billing and network:
        print(
            f"billed {billing.invoices} invoices in {billing.documents} documents, $ {billing.total} "
            f"({billing.estimated} estimated, {billing.held} held, {len(billing.skipped)} skipped); "
            f"network {network.receipts} receipts $ {network.collected} ({network.in_suspense} in suspense); "
            f"counter {result.counter_receipts} receipts $ {result.counter_total}"
        )
    p50, p99 = result.statement_ms
    print(
        f"member statement p50 {p50:.1f} ms, p99 {p99:.1f} ms; trial balance debit {result.total_debit} "
        f"credit {result.total_credit}; receivables ledger {result.receivables_ledger} = current accounts "
        f"{result.receivables_accounts}: {result.receivables_ledger == result.receivables_accounts}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--supplies", type=int, default=10_000)
    parser.add_argument("--database", default="sqlite:////tmp/bench-month.db")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--months", type=int, default=DEFAULT_MONTHS)
    parser.add_argument(
        "--generated",
        action="store_true",
        help="the database holds bench/generate.py's cooperative of this size and seed: time the month on it",
    )
    parser.add_argument(
        "--no-rebuild",
        action="store_true",
        help="leave out the rebuild of every projection (hours on a long SQLite log); the rest is the same",
    )
    parser.add_argument(
        "--desks",
        type=int,
        default=DEFAULT_DESKS,
        help="counter desks taking receipts at the same time, a process each (1: one after the other)",
    )
    args = parser.parse_args()
    faulthandler.dump_traceback_later(4 * 3600, exit=True)  # a stuck benchmark says where, then stops
    before = machine_reference_s()
    url = args.database if args.generated else fresh_database(args.database)
    asiento = bootstrap(url)
    with tempfile.TemporaryDirectory(prefix="asiento-month-") as scratch:
        result = run_month(
            asiento,
            url,
            supplies=args.supplies,
            seed=args.seed,
            months=args.months,
            work_dir=Path(scratch),
            generated_before=args.generated,
            rebuild=not args.no_rebuild,
            desks=args.desks,
        )
    print_result(result, "sqlite" if url.startswith("sqlite") else "postgresql")
    print(reference_summary(before))
    asiento.close()


if __name__ == "__main__":
    main()
