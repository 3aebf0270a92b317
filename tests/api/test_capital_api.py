"""Member capital and the surplus distribution through the API, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

from api import year_end
from tests.api.conftest import Web

BANK = "1.1.01.10"


def test_capital_subscribe_integrate_transfer_through_the_api(web: Web) -> None:
    back_office = web.as_("back_office")
    subscribed = web.client.post(
        "/api/v1/members/1/capital/subscribe",
        json={"amount": "1000.00", "integrated": "100.00", "account": BANK, "effective_date": "2026-03-01"},
        headers=back_office,
    )
    assert subscribed.status_code == 200, subscribed.text
    before = web.event_count()
    too_little = web.client.post(
        "/api/v1/members/2/capital/subscribe",
        json={"amount": "1000.00", "integrated": "10.00", "account": BANK, "effective_date": "2026-03-01"},
        headers=back_office,
    )
    assert too_little.status_code == 422 and "5" in too_little.json()["message"]
    assert web.event_count() == before
    integrated = web.client.post(
        "/api/v1/members/1/capital/integrate",
        json={"amount": "400.00", "account": BANK, "effective_date": "2026-03-10"},
        headers=back_office,
    )
    assert integrated.status_code == 200, integrated.text
    transfer = web.client.post(
        "/api/v1/capital/transfers",
        json={
            "from_member": "1",
            "to_member": "2",
            "amount": "200.00",
            "board_minute": "Acta 7",
            "board_date": "2026-03-15",
            "effective_date": "2026-03-20",
        },
        headers=back_office,
    )
    assert transfer.status_code == 200, transfer.text
    capital_of_2 = web.client.get("/api/v1/members/2/capital", headers=web.as_("auditor")).json()
    assert capital_of_2 == {"member_number": "000002", "integrated": "200.00"}
    denied = web.client.post(
        "/api/v1/members/1/capital/integrate",
        json={"amount": "1.00", "account": BANK},
        headers=web.as_("auditor"),
    )
    assert denied.status_code == 403


def test_surplus_needs_a_closed_year_and_is_approved_once(web: Web) -> None:
    accountant = web.as_("accountant")
    open_year = web.client.get("/api/v1/surplus/2026", headers=accountant)
    assert open_year.status_code == 409 and "no está cerrado" in open_year.json()["message"]
    year_end.open_year(web.asiento, 2027, None, None, recorded_by="test")
    year_end.close_year(web.asiento, 2026, recorded_by="test")
    proposal = web.client.get("/api/v1/surplus/2026", headers=accountant).json()
    # Every destination adds up to the year's surplus, to the cent.
    total = sum(
        Decimal(proposal[k])
        for k in (
            "special_reserve",
            "loss_offset",
            "legal_reserve",
            "assistance_fund",
            "education_fund",
            "interest_total",
            "retorno_total",
        )
    )
    assert total == Decimal(proposal["result"]) > 0
    approval = {"assembly_minute": "Asamblea 1", "assembly_date": "2027-04-30", "retorno_to": "account"}
    first = web.client.post("/api/v1/surplus/2026/approve", json=approval, headers=accountant)
    assert first.status_code == 200, first.text
    again = web.client.post("/api/v1/surplus/2026/approve", json=approval, headers=accountant)
    assert again.status_code == 409
