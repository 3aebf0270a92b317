"""Published tariff tables per service, as facts.

The billing clerk loads a cuadro tarifario file; the event keeps the file's
text as loaded (what the clerk approved, for the audit trail) with its service
and validity. Billing parses the versions it needs from these events, so
re-billing a past period always uses the tables then in force.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import Conflict, InvalidInput
from domain.identity import stable_id


def tariff_book_id(service: str) -> UUID:
    return stable_id("tariff-book", service)


class TariffBook(Aggregate):
    @event("TariffBookOpened")
    def __init__(self, service: str, id: UUID | None = None) -> None:
        self.service = service
        self.versions: list[dict[str, Any]] = []

    @classmethod
    def open(cls, service: str) -> TariffBook:
        return cls(service=service, id=tariff_book_id(service))

    def publish(self, *, valid_from: date, source_name: str, source_text: str, recorded_by: str) -> None:
        """Record a version; the caller has parsed and checked ``source_text`` already."""
        if any(v["valid_from"] == valid_from for v in self.versions):
            raise Conflict(f"Ya hay un cuadro tarifario de {self.service} vigente desde {valid_from}")
        if not source_text.strip():
            raise InvalidInput("El cuadro tarifario está vacío")
        self._published(
            valid_from=valid_from, source_name=source_name, source_text=source_text, recorded_by=recorded_by
        )

    @event("TariffTablePublished")
    def _published(self, valid_from: date, source_name: str, source_text: str, recorded_by: str) -> None:
        self.versions.append(
            {"valid_from": valid_from, "source_name": source_name, "source_text": source_text}
        )
        self.versions.sort(key=lambda v: v["valid_from"])
