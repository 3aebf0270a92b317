"""Late-payment interest on utility bills (intereses por mora).

Simple daily interest: debt × annual rate / 365 × days late. The rate comes from
a dated table (rates are data, never constants), capped per period by Ley 24.240
art. 31 at 1.5 × the BNA 30-day passive rate.

Conventions:
- Days late = ``(paid_on − due_date).days``: interest runs from the day after
  the first due date to the payment date inclusive; 0 when paid on or before
  the due date.
- Each day takes the rate in force that day; when the rate changes in between,
  the days split into segments, each ``debt × rate/100 / 365 × days``.
- The year has 365 days, leap years too (what the regulation text says).
- Segments are summed unrounded and rounded ONCE to cents, half-even
  (:func:`domain.money.round_half_even`, AFIP's rule).

A sample table (illustrative figures, not published rates)::

    InterestRates((
        RatePeriod(date(2024, 1, 1), Decimal("60"), cap_percent=Decimal("60")),
        RatePeriod(date(2024, 6, 1), Decimal("48"), cap_percent=legal_cap_percent(Decimal("30"))),
    ))
    # from 01/06/2024 the effective rate is min(48, 1.5 × 30) = 45% a year

Worked example: 100.000,00 at 60% a year, 30 days late:
100000 × 0.60 / 365 × 30 = 4931.5068… → $ 4.931,51.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from domain.errors import InvalidAmount, InvalidInput, NotFound
from domain.money import ZERO, parse_amount, round_half_even
from domain.tariff_text import day as day_text
from domain.tariff_text import money, percent

DAYS_PER_YEAR = 365  # by the regulation text, leap years included
INTEREST_CONCEPT = "intereses_mora"
_ONE_DAY = timedelta(days=1)
_DIVISOR = Decimal(100 * DAYS_PER_YEAR)  # percent → fraction, year → day

LateDocument = tuple[str, Decimal, date]
"""(document_id, debt, first due date): the id is shown on the line, so pass the printed label."""


class InvalidInterestRates(InvalidInput):
    def __init__(self, reason: str) -> None:
        super().__init__(f"Tabla de tasas de interés inválida: {reason}")


class MissingInterestRate(NotFound):
    def __init__(self, day: date) -> None:
        super().__init__(f"No hay tasa de interés por mora vigente el {day_text(day)}")
        self.day = day


def legal_cap_percent(bna_passive_rate_percent: Decimal) -> Decimal:
    """Ley 24.240 art. 31: at most 1.5 × the BNA 30-day passive rate (30 → 45.0)."""
    return bna_passive_rate_percent * Decimal("1.5")


@dataclass(frozen=True)
class RatePeriod:
    """A rate in force from ``valid_from`` until the next period starts."""

    valid_from: date
    annual_rate_percent: Decimal
    cap_percent: Decimal | None = None

    @property
    def effective_percent(self) -> Decimal:
        """``min(rate, cap)``: 60% capped at 45% → 45%."""
        if self.cap_percent is None:
            return self.annual_rate_percent
        return min(self.annual_rate_percent, self.cap_percent)


@dataclass(frozen=True)
class InterestRates:
    """The dated rate table; periods strictly ordered by ``valid_from``."""

    rates: tuple[RatePeriod, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "rates", tuple(self.rates))
        if not self.rates:
            raise InvalidInterestRates("no tiene ninguna tasa")
        for period in self.rates:
            _check_percent(period.annual_rate_percent, period.valid_from, "tasa")
            if period.cap_percent is not None:
                _check_percent(period.cap_percent, period.valid_from, "tope")
        for before, after in zip(self.rates, self.rates[1:], strict=False):
            if after.valid_from <= before.valid_from:
                raise InvalidInterestRates(
                    f"las vigencias deben estar ordenadas y sin repetir ({day_text(after.valid_from)})"
                )

    def rate_on(self, day: date) -> Decimal:
        """The effective annual rate (percent) in force on ``day``."""
        return self.rates[self._index(day)].effective_percent

    def spans(self, first_day: date, last_day: date) -> Iterator[tuple[date, date, Decimal]]:
        """Split ``first_day..last_day`` (inclusive) where the rate changes: (from, to, rate)."""
        index = self._index(first_day)
        cursor = first_day
        while cursor <= last_day:
            end = last_day
            if index + 1 < len(self.rates):
                end = min(last_day, self.rates[index + 1].valid_from - _ONE_DAY)
            yield cursor, end, self.rates[index].effective_percent
            cursor, index = end + _ONE_DAY, index + 1

    def _index(self, day: date) -> int:
        index = bisect_right(self.rates, day, key=lambda period: period.valid_from) - 1
        if index < 0:
            raise MissingInterestRate(day)
        return index


@dataclass(frozen=True)
class InterestSegment:
    """Days ``first_day..last_day`` (inclusive) at one rate; the amount is not rounded."""

    first_day: date
    last_day: date
    days: int
    annual_rate_percent: Decimal
    amount_unrounded: Decimal


@dataclass(frozen=True)
class InterestComputation:
    days: int
    amount: Decimal
    segments: tuple[InterestSegment, ...]


def late_interest(debt: Decimal, due_date: date, paid_on: date, rates: InterestRates) -> InterestComputation:
    """Interest on ``debt`` (cents, ≥ 0) paid on ``paid_on`` after ``due_date``.

    >>> rates = InterestRates((RatePeriod(date(2024, 1, 1), Decimal("60")),))
    >>> late_interest(Decimal("100000.00"), date(2024, 3, 1), date(2024, 3, 31), rates).amount
    Decimal('4931.51')
    """
    owed = parse_amount(debt, field="deuda")
    if owed < ZERO:
        raise InvalidAmount(str(debt), "la deuda no puede ser negativa")
    days = max(0, (paid_on - due_date).days)
    if days == 0:
        return InterestComputation(days=0, amount=ZERO, segments=())
    spans = list(rates.spans(due_date + _ONE_DAY, paid_on))
    numerator = sum((owed * rate * _days(first, last) for first, last, rate in spans), ZERO)
    segments = tuple(_segment(owed, first, last, rate) for first, last, rate in spans)
    return InterestComputation(days=days, amount=round_half_even(numerator / _DIVISOR), segments=segments)


def interest_for_documents(
    documents: Iterable[LateDocument],
    paid_on: date,
    rates: InterestRates,
    *,
    in_vat_base: bool = False,
) -> list[dict[str, Any]]:
    """One interest line per late document, in the ``domain.invoicing`` line shape.

    The lines become a debit note (charged at payment) or lines on the next bill
    (deferred); which one is the service's setting, not decided here. Documents
    with no interest (paid in time, or rounding to 0,00) give no line.

    Whether late-payment interest carries VAT is a tax decision the cooperative's
    accountant must confirm; ``in_vat_base`` defaults to False (no VAT).
    """
    lines = []
    for document_id, debt, due_date in documents:
        computed = late_interest(debt, due_date, paid_on, rates)
        if computed.amount > ZERO:
            lines.append(_line(document_id, debt, due_date, computed, in_vat_base))
    return lines


def _line(
    document_id: str, debt: Decimal, due_date: date, computed: InterestComputation, in_vat_base: bool
) -> dict[str, Any]:
    return {
        "concept": INTEREST_CONCEPT,
        "description": (
            f"Intereses por mora s/ {document_id} ({money(debt)}, vto. {day_text(due_date)}): "
            f"{_days_and_rates(computed)}"
        ),
        "kind": "charge",
        "amount": computed.amount,
        "vat_rate": None,
        "in_vat_base": in_vat_base,
    }


def _days_and_rates(computed: InterestComputation) -> str:
    """Wording: 30 días al 60% anual; or 30 días: 10 días al 60% y 20 días al 45% anual."""
    parts = [f"{s.days} días al {percent(s.annual_rate_percent)}" for s in computed.segments]
    if len(parts) == 1:
        return f"{parts[0]} anual"
    return f"{computed.days} días: {', '.join(parts[:-1])} y {parts[-1]} anual"


def _segment(debt: Decimal, first_day: date, last_day: date, rate: Decimal) -> InterestSegment:
    days = _days(first_day, last_day)
    return InterestSegment(first_day, last_day, days, rate, debt * rate * days / _DIVISOR)


def _days(first_day: date, last_day: date) -> int:
    return (last_day - first_day).days + 1


def _check_percent(value: object, valid_from: date, what: str) -> None:
    where = f"{what} vigente desde {day_text(valid_from)}"
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidInterestRates(f"{where}: debe ser un Decimal finito, no {value!r}")
    if value < 0:
        raise InvalidInterestRates(f"{where}: no admite valores negativos ({value})")
