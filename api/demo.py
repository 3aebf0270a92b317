"""``asiento demo``: a cooperative built through the real commands, month by month.

The data come from ``api.demo_data`` (members, supplies, meters and what each meter
reads, all from one seed). This module records them the way the staff would: the
chart, services, fiscal years and tariff tables; members and their supplies; then
for every month the cuts and reconnections, each reading route exported to a
collector file (CSV, TXT or XLSX), filled in as the collector would and imported,
the held readings reviewed and accepted, and the billing run.

Every step first asks the read models what is already there, so running the demo
again (or after it was interrupted) records only what is missing: ids and numbers
derive from the members' and supplies' numbers and the periods.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import astuple, dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from eventsourcing.application import AggregateNotFoundError
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.table import Table
from sqlalchemy import Connection, and_, func, select

from adapters.commercial_commands import read_services_file
from adapters.reading_files import FileFormat, RouteRow, write_route_file
from adapters.tariff_files import DEFAULT_TARIFFS_PATH, parse_tariff_text
from api import render
from api.billing_run import BillingReport, BillingRun
from api.bootstrap import Asiento
from api.demo_data import ALL_ROUTES, CUT_REASON, DemoPlan, MemberPlan, SupplyPlan, build_plan, reading_day
from api.readings_service import ReadingsService
from domain.errors import InvalidInput
from domain.meter_readings import MeterReading
from domain.money import ZERO, format_ar, from_cents
from domain.readings import ReadingInput
from domain.supplies import MeterSpec, Supply
from domain.tariff_book import TariffBook, tariff_book_id
from ledger_rules import load_chart
from projections import queries
from projections import route_queries as stop_queries
from projections.billing_queries import shift_period
from projections.commercial import topic
from projections.commercial_tables import (
    account_documents,
    held_bills,
    invoices,
    members,
    payable_documents,
    readings,
    supplies,
)

DEFAULT_MEMBERS, DEFAULT_MONTHS, DEFAULT_SEED = 2_000, 12, 7
MAX_MONTHS = 36
LAST_PERIOD = "2026-11"  # fixed, so that the same seed gives the same cooperative on any day
ART31_MONTHS = 25  # Ley 24.240 art. 31 compares with the same month of the two previous years
YEARLY_PRICE_FACTOR = Decimal("0.80")  # earlier tariff tables: 20% cheaper per year before the shipped one
FORMATS = (FileFormat.CSV, FileFormat.TXT, FileFormat.XLSX)
LOG_PAGE = 5_000
READING_ACCEPTED = topic(MeterReading, "ReadingAccepted")
SUPPLY_STATE_CHANGED = topic(Supply, "SupplyStateChanged")
REVIEW_NOTE = "Revisada en el informe de anomalías: se acepta la lectura"

Progress = Callable[[str, int, int], None]  # (what is being done, months done, months in all)


@dataclass
class MonthSummary:
    period: str
    readings: int = 0  # real readings imported from the collectors' files
    estimated: int = 0  # estimated by the billing run for unread meters
    held_for_review: int = 0  # held at import (accepted after review, or still pending)
    still_held: int = 0
    invoices: int = 0
    documents: int = 0
    held_bills: int = 0  # Ley 24.240 art. 31
    cuts: int = 0  # supplies cut for debt during the month
    total: Decimal = ZERO
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (supply, reason) from this run


@dataclass
class DemoSummary:
    as_of: date
    members: int
    supplies: dict[str, int]
    months: list[MonthSummary]
    receivables_ledger: Decimal  # balance of accounts 1.1.03.* in the trial balance
    receivables_accounts: Decimal  # sum of the members' current accounts
    total_debit: Decimal
    total_credit: Decimal
    events: int
    events_added: int
    notes: list[str] = field(default_factory=list)

    @property
    def total_billed(self) -> Decimal:
        return sum((m.total for m in self.months), ZERO)


def demo_periods(months: int) -> list[str]:
    if not 1 <= months <= MAX_MONTHS:
        raise InvalidInput(f"Demo: los meses deben estar entre 1 y {MAX_MONTHS}")
    return [shift_period(LAST_PERIOD, -back) for back in range(months - 1, -1, -1)]


def issue_date(period: str) -> date:
    """Bills of a period are issued on the 2nd of the next month."""
    year, month = (int(part) for part in shift_period(period, 1).split("-"))
    return date(year, month, 2)


def run_demo(
    asiento: Asiento,
    *,
    recorded_by: str,
    members: int = DEFAULT_MEMBERS,
    months: int = DEFAULT_MONTHS,
    seed: int = DEFAULT_SEED,
    progress: Progress | None = None,
    work_dir: Path | None = None,
) -> DemoSummary:
    """Build (or complete) the demo cooperative; ``work_dir`` keeps the collectors' files."""
    if members < 1:
        raise InvalidInput("Demo: al menos un asociado")
    periods = demo_periods(months)
    report = progress or (lambda _what, _done, _total: None)
    report("Preparando socios y suministros", 0, months)
    plan = build_plan(members, periods, seed)
    _require_same_demo(asiento, plan)
    events_before = _events(asiento)
    with tempfile.TemporaryDirectory(prefix="asiento-demo-") as scratch:
        directory = work_dir or Path(scratch)
        _set_up(asiento, periods, recorded_by, directory)
        _register(asiento, [m for m in plan.members if m.joins_month is None], recorded_by)
        billing: dict[str, BillingReport] = {}
        for month, period in enumerate(periods):
            report(f"{period}: lecturas", month, months)
            _read_month(asiento, plan, month, recorded_by, directory)
            report(f"{period}: facturación", month, months)
            billing[period] = BillingRun(
                asiento, period=period, issue_date=issue_date(period), recorded_by=recorded_by
            ).run()
        report("Listo", months, months)
    asiento.runner.catch_up()
    return summarize(asiento, periods, billing, events_before)


def _require_same_demo(asiento: Asiento, plan: DemoPlan) -> None:
    """A demo is completed only with the parameters it was started with: another seed, size or
    window would give the same supplies other meter values than the ones already read."""
    asiento.runner.catch_up()
    with asiento.read() as conn:
        names = {number: name for number, name in conn.execute(select(members.c.number, members.c.name))}
        first_read = conn.execute(select(func.min(readings.c.period))).scalar()
    expected = {m.number: m.name for m in plan.members}
    before = sum(1 for m in plan.members if m.joins_month is None)
    same_seed = all(expected.get(number, name) == name for number, name in names.items())
    same_size = len(names) <= len(expected) and (first_read is None or len(names) >= before)
    if names and not (same_seed and same_size and first_read in (None, plan.periods[0])):
        raise InvalidInput(
            f"La base ya tiene otra demo ({len(names)} asociados, lecturas desde {first_read or '-'}): "
            "repita con los mismos --members, --months y --seed, o use otra base"
        )


# -- set-up ----------------------------------------------------------------------------------


def _set_up(asiento: Asiento, periods: Sequence[str], recorded_by: str, directory: Path) -> None:
    app = asiento.app
    app.install_chart(load_chart(), recorded_by=recorded_by)
    app.define_services(read_services_file(), recorded_by=recorded_by)
    first_year, last_year = int(periods[0][:4]), issue_date(periods[-1]).year
    for year in range(first_year, last_year + 1):
        if year not in app.calendar().years:
            app.open_fiscal_year(year, recorded_by=recorded_by)
    for path in sorted(DEFAULT_TARIFFS_PATH.glob("*.toml")):
        _publish_tariff(asiento, path, first_year, recorded_by, directory)


def _publish_tariff(asiento: Asiento, path: Path, first_year: int, recorded_by: str, directory: Path) -> None:
    """The shipped table, and for the demo's years before it a cheaper copy: a plausible price history."""
    text = path.read_text(encoding="utf-8")
    table = parse_tariff_text(text, path.name)
    try:
        book: TariffBook = asiento.app.repository.get(tariff_book_id(table.service))
        published = {v["valid_from"] for v in book.versions}
    except AggregateNotFoundError:
        published = set()
    files = [(table.valid_from, path)]
    for year in range(first_year, table.valid_from.year):
        factor = YEARLY_PRICE_FACTOR ** (table.valid_from.year - year)
        earlier = directory / f"{path.stem}-{year}-01.toml"
        earlier.write_text(_earlier_table(text, year, factor), encoding="utf-8")
        files.append((date(year, 1, 1), earlier))
    for valid_from, file in sorted(files):
        if valid_from not in published:
            asiento.app.publish_tariff(file, recorded_by=recorded_by)


PRICE = re.compile(r'\b(fixed_charge|rate_per_unit)(\s*=\s*)"(\d+(?:\.\d+)?)"')


def _earlier_table(text: str, year: int, factor: Decimal) -> str:
    def scaled(match: re.Match[str]) -> str:
        price = Decimal(match[3])
        return f'{match[1]}{match[2]}"{(price * factor).quantize(price)}"'

    text = re.sub(r"^(valid_from\s*=\s*)\d{4}-\d{2}-\d{2}", rf"\g<1>{year}-01-01", text, count=1, flags=re.M)
    text = re.sub(
        r'^(description\s*=\s*)"([^"]*)"', rf'\1"\2 (precios de {year}, demo)"', text, count=1, flags=re.M
    )
    header = (
        f"# Cuadro de {year} generado por la demo: precios al {factor * 100:.0f} % del vigente desde 2026.\n"
    )
    return header + PRICE.sub(scaled, text)


# -- members and supplies --------------------------------------------------------------------------


def _register(asiento: Asiento, joining: Sequence[MemberPlan], recorded_by: str) -> None:
    """Members, then their supplies requested and connected (with meter and initial reading)."""
    app = asiento.app
    asiento.runner.catch_up()
    with asiento.read() as conn:
        known = set(conn.scalars(select(members.c.number)))
        states = {
            number: state for number, state in conn.execute(select(supplies.c.number, supplies.c.state))
        }
    for member in joining:
        if member.number not in known:
            app.register_member(
                recorded_by=recorded_by,
                number=member.number,
                name=member.name,
                document_type=member.document_type,
                document_number=member.document_number,
                vat_condition=member.vat_condition,
                address=member.address,
                phones=member.phones,
                email=member.email,
                admission_date=member.admission_date,
            )
        for supply in member.supplies:
            if supply.number not in states:
                _request(asiento, member, supply, recorded_by)
            if states.get(supply.number, "requested") == "requested":
                _connect(asiento, supply, recorded_by)


def _request(asiento: Asiento, member: MemberPlan, supply: SupplyPlan, recorded_by: str) -> None:
    asiento.app.request_supply(
        member_number=member.number,
        service=supply.service,
        recorded_by=recorded_by,
        number=supply.number,
        category=supply.category,
        address=supply.address,
        effective_date=member.admission_date,
        group="RURAL" if supply.zone == "RURAL" else "URBANO",
        zone=supply.zone,
        reading_route=supply.route if supply.meter else "",
        distribution_route=f"REPARTO-{supply.zone}",
        beneficiaries=supply.beneficiaries,
    )


def _connect(asiento: Asiento, supply: SupplyPlan, recorded_by: str) -> None:
    meter = supply.meter
    asiento.app.connect_supply(
        supply.number,
        supply.connected_on,
        recorded_by=recorded_by,
        meter=MeterSpec(meter.serial, meter.digits, meter.multiplier) if meter else None,
        initial_reading=Decimal(meter.initial) if meter else None,
    )


def _cuts(asiento: Asiento, plan: DemoPlan, period: str, recorded_by: str) -> None:
    """Cuts for debt and reconnections of the month, each once: a later state change means it happened."""
    with asiento.read() as conn:
        state = {
            n: (s, d)
            for n, s, d in conn.execute(select(supplies.c.number, supplies.c.state, supplies.c.state_since))
        }
    for supply in plan.supplies():
        if supply.reconnected_on and f"{supply.reconnected_on:%Y-%m}" == period:
            current, since = state[supply.number]
            if current == "cut" and since < supply.reconnected_on:
                asiento.app.connect_supply(supply.number, supply.reconnected_on, recorded_by=recorded_by)
        if supply.cut_on and f"{supply.cut_on:%Y-%m}" == period:
            current, since = state[supply.number]
            if current == "connected" and since < supply.cut_on:
                asiento.app.change_supply_state(
                    supply.number, "cut", supply.cut_on, CUT_REASON, recorded_by=recorded_by
                )


# -- a month of readings -------------------------------------------------------------------------


def _read_month(asiento: Asiento, plan: DemoPlan, month: int, recorded_by: str, directory: Path) -> None:
    period = plan.periods[month]
    _register(asiento, [m for m in plan.members if m.joins_month == month], recorded_by)
    _cuts(asiento, plan, period, recorded_by)
    asiento.runner.catch_up()
    with asiento.read() as conn:
        stops = route_stops(conn, period)
        already_read = set(conn.scalars(select(readings.c.supply_number).where(readings.c.period == period)))
    by_number = {s.number: s for s in plan.supplies()}
    service = ReadingsService(asiento, recorded_by=recorded_by)
    (directory / period).mkdir(parents=True, exist_ok=True)
    for index, route in enumerate(ALL_ROUTES):
        rows = stops.get(route, [])
        if not rows or any(r.supply_number in already_read for r in rows):
            continue  # an imported route is not imported again
        filled = {
            r.supply_number: reading
            for r in rows
            if (reading := _collector_reading(by_number.get(r.supply_number), month, period, r))
        }
        path = directory / period / f"ruta-{route}-{period}.{FORMATS[index % len(FORMATS)].value}"
        service.import_file(write_route_file(path, rows, readings=filled), period)
    _review(asiento, plan, period, by_number, recorded_by)


def route_stops(conn: Connection, period: str) -> dict[str, list[RouteRow]]:
    """Every route's stops for the collectors, as route-file rows."""
    return {
        route: [RouteRow(*astuple(stop)) for stop in stops]
        for route, stops in stop_queries.route_stops(conn, before_period=period).items()
    }


def _collector_reading(
    supply: SupplyPlan | None, month: int, period: str, row: RouteRow
) -> ReadingInput | None:
    """What the collector writes down; None leaves the row blank (not read: the billing run estimates)."""
    if supply is None or month in supply.unread:
        return None
    value = supply.value(month)
    if value is None:
        return None
    day = date(int(period[:4]), int(period[5:]), reading_day(supply.route))
    reader = f"L{ALL_ROUTES.index(supply.route) % 6 + 1:02d}"
    return ReadingInput(row.supply_number, day, Decimal(value), False, reader, row.meter_serial)


def _review(
    asiento: Asiento, plan: DemoPlan, period: str, by_number: dict[str, SupplyPlan], recorded_by: str
) -> None:
    """The clerk goes through the anomaly report: the planted cases were checked on site, the rest
    (mostly real readings settling an estimate) are accepted as read."""
    asiento.runner.catch_up()
    with asiento.read() as conn:
        held = list(
            conn.scalars(
                select(readings.c.supply_number).where(
                    and_(readings.c.period == period, readings.c.held_reason.is_not(None))
                )
            )
        )
    month = plan.periods.index(period)
    accepted: list[MeterReading] = []
    for number in held:
        reading = asiento.app.meter_reading(number, period)
        supply = by_number.get(number)
        reading.accept(
            supply.review_notes.get(month, REVIEW_NOTE) if supply else REVIEW_NOTE, recorded_by=recorded_by
        )
        accepted.append(reading)
    if accepted:
        asiento.app.save(*accepted)


# -- summary -------------------------------------------------------------------------------------


def _events(asiento: Asiento) -> int:
    return asiento.app.recorder.max_notification_id() or 0


def summarize(
    asiento: Asiento, periods: Sequence[str], billing: dict[str, BillingReport], events_before: int = 0
) -> DemoSummary:
    as_of = issue_date(periods[-1])
    cuts = Counter(
        f"{e.effective_date:%Y-%m}"
        for e in _logged(asiento, SUPPLY_STATE_CHANGED)
        if getattr(e, "state", None) == "cut"
    )
    with asiento.read() as conn:
        reviewed = _reviewed(conn, [e.originator_id.hex for e in _logged(asiento, READING_ACCEPTED)])
        months = [_month_summary(conn, period, billing.get(period)) for period in periods]
        for summary in months:
            summary.held_for_review += reviewed[summary.period]
            summary.cuts = cuts[summary.period]
        trial = queries.trial_balance(conn, as_of)
        d = account_documents.c
        owed = conn.execute(
            select(func.coalesce(func.sum(d.total_cents - d.paid_cents), 0)).where(d.issue_date <= as_of)
        ).scalar_one()
        by_service: dict[str, int] = {
            service: count
            for service, count in conn.execute(
                select(supplies.c.service, func.count()).group_by(supplies.c.service)
            )
        }
        member_count = conn.execute(select(func.count()).select_from(members)).scalar_one()
    events = _events(asiento)
    notes = []
    if len(periods) < ART31_MONTHS:
        notes.append(
            f"Ley 24.240 art. 31: ninguna factura puede retenerse con {len(periods)} meses; hace falta "
            f"el mismo período de los dos años anteriores (use --months {ART31_MONTHS} o más)."
        )
    return DemoSummary(
        as_of,
        int(member_count),
        by_service,
        months,
        sum((r.balance for r in trial.rows if r.code.startswith("1.1.03.")), ZERO),
        from_cents(int(owed)),
        trial.total_debit,
        trial.total_credit,
        events,
        events - events_before,
        notes,
    )


def _month_summary(conn: Connection, period: str, billing: BillingReport | None) -> MonthSummary:
    r, i = readings.c, invoices.c
    read = Counter(conn.execute(select(r.estimated).where(r.period == period)).scalars())
    still = conn.execute(select(func.count()).where(and_(r.period == period, r.held_reason.is_not(None))))
    count, cents = conn.execute(
        select(func.count(), func.coalesce(func.sum(i.total_cents), 0)).where(i.period == period)
    ).one()
    documents = conn.execute(select(func.count()).where(payable_documents.c.period == period))
    held = conn.execute(select(func.count()).where(held_bills.c.period == period))
    still_held = still.scalar_one()
    return MonthSummary(
        period,
        readings=read[False],
        estimated=read[True],
        held_for_review=still_held,
        still_held=still_held,
        invoices=int(count),
        documents=documents.scalar_one(),
        held_bills=held.scalar_one(),
        total=from_cents(int(cents)),
        skipped=list(billing.skipped) if billing else [],
    )


def _logged(asiento: Asiento, event_topic: str) -> Iterator[Any]:
    """Every event of one topic in the log, decoded (for the few facts no read model counts)."""
    start = 1
    while True:
        page = asiento.app.recorder.select_notifications(start, LOG_PAGE, topics=[event_topic])
        yield from (asiento.app.mapper.to_domain_event(n) for n in page)
        if len(page) < LOG_PAGE:
            return
        start = page[-1].id + 1


def _reviewed(conn: Connection, reading_ids: list[str]) -> Counter[str]:
    """Held readings accepted after review, per period (the read model keeps only the ones still held)."""
    if not reading_ids:
        return Counter()
    return Counter(conn.scalars(select(readings.c.period).where(readings.c.aggregate_id.in_(reading_ids))))


# -- output ----------------------------------------------------------------------------------------


@contextmanager
def demo_progress() -> Iterator[Progress]:
    """A rich progress bar over the demo's months, as a ``progress`` callback for :func:`run_demo`."""
    columns = (TextColumn("{task.description:<32}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with RichProgress(*columns, console=render.console) as bar:
        task = bar.add_task("Demo", total=None)

        def update(what: str, done: int, total: int) -> None:
            bar.update(task, description=what, completed=done, total=total)

        yield update


def print_summary(summary: DemoSummary) -> None:
    console = render.console
    services = ", ".join(f"{name} {count}" for name, count in sorted(summary.supplies.items()))
    console.print(
        f"[bold]Cooperativa de demostración[/bold]: {summary.members} asociados; suministros: {services}."
    )
    table = Table(title="Ciclo mensual")
    for header in (
        "Período",
        "Lecturas",
        "Estimadas",
        "Retenidas (revisión)",
        "Facturas",
        "Documentos",
        "Retenidas Ley 24.240",
        "Sin facturar",
        "Cortes",
        "Total facturado",
    ):
        table.add_column(header, justify="left" if header == "Período" else "right")
    for m in summary.months:
        table.add_row(
            m.period,
            str(m.readings),
            str(m.estimated),
            f"{m.held_for_review} ({m.still_held} pend.)",
            str(m.invoices),
            str(m.documents),
            str(m.held_bills),
            str(len(m.skipped)),
            str(m.cuts),
            f"$ {format_ar(m.total)}",
        )
    table.add_row(
        "Total",
        *(str(sum(getattr(m, f) for m in summary.months)) for f in ("readings", "estimated")),
        "",
        str(sum(m.invoices for m in summary.months)),
        str(sum(m.documents for m in summary.months)),
        str(sum(m.held_bills for m in summary.months)),
        str(sum(len(m.skipped) for m in summary.months)),
        str(sum(m.cuts for m in summary.months)),
        f"$ {format_ar(summary.total_billed)}",
        style="bold",
    )
    console.print(table)
    _print_checks(summary)


def _print_checks(summary: DemoSummary) -> None:
    console = render.console
    for m in summary.months:
        for supply, reason in m.skipped[:5]:
            console.print(f"  {m.period} sin facturar {supply}: {reason}")
    same = summary.receivables_ledger == summary.receivables_accounts
    mark = "[green]coinciden[/green]" if same else "[red]NO COINCIDEN[/red]"
    console.print(
        f"Deudores por servicios (1.1.03.*) en el balance al {summary.as_of:%d/%m/%Y}: "
        f"$ {format_ar(summary.receivables_ledger)}; suma de cuentas corrientes de asociados: "
        f"$ {format_ar(summary.receivables_accounts)}: {mark}."
    )
    balanced = (
        "[green]balancea[/green]" if summary.total_debit == summary.total_credit else "[red]NO BALANCEA[/red]"
    )
    console.print(
        f"Diario: debe $ {format_ar(summary.total_debit)}, haber $ {format_ar(summary.total_credit)}: "
        f"{balanced}."
    )
    console.print(
        f"Eventos en el registro: {summary.events} ({summary.events_added} nuevos en esta ejecución)."
    )
    for note in summary.notes:
        console.print(note)
