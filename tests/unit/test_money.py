from __future__ import annotations

from decimal import Decimal

import pytest

from domain.errors import InvalidAmount
from domain.money import (
    D,
    format_ar,
    from_cents,
    parse_amount,
    round_half_even,
    round_half_up,
    to_cents,
)


def test_money_is_never_built_from_float() -> None:
    with pytest.raises(TypeError):
        D(0.1)  # type: ignore[arg-type]


def test_parse_amount_accepts_two_decimals_and_refuses_three() -> None:
    assert parse_amount("1234.5") == Decimal("1234.50")
    assert parse_amount(7) == Decimal("7.00")
    with pytest.raises(InvalidAmount, match="más de dos decimales"):
        parse_amount("1.005")
    with pytest.raises(InvalidAmount, match="no es un número"):
        parse_amount("doce")


def test_named_roundings_differ_on_the_half_cent() -> None:
    assert round_half_even(Decimal("0.125")) == Decimal("0.12")
    assert round_half_up(Decimal("0.125")) == Decimal("0.13")
    assert round_half_even(Decimal("0.135")) == Decimal("0.14")


def test_cents_round_trip_and_refuse_fractions() -> None:
    assert to_cents(Decimal("-12.34")) == -1234
    assert from_cents(123456) == Decimal("1234.56")
    with pytest.raises(ValueError):
        to_cents(Decimal("0.001"))


def test_spanish_presentation() -> None:
    assert format_ar(Decimal("1234567.8")) == "1.234.567,80"
    assert format_ar(Decimal("-5")) == "-5,00"
