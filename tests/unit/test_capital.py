"""Member capital rules without I/O: subscription, transfer, the reimbursement queue."""

from __future__ import annotations

from datetime import date

import pytest

from domain.capital import ReimbursementQueue, reimbursement_cap
from domain.errors import Conflict, InvalidInput
from domain.members import Member
from domain.money import D


def associate(number: str, *, associate: bool = True) -> Member:
    return Member.register(
        number=number,
        name=f"Socio {number}",
        document_type="DNI",
        document_number="23456789",
        vat_condition="CF",
        address="Mitre 5",
        admission_date=date(2025, 1, 10),
        board_minute="Acta 3",
        associate=associate,
        recorded_by="test",
    )


def test_subscription_integrates_at_least_five_percent_at_once() -> None:
    member = associate("1")
    with pytest.raises(InvalidInput, match=r"entre el 5% \(\$ 1000.00\)"):
        member.subscribe_shares(
            "20000.00", date(2026, 1, 10), integrated="999.99", account="1.1.01.01", recorded_by="test"
        )
    member.subscribe_shares(
        "20000.00", date(2026, 1, 10), integrated="1000.00", account="1.1.01.01", recorded_by="test"
    )
    with pytest.raises(InvalidInput, match=r"solo tiene \$ 19000.00 suscripto sin integrar"):
        member.integrate_shares("19000.01", date(2026, 2, 1), account="1.1.01.01", recorded_by="test")
    member.integrate_shares("19000.00", date(2026, 2, 1), account="1.1.01.01", recorded_by="test")
    assert (member.shares_subscribed, member.shares_integrated) == (D("20000.00"), D("20000.00"))


def test_non_associates_hold_no_capital() -> None:
    customer = associate("9", associate=False)
    with pytest.raises(InvalidInput, match="usuario no asociado"):
        customer.subscribe_shares(
            "100.00", date(2026, 1, 10), integrated="100.00", account="1.1.01.01", recorded_by="test"
        )
    with pytest.raises(InvalidInput, match="usuario no asociado"):
        associate("1").transfer_shares(
            customer,
            "1.00",
            date(2026, 3, 5),
            capital_held=D("10.00"),
            board_minute="Acta 9",
            board_date=date(2026, 3, 1),
            recorded_by="test",
        )


def test_transfer_needs_the_board_minute_and_capital_and_is_registered_after_approval() -> None:
    giver, taker = associate("1"), associate("2")

    def attempt(amount: str, minute: str, board: date) -> None:
        giver.transfer_shares(
            taker,
            amount,
            date(2026, 3, 5),
            capital_held=D("1000.00"),
            board_minute=minute,
            board_date=board,
            recorded_by="test",
        )

    with pytest.raises(InvalidInput, match="requiere el acta del consejo"):
        attempt("100.00", " ", date(2026, 3, 1))
    with pytest.raises(InvalidInput, match=r"tiene \$ 1.000,00 de capital integrado"):
        attempt("1000.01", "Acta 9", date(2026, 3, 1))
    with pytest.raises(InvalidInput, match="no puede ser anterior"):
        attempt("100.00", "Acta 9", date(2026, 3, 6))
    attempt("1000.00", "Acta 9", date(2026, 3, 1))
    (event,) = [e for e in giver.collect_events() if type(e).__name__ == "CapitalTransferred"]
    assert (event.from_member, event.to_member, event.amount) == ("000001", "000002", D("1000.00"))  # type: ignore[attr-defined]


def test_reimbursement_cap_rounds_down_to_the_cent() -> None:
    assert reimbursement_cap(D("9833.33"), D("5")) == D("491.66")  # 491.6665


def pay(queue: ReimbursementQueue, year: int, capital: str, on: date) -> list[tuple[str, str]]:
    queue.pay(
        fiscal_year=year,
        base_year=year - 1,
        integrated_capital=D(capital),
        cap_percent=D("5"),
        account="1.1.01.10",
        effective_date=on,
        recorded_by="test",
    )
    last = queue.collect_events()[-1]
    return [(ln["member_number"], str(ln["amount"])) for ln in last.lines]  # type: ignore[attr-defined]


def test_queue_pays_in_request_order_within_the_yearly_cap() -> None:
    queue = ReimbursementQueue()
    queue.request("000003", D("5000.00"), date(2026, 2, 3), recorded_by="test")
    queue.request("000001", D("30000.00"), date(2026, 2, 1), recorded_by="test")  # asked first
    queue.request("000002", D("40000.00"), date(2026, 2, 2), recorded_by="test")
    with pytest.raises(Conflict, match="ya pidió"):
        queue.request("000001", D("1.00"), date(2026, 2, 4), recorded_by="test")
    # cap 5% of 1,000,000.00 = 50,000.00: 000001 whole, 000002 in part; 000003 waits though it would fit
    assert pay(queue, 2026, "1000000.00", date(2026, 6, 1)) == [
        ("000001", "30000.00"),
        ("000002", "20000.00"),
    ]
    with pytest.raises(Conflict, match="ya está usado"):
        pay(queue, 2026, "1000000.00", date(2026, 7, 1))
    assert pay(queue, 2027, "1000000.00", date(2027, 6, 1)) == [("000002", "20000.00"), ("000003", "5000.00")]
    assert queue.waiting() == []
    with pytest.raises(Conflict, match="No hay pedidos"):
        pay(queue, 2028, "1000000.00", date(2028, 6, 1))


def test_members_registered_before_version_2_were_associates() -> None:
    import json

    from eventsourcing.persistence import StoredEvent

    from adapters.application import AsientoApp

    app = AsientoApp(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    (registered,) = associate("1", associate=False).collect_events()
    stored = app.mapper.to_stored_event(registered)
    state = json.loads(stored.state)
    assert (state.pop("class_version"), state.pop("associate")) == (2, False)
    v1 = StoredEvent(
        stored.originator_id, stored.originator_version, stored.topic, json.dumps(state).encode()
    )
    decoded = app.mapper.to_domain_event(v1)
    assert (decoded.associate, decoded.number) == (True, "000001")  # type: ignore[attr-defined]


def test_admission_minute_recorded_once_for_associates_registered_without_it() -> None:
    member = Member.register(
        number="5",
        name="Socio 5",
        document_type="DNI",
        document_number="23456789",
        vat_condition="CF",
        address="Mitre 5",
        admission_date=date(2025, 1, 10),
        recorded_by="test",
    )
    member.record_admission_minute(" Acta 31 ", recorded_by="test")
    assert member.board_minute == "Acta 31"
    with pytest.raises(Conflict, match="ya tiene acta: Acta 31"):
        member.record_admission_minute("Acta 32", recorded_by="test")
    with pytest.raises(InvalidInput, match="no tiene acta de ingreso"):
        associate("9", associate=False).record_admission_minute("Acta 1", recorded_by="test")
