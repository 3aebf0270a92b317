"""The event history of a member (with its supplies) or of any document: who did what, and when."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from api.bootstrap import Asiento
from api.web.schemas import EventPublic
from domain.errors import NotFound
from domain.members import member_id
from domain.supplies import supply_id
from projections.member_queries import member_row, member_supplies

MAX_EVENTS_PER_AGGREGATE = 5_000
HIDDEN_FIELDS = frozenset(
    {"originator_id", "originator_version", "originator_topic", "timestamp", "password_hash"}
)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal | UUID | date | datetime):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def _events(asiento: Asiento, aggregate_id: UUID) -> list[EventPublic]:
    stored = asiento.app.recorder.select_events(aggregate_id, limit=MAX_EVENTS_PER_AGGREGATE)
    found = []
    for item in stored:
        event = asiento.app.mapper.to_domain_event(item)
        data = {k: _plain(v) for k, v in event.__dict__.items() if k not in HIDDEN_FIELDS}
        found.append(
            EventPublic(
                version=event.originator_version,
                name=type(event).__qualname__.rsplit(".", 1)[-1],
                recorded_at=event.__dict__["timestamp"].isoformat(),
                recorded_by=data.pop("recorded_by", None),
                data=data,
            )
        )
    return found


def aggregate_history(asiento: Asiento, aggregate_id: UUID, limit: int, offset: int) -> list[EventPublic]:
    events = _events(asiento, aggregate_id)
    if not events:
        raise NotFound(f"No hay hechos registrados para {aggregate_id}")
    return events[offset : offset + limit]


def member_history(asiento: Asiento, number: str, limit: int, offset: int) -> list[EventPublic]:
    """The member's events and its supplies', newest first."""
    with asiento.read() as conn:
        member_row(conn, number)
        supplies = [row["number"] for row in member_supplies(conn, number)]
    events = _events(asiento, member_id(number))
    for supply in supplies:
        events += _events(asiento, supply_id(supply))
    events.sort(key=lambda e: e.recorded_at, reverse=True)
    return events[offset : offset + limit]
