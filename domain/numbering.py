"""Consecutive document numbers per point of sale and document type (AFIP).

AFIP requires each (point of sale, CbteTipo) to number last authorised + 1 with
no gaps. A billing batch reserves the block it needs and saves the reservation
in the same transaction as the invoices that use it: a batch that fails leaves
neither numbers nor invoices behind, so the series never has holes.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidInput
from domain.identity import stable_id

MAX_BLOCK = 100_000
MAX_NUMBER = 99_999_999  # eight digits on the printed document


def series_id(point_of_sale: int, document_type: int) -> UUID:
    return stable_id("document-series", f"{point_of_sale}/{document_type}")


class DocumentSeries(Aggregate):
    @event("SeriesOpened")
    def __init__(self, point_of_sale: int, document_type: int, id: UUID | None = None) -> None:
        self.point_of_sale = point_of_sale
        self.document_type = document_type
        self.last_number = 0

    @classmethod
    def open(cls, point_of_sale: int, document_type: int) -> DocumentSeries:
        if not 1 <= point_of_sale <= 99_999:
            raise InvalidInput(f"Punto de venta inválido {point_of_sale}")
        return cls(point_of_sale=point_of_sale, document_type=document_type,
                   id=series_id(point_of_sale, document_type))

    def reserve(self, count: int, *, purpose: str) -> list[int]:
        if not 1 <= count <= MAX_BLOCK:
            raise InvalidInput(f"Reserva de {count} números fuera de rango (1 a {MAX_BLOCK})")
        first = self.last_number + 1
        last = self.last_number + count
        if last > MAX_NUMBER:
            raise InvalidInput(f"El punto de venta {self.point_of_sale} agotó la numeración")
        self._reserved(first=first, last=last, purpose=purpose)
        return list(range(first, last + 1))

    @event("NumbersReserved")
    def _reserved(self, first: int, last: int, purpose: str) -> None:
        self.last_number = last
