"""Art. 42 distribution: a hand-worked year to the cent, and its invariants."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InvalidInput
from domain.money import D
from domain.surplus import SurplusInputs, check_interest_rate, largest_remainder, propose

# The hand-worked year (the same figures the integration test books through real events):
#   operations billed (service charges, net of VAT and cuota capital):
#     associates 000001 120,000.00; 000002 45,000.00; 000003 35,000.00 (200,000.00)
#     non-associate 50,000.00                                           (total 250,000.00)
#   result 250,000.00 − expenses 199,876.54 = 50,123.46
#   special reserve 50,123.46 × 50,000 / 250,000 = 10,024.692 → 10,024.69 (half-even)
#   associates' surplus 50,123.46 − 10,024.69 = 40,098.77; prior losses 3,000.00 absorbed
#   distributable 37,098.77; each 5% reserve 1,854.9385 → 1,854.94 (× 3 = 5,564.82)
#   interest 10% on capital at year end: 6,500.00 → 650.00; 2,000.00 → 200.00; 1,333.33 → 133.33
#   retorno 37,098.77 − 5,564.82 − 983.33 = 30,550.62, by operations (60% / 22.5% / 17.5%):
#     18,330.372 → 18,330.37; 6,873.8895 → 6,873.88 + 0.01; 5,346.3585 → 5,346.35 + 0.01
#     (the two cents left go to the largest remainders: 0.0095 and 0.0085, not 0.002)
HAND_WORKED = SurplusInputs(
    year=2026,
    result=D("50123.46"),
    operations={"000001": D("120000.00"), "000002": D("45000.00"), "000003": D("35000.00")},
    non_associate_operations=D("50000.00"),
    prior_losses=D("3000.00"),
    capital={"000001": D("6500.00"), "000002": D("2000.00"), "000003": D("1333.33")},
    interest_rate_percent=D("10"),
)


def test_hand_worked_distribution_to_the_cent() -> None:
    p = propose(HAND_WORKED)
    assert (p.special_reserve, p.associates_surplus, p.loss_offset, p.distributable) == (
        D("10024.69"),
        D("40098.77"),
        D("3000.00"),
        D("37098.77"),
    )
    assert (p.legal_reserve, p.assistance_fund, p.education_fund) == (D("1854.94"),) * 3
    assert (p.interest_total, p.retorno_total) == (D("983.33"), D("30550.62"))
    assert [(s.member_number, s.interest, s.retorno) for s in p.shares] == [
        ("000001", D("650.00"), D("18330.37")),
        ("000002", D("200.00"), D("6873.89")),
        ("000003", D("133.33"), D("5346.36")),
    ]
    assert p.parts() == D("50123.46")


def test_losses_larger_than_the_surplus_absorb_all_of_it() -> None:
    p = propose(SurplusInputs(2026, D("1000.00"), {"1": D("10")}, D("0"), D("2500.00"), {}))
    assert (p.loss_offset, p.distributable, p.legal_reserve, p.retorno_total) == (
        D("1000.00"),
        D("0.00"),
        D("0.00"),
        D("0.00"),
    )
    assert p.shares[0].retorno == D("0.00")


def test_a_loss_is_not_distributed() -> None:
    with pytest.raises(InvalidInput, match="no tuvo excedente"):
        propose(SurplusInputs(2026, D("-10.00"), {"1": D("10")}, D("0"), D("0"), {}))


def test_interest_that_leaves_nothing_for_the_reserves_is_refused() -> None:
    inputs = SurplusInputs(2026, D("100.00"), {"1": D("10")}, D("0"), D("0"), {"1": D("10000.00")}, D("30"))
    with pytest.raises(InvalidInput, match="baje la tasa"):
        propose(inputs)


def test_interest_rate_capped_at_bna_discount_rate_plus_one_point() -> None:
    check_interest_rate(D("33"), D("32"))
    with pytest.raises(InvalidInput, match=r"mayor que el tope de 33%"):
        check_interest_rate(D("33.01"), D("32"))


def test_largest_remainder_breaks_ties_by_member_number() -> None:
    assert largest_remainder(D("0.02"), {"b": D("1"), "a": D("1"), "c": D("1")}) == {
        "a": D("0.01"),
        "b": D("0.01"),
        "c": D("0.00"),
    }


cents = st.integers(min_value=1, max_value=10**11).map(lambda c: Decimal(c) / 100)
weights = st.integers(min_value=1, max_value=10**9).map(Decimal)


@settings(max_examples=300, deadline=None)
@given(
    result=cents,
    operations=st.dictionaries(st.from_regex(r"[0-9]{6}", fullmatch=True), weights, min_size=1, max_size=30),
    non_associates=st.integers(min_value=0, max_value=10**9).map(Decimal),
    prior_losses=st.integers(min_value=0, max_value=10**11).map(lambda c: Decimal(c) / 100),
    capital_cents=st.integers(min_value=0, max_value=10**8),
    rate=st.sampled_from([D("0"), D("0.5"), D("3"), D("7.25")]),
)
def test_parts_always_add_up_to_the_surplus_and_no_retorno_is_negative(
    result: Decimal,
    operations: dict[str, Decimal],
    non_associates: Decimal,
    prior_losses: Decimal,
    capital_cents: int,
    rate: Decimal,
) -> None:
    capital = {member: Decimal(capital_cents) / 100 for member in operations}
    inputs = SurplusInputs(2026, result, operations, non_associates, prior_losses, capital, rate)
    try:
        p = propose(inputs)
    except InvalidInput as refused:
        assert "baje la tasa" in str(refused)  # the only refusal for a positive result
        return
    assert p.parts() == result
    assert sum((s.retorno for s in p.shares), D("0")) == p.retorno_total
    assert all(s.retorno >= 0 and s.interest >= 0 for s in p.shares)
    amounts = (p.special_reserve, p.loss_offset, p.legal_reserve, p.interest_total, p.retorno_total)
    assert all(a >= 0 and a == a.quantize(D("0.01")) for a in amounts)
