"""A meter reading as a recorded fact, one aggregate per supply and period.

The id derives from (supply, period), so importing the same reading twice
records it once. Consumption is computed when the reading is recorded (from
the previous reading, with rollover and meter changes: see ``domain.readings``)
and kept in the event with what it was computed from, for the audit trail.
A reading outside the supply's usual range is recorded as held for review and
is billed only once a person accepts or corrects it.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import event

from domain.bulk_aggregate import BulkCreated
from domain.errors import Conflict, InvalidInput
from domain.identity import stable_id

PERIOD = re.compile(r"^((?:19|2\d)\d{2})-(0[1-9]|1[0-2])$")  # years 1900-2999: dates exist around them


def check_period(label: str) -> str:
    if not PERIOD.match(label):
        raise InvalidInput(f"Período inválido {label!r}: use AAAA-MM")
    return label


def reading_id(supply_number: str, period: str) -> UUID:
    return stable_id("reading", f"{supply_number}/{period}")


class MeterReading(BulkCreated):
    @event("ReadingRecorded")
    def __init__(
        self,
        supply_number: str,
        period: str,
        reading_date: date,
        value: Decimal,
        previous_value: Decimal | None,
        previous_date: date | None,
        consumption_units: Decimal,
        rollover: bool,
        estimated: bool,
        meter_serial: str | None,
        source: str,
        held_reason: str | None,
        recorded_by: str,
        id: UUID | None = None,
    ) -> None:
        self.supply_number = supply_number
        self.period = period
        self.value = value
        self.consumption_units = consumption_units
        self.estimated = estimated
        self.held_reason = held_reason

    @classmethod
    def record(cls, *, supply_number: str, period: str, reading_date: date, value: Decimal,
               previous_value: Decimal | None, previous_date: date | None, consumption_units: Decimal,
               rollover: bool, estimated: bool, meter_serial: str | None, source: str,
               held_reason: str | None, recorded_by: str) -> MeterReading:
        check_period(period)
        if value < 0 or consumption_units < 0:
            raise InvalidInput(f"Suministro {supply_number}: lectura o consumo negativo")
        # A reading dated before the previous one is not refused: the review holds it.
        return cls(
            supply_number=supply_number, period=period, reading_date=reading_date, value=value,
            previous_value=previous_value, previous_date=previous_date,
            consumption_units=consumption_units, rollover=rollover, estimated=estimated,
            meter_serial=meter_serial, source=source, held_reason=held_reason, recorded_by=recorded_by,
            id=reading_id(supply_number, period),
        )

    def accept(self, note: str, *, recorded_by: str) -> None:
        if self.held_reason is None:
            raise Conflict(f"La lectura {self.supply_number} {self.period} no está retenida")
        self._accepted(note=note.strip(), recorded_by=recorded_by)

    def correct(self, value: Decimal, consumption_units: Decimal, reason: str, *, recorded_by: str) -> None:
        if not reason.strip():
            raise InvalidInput("Una corrección de lectura necesita el motivo")
        if value < 0 or consumption_units < 0:
            raise InvalidInput("Lectura o consumo negativo")
        self._corrected(value=value, consumption_units=consumption_units, reason=reason.strip(),
                        recorded_by=recorded_by)

    @event("ReadingAccepted")
    def _accepted(self, note: str, recorded_by: str) -> None:
        self.held_reason = None

    @event("ReadingCorrected")
    def _corrected(self, value: Decimal, consumption_units: Decimal, reason: str, recorded_by: str) -> None:
        self.value = value
        self.consumption_units = consumption_units
        self.held_reason = None
