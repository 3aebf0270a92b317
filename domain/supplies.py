"""Supplies (suministros / cuentas): one per service per member.

Each supply has its own lifecycle, independent of the member's other supplies::

    requested -> connected -> cut -> connected (reconnected)
                     |          \\-> in_legal_action -> connected | terminated
                     \\-> terminated

Metered supplies carry a meter (serial, digits, multiplier); a meter change is
recorded with the old meter's final reading and the new one's initial reading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import Conflict, InvalidInput
from domain.identity import stable_id
from domain.services import Service

SUPPLY_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,19}$")
MAX_METER_DIGITS = 9

TRANSITIONS: dict[str, frozenset[str]] = {
    "requested": frozenset({"connected", "terminated"}),
    "connected": frozenset({"cut", "in_legal_action", "terminated"}),
    "cut": frozenset({"connected", "in_legal_action", "terminated"}),
    "in_legal_action": frozenset({"connected", "terminated"}),
    "terminated": frozenset(),
}
STATE_NAMES = {
    "requested": "solicitado", "connected": "conectado", "cut": "cortado",
    "in_legal_action": "en gestión judicial", "terminated": "dado de baja",
}
BILLABLE_STATES = frozenset({"connected", "cut", "in_legal_action"})


@dataclass(frozen=True)
class MeterSpec:
    serial: str
    digits: int
    multiplier: Decimal

    def as_data(self) -> dict[str, Any]:
        return {"serial": self.serial, "digits": self.digits, "multiplier": self.multiplier}


def check_meter(serial: str, digits: int, multiplier: Decimal | str) -> MeterSpec:
    if not serial.strip():
        raise InvalidInput("El medidor necesita número de serie")
    if not 3 <= digits <= MAX_METER_DIGITS:
        raise InvalidInput(f"Medidor {serial}: {digits} dígitos fuera de rango (3 a {MAX_METER_DIGITS})")
    factor = Decimal(str(multiplier))
    if factor <= 0:
        raise InvalidInput(f"Medidor {serial}: el multiplicador debe ser positivo")
    return MeterSpec(serial.strip(), digits, factor)


def supply_id(number: str) -> UUID:
    return stable_id("supply", number)


class Supply(Aggregate):
    @event("SupplyRequested")
    def __init__(
        self,
        number: str,
        member_number: str,
        service: str,
        category: str,
        address: str,
        group: str,
        zone: str,
        reading_route: str,
        distribution_route: str,
        beneficiaries: int,
        effective_date: date,
        recorded_by: str,
        id: UUID | None = None,
    ) -> None:
        self.number = number
        self.member_number = member_number
        self.service = service
        self.category = category
        self.state = "requested"
        self.meter: dict[str, Any] | None = None
        self.beneficiaries = beneficiaries

    @classmethod
    def request(cls, *, number: str, member_number: str, service: Service, category: str, address: str,
                effective_date: date, recorded_by: str, group: str = "", zone: str = "",
                reading_route: str = "", distribution_route: str = "", beneficiaries: int = 1) -> Supply:
        number = number.strip().upper()
        if not SUPPLY_NUMBER.match(number):
            raise InvalidInput(f"Número de suministro inválido {number!r}: letras, dígitos y guiones")
        if not category.strip():
            raise InvalidInput(f"Suministro {number}: falta la categoría tarifaria")
        if service.pricing == "per_beneficiary" and beneficiaries < 1:
            raise InvalidInput(f"Suministro {number}: al menos un beneficiario")
        return cls(
            number=number, member_number=member_number, service=service.code, category=category.strip(),
            address=address.strip(), group=group, zone=zone, reading_route=reading_route,
            distribution_route=distribution_route, beneficiaries=beneficiaries,
            effective_date=effective_date, recorded_by=recorded_by, id=supply_id(number),
        )

    def _require_transition(self, target: str) -> None:
        if target not in TRANSITIONS[self.state]:
            raise Conflict(f"El suministro {self.number} está {STATE_NAMES[self.state]}: no puede pasar a "
                           f"{STATE_NAMES[target]}")

    def connect(self, effective_date: date, *, recorded_by: str, meter: MeterSpec | None = None,
                initial_reading: Decimal | None = None, metered: bool = False) -> None:
        self._require_transition("connected")
        if metered and self.meter is None and (meter is None or initial_reading is None):
            raise InvalidInput(f"El suministro {self.number} es medido: indique medidor y lectura inicial")
        self._connected(effective_date=effective_date, meter=meter.as_data() if meter else None,
                        initial_reading=initial_reading, recorded_by=recorded_by)

    def change_state(self, target: str, effective_date: date, reason: str, *, recorded_by: str) -> None:
        if target == "connected":
            raise InvalidInput("Use connect para conectar o reconectar")
        self._require_transition(target)
        if not reason.strip():
            raise InvalidInput(f"Suministro {self.number}: indique el motivo")
        self._state_changed(state=target, effective_date=effective_date, reason=reason.strip(),
                            recorded_by=recorded_by)

    def change_meter(self, effective_date: date, final_reading: Decimal, meter: MeterSpec,
                     initial_reading: Decimal, *, recorded_by: str) -> None:
        if self.meter is None:
            raise Conflict(f"El suministro {self.number} no tiene medidor para cambiar")
        if meter.serial == self.meter["serial"]:
            raise InvalidInput(f"El medidor nuevo tiene el mismo número {meter.serial}")
        self._meter_changed(effective_date=effective_date, old_meter=self.meter,
                            final_reading=final_reading, meter=meter.as_data(),
                            initial_reading=initial_reading, recorded_by=recorded_by)

    def change_category(self, category: str, effective_date: date, *, recorded_by: str) -> None:
        if category == self.category:
            raise Conflict(f"El suministro {self.number} ya es de categoría {category}")
        self._category_changed(category=category, effective_date=effective_date, recorded_by=recorded_by)

    @event("SupplyConnected")
    def _connected(self, effective_date: date, meter: dict[str, Any] | None,
                   initial_reading: Decimal | None, recorded_by: str) -> None:
        self.state = "connected"
        if meter is not None:
            self.meter = meter

    @event("SupplyStateChanged")
    def _state_changed(self, state: str, effective_date: date, reason: str, recorded_by: str) -> None:
        self.state = state

    @event("MeterChanged")
    def _meter_changed(self, effective_date: date, old_meter: dict[str, Any], final_reading: Decimal,
                       meter: dict[str, Any], initial_reading: Decimal, recorded_by: str) -> None:
        self.meter = meter

    @event("CategoryChanged")
    def _category_changed(self, category: str, effective_date: date, recorded_by: str) -> None:
        self.category = category
