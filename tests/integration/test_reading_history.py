"""A reading is checked against two years of history, and against all of it only where two
years are not enough: the result is the same as reading the whole history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

import api.readings_service as readings_service
from api.bootstrap import Asiento
from api.readings_service import known_supplies
from projections.billing_queries import shift_period
from projections.commercial_tables import readings, supplies

PERIOD = "2026-11"


def _supply(number: str) -> dict[str, object]:
    return {
        "number": number,
        "aggregate_id": f"{number:0>32}",
        "member_number": "0000001",
        "service": "electricity",
        "category": "residencial",
        "address": "San Martín 100",
        "group_code": "1",
        "zone": "centro",
        "reading_route": "R01",
        "distribution_route": "D01",
        "beneficiaries": 0,
        "state": "connected",
        "state_since": date(2020, 1, 1),
        "meter_serial": f"M{number}",
        "meter_digits": 5,
        "meter_multiplier": Decimal(1),
        "initial_reading": Decimal(0),
        "connected_on": date(2020, 1, 1),
    }


def _readings(
    number: str, months: int, estimated_last: int, estimated_first: int = 0
) -> list[dict[str, object]]:
    """``months`` monthly readings before PERIOD, 100 units each; the first and last few estimated."""
    rows = []
    for back in range(months, 0, -1):
        period = shift_period(PERIOD, -back)
        year, month = (int(p) for p in period.split("-"))
        index = months - back
        rows.append(
            {
                "supply_number": number,
                "period": period,
                "aggregate_id": f"{number}{period}".replace("-", "").rjust(32, "0"),
                "reading_date": date(year, month, 28),
                "value": Decimal(100 * (index + 1) + int(number)),  # distinct per supply and month
                "consumption_units": Decimal(100 + index % 7),
                "rollover": False,
                "estimated": back <= estimated_last or index < estimated_first,
                "source": "test",
                "event_position": 0,
            }
        )
    return rows


HISTORIES = {
    "101": (48, 0, 0),  # four years, all real: the window is enough
    "102": (48, 14, 0),  # fourteen months estimated: the last real readings are older than the window
    "103": (30, 0, 25),  # mostly estimated long ago, real lately but fewer than twelve in the window
    "104": (8, 2, 0),  # a young supply: its whole history is in the window
}


def test_the_window_gives_what_the_whole_history_gives(
    asiento: Asiento, monkeypatch: pytest.MonkeyPatch
) -> None:
    with asiento.engine.begin() as conn:
        conn.execute(supplies.insert(), [_supply(n) for n in HISTORIES])
        conn.execute(readings.insert(), [r for n, h in HISTORIES.items() for r in _readings(n, *h)])
    with asiento.read() as conn:
        windowed = known_supplies(conn, HISTORIES, PERIOD)
        monkeypatch.setattr(readings_service, "HISTORY_WINDOW_MONTHS", 1_000)
        whole = known_supplies(conn, HISTORIES, PERIOD)
    assert set(windowed) == set(whole) == set(HISTORIES)
    for number in HISTORIES:
        assert windowed[number].info == whole[number].info, number
        assert windowed[number].change == whole[number].change
        assert PERIOD not in windowed[number].periods
    # what was read: two years for the supply the window suffices for, everything for the others
    assert len(windowed["101"].periods) == 24
    assert len(windowed["102"].periods) == 48
    assert len(windowed["103"].periods) == 30
    # and what the check uses, worked by hand for the long estimate
    info = windowed["102"].info
    assert info.estimated_units_since_real == [Decimal(100 + i % 7) for i in range(34, 48)]
    assert info.last_real_value == Decimal(100 * 34 + 102)
    assert info.history_units == [Decimal(100 + i % 7) for i in range(22, 34)]
