"""Money is ``Decimal``, built through :func:`D`, never from floats.

Rounding happens only at named points: :func:`round_half_even` (AFIP's rule for
taxes and totals) and :func:`round_half_up` (tariff tables that say so).
Read models store integer cents (:func:`to_cents`) so that SQL sums are exact on
SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation

from domain.errors import InvalidAmount

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def D(value: str | int | Decimal) -> Decimal:
    """Build a Decimal from text, an int or a Decimal; floats are refused."""
    if isinstance(value, (float, bool)):
        raise TypeError(f"money is never built from {type(value).__name__}: {value!r}")
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip().replace(" ", ""))
    except InvalidOperation as exc:
        raise InvalidAmount(str(value), "no es un número") from exc


def parse_amount(text: str | int | Decimal, *, field: str = "importe") -> Decimal:
    """Parse a money amount given by a person or a file: at most two decimals."""
    if isinstance(text, float):
        raise InvalidAmount(repr(text), f"{field}: use texto o entero, nunca float")
    amount = text if text.__class__ is Decimal else D(text)  # a Decimal needs no round trip via str
    if not amount.is_finite():
        raise InvalidAmount(str(text), f"{field}: no es un número finito")
    cents = amount.quantize(CENT, rounding=ROUND_HALF_EVEN)
    if amount != cents:
        raise InvalidAmount(str(text), f"{field}: más de dos decimales")
    return cents


def round_half_even(amount: Decimal) -> Decimal:
    """Round to cents the way AFIP does (banker's rounding)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


def round_half_up(amount: Decimal) -> Decimal:
    """Round to cents half away from zero (commercial rounding)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def to_cents(amount: Decimal) -> int:
    """Exact integer cents; the amount must already be rounded to cents."""
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} has fractions of a cent; round it first")
    return int(cents)


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def format_ar(amount: Decimal) -> str:
    """es-AR presentation: 1.234.567,89 (dot for thousands, comma for decimals)."""
    text = f"{amount.quantize(CENT):,.2f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")
