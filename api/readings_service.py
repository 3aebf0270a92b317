"""Recording meter readings: by hand or from a collector's file, checked against the store.

What a reading is checked against (the supply's meter, its last reading, its
history, a pending meter change) is read for all the file's supplies in a few
queries. A file with any bad row writes nothing; a good one is saved in
batches of whole readings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Connection, select

from adapters.reading_files import LineReading, ReadingFileError, RowError, check_readings, parse_reading_file
from api.background_projections import BackgroundProjections
from api.bootstrap import Asiento
from domain.errors import NotFound
from domain.meter_readings import MeterReading, check_period
from domain.reading_review import DEFAULT_THRESHOLDS, CheckedReading, SupplyMeterInfo
from domain.readings import Meter, ReadingInput, consumption_between
from projections.billing_queries import shift_period
from projections.bulk import among
from projections.commercial_tables import meter_changes, readings, supplies
from projections.heap import bulk_heap

SAVE_BATCH = 5_000
UNITS_PRECISION = Decimal("0.001")  # the read model keeps three decimals of a unit
HISTORY_LIMIT = 12
# The readings read back for a file's supplies: two years, not the whole history, so an
# import costs the same in a cooperative's tenth year as in its first. A year of
# estimates fits between the last HISTORY_LIMIT real readings; longer gaps read everything.
HISTORY_WINDOW_MONTHS = 2 * HISTORY_LIMIT
_PastReading = tuple[str, date, Decimal, Decimal, bool]  # period, date, value, units, estimated


@dataclass(frozen=True)
class _PendingChange:
    """A meter change after the last reading: the old meter's last segment is billed with this one."""

    old_meter: Meter
    last_value: Decimal  # the old meter's last recorded reading
    final_value: Decimal  # the old meter's reading when it was removed


@dataclass(frozen=True)
class _Known:
    info: SupplyMeterInfo
    change: _PendingChange | None
    periods: frozenset[str]


def known_supplies(conn: Connection, supply_numbers: Iterable[str], before_period: str) -> dict[str, _Known]:
    numbers = sorted(set(supply_numbers))
    s, mc = supplies.c, meter_changes.c
    rows = conn.execute(
        select(
            s.number, s.meter_serial, s.meter_digits, s.meter_multiplier, s.initial_reading, s.connected_on
        ).where(among(conn, s.number, numbers) & s.meter_serial.is_not(None))
    ).all()
    past = _recent_history(conn, numbers, before_period)
    changes: dict[str, tuple[date, Meter, Decimal, Decimal]] = {}
    for number, day, serial, digits, multiplier, final, initial in conn.execute(
        select(
            mc.supply_number,
            mc.effective_date,
            mc.old_serial,
            mc.old_digits,
            mc.old_multiplier,
            mc.final_reading,
            mc.initial_reading,
        )
        .where(among(conn, mc.supply_number, numbers))
        .order_by(mc.supply_number, mc.effective_date)
    ):
        changes[number] = (day, Meter(serial, digits, Decimal(multiplier)), Decimal(final), Decimal(initial))
    return {
        number: _known(
            number,
            serial,
            digits,
            Decimal(multiplier),
            Decimal(initial or 0),
            connected,
            [p for p in past[number] if p[0] < before_period],
            changes.get(number),
            frozenset(p[0] for p in past[number]),
        )
        for number, serial, digits, multiplier, initial, connected in rows
    }


def _recent_history(
    conn: Connection, numbers: list[str], before_period: str
) -> dict[str, list[_PastReading]]:
    """The readings of the last HISTORY_WINDOW_MONTHS, or the whole history where that is short.

    The window holds all a check needs when it has HISTORY_LIMIT real readings before the
    period: the last value, the history and the estimates since the last real reading
    all come after them. A supply short of that whose history starts earlier is read whole."""
    since = shift_period(before_period, -HISTORY_WINDOW_MONTHS)
    past = _past_readings(conn, numbers, since)
    short = [
        number
        for number in numbers
        if sum(1 for p in past[number] if p[0] < before_period and not p[4]) < HISTORY_LIMIT
    ]
    if short:
        r = readings.c
        earlier = among(conn, r.supply_number, short) & (r.period < since)
        older = sorted(conn.execute(select(r.supply_number).where(earlier).distinct()).scalars())
        if older:
            past.update(_past_readings(conn, older))
    return past


def _past_readings(
    conn: Connection, numbers: list[str], since: str | None = None
) -> dict[str, list[_PastReading]]:
    """Each supply's readings in period order, from ``since``."""
    r = readings.c
    query = (
        select(r.supply_number, r.period, r.reading_date, r.value, r.consumption_units, r.estimated)
        .where(among(conn, r.supply_number, numbers))
        .order_by(r.supply_number, r.period)
    )
    if since is not None:
        query = query.where(r.period >= since)
    found: dict[str, list[_PastReading]] = defaultdict(list)
    for number, period, day, value, units, estimated in conn.execute(query):
        found[number].append((period, day, value, units, estimated))
    return found


def _known(
    number: str,
    serial: str,
    digits: int,
    multiplier: Decimal,
    initial: Decimal,
    connected: date,
    past: list[_PastReading],
    change: tuple[date, Meter, Decimal, Decimal] | None,
    periods: frozenset[str],
) -> _Known:
    meter = Meter(serial, digits, multiplier)
    last_value, last_date = (past[-1][2], past[-1][1]) if past else (initial, connected)
    real = [p for p in past if not p[4]]
    trailing_estimates: list[Decimal] = []
    for p in reversed(past):
        if not p[4]:
            break
        trailing_estimates.insert(0, p[3])
    pending = None
    if change is not None and change[0] >= last_date:
        pending = _PendingChange(change[1], last_value, change[2])
        last_value, last_date, trailing_estimates = change[3], change[0], []
    info = SupplyMeterInfo(
        supply_number=number,
        meter=meter,
        last_value=last_value,
        last_date=last_date,
        history_units=[p[3] for p in real][-HISTORY_LIMIT:],
        last_real_value=(real[-1][2] if real else initial) if trailing_estimates else None,
        estimated_units_since_real=trailing_estimates,
    )
    return _Known(info, pending, periods)


def _with_old_segment(checked: CheckedReading, known: _Known) -> CheckedReading:
    """After a meter change, the old meter's last segment is consumption of this period too."""
    if known.change is None:
        return checked
    old = consumption_between(
        known.change.last_value,
        known.change.final_value,
        known.change.old_meter,
        supply_number=checked.reading.supply_number,
    )
    return replace(checked, consumption_units=checked.consumption_units + old.consumption_units)


class ReadingsService:
    def __init__(self, asiento: Asiento, *, recorded_by: str) -> None:
        self.asiento = asiento
        self.recorded_by = recorded_by

    def record_one(self, reading: ReadingInput, period: str) -> MeterReading:
        check_period(period)
        aggregates = self._aggregates(self._check([LineReading(0, reading)], period), period)
        self.asiento.app.save(*aggregates)
        return aggregates[0]

    def import_file(self, path: Path, period: str) -> tuple[list[CheckedReading], list[str]]:
        ((checked, unread),) = self.import_files([path], period)
        return checked, unread

    @bulk_heap()
    def import_files(
        self, paths: Sequence[Path], period: str
    ) -> list[tuple[list[CheckedReading], list[str]]]:
        """Collector files in order, each one whole or not at all; the first bad file stops the rest.

        Returns each file's readings and unread supplies. With several files (or a large one) the
        registry is projected by a second process meanwhile, so a file is checked against the
        registry as of the start plus the supplies the earlier files of this import read: a supply
        read twice is refused whichever of the two the projection shows.
        """
        check_period(period)
        self.asiento.runner.catch_up()
        read_here: set[str] = set()
        results: list[tuple[list[CheckedReading], list[str]]] = []
        with BackgroundProjections(self.asiento) as projections:
            if len(paths) > 1:
                projections.start()
            for path in paths:
                parsed, parse_errors = parse_reading_file(path)
                checked = self._check(
                    parsed.readings,
                    period,
                    file_name=path.name,
                    earlier_errors=parse_errors,
                    read_here=read_here,
                )
                aggregates = self._aggregates(checked, period, source=path.name)
                if len(aggregates) > SAVE_BATCH:
                    projections.start()  # several saves: the registry follows while the rest is written
                for start in range(0, len(aggregates), SAVE_BATCH):
                    self.asiento.app.save(*aggregates[start : start + SAVE_BATCH])
                read_here.update(c.reading.supply_number for c, _ in checked)
                results.append(([c for c, _ in checked], list(parsed.unread_supplies)))
        return results

    def _check(
        self,
        items: Sequence[LineReading],
        period: str,
        file_name: str | None = None,
        earlier_errors: Sequence[RowError] = (),
        read_here: set[str] | None = None,
    ) -> list[tuple[CheckedReading, SupplyMeterInfo]]:
        """Every row checked against the store; one error lists every bad row, parse errors included.

        ``read_here``: supplies an import in progress has read already; it caught up before its
        first file, and its later files are checked against that and this set.
        """
        if read_here is None:
            self.asiento.runner.catch_up()
        with self.asiento.read() as conn:
            known = known_supplies(conn, (i.reading.supply_number for i in items), period)
        if file_name is None and items and items[0].reading.supply_number not in known:
            raise NotFound(f"El suministro {items[0].reading.supply_number} no existe o no tiene medidor")
        errors = list(earlier_errors)
        errors += [
            RowError(
                i.line,
                "suministro",
                f"el suministro {i.reading.supply_number} ya tiene lectura del período {period}",
            )
            for i in items
            if (i.reading.supply_number in known and period in known[i.reading.supply_number].periods)
            or (read_here is not None and i.reading.supply_number in read_here)
        ]
        checked: list[CheckedReading] = []
        try:
            checked = check_readings(
                items, lambda number: known[number].info if number in known else None, DEFAULT_THRESHOLDS
            )
        except ReadingFileError as exc:
            errors += exc.errors
        if errors:
            raise ReadingFileError(sorted(errors, key=lambda e: e.line), file_name or "")
        return [
            (_with_old_segment(c, known[c.reading.supply_number]), known[c.reading.supply_number].info)
            for c in checked
        ]

    def _aggregates(
        self, checked: Sequence[tuple[CheckedReading, SupplyMeterInfo]], period: str, source: str = "manual"
    ) -> list[MeterReading]:
        return [self._aggregate(c, info, period, source) for c, info in checked]

    def _aggregate(
        self, checked: CheckedReading, info: SupplyMeterInfo, period: str, source: str
    ) -> MeterReading:
        reading = checked.reading
        held = "; ".join(a.message for a in checked.anomalies) or None
        units = checked.consumption_units.quantize(UNITS_PRECISION)
        if units < 0:
            held = (f"{held}; " if held else "") + (
                f"la lectura real acredita {-units} unidades estimadas de más: revise y corrija"
            )
            units = Decimal(0)
        return MeterReading.record(
            supply_number=reading.supply_number,
            period=period,
            reading_date=reading.reading_date,
            value=reading.value,
            previous_value=info.last_value,
            previous_date=info.last_date,
            consumption_units=units,
            rollover=checked.rollover,
            estimated=reading.estimated,
            meter_serial=reading.meter_serial,
            source=reading.reader or source,
            held_reason=held,
            recorded_by=self.recorded_by,
        )
