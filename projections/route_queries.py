"""Reading routes: the metered supplies a collector visits, with their last reading."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, and_, func, select

from projections.commercial_tables import members, readings, supplies

# Cut meters are read too: the collector checks that nobody reconnected them.
READ_STATES = ("connected", "cut")


@dataclass(frozen=True)
class RouteStop:
    route: str
    sequence: int
    supply_number: str
    member_name: str
    address: str
    meter_serial: str
    meter_digits: int
    previous_value: Decimal
    previous_date: date


def _walking_order(address: str) -> tuple[str, int]:
    street, _, number = address.rpartition(" ")
    return (street, int(number)) if number.isdigit() else (address, 0)


def route_stops(
    conn: Connection, *, before_period: str, route: str | None = None
) -> dict[str, list[RouteStop]]:
    """Every route (or one) with its stops in walking order: each street by house number."""
    s, m, r = supplies.c, members.c, readings.c
    latest = (
        select(r.supply_number, func.max(r.period).label("period"))
        .where(r.period < before_period)
        .group_by(r.supply_number)
        .subquery()
    )
    where = and_(s.meter_serial.is_not(None), s.state.in_(READ_STATES), s.reading_route != "")
    if route is not None:
        where = and_(where, s.reading_route == route)
    rows = conn.execute(
        select(
            s.reading_route,
            s.number,
            m.name,
            s.address,
            s.meter_serial,
            s.meter_digits,
            r.value,
            r.reading_date,
            s.initial_reading,
            s.connected_on,
        )
        .join(members, m.number == s.member_number)
        .join(latest, latest.c.supply_number == s.number, isouter=True)
        .join(readings, and_(r.supply_number == s.number, r.period == latest.c.period), isouter=True)
        .where(where)
    ).all()
    by_route: dict[str, list[RouteStop]] = {}
    for row in sorted(rows, key=lambda row: (row.reading_route, _walking_order(row.address))):
        stops = by_route.setdefault(row.reading_route, [])
        stops.append(
            RouteStop(
                row.reading_route,
                len(stops) + 1,
                row.number,
                row.name,
                row.address,
                row.meter_serial,
                row.meter_digits,
                Decimal(row.value if row.value is not None else row.initial_reading or 0),
                row.reading_date or row.connected_on,
            )
        )
    return by_route
