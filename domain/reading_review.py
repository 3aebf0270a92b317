"""Readings held for review: consumption out of line with the supply's history.

A reading is held (not billed until a person looks at it) when its consumption is
above ``high_factor`` × or below ``low_factor`` × the average of the supply's last
``periods`` consumptions (only once there are ``min_history_periods`` of them), when
it is zero after periods with consumption, or when its date is not after the
previous reading. Each hold carries a reason code and a Spanish explanation.

:func:`check_reading` joins the pieces for one reading against what the store knows
of its supply (:class:`SupplyMeterInfo`): consumption, reconciliation after
estimates, anomalies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from domain.errors import InvalidInput
from domain.readings import (
    ZERO_UNITS,
    ConsumptionResult,
    Meter,
    ReadingInput,
    Reconciliation,
    consumption_between,
    reconcile,
)


class AnomalyReason(StrEnum):
    HIGH_CONSUMPTION = "high_consumption"
    LOW_CONSUMPTION = "low_consumption"
    ZERO_AFTER_USAGE = "zero_after_usage"
    DATE_NOT_AFTER_PREVIOUS = "date_not_after_previous"


@dataclass(frozen=True)
class Anomaly:
    reason: AnomalyReason
    message: str  # Spanish, for the anomaly report


@dataclass(frozen=True)
class AnomalyThresholds:
    periods: int = 6
    min_history_periods: int = 3
    high_factor: Decimal = Decimal("2")
    low_factor: Decimal = Decimal("0.3")

    def __post_init__(self) -> None:
        if not 1 <= self.min_history_periods <= self.periods:
            raise InvalidInput(
                f"Control de lecturas: el mínimo de historia ({self.min_history_periods}) debe estar "
                f"entre 1 y la cantidad de períodos promediados ({self.periods})"
            )
        if not self.high_factor > 1:
            raise InvalidInput(f"Control de lecturas: el factor alto {self.high_factor} debe ser mayor que 1")
        if not 0 <= self.low_factor < 1:
            raise InvalidInput(
                f"Control de lecturas: el factor bajo {self.low_factor} debe estar entre 0 y 1"
            )


DEFAULT_THRESHOLDS = AnomalyThresholds()


def _number(value: Decimal) -> str:
    """es-AR style for messages: 0,3 rather than 0.3, no trailing zeros."""
    return f"{value.normalize():f}".replace(".", ",")


def _consumption_anomaly(
    consumption_units: Decimal, history_units: Sequence[Decimal], thresholds: AnomalyThresholds
) -> Anomaly | None:
    recent = list(history_units)[-thresholds.periods :]
    if consumption_units == 0 and any(units > 0 for units in recent):
        return Anomaly(AnomalyReason.ZERO_AFTER_USAGE, "Consumo cero después de períodos con consumo")
    if len(recent) < thresholds.min_history_periods:
        return None
    average = sum(recent, ZERO_UNITS) / len(recent)
    if average <= 0:  # a ratio to nothing says nothing
        return None
    where = f"el promedio de los últimos {len(recent)} períodos ({_number(average.quantize(Decimal(1)))})"
    if consumption_units > thresholds.high_factor * average:
        return Anomaly(
            AnomalyReason.HIGH_CONSUMPTION,
            f"Consumo {_number(consumption_units)} mayor que {_number(thresholds.high_factor)} × {where}",
        )
    if consumption_units < thresholds.low_factor * average:
        return Anomaly(
            AnomalyReason.LOW_CONSUMPTION,
            f"Consumo {_number(consumption_units)} menor que {_number(thresholds.low_factor)} × {where}",
        )
    return None


def check_anomalies(
    consumption_units: Decimal,
    history_units: Sequence[Decimal],
    reading_date: date,
    previous_date: date | None,
    thresholds: AnomalyThresholds = DEFAULT_THRESHOLDS,
) -> tuple[Anomaly, ...]:
    """Every reason to hold the reading; empty means it can be billed. History is oldest first."""
    found: list[Anomaly] = []
    if previous_date is not None and reading_date <= previous_date:
        found.append(
            Anomaly(
                AnomalyReason.DATE_NOT_AFTER_PREVIOUS,
                f"La fecha de lectura {reading_date:%d/%m/%Y} no es posterior a la lectura anterior "
                f"({previous_date:%d/%m/%Y})",
            )
        )
    consumption = _consumption_anomaly(consumption_units, history_units, thresholds)
    if consumption is not None:
        found.append(consumption)
    return tuple(found)


@dataclass(frozen=True)
class SupplyMeterInfo:
    """What the store knows of a supply to check its next reading.

    ``last_value``/``last_date`` are the latest recorded reading, real or estimated.
    When that one (and maybe earlier ones) were estimates, ``last_real_value`` is the
    latest real reading and ``estimated_units_since_real`` what each estimate billed.
    """

    supply_number: str
    meter: Meter
    last_value: Decimal
    last_date: date
    history_units: Sequence[Decimal] = ()  # past period consumptions, oldest first
    last_real_value: Decimal | None = None
    estimated_units_since_real: Sequence[Decimal] = ()  # billed by each estimate since, oldest first


@dataclass(frozen=True)
class CheckedReading:
    """A reading ready to record: the consumption to bill and why it is held, if it is."""

    reading: ReadingInput
    consumption_units: Decimal  # what the billing run bills for this reading (adjustment if reconciled)
    rollover: bool
    anomalies: tuple[Anomaly, ...]
    reconciliation: Reconciliation | None = None
    line: int | None = None  # line of the collector file it came from

    @property
    def held_for_review(self) -> bool:
        return bool(self.anomalies)


def check_reading(
    reading: ReadingInput, info: SupplyMeterInfo, thresholds: AnomalyThresholds = DEFAULT_THRESHOLDS
) -> CheckedReading:
    """Consumption and anomalies of one reading; raises the named error when the value is impossible."""
    reconciliation = _reconciliation(reading, info)
    result: ConsumptionResult
    if reconciliation is not None:
        result = ConsumptionResult(reconciliation.adjustment_units, reconciliation.rollover)
    else:
        result = consumption_between(
            info.last_value, reading.value, info.meter, supply_number=reading.supply_number
        )
    anomalies = check_anomalies(
        result.consumption_units, info.history_units, reading.reading_date, info.last_date, thresholds
    )
    if reconciliation is not None:
        # The adjustment only tops up what the estimates billed: low or zero is expected. The real
        # consumption since the last real reading is what could be out of line, and only upwards.
        anomalies = tuple(a for a in anomalies if a.reason not in _SETTLEMENT_EXPECTED)
    return CheckedReading(reading, result.consumption_units, result.rollover, anomalies, reconciliation)


_SETTLEMENT_EXPECTED = frozenset({AnomalyReason.LOW_CONSUMPTION, AnomalyReason.ZERO_AFTER_USAGE})


def _reconciliation(reading: ReadingInput, info: SupplyMeterInfo) -> Reconciliation | None:
    """A real reading after estimates settles them; another estimate does not.

    Measured from the last real value, never from the estimated one: a real value
    below an over-estimate is a credit, not an impossible reading.
    """
    if reading.estimated or info.last_real_value is None or not info.estimated_units_since_real:
        return None
    return reconcile(
        info.last_real_value,
        reading.value,
        info.meter,
        info.estimated_units_since_real,
        supply_number=reading.supply_number,
    )
