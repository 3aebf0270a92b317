"""Meter readings: consumption, rollover, meter change, estimates (domain-facts §7).

Consumption is the register advance times the meter's multiplier (current
transformers make a register unit worth 40 kWh, say)::

    previous 12 000, current 12 350, multiplier 1   ->  350 units
    previous 95 000, current  1 200, 5 digits       ->  (100 000 − 95 000 + 1 200) = 6 200 units (rollover)

A decrease that is not a plausible rollover (previous above 89 % of the register
and current below 11 %) is refused with :class:`ImplausibleReading`.

An estimated reading bills the supply's average daily consumption over its last
real periods; the next real reading bills :func:`reconcile`'s adjustment: the
real consumption since the last real reading minus what the estimates billed.
The unit (kWh, m³) depends on the service, hence ``_units`` in the names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from domain.errors import InvalidInput

MAX_METER_DIGITS = 10
ROLLOVER_PREVIOUS_SHARE = Decimal("0.89")
ROLLOVER_CURRENT_SHARE = Decimal("0.11")
DEFAULT_ESTIMATE_PERIODS = 3
ZERO_UNITS = Decimal(0)
WHOLE_UNIT = Decimal(1)


class InvalidReading(InvalidInput):
    """A register value the meter cannot show (negative, or more digits than it has)."""

    def __init__(self, supply_number: str, value: Decimal, reason: str) -> None:
        super().__init__(f"Suministro {supply_number}: lectura {value} inválida: {reason}")
        self.supply_number = supply_number
        self.value = value


class ImplausibleReading(InvalidInput):
    """The register went back and it cannot be a rollover: a misread or an unrecorded meter change."""

    def __init__(
        self, supply_number: str, previous_value: Decimal, current_value: Decimal, digits: int
    ) -> None:
        super().__init__(
            f"Suministro {supply_number}: la lectura actual {current_value} es menor que la anterior "
            f"{previous_value} y no corresponde a una vuelta de un medidor de {digits} dígitos; "
            "revise la lectura o registre el cambio de medidor"
        )
        self.supply_number = supply_number
        self.previous_value = previous_value
        self.current_value = current_value


class NoRealHistory(InvalidInput):
    def __init__(self, supply_number: str) -> None:
        super().__init__(
            f"Suministro {supply_number}: no hay períodos con lectura real para estimar el consumo"
        )
        self.supply_number = supply_number


@dataclass(frozen=True)
class Meter:
    serial: str
    digits: int
    multiplier: Decimal = WHOLE_UNIT

    def __post_init__(self) -> None:
        if not isinstance(self.multiplier, Decimal):
            raise TypeError(f"multiplier must be Decimal, not {type(self.multiplier).__name__}")
        if not self.serial.strip():
            raise InvalidInput("El medidor no tiene número de serie")
        if not 1 <= self.digits <= MAX_METER_DIGITS:
            raise InvalidInput(f"Medidor {self.serial}: {self.digits} dígitos fuera de 1..{MAX_METER_DIGITS}")
        if not self.multiplier.is_finite() or self.multiplier <= 0:
            raise InvalidInput(f"Medidor {self.serial}: la constante {self.multiplier} debe ser positiva")

    @property
    def register_span(self) -> Decimal:
        """10^digits: the value at which the register shows zero again."""
        return Decimal(10) ** self.digits


@dataclass(frozen=True)
class ReadingInput:
    """One reading as taken: by hand, from a collector file, or estimated."""

    supply_number: str
    reading_date: date
    value: Decimal
    estimated: bool
    reader: str  # reader (lecturista) code, or the source: "manual", "estimación"
    meter_serial: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.value, Decimal):
            raise TypeError(f"reading value must be Decimal, not {type(self.value).__name__}")


@dataclass(frozen=True)
class ConsumptionResult:
    consumption_units: Decimal
    rollover: bool


def check_register_value(value: Decimal, meter: Meter, *, supply_number: str = "") -> None:
    if not value.is_finite() or value < 0:
        raise InvalidReading(supply_number, value, "debe ser un número no negativo")
    if value >= meter.register_span:
        raise InvalidReading(supply_number, value, f"el medidor {meter.serial} tiene {meter.digits} dígitos")


def register_advance(
    previous_value: Decimal, current_value: Decimal, meter: Meter, *, supply_number: str = ""
) -> ConsumptionResult:
    """How far the register moved, in register units (not yet times the multiplier)."""
    check_register_value(previous_value, meter, supply_number=supply_number)
    check_register_value(current_value, meter, supply_number=supply_number)
    if current_value >= previous_value:
        return ConsumptionResult(current_value - previous_value, rollover=False)
    span = meter.register_span
    if previous_value > ROLLOVER_PREVIOUS_SHARE * span and current_value < ROLLOVER_CURRENT_SHARE * span:
        return ConsumptionResult(span - previous_value + current_value, rollover=True)
    raise ImplausibleReading(supply_number, previous_value, current_value, meter.digits)


def consumption_between(
    previous_value: Decimal, current_value: Decimal, meter: Meter, *, supply_number: str = ""
) -> ConsumptionResult:
    """Consumption = register advance × multiplier, rollover included."""
    advance = register_advance(previous_value, current_value, meter, supply_number=supply_number)
    return ConsumptionResult(advance.consumption_units * meter.multiplier, advance.rollover)


@dataclass(frozen=True)
class MeterChange:
    """A meter replaced between two readings: the old one's last value, the new one's first."""

    old_meter: Meter
    old_final_value: Decimal
    new_meter: Meter
    new_initial_value: Decimal
    change_date: date


def consumption_across_meter_change(
    previous_value: Decimal, current_value: Decimal, change: MeterChange, *, supply_number: str = ""
) -> ConsumptionResult:
    """Old meter's last segment × its multiplier + new meter's first segment × its multiplier.

    ``previous_value`` was read on the old meter, ``current_value`` on the new one.
    """
    old = consumption_between(
        previous_value, change.old_final_value, change.old_meter, supply_number=supply_number
    )
    new = consumption_between(
        change.new_initial_value, current_value, change.new_meter, supply_number=supply_number
    )
    return ConsumptionResult(old.consumption_units + new.consumption_units, old.rollover or new.rollover)


@dataclass(frozen=True)
class PeriodConsumption:
    """One past billing period of a supply, from its previous reading to its reading."""

    start_date: date
    end_date: date
    consumption_units: Decimal
    estimated: bool

    def __post_init__(self) -> None:
        if self.end_date <= self.start_date:
            raise InvalidInput(f"Período {self.start_date}–{self.end_date}: la fecha final no es posterior")

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days


def estimate_consumption(
    history: Sequence[PeriodConsumption],
    days: int,
    *,
    periods: int = DEFAULT_ESTIMATE_PERIODS,
    supply_number: str = "",
) -> Decimal:
    """Average daily consumption of the last ``periods`` real periods × ``days``, in whole units.

    Estimated periods are left out: averaging estimates would carry an old guess forward.
    """
    assert periods >= 1 and days >= 0, (periods, days)
    real = sorted((p for p in history if not p.estimated), key=lambda p: p.end_date)[-periods:]
    if not real:
        raise NoRealHistory(supply_number)
    total_units = sum((p.consumption_units for p in real), ZERO_UNITS)
    total_days = sum(p.days for p in real)
    return (total_units * days / total_days).quantize(WHOLE_UNIT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class EstimatedReading:
    value: Decimal
    consumption_units: Decimal


def estimate_reading(
    previous_value: Decimal,
    previous_date: date,
    reading_date: date,
    history: Sequence[PeriodConsumption],
    meter: Meter,
    *,
    periods: int = DEFAULT_ESTIMATE_PERIODS,
    supply_number: str = "",
) -> EstimatedReading:
    """An estimated register value whose consumption equals the billed estimate exactly.

    The advance is rounded to whole register units so that ``consumption_between``
    of the recorded value gives back the same consumption (with a multiplier of 40,
    an estimate of 1 010 units bills 25 register units = 1 000 units).
    """
    days = (reading_date - previous_date).days
    if days <= 0:
        raise InvalidInput(
            f"Suministro {supply_number}: la fecha {reading_date:%d/%m/%Y} no es posterior "
            f"a la lectura anterior ({previous_date:%d/%m/%Y})"
        )
    estimate_units = estimate_consumption(history, days, periods=periods, supply_number=supply_number)
    advance = (estimate_units / meter.multiplier).quantize(WHOLE_UNIT, rounding=ROUND_HALF_UP)
    value = (previous_value + advance) % meter.register_span
    return EstimatedReading(value, advance * meter.multiplier)


@dataclass(frozen=True)
class Reconciliation:
    real_units: Decimal  # real consumption since the last real reading
    estimated_units: Decimal  # what the estimates since then billed
    adjustment_units: Decimal  # real − estimated: billed now; negative is a credit
    rollover: bool


def reconcile(
    last_real_value: Decimal,
    current_value: Decimal,
    meter: Meter,
    billed_estimates_units: Sequence[Decimal],
    *,
    meter_change: MeterChange | None = None,
    supply_number: str = "",
) -> Reconciliation:
    """The adjustment a real reading bills after one or more estimated periods."""
    if meter_change is None:
        real = consumption_between(last_real_value, current_value, meter, supply_number=supply_number)
    else:
        real = consumption_across_meter_change(
            last_real_value, current_value, meter_change, supply_number=supply_number
        )
    estimated_units = sum(billed_estimates_units, ZERO_UNITS)
    return Reconciliation(
        real.consumption_units, estimated_units, real.consumption_units - estimated_units, real.rollover
    )
