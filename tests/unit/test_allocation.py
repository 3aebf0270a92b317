"""Payment allocation: hand-worked cases, then hypothesis properties (conservation of money)."""

from __future__ import annotations

import doctest
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import domain.allocation
from domain.allocation import (
    Allocation,
    AppliedAmount,
    DocumentChosenTwice,
    DocumentNotOpen,
    DuplicateOpenDocument,
    OpenDocument,
    age_order,
    allocate_payment,
    apply_credit,
    documents_left_open,
)
from domain.errors import InvalidAmount
from domain.money import ZERO, from_cents

BASE = date(2024, 1, 1)


def doc(document_id: str, due: date, balance: str, issued: date | None = None) -> OpenDocument:
    issue_date = issued or due - timedelta(days=10)
    return OpenDocument(document_id, f"FC B {document_id}", issue_date, due, Decimal(balance))


MARCH = doc("A", date(2024, 3, 10), "1000.00")
APRIL = doc("B", date(2024, 4, 10), "500.00")


def applied(allocation: Allocation) -> dict[str, Decimal]:
    return {a.document_id: a.amount for a in allocation.applied}


def balances(documents: tuple[OpenDocument, ...] | list[OpenDocument]) -> dict[str, Decimal]:
    return {d.document_id: d.balance for d in documents}


# --- hand-worked cases -------------------------------------------------------------------------


def test_exact_payment_of_two_documents() -> None:
    # 1,000.00 + 500.00 = 1,500.00 received: both paid, nothing left over.
    result = allocate_payment([APRIL, MARCH], Decimal("1500.00"))
    assert result.applied == (AppliedAmount("A", Decimal("1000.00")), AppliedAmount("B", Decimal("500.00")))
    assert result.credit == ZERO
    assert documents_left_open([MARCH, APRIL], result) == ()


def test_partial_payment_goes_oldest_first_and_leaves_the_second_open() -> None:
    # 1,200.00: March takes its 1,000.00, April takes the remaining 200.00 → April still owes 300.00.
    result = allocate_payment([APRIL, MARCH], Decimal("1200.00"))
    assert applied(result) == {"A": Decimal("1000.00"), "B": Decimal("200.00")}
    assert result.credit == ZERO
    left = documents_left_open([MARCH, APRIL], result)
    assert balances(left) == {"B": Decimal("300.00")}
    assert left[0].label == "FC B B"


def test_partial_payment_smaller_than_the_oldest_document() -> None:
    # 400.00 on a 1,000.00 document: it stays open for 600.00; the newer one gets nothing.
    result = allocate_payment([MARCH, APRIL], Decimal("400.00"))
    assert result.applied == (AppliedAmount("A", Decimal("400.00")),)
    assert balances(documents_left_open([MARCH, APRIL], result)) == {
        "A": Decimal("600.00"),
        "B": Decimal("500.00"),
    }


def test_chosen_order_overrides_age() -> None:
    # Payer chooses April then March: April 500.00 in full, March gets the other 700.00.
    result = allocate_payment([MARCH, APRIL], Decimal("1200.00"), chosen=["B", "A"])
    assert result.applied == (AppliedAmount("B", Decimal("500.00")), AppliedAmount("A", Decimal("700.00")))
    assert result.credit == ZERO


def test_chosen_documents_only_the_rest_becomes_credit() -> None:
    # Only April chosen: 1,200.00 − 500.00 = 700.00 credit; March is not touched.
    result = allocate_payment([MARCH, APRIL], Decimal("1200.00"), chosen=["B"])
    assert applied(result) == {"B": Decimal("500.00")}
    assert result.credit == Decimal("700.00")


def test_empty_choice_means_oldest_first() -> None:
    assert allocate_payment([APRIL, MARCH], Decimal("10.00"), chosen=[]).applied[0].document_id == "A"


def test_overpayment_becomes_credit_applied_to_the_next_documents() -> None:
    # 2,000.00 on 1,500.00 owed → 500.00 credit; next month's 300.00 bill is paid from it, 200.00 remain.
    result = allocate_payment([MARCH, APRIL], Decimal("2000.00"))
    assert result.credit == Decimal("500.00")
    may = doc("C", date(2024, 5, 10), "300.00")
    june = doc("D", date(2024, 6, 10), "300.00")
    from_credit = apply_credit([june, may], result.credit)
    assert from_credit.applied == (
        AppliedAmount("C", Decimal("300.00")),
        AppliedAmount("D", Decimal("200.00")),
    )
    assert from_credit.credit == ZERO


def test_credit_left_unused_when_documents_are_fewer() -> None:
    result = apply_credit([doc("C", date(2024, 5, 10), "80.00")], Decimal("100.00"))
    assert result.applied == (AppliedAmount("C", Decimal("80.00")),)
    assert result.credit == Decimal("20.00")
    assert result.total == Decimal("100.00")


def test_no_credit_applies_nothing_and_negative_credit_is_refused() -> None:
    assert apply_credit([MARCH], ZERO) == Allocation(applied=(), credit=ZERO)
    with pytest.raises(InvalidAmount, match="negativo"):
        apply_credit([MARCH], Decimal("-1.00"))


def test_payment_with_nothing_open_is_all_credit() -> None:
    assert allocate_payment([], Decimal("75.50")) == Allocation(applied=(), credit=Decimal("75.50"))


@pytest.mark.parametrize("chosen_id", ["Z-999", "paid-already"])
def test_choosing_a_document_that_is_not_open_names_it(chosen_id: str) -> None:
    with pytest.raises(DocumentNotOpen, match=f"El documento {chosen_id} no existe") as caught:
        allocate_payment([MARCH, APRIL], Decimal("100.00"), chosen=["A", chosen_id])
    assert caught.value.document_id == chosen_id


def test_choosing_a_document_twice_is_refused() -> None:
    with pytest.raises(DocumentChosenTwice, match="B"):
        allocate_payment([MARCH, APRIL], Decimal("100.00"), chosen=["B", "A", "B"])


def test_a_document_listed_twice_as_open_is_refused() -> None:
    with pytest.raises(DuplicateOpenDocument, match="A"):
        allocate_payment([MARCH, MARCH], Decimal("100.00"))


def test_cents_are_exact() -> None:
    # 100.16 = 100.10 + 0.05 + 0.01: the third document keeps 33.32 open.
    documents = [
        doc("A", date(2024, 1, 10), "100.10"),
        doc("B", date(2024, 2, 10), "0.05"),
        doc("C", date(2024, 3, 10), "33.33"),
    ]
    result = allocate_payment(documents, Decimal("100.16"))
    assert applied(result) == {"A": Decimal("100.10"), "B": Decimal("0.05"), "C": Decimal("0.01")}
    assert balances(documents_left_open(documents, result)) == {"C": Decimal("33.32")}


def test_whole_amounts_come_back_in_cents() -> None:
    result = allocate_payment([doc("A", date(2024, 1, 10), "10")], Decimal("15"))
    assert str(result.applied[0].amount) == "10.00"
    assert str(result.credit) == "5.00"


@pytest.mark.parametrize(
    ("amount", "message"),
    [("0", "mayor que cero"), ("-5.00", "mayor que cero"), ("1.005", "más de dos decimales")],
)
def test_amount_must_be_positive_cents(amount: str, message: str) -> None:
    with pytest.raises(InvalidAmount, match=message):
        allocate_payment([MARCH], Decimal(amount))


def test_open_document_balance_must_be_positive_cents() -> None:
    with pytest.raises(InvalidAmount, match="saldo del documento Z"):
        allocate_payment([doc("Z", date(2024, 1, 10), "0.00")], Decimal("1.00"))


def test_ties_break_by_issue_date_then_id() -> None:
    due = date(2024, 3, 10)
    late_issue = doc("A", due, "1.00", issued=date(2024, 3, 1))
    early_issue = doc("B", due, "1.00", issued=date(2024, 2, 1))
    same_as_early = doc("C", due, "1.00", issued=date(2024, 2, 1))
    ordered = age_order([same_as_early, late_issue, early_issue])
    assert [d.document_id for d in ordered] == ["B", "C", "A"]


def test_docstring_examples() -> None:
    assert doctest.testmod(domain.allocation, globs=vars(domain.allocation).copy()).failed == 0


# --- properties --------------------------------------------------------------------------------

cents = st.integers(min_value=1, max_value=10_000_000).map(from_cents)


@st.composite
def open_documents(draw: st.DrawFn, min_size: int = 0) -> list[OpenDocument]:
    rows = draw(
        st.lists(st.tuples(st.integers(0, 60), st.integers(0, 20), cents), min_size=min_size, max_size=8)
    )
    return [
        OpenDocument(
            f"D{i:02d}", f"doc {i}", BASE + timedelta(days=due - back), BASE + timedelta(days=due), bal
        )
        for i, (due, back, bal) in enumerate(rows)
    ]


@st.composite
def chosen_ids(draw: st.DrawFn, documents: list[OpenDocument]) -> list[str]:
    ids = draw(st.permutations([d.document_id for d in documents]))
    return ids[: draw(st.integers(0, len(ids)))]


def check_never_over_applies(documents: list[OpenDocument], result: Allocation) -> None:
    by_id = balances(documents)
    ids = [a.document_id for a in result.applied]
    assert len(ids) == len(set(ids))
    for part in result.applied:
        assert ZERO < part.amount <= by_id[part.document_id]
    assert result.credit >= ZERO


@settings(max_examples=300)
@given(st.data(), open_documents(), cents)
def test_conservation_and_no_over_application(
    data: st.DataObject, documents: list[OpenDocument], amount: Decimal
) -> None:
    chosen = data.draw(st.one_of(st.none(), chosen_ids(documents)))
    result = allocate_payment(documents, amount, chosen=chosen)
    assert result.total_applied + result.credit == amount
    check_never_over_applies(documents, result)
    left = documents_left_open(documents, result)
    assert sum((d.balance for d in left), ZERO) + result.total_applied == sum(
        (d.balance for d in documents), ZERO
    )


@settings(max_examples=300)
@given(open_documents(), cents)
def test_oldest_first_pays_no_later_document_while_an_earlier_one_stays_open(
    documents: list[OpenDocument], amount: Decimal
) -> None:
    result = allocate_payment(documents, amount)
    by_id = applied(result)
    ordered = age_order(documents)
    paid_in_full = [by_id.get(d.document_id, ZERO) == d.balance for d in ordered]
    for i, document in enumerate(ordered):
        if document.document_id in by_id:
            assert all(paid_in_full[:i]), "a later document got money while an earlier one stays open"
    if result.credit > ZERO:
        assert all(paid_in_full)


@settings(max_examples=300)
@given(open_documents(), st.lists(cents, min_size=1, max_size=5), st.integers(0, 500_000).map(from_cents))
def test_any_split_of_credit_and_receipts_pays_like_one_payment_of_the_total(
    documents: list[OpenDocument], receipts: list[Decimal], existing_credit: Decimal
) -> None:
    from_credit = apply_credit(documents, existing_credit)
    remaining = documents_left_open(documents, from_credit)
    credit = from_credit.credit
    for receipt in receipts:
        result = allocate_payment(remaining, receipt)
        remaining = documents_left_open(remaining, result)
        credit += result.credit
    at_once = allocate_payment(documents, existing_credit + sum(receipts, ZERO))
    assert balances(remaining) == balances(documents_left_open(documents, at_once))
    assert credit == at_once.credit
