"""Billing periods as staff and files write them (AAAA-MM)."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.meter_readings import check_period


@pytest.mark.parametrize("label", ["2026-01", "1999-12", "2999-12"])
def test_valid_periods(label: str) -> None:
    assert check_period(label) == label


@pytest.mark.parametrize("label", ["0000-01", "0999-05", "3000-01", "2026-13", "2026-00", "2026-1", "26-01"])
def test_impossible_periods_are_refused_with_the_format(label: str) -> None:
    with pytest.raises(InvalidInput, match=r"Período inválido .*: use AAAA-MM"):
        check_period(label)
