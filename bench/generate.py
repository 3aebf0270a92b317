"""A synthetic cooperative of any size, streamed to the store in batches.

Members with supplies of electricity, water, gas and internet, spread over
reading routes; the shipped tariff tables (gas priced from a copy of the water
table); and ``--months`` months of readings per meter with seasonal consumption,
estimates settled by the next real reading, meters that roll over and anomalies
held and accepted after review. Everything derives from ``--seed``: member ``k``
draws from its own ``random.Random``, so the same seed gives the same cooperative
and the plan is recomputed member by member instead of being kept in memory (the
month benchmark re-reads the next month's meter values the same way).

The aggregates are built with the domain's constructors and saved ``--batch``
members at a time (the set-up of a benchmark, not the staff's path: that one is
timed by ``bench/month.py``); the projections catch up at the end, on a large store
the way ``asiento rebuild all`` does (planning workers, report indexes built last).

    python bench/generate.py --supplies 10000 --database sqlite:////tmp/coop.db
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eventsourcing.domain import Aggregate

from adapters.commercial_commands import read_services_file
from adapters.tariff_files import DEFAULT_TARIFFS_PATH
from api.bootstrap import Asiento, bootstrap
from api.demo_data import BASE_UNITS, FEMALE_NAMES, MALE_NAMES, SEASON, SURNAMES, ZONES, cuit_for
from api.parallel_catch_up import default_workers, rebuild
from bench.projection_catchup import fresh_database
from domain.identity import stable_id
from domain.members import Member
from domain.meter_readings import MeterReading
from domain.services import Service
from domain.supplies import Supply, check_meter
from ledger_rules import load_chart
from projections.billing_queries import shift_period

RECORDED_BY = "bench"
FIRST_PERIOD = "2025-11"  # the history's first month; the benchmarked month follows the last
CONNECTED_ON = date(2025, 10, 1)
DEFAULT_MONTHS, DEFAULT_SEED, DEFAULT_BATCH = 12, 7, 500
# Past this many generated events the read models are replayed with planning workers: their
# start-up (a second or two each) is lost on a small store and pays back many times on a large one.
PARALLEL_CATCH_UP_EVENTS = 200_000
MEMBERS_PER_ROUTE = 250  # a collector's day: about 400 meters
READING_DAY = 25
UNREAD_SHARE = 0.03  # months a meter was not read: estimated, settled by the next real reading
ESTIMATE_FACTOR = 0.8  # estimates run low so that the real reading never goes backwards
ROLLOVER_SHARE = 0.015  # meters that start close enough to their maximum to roll over
ANOMALY_SHARE = 0.005  # a leak or a stuck register: held at import, accepted after review
ANOMALY_FACTOR = 4
REVIEW_NOTE = "Verificado en el domicilio: pérdida reparada, se acepta la lectura"
# Mean monthly units of the categories the demo does not have.
GAS_UNITS = {"residential": 70, "commercial": 260}
SEASON_GAS = (0.45, 0.4, 0.5, 0.8, 1.3, 1.8, 2.0, 1.8, 1.3, 0.9, 0.6, 0.5)
INTERNET_PLANS = ("plan_50mb", "plan_100mb", "plan_300mb")
STREETS = [street for _, streets in ZONES.values() for street in streets]


@dataclass(frozen=True)
class MonthReading:
    """What a meter showed at the end of a month (the register, wrapped at its digits)."""

    period: str
    reading_date: date
    value: int
    consumption_units: int  # since the previous recorded reading (real or estimated)
    estimated: bool
    rollover: bool
    anomaly: bool


@dataclass
class SupplySpec:
    number: str
    service: str
    category: str
    route: str
    address: str
    meter_serial: str | None = None
    digits: int = 5
    initial: int = 0
    readings: list[MonthReading] = field(default_factory=list)  # history, then the benchmarked month


@dataclass
class MemberSpec:
    index: int
    number: str
    name: str
    document_type: str
    document_number: str
    vat_condition: str
    address: str
    supplies: list[SupplySpec]


def periods(months: int) -> list[str]:
    return [shift_period(FIRST_PERIOD, n) for n in range(months)]


def bench_period(months: int) -> str:
    """The month after the generated history: the one ``bench/month.py`` reads and bills."""
    return shift_period(FIRST_PERIOD, months)


def route_code(member_index: int) -> str:
    return f"R{member_index // MEMBERS_PER_ROUTE + 1:05d}"


# -- the plan, member by member -------------------------------------------------------------


def iter_members(supplies: int, seed: int, months: int) -> Iterator[MemberSpec]:
    """Members in number order until ``supplies`` supplies exist; each plans ``months`` + 1 readings."""
    made, index = 0, 0
    while made < supplies:
        member = plan_member(index, seed, months)
        member.supplies = member.supplies[: supplies - made]
        made += len(member.supplies)
        index += 1
        yield member


def plan_member(index: int, seed: int, months: int) -> MemberSpec:
    rng = random.Random(seed * 10_000_019 + index)
    number = f"{index + 1:07d}"
    street = STREETS[(index // MEMBERS_PER_ROUTE) % len(STREETS)]
    address = f"{street} {100 + index % MEMBERS_PER_ROUTE * 4}"
    name, document_type, document_number, vat = _identity(rng)
    services: list[tuple[str, str]] = [("electricity", "commercial" if vat == "RI" else "residential")]
    if rng.random() < 0.45:
        services.append(("water", "commercial" if vat == "RI" else "residential"))
    if rng.random() < 0.25:
        services.append(("gas", "commercial" if vat == "RI" else "residential"))
    if rng.random() < 0.15:
        services.append(("internet", rng.choice(INTERNET_PLANS)))
    supplies = [
        _supply(rng, number, service, category, route_code(index), address, months)
        for service, category in services
    ]
    return MemberSpec(index, number, name, document_type, document_number, vat, address, supplies)


def _identity(rng: random.Random) -> tuple[str, str, str, str]:
    """(name, document type, number, VAT condition): mostly final consumers with a DNI."""
    female = rng.random() < 0.5
    name = f"{rng.choice(SURNAMES)}, {rng.choice(FEMALE_NAMES if female else MALE_NAMES)}"
    dni = rng.randint(10_000_000, 45_999_999)
    draw = rng.random()
    if draw < 0.9:
        return name, "DNI", str(dni), "CF"
    if draw < 0.97:
        return name, "CUIT", cuit_for("27" if female else "20", dni), "MT"
    return name, "CUIT", cuit_for("30", rng.randint(50_000_000, 71_999_999)), "RI"


def _supply(
    rng: random.Random, member: str, service: str, category: str, route: str, address: str, months: int
) -> SupplySpec:
    number = f"{service[0].upper()}{member}"
    spec = SupplySpec(number, service, category, route, address)
    if service == "internet":
        return spec
    spec.meter_serial = f"M{number}"
    spec.digits = 5 if service == "electricity" else 4
    level = _mean_units(service, category) * min(3.0, max(0.4, rng.lognormvariate(0, 0.3)))
    top = 10**spec.digits
    if rng.random() < ROLLOVER_SHARE:
        spec.initial = max(0, top - int(level * rng.uniform(1, months)))
    else:
        spec.initial = rng.randrange(top // 2)
    spec.readings = _readings(rng, spec, service, level, months)
    return spec


def _mean_units(service: str, category: str) -> int:
    if service == "gas":
        return GAS_UNITS[category]
    return BASE_UNITS[(service, category)]


def _readings(
    rng: random.Random, spec: SupplySpec, service: str, level: float, months: int
) -> list[MonthReading]:
    """The register month by month; the last one (the benchmarked month) is always read."""
    season = SEASON_GAS if service == "gas" else SEASON[service]
    top = 10**spec.digits
    register, recorded = spec.initial, spec.initial  # the true register and the last recorded value
    readings = []
    for month, period in enumerate([*periods(months), bench_period(months)]):
        factor = season[int(period[5:]) - 1] * rng.uniform(0.92, 1.08)
        anomaly = month > 2 and rng.random() < ANOMALY_SHARE
        register += max(1, round(level * factor * (ANOMALY_FACTOR if anomaly else 1)))
        estimated = 0 < month < months and not anomaly and rng.random() < UNREAD_SHARE
        value = recorded + round(level * factor * ESTIMATE_FACTOR) if estimated else register
        consumption = value - recorded
        day = date(int(period[:4]), int(period[5:]), READING_DAY)
        rollover = value // top > recorded // top
        readings.append(MonthReading(period, day, value % top, consumption, estimated, rollover, anomaly))
        recorded = value
    return readings


# -- to the store ----------------------------------------------------------------------------


def set_up(asiento: Asiento, months: int) -> None:
    """Chart, fiscal years, services and tariff tables: the shipped ones, and gas from water's."""
    app = asiento.app
    app.install_chart(load_chart(), recorded_by=RECORDED_BY)
    first_year, last_year = int(FIRST_PERIOD[:4]), int(shift_period(bench_period(months), 2)[:4])
    for year in range(first_year, last_year + 1):
        app.open_fiscal_year(year, recorded_by=RECORDED_BY)
    app.define_services(read_services_file(), recorded_by=RECORDED_BY)
    for path in sorted(DEFAULT_TARIFFS_PATH.glob("*.toml")):
        app.publish_tariff(path, recorded_by=RECORDED_BY)
    with tempfile.TemporaryDirectory(prefix="asiento-bench-") as scratch:
        gas = Path(scratch) / "gas.toml"
        gas.write_text(gas_table(), encoding="utf-8")
        app.publish_tariff(gas, recorded_by=RECORDED_BY)


def gas_table() -> str:
    """Gas priced like water, per m3: the benchmark needs a table, not the real gas prices."""
    text = (DEFAULT_TARIFFS_PATH / "water.toml").read_text(encoding="utf-8")
    text = text.replace('service = "water"', 'service = "gas"', 1)
    return text.replace("Cuadro tarifario de agua potable", "Cuadro tarifario de gas natural (benchmark)", 1)


def member_aggregates(member: MemberSpec, services: dict[str, Service], months: int) -> list[Aggregate]:
    """The member, each supply requested and connected, and its history of readings."""
    aggregates: list[Aggregate] = [
        Member(
            number=member.number,
            name=member.name,
            document_type=member.document_type,
            document_number=member.document_number,
            vat_condition=member.vat_condition,
            address=member.address,
            postal_address=member.address,
            phones=[],
            email=None,
            admission_date=date(2020, 1, 1),
            board_minute=None,
            associate=True,
            recorded_by=RECORDED_BY,
            id=stable_id("member", member.number),
        )
    ]
    for spec in member.supplies:
        supply = Supply.request(
            number=spec.number,
            member_number=member.number,
            service=services[spec.service],
            category=spec.category,
            address=spec.address,
            effective_date=CONNECTED_ON,
            recorded_by=RECORDED_BY,
            zone="URBANO",
            reading_route=spec.route if spec.meter_serial else "",
        )
        meter = check_meter(spec.meter_serial, spec.digits, Decimal(1)) if spec.meter_serial else None
        initial = Decimal(spec.initial) if spec.meter_serial else None
        supply.connect(CONNECTED_ON, recorded_by=RECORDED_BY, meter=meter, initial_reading=initial)
        aggregates.append(supply)
        aggregates.extend(_history(spec, months))
    return aggregates


def _history(spec: SupplySpec, months: int) -> list[MeterReading]:
    history = []
    previous_value, previous_date = spec.initial, CONNECTED_ON
    for month in spec.readings[:months]:
        reading = MeterReading.record(
            supply_number=spec.number,
            period=month.period,
            reading_date=month.reading_date,
            value=Decimal(month.value),
            previous_value=Decimal(previous_value),
            previous_date=previous_date,
            consumption_units=Decimal(month.consumption_units),
            rollover=month.rollover,
            estimated=month.estimated,
            meter_serial=spec.meter_serial,
            source="estimación" if month.estimated else "bench",
            held_reason=f"consumo {ANOMALY_FACTOR} veces el habitual" if month.anomaly else None,
            recorded_by=RECORDED_BY,
        )
        if month.anomaly:
            reading.accept(REVIEW_NOTE, recorded_by=RECORDED_BY)
        history.append(reading)
        previous_value, previous_date = month.value, month.reading_date
    return history


@dataclass
class Generated:
    members: int = 0
    supplies: int = 0
    readings: int = 0
    events: int = 0

    def count(self, member: MemberSpec, months: int) -> None:
        self.members += 1
        self.supplies += len(member.supplies)
        self.readings += sum(min(months, len(s.readings)) for s in member.supplies)


def generate(
    asiento: Asiento,
    *,
    supplies: int,
    seed: int = DEFAULT_SEED,
    months: int = DEFAULT_MONTHS,
    batch_members: int = DEFAULT_BATCH,
) -> Generated:
    """Record the cooperative in a fresh store, ``batch_members`` members per atomic save."""
    if supplies < 1 or not 1 <= months <= 24 or not 1 <= batch_members <= 5_000:
        raise ValueError("supplies >= 1, months within 1..24, batch_members within 1..5,000")
    first = asiento.app.recorder.max_notification_id() or 0
    set_up(asiento, months)
    services = asiento.app.services().services
    done = Generated()
    pending: list[Aggregate] = []
    for member in iter_members(supplies, seed, months):
        pending += member_aggregates(member, services, months)
        done.count(member, months)
        if done.members % batch_members == 0:
            asiento.app.save(*pending)
            pending = []
    if pending:
        asiento.app.save(*pending)
    done.events = (asiento.app.recorder.max_notification_id() or 0) - first
    if first == 0 and done.events > PARALLEL_CATCH_UP_EVENTS:
        # A fresh store: nothing is projected yet, so replaying every read model from the
        # start is the catch-up, done the fast way.
        rebuild(asiento, list(asiento.runner.projections), workers=default_workers())
    else:
        asiento.runner.catch_up()
    return done


def already_generated(asiento: Asiento, *, supplies: int, seed: int, months: int) -> Generated:
    """What ``generate`` recorded in a store it filled earlier: counted from the seeded plan, not read.

    The store must hold that cooperative and nothing after it; ``bench/month.py --generated``
    checks the month it times has not been billed there yet.
    """
    done = Generated()
    for member in iter_members(supplies, seed, months):
        done.count(member, months)
    done.events = asiento.app.recorder.max_notification_id() or 0
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--supplies", type=int, default=10_000)
    parser.add_argument("--database", default="sqlite:////tmp/bench-coop.db")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--months", type=int, default=DEFAULT_MONTHS)
    args = parser.parse_args()
    asiento = bootstrap(fresh_database(args.database))
    started = time.perf_counter()
    done = generate(asiento, supplies=args.supplies, seed=args.seed, months=args.months)
    elapsed = time.perf_counter() - started
    print(
        f"{done.members} members, {done.supplies} supplies, {done.readings} readings, {done.events} events "
        f"in {elapsed:.1f}s ({done.events / elapsed:,.0f} events/s); next month {bench_period(args.months)}"
    )
    asiento.close()


if __name__ == "__main__":
    main()
