"""Late-payment interest to the cent; every expected figure is worked by hand in a comment."""

from __future__ import annotations

import doctest
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import domain.interest
from domain.errors import InvalidAmount
from domain.interest import (
    INTEREST_CONCEPT,
    InterestRates,
    InterestSegment,
    InvalidInterestRates,
    MissingInterestRate,
    RatePeriod,
    interest_for_documents,
    late_interest,
    legal_cap_percent,
)
from domain.invoicing import invoice_line
from domain.money import ZERO, from_cents

FLAT_60 = InterestRates((RatePeriod(date(2024, 1, 1), Decimal("60")),))
# 60% until 10/03/2024, 45% from 11/03/2024.
CHANGES_11_MARCH = InterestRates(
    (RatePeriod(date(2024, 1, 1), Decimal("60")), RatePeriod(date(2024, 3, 11), Decimal("45")))
)
DEBT = Decimal("100000.00")
DUE = date(2024, 3, 1)


def test_thirty_days_at_sixty_percent() -> None:
    # 100,000 × 0.60 / 365 × 30 = 180,000,000 / 36,500 = 4,931.5068… → 4,931.51
    result = late_interest(DEBT, DUE, date(2024, 3, 31), FLAT_60)
    assert result.days == 30
    assert result.amount == Decimal("4931.51")
    (segment,) = result.segments
    assert (segment.first_day, segment.last_day, segment.days) == (date(2024, 3, 2), date(2024, 3, 31), 30)
    assert segment.annual_rate_percent == Decimal("60")
    assert str(segment.amount_unrounded).startswith("4931.5068493")


def test_one_day_late() -> None:
    # 100,000 × 0.60 / 365 × 1 = 164.3835… → 164.38
    assert late_interest(DEBT, DUE, date(2024, 3, 2), FLAT_60).amount == Decimal("164.38")


@pytest.mark.parametrize("paid_on", [date(2024, 2, 15), DUE])
def test_paid_on_or_before_the_due_date_owes_nothing(paid_on: date) -> None:
    result = late_interest(DEBT, DUE, paid_on, FLAT_60)
    assert (result.days, result.amount, result.segments) == (0, ZERO, ())


def test_rate_change_midway_splits_into_two_segments() -> None:
    # 02/03–10/03: 9 days at 60% → 100,000 × 60 × 9 / 36,500 = 1,479.4520…
    # 11/03–31/03: 21 days at 45% → 100,000 × 45 × 21 / 36,500 = 2,589.0410…
    # total 148,500,000 / 36,500 = 4,068.4931… → 4,068.49
    result = late_interest(DEBT, DUE, date(2024, 3, 31), CHANGES_11_MARCH)
    assert result.days == 30
    assert [(s.first_day, s.last_day, s.days, s.annual_rate_percent) for s in result.segments] == [
        (date(2024, 3, 2), date(2024, 3, 10), 9, Decimal("60")),
        (date(2024, 3, 11), date(2024, 3, 31), 21, Decimal("45")),
    ]
    assert result.amount == Decimal("4068.49")


def test_segments_are_rounded_once_not_each() -> None:
    # 1,002 × 60 × 9 / 36,500 = 14.8241… and 1,002 × 45 × 21 / 36,500 = 25.9421…
    # rounded once: 1,487,970 / 36,500 = 40.7663… → 40.77 (rounding each would give 14.82 + 25.94 = 40.76)
    result = late_interest(Decimal("1002.00"), DUE, date(2024, 3, 31), CHANGES_11_MARCH)
    assert result.amount == Decimal("40.77")


def test_half_cent_rounds_half_even() -> None:
    # 4,562.50 × 1 × 1 / 36,500 = 0.125 exactly → 0.12 half-even (0.13 half-up)
    rates = InterestRates((RatePeriod(date(2024, 1, 1), Decimal("1")),))
    assert late_interest(Decimal("4562.50"), DUE, date(2024, 3, 2), rates).amount == Decimal("0.12")


def test_cap_applies_when_the_rate_exceeds_it() -> None:
    # cap = 1.5 × BNA passive 40% = 60%; rate 80% → 60% → same 4,931.51 as the first case
    cap = legal_cap_percent(Decimal("40"))
    assert cap == Decimal("60")
    capped = InterestRates((RatePeriod(date(2024, 1, 1), Decimal("80"), cap_percent=cap),))
    assert capped.rate_on(date(2024, 3, 5)) == Decimal("60")
    assert late_interest(DEBT, DUE, date(2024, 3, 31), capped).amount == Decimal("4931.51")


def test_cap_above_the_rate_changes_nothing() -> None:
    table = InterestRates((RatePeriod(date(2024, 1, 1), Decimal("50"), cap_percent=Decimal("60")),))
    assert table.rate_on(date(2024, 1, 1)) == Decimal("50")


def test_leap_year_still_divides_by_365() -> None:
    # 28/02 → 01/03/2024 is 2 days (29/02 counts): 100,000 × 60 × 2 / 36,500 = 328.7671… → 328.77
    result = late_interest(DEBT, date(2024, 2, 28), date(2024, 3, 1), FLAT_60)
    assert (result.days, result.amount) == (2, Decimal("328.77"))


def test_rate_on_follows_the_dated_table() -> None:
    assert CHANGES_11_MARCH.rate_on(date(2024, 3, 10)) == Decimal("60")
    assert CHANGES_11_MARCH.rate_on(date(2024, 3, 11)) == Decimal("45")
    assert CHANGES_11_MARCH.rate_on(date(2030, 1, 1)) == Decimal("45")


def test_no_rate_before_the_table_starts() -> None:
    with pytest.raises(MissingInterestRate, match="31/12/2023") as caught:
        late_interest(DEBT, date(2023, 12, 30), date(2024, 1, 5), FLAT_60)
    assert caught.value.day == date(2023, 12, 31)


@pytest.mark.parametrize(
    ("rates", "message"),
    [
        ((), "ninguna tasa"),
        (
            (RatePeriod(date(2024, 2, 1), Decimal("1")), RatePeriod(date(2024, 1, 1), Decimal("1"))),
            "ordenadas",
        ),
        ((RatePeriod(date(2024, 1, 1), Decimal("1")), RatePeriod(date(2024, 1, 1), Decimal("2"))), "repetir"),
        ((RatePeriod(date(2024, 1, 1), Decimal("-1")),), "negativos"),
        ((RatePeriod(date(2024, 1, 1), Decimal("1"), cap_percent=Decimal("-0.5")),), "tope"),
        ((RatePeriod(date(2024, 1, 1), 60.0),), "Decimal"),  # type: ignore[arg-type]
        ((RatePeriod(date(2024, 1, 1), Decimal("NaN")),), "finito"),
    ],
)
def test_rate_table_is_validated(rates: tuple[RatePeriod, ...], message: str) -> None:
    with pytest.raises(InvalidInterestRates, match=message):
        InterestRates(rates)


@pytest.mark.parametrize(("debt", "message"), [("-1.00", "negativa"), ("1.001", "más de dos decimales")])
def test_debt_must_be_non_negative_cents(debt: str, message: str) -> None:
    with pytest.raises(InvalidAmount, match=message):
        late_interest(Decimal(debt), DUE, date(2024, 3, 31), FLAT_60)


def test_interest_lines_for_documents() -> None:
    documents = [
        ("FC B 0001-00000001", DEBT, DUE),
        ("FC B 0001-00000002", Decimal("500.00"), date(2024, 4, 10)),  # not yet due on 31/03: no line
        ("FC B 0001-00000003", Decimal("1002.00"), DUE),
    ]
    lines = interest_for_documents(documents, date(2024, 3, 31), CHANGES_11_MARCH)
    assert lines == [
        {
            "concept": INTEREST_CONCEPT,
            "description": "Intereses por mora s/ FC B 0001-00000001 ($ 100.000,00, vto. 01/03/2024): "
            "30 días: 9 días al 60% y 21 días al 45% anual",
            "kind": "charge",
            "amount": Decimal("4068.49"),
            "vat_rate": None,
            "in_vat_base": False,
        },
        {
            "concept": INTEREST_CONCEPT,
            "description": "Intereses por mora s/ FC B 0001-00000003 ($ 1.002,00, vto. 01/03/2024): "
            "30 días: 9 días al 60% y 21 días al 45% anual",
            "kind": "charge",
            "amount": Decimal("40.77"),
            "vat_rate": None,
            "in_vat_base": False,
        },
    ]
    assert [invoice_line(line, i) for i, line in enumerate(lines)] == lines


def test_interest_line_single_rate_wording_and_vat_choice() -> None:
    (line,) = interest_for_documents([("FC B 1", DEBT, DUE)], date(2024, 3, 31), FLAT_60, in_vat_base=True)
    assert line["description"].endswith(": 30 días al 60% anual")
    assert line["in_vat_base"] is True


def test_docstring_examples() -> None:
    assert doctest.testmod(domain.interest, globs=vars(domain.interest).copy()).failed == 0


# --- properties --------------------------------------------------------------------------------

START = date(2024, 1, 1)
debts = st.integers(min_value=0, max_value=100_000_000).map(from_cents)
percents = st.integers(min_value=0, max_value=20_000).map(lambda hundredths: Decimal(hundredths).scaleb(-2))


@st.composite
def rate_tables(draw: st.DrawFn) -> InterestRates:
    gaps = draw(st.lists(st.integers(1, 90), max_size=5))
    starts = [START]
    for gap in gaps:
        starts.append(starts[-1] + timedelta(days=gap))
    periods = [RatePeriod(start, draw(percents), draw(st.one_of(st.none(), percents))) for start in starts]
    return InterestRates(tuple(periods))


due_dates = st.integers(0, 200).map(lambda offset: START + timedelta(days=offset))


@settings(max_examples=300)
@given(rate_tables(), debts, due_dates, st.integers(0, 400), st.integers(0, 400))
def test_monotone_in_days(rates: InterestRates, debt: Decimal, due: date, days_a: int, days_b: int) -> None:
    fewer, more = sorted((days_a, days_b))
    earlier = late_interest(debt, due, due + timedelta(days=fewer), rates)
    later = late_interest(debt, due, due + timedelta(days=more), rates)
    assert earlier.amount <= later.amount
    assert later.days == more == sum(s.days for s in later.segments)


@settings(max_examples=300)
@given(rate_tables(), debts, debts, due_dates, st.integers(0, 400))
def test_monotone_in_debt(
    rates: InterestRates, debt_a: Decimal, debt_b: Decimal, due: date, days: int
) -> None:
    smaller, larger = sorted((debt_a, debt_b))
    paid_on = due + timedelta(days=days)
    assert (
        late_interest(smaller, due, paid_on, rates).amount
        <= late_interest(larger, due, paid_on, rates).amount
    )


@given(rate_tables(), debts, due_dates)
def test_zero_days_is_zero_interest(rates: InterestRates, debt: Decimal, due: date) -> None:
    assert late_interest(debt, due, due, rates).amount == ZERO


@settings(max_examples=200)
@given(rate_tables(), debts, due_dates, st.integers(1, 400))
def test_segments_tile_the_late_days_and_add_up(
    rates: InterestRates, debt: Decimal, due: date, days: int
) -> None:
    result = late_interest(debt, due, due + timedelta(days=days), rates)
    first, last = result.segments[0], result.segments[-1]
    assert (first.first_day, last.last_day) == (due + timedelta(days=1), due + timedelta(days=days))
    for before, after in zip(result.segments, result.segments[1:], strict=False):
        assert after.first_day == before.last_day + timedelta(days=1)
    assert all(isinstance(s, InterestSegment) and s.days > 0 for s in result.segments)
    unrounded = sum((s.amount_unrounded for s in result.segments), ZERO)
    assert abs(result.amount - unrounded) <= Decimal("0.005")
