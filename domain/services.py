"""Services the cooperative sells, defined by configuration (no code per service).

A service is metered (electricity, water, gas: priced by consumption read from a
meter), flat (internet, TV: a monthly plan) or per beneficiary (sepelio and other
social services: priced per adherent). Adding one is a ``ServiceDefined`` event
from the services file, plus its tariff table and its rule lookups: data only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from eventsourcing.domain import Aggregate, event

from domain.errors import Conflict, InvalidInput, NotFound
from domain.identity import stable_id

PRICINGS = ("metered", "flat", "per_beneficiary")
CODE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
CATALOG_ID = stable_id("service-catalog")


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    pricing: str
    unit: str | None

    @property
    def metered(self) -> bool:
        return self.pricing == "metered"


class ServiceCatalog(Aggregate):
    @staticmethod
    def create_id() -> Any:
        return CATALOG_ID

    @event("Created")
    def __init__(self) -> None:
        self.services: dict[str, Service] = {}

    def get(self, code: str) -> Service:
        try:
            return self.services[code]
        except KeyError:
            known = ", ".join(sorted(self.services)) or "ninguno"
            raise NotFound(f"El servicio {code!r} no está definido (definidos: {known})") from None

    def define(self, code: str, name: str, pricing: str, unit: str | None, *, recorded_by: str) -> None:
        if not CODE.match(code):
            raise InvalidInput(f"Código de servicio inválido {code!r}: minúsculas, dígitos y _")
        if code in self.services:
            raise Conflict(f"El servicio {code} ya está definido")
        if pricing not in PRICINGS:
            raise InvalidInput(f"Servicio {code}: pricing {pricing!r} inválido; use {', '.join(PRICINGS)}")
        if (pricing == "metered") != bool(unit):
            raise InvalidInput(f"Servicio {code}: un servicio medido necesita unidad (kWh, m3) y solo él")
        self._defined(code=code, name=name.strip(), pricing=pricing, unit=unit, recorded_by=recorded_by)

    @event("ServiceDefined")
    def _defined(self, code: str, name: str, pricing: str, unit: str | None, recorded_by: str) -> None:
        self.services[code] = Service(code, name, pricing, unit)
