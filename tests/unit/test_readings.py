"""Consumption, rollover, meter change, estimates and review holds (domain-facts §7)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidInput
from domain.reading_review import (
    AnomalyReason,
    AnomalyThresholds,
    SupplyMeterInfo,
    check_anomalies,
    check_reading,
)
from domain.readings import (
    ImplausibleReading,
    InvalidReading,
    Meter,
    MeterChange,
    NoRealHistory,
    PeriodConsumption,
    ReadingInput,
    consumption_across_meter_change,
    consumption_between,
    estimate_consumption,
    estimate_reading,
    reconcile,
)

FIVE_DIGITS = Meter("A-1", 5, Decimal(1))
CT_METER = Meter("CT-9", 5, Decimal(40))  # behind current transformers: one register unit is 40 kWh


def D(text: str | int | Decimal) -> Decimal:
    return Decimal(text)


# consumption and rollover ---------------------------------------------------------


def test_consumption_is_advance_times_multiplier() -> None:
    assert consumption_between(D(12_000), D(12_350), FIVE_DIGITS).consumption_units == 350
    result = consumption_between(D(12_000), D(12_350), CT_METER)
    assert result.consumption_units == 14_000
    assert result.rollover is False


def test_equal_readings_consume_nothing() -> None:
    assert consumption_between(D(500), D(500), FIVE_DIGITS).consumption_units == 0


def test_register_with_decimals() -> None:
    assert consumption_between(D("1234.5"), D("1240.25"), FIVE_DIGITS).consumption_units == D("5.75")


@pytest.mark.parametrize(("meter", "expected"), [(FIVE_DIGITS, 6_200), (CT_METER, 6_200 * 40)])
def test_rollover_from_95000_to_1200_on_five_digits(meter: Meter, expected: int) -> None:
    result = consumption_between(D(95_000), D(1_200), meter)
    assert result.consumption_units == expected
    assert result.rollover is True


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        (89_001, 10_999, 100_000 - 89_001 + 10_999),  # just inside both limits
        (99_999, 0, 1),
        (D("89000.5"), 0, D("10999.5")),  # above 0.89·10^5 by half a unit
    ],
)
def test_rollover_just_inside_the_limits(
    previous: int | Decimal, current: int, expected: int | Decimal
) -> None:
    result = consumption_between(D(previous), D(current), FIVE_DIGITS)
    assert (result.consumption_units, result.rollover) == (expected, True)


@pytest.mark.parametrize(
    ("previous", "current"),
    [
        (89_000, 1_000),  # previous must be above 0.89·10^d, not equal
        (99_999, 11_000),  # current must be below 0.11·10^d, not equal
        (50_000, 49_999),  # an ordinary decrease: a misread
    ],
)
def test_decrease_that_is_not_a_rollover_is_refused(previous: int, current: int) -> None:
    with pytest.raises(ImplausibleReading) as caught:
        consumption_between(D(previous), D(current), FIVE_DIGITS, supply_number="1001")
    error = caught.value
    assert (error.supply_number, error.previous_value, error.current_value) == ("1001", previous, current)
    assert "Suministro 1001" in error.message
    assert "no corresponde a una vuelta" in error.message


def test_four_digit_rollover_limits_scale_with_digits() -> None:
    meter = Meter("B-2", 4, Decimal(1))
    assert consumption_between(D(9_500), D(300), meter).consumption_units == 800
    with pytest.raises(ImplausibleReading):
        consumption_between(D(8_900), D(300), meter)


@pytest.mark.parametrize("value", [D(100_000), D(-1), D("NaN")])
def test_value_the_register_cannot_show_is_refused(value: Decimal) -> None:
    with pytest.raises(InvalidReading, match="Suministro 7"):
        consumption_between(D(0), value, FIVE_DIGITS, supply_number="7")


def test_meter_is_validated() -> None:
    with pytest.raises(InvalidInput, match="dígitos"):
        Meter("X", 0, Decimal(1))
    with pytest.raises(InvalidInput, match="constante"):
        Meter("X", 5, Decimal(0))
    with pytest.raises(TypeError):
        Meter("X", 5, 40.0)  # type: ignore[arg-type]


def test_reading_value_is_never_a_float() -> None:
    with pytest.raises(TypeError):
        ReadingInput("1", date(2026, 3, 1), 12.5, False, "L01")  # type: ignore[arg-type]


@given(
    digits=st.integers(min_value=1, max_value=8),
    previous_share=st.fractions(min_value=0, max_value=1),
    advance_share=st.fractions(min_value=0, max_value=Fraction(1, 10)),
    multiplier=st.integers(min_value=1, max_value=200),
)
def test_any_advance_up_to_a_tenth_of_the_register_is_measured_across_the_wrap(
    digits: int, previous_share: Fraction, advance_share: Fraction, multiplier: int
) -> None:
    meter = Meter("P", digits, Decimal(multiplier))
    span = 10**digits
    previous = min(int(previous_share * span), span - 1)
    advance = int(advance_share * span)
    result = consumption_between(D(previous), D((previous + advance) % span), meter)
    assert result.consumption_units == advance * multiplier
    assert result.rollover == (previous + advance >= span)


# meter change ----------------------------------------------------------------------


def test_meter_change_adds_both_segments_with_their_multipliers() -> None:
    change = MeterChange(FIVE_DIGITS, D(45_320), CT_METER, D(10), date(2026, 3, 10))
    result = consumption_across_meter_change(D(45_200), D(90), change)
    assert result.consumption_units == 120 * 1 + 80 * 40
    assert result.rollover is False


def test_meter_change_old_segment_may_roll_over() -> None:
    change = MeterChange(FIVE_DIGITS, D(300), Meter("N-1", 6, Decimal(1)), D(0), date(2026, 3, 10))
    result = consumption_across_meter_change(D(99_900), D(50), change)
    assert (result.consumption_units, result.rollover) == (400 + 50, True)


def test_meter_change_refuses_a_new_meter_going_back() -> None:
    change = MeterChange(FIVE_DIGITS, D(45_320), CT_METER, D(500), date(2026, 3, 10))
    with pytest.raises(ImplausibleReading):
        consumption_across_meter_change(D(45_200), D(400), change)


# estimates and reconciliation --------------------------------------------------------

HISTORY = [
    PeriodConsumption(date(2025, 11, 1), date(2025, 12, 1), D(300), estimated=False),  # 30 days
    PeriodConsumption(date(2025, 12, 1), date(2026, 1, 1), D(310), estimated=False),  # 31 days
    PeriodConsumption(date(2026, 1, 1), date(2026, 1, 29), D(280), estimated=False),  # 28 days
    PeriodConsumption(date(2026, 1, 29), date(2026, 3, 1), D(999), estimated=True),  # never averaged
]


def test_estimate_is_average_daily_real_consumption_times_days() -> None:
    # 890 units over 89 real days = 10 per day
    assert estimate_consumption(HISTORY, 30) == 300
    assert estimate_consumption(HISTORY, 31, periods=1) == 310  # 280 / 28 days × 31


def test_estimate_rounds_to_whole_units() -> None:
    history = [PeriodConsumption(date(2026, 1, 1), date(2026, 1, 4), D(10), estimated=False)]
    assert estimate_consumption(history, 1) == 3  # 3.33
    assert estimate_consumption(history, 2) == 7  # 6.67


def test_estimate_needs_a_real_period() -> None:
    with pytest.raises(NoRealHistory, match="Suministro 9"):
        estimate_consumption(HISTORY[3:], 30, supply_number="9")


def test_estimated_reading_value_gives_back_the_estimate() -> None:
    estimate = estimate_reading(D(10_000), date(2026, 3, 1), date(2026, 3, 31), HISTORY, FIVE_DIGITS)
    assert estimate == type(estimate)(D(10_300), D(300))
    # multiplier 40: 300 units are 7.5 register units, billed as 8 = 320 units
    estimate = estimate_reading(D(99_995), date(2026, 3, 1), date(2026, 3, 31), HISTORY, CT_METER)
    assert (estimate.value, estimate.consumption_units) == (D(3), D(320))
    assert consumption_between(D(99_995), estimate.value, CT_METER).consumption_units == 320


def test_estimated_reading_needs_a_later_date() -> None:
    with pytest.raises(InvalidInput, match="no es posterior"):
        estimate_reading(D(1), date(2026, 3, 1), date(2026, 3, 1), HISTORY, FIVE_DIGITS)


def test_reconcile_bills_real_since_last_real_minus_estimates() -> None:
    result = reconcile(D(10_000), D(10_700), FIVE_DIGITS, [D(300), D(310)])
    assert (result.real_units, result.estimated_units, result.adjustment_units) == (700, 610, 90)


def test_reconcile_after_over_estimate_is_a_credit() -> None:
    result = reconcile(D(10_000), D(10_500), CT_METER, [D(12_000), D(12_400)])
    assert result.real_units == 20_000
    assert result.adjustment_units == -4_400


def test_reconcile_across_rollover_and_meter_change() -> None:
    assert reconcile(D(99_000), D(500), FIVE_DIGITS, [D(600)]).adjustment_units == 900
    change = MeterChange(FIVE_DIGITS, D(10_100), CT_METER, D(0), date(2026, 3, 10))
    result = reconcile(D(10_000), D(5), CT_METER, [D(150)], meter_change=change)
    assert result.adjustment_units == 100 + 5 * 40 - 150


def test_reconciling_estimates_equals_reading_on_from_the_estimated_value() -> None:
    first = estimate_reading(D(10_000), date(2026, 3, 1), date(2026, 3, 31), HISTORY, FIVE_DIGITS)
    second = estimate_reading(first.value, date(2026, 3, 31), date(2026, 4, 30), HISTORY, FIVE_DIGITS)
    billed = [first.consumption_units, second.consumption_units]
    adjustment = reconcile(D(10_000), D(10_655), FIVE_DIGITS, billed).adjustment_units
    assert adjustment == consumption_between(second.value, D(10_655), FIVE_DIGITS).consumption_units == 55


# anomalies ---------------------------------------------------------------------------

STEADY = [D(100)] * 6
MARCH = date(2026, 3, 31)
FEBRUARY = date(2026, 2, 28)


def reasons(consumption: int, history: list[Decimal], **thresholds: object) -> list[AnomalyReason]:
    found = check_anomalies(D(consumption), history, MARCH, FEBRUARY, AnomalyThresholds(**thresholds))  # type: ignore[arg-type]
    return [anomaly.reason for anomaly in found]


@pytest.mark.parametrize(
    ("consumption", "expected"),
    [
        (200, []),  # exactly twice the average is still normal
        (201, [AnomalyReason.HIGH_CONSUMPTION]),
        (30, []),
        (29, [AnomalyReason.LOW_CONSUMPTION]),
        (0, [AnomalyReason.ZERO_AFTER_USAGE]),
    ],
)
def test_default_thresholds(consumption: int, expected: list[AnomalyReason]) -> None:
    assert reasons(consumption, STEADY) == expected


def test_average_takes_the_last_periods_only() -> None:
    history = [D(10_000)] * 4 + STEADY  # a past high season falls outside the last 6
    assert reasons(250, history) == [AnomalyReason.HIGH_CONSUMPTION]
    assert reasons(250, history, periods=10) == [AnomalyReason.LOW_CONSUMPTION]  # average 4 060


def test_configurable_factors_and_minimum_history() -> None:
    assert reasons(150, STEADY, high_factor=Decimal("1.4")) == [AnomalyReason.HIGH_CONSUMPTION]
    assert reasons(1_000, [D(100)] * 2) == []  # too little history to judge
    assert reasons(1_000, [D(100)] * 2, min_history_periods=2) == [AnomalyReason.HIGH_CONSUMPTION]


def test_zero_after_usage_needs_no_minimum_history() -> None:
    assert reasons(0, [D(50)]) == [AnomalyReason.ZERO_AFTER_USAGE]
    assert reasons(0, [D(0)] * 6) == []
    assert reasons(0, []) == []


def test_supply_that_never_consumed_is_not_judged_by_ratio() -> None:
    assert reasons(500, [D(0)] * 6) == []


def test_reading_date_not_after_previous_is_held() -> None:
    found = check_anomalies(D(100), STEADY, FEBRUARY, FEBRUARY)
    assert [a.reason for a in found] == [AnomalyReason.DATE_NOT_AFTER_PREVIOUS]
    assert (
        found[0].message
        == "La fecha de lectura 28/02/2026 no es posterior a la lectura anterior (28/02/2026)"
    )


def test_anomaly_text_is_spanish_with_the_figures() -> None:
    (anomaly,) = check_anomalies(D(450), STEADY, MARCH, FEBRUARY)
    assert anomaly.message == "Consumo 450 mayor que 2 × el promedio de los últimos 6 períodos (100)"
    (anomaly,) = check_anomalies(D(10), STEADY, MARCH, FEBRUARY)
    assert anomaly.message == "Consumo 10 menor que 0,3 × el promedio de los últimos 6 períodos (100)"


@pytest.mark.parametrize(
    "thresholds",
    [
        {"high_factor": Decimal(1)},
        {"low_factor": Decimal(1)},
        {"min_history_periods": 7},
        {"min_history_periods": 0},
    ],
)
def test_thresholds_are_validated(thresholds: dict[str, object]) -> None:
    with pytest.raises(InvalidInput, match="Control de lecturas"):
        AnomalyThresholds(**thresholds)  # type: ignore[arg-type]


# one reading against the store --------------------------------------------------------


def info(**changes: object) -> SupplyMeterInfo:
    base: dict[str, object] = {
        "supply_number": "1001",
        "meter": CT_METER,
        "last_value": D(10_000),
        "last_date": FEBRUARY,
        "history_units": [D(4_000)] * 6,
    }
    return SupplyMeterInfo(**{**base, **changes})  # type: ignore[arg-type]


def reading(value: int, *, estimated: bool = False) -> ReadingInput:
    return ReadingInput("1001", MARCH, D(value), estimated, "L01")


def test_check_reading_bills_the_consumption() -> None:
    checked = check_reading(reading(10_100), info())
    assert (checked.consumption_units, checked.held_for_review, checked.reconciliation) == (
        4_000,
        False,
        None,
    )


def test_check_reading_holds_an_outlier() -> None:
    checked = check_reading(reading(10_300), info())
    assert checked.consumption_units == 12_000
    assert checked.held_for_review
    assert checked.anomalies[0].reason is AnomalyReason.HIGH_CONSUMPTION


def test_real_reading_after_estimates_bills_the_adjustment() -> None:
    estimated = info(last_value=D(10_110), last_real_value=D(10_000), estimated_units_since_real=[D(4_400)])
    checked = check_reading(reading(10_095), estimated)  # below the over-estimate: a credit, not an error
    assert checked.reconciliation is not None
    assert checked.consumption_units == 95 * 40 - 4_400 == -600
    # A low (even negative) adjustment is what settling an over-estimate looks like: not an anomaly.
    # (The readings service holds a negative one for a person to credit.)
    assert checked.anomalies == ()


def test_estimated_reading_after_estimate_is_not_reconciled() -> None:
    estimated = info(last_value=D(10_110), last_real_value=D(10_000), estimated_units_since_real=[D(4_400)])
    checked = check_reading(reading(10_210, estimated=True), estimated)
    assert (checked.consumption_units, checked.reconciliation) == (4_000, None)


def test_check_reading_refuses_an_implausible_value() -> None:
    with pytest.raises(ImplausibleReading):
        check_reading(reading(9_000), info())

