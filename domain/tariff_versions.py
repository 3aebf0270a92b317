"""Which tariff version is in force on which days of a billing period.

A version is in force from its ``valid_from`` until the day before the next
version's ``valid_from``. A billing period 2026-03-01..2026-03-31 with versions
from 2026-01-01 and 2026-03-16 splits into 01..15 (15 days) and 16..31 (16 days).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from domain.errors import InvalidInput, NotFound
from domain.tariffs import TariffTable


class NoTariffInForce(NotFound):
    def __init__(self, service: str, day: date) -> None:
        super().__init__(f"No hay cuadro tarifario de {service} vigente el {day:%d/%m/%Y}")
        self.service = service
        self.day = day


@dataclass(frozen=True)
class VersionSpan:
    """The days of a billing period in which one table version is in force (both ends inclusive)."""

    table: TariffTable
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def versions_in_force(versions: Sequence[TariffTable], start: date, end: date) -> list[VersionSpan]:
    """Split ``start..end`` by the versions in force; every day must be covered."""
    ordered = sorted(versions, key=lambda t: t.valid_from)
    if not ordered:
        raise NoTariffInForce("(sin cuadros)", start)
    if ordered[0].valid_from > start:
        raise NoTariffInForce(ordered[0].service, start)
    spans: list[VersionSpan] = []
    for table, successor in zip(ordered, [*ordered[1:], None], strict=True):
        last_day = successor.valid_from - timedelta(days=1) if successor else end
        span_start, span_end = max(table.valid_from, start), min(last_day, end)
        if span_start <= span_end:
            spans.append(VersionSpan(table, span_start, span_end))
    return spans


def check_same_service(versions: Sequence[TariffTable]) -> None:
    services = sorted({t.service for t in versions})
    if len(services) > 1:
        raise InvalidInput(f"Cuadros de servicios distintos mezclados: {', '.join(services)}")
    starts = [t.valid_from for t in versions]
    repeated = sorted({d for d in starts if starts.count(d) > 1})
    if repeated:
        raise InvalidInput(
            f"Dos cuadros de {services[0]} con la misma vigencia desde {', '.join(map(str, repeated))}"
        )
