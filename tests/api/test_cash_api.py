"""Cash desk, collections and treasury through the API, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from projections.commercial_tables import payable_documents, receipts
from tests.api.conftest import DEBT_MEMBER_1, Web
from tests.integration.test_collections import payment, write

SESSION = {"desk": "CAJA1", "opening_float": "1000", "effective_date": "2026-03-10"}


def post(web: Web, path: str, body: dict[str, Any], role: str = "cashier", key: str | None = None) -> Any:
    headers = web.as_(role) | ({"Idempotency-Key": key} if key else {})
    return web.client.post(path, json=body, headers=headers)


def debt(web: Web, member: str = "1") -> str:
    answer = web.client.get(
        f"/api/v1/members/{member}/statement?as_of=2026-03-10", headers=web.as_("cashier")
    )
    return str(answer.json()["debt"])


def receipt_rows(web: Web) -> int:
    with web.asiento.read() as conn:
        return int(conn.execute(select(func.count()).select_from(receipts)).scalar_one())


def test_open_collect_and_close_with_the_count(web: Web) -> None:
    opened = post(web, "/api/v1/cash-sessions", SESSION)
    assert opened.status_code == 201
    session = opened.json()["session_id"]
    assert opened.json()["cashier"] == "cashier"
    listed = web.client.get("/api/v1/cash-sessions", headers=web.as_("cashier")).json()
    assert [(s["session_id"], s["desk"], s["cashier"]) for s in listed] == [(session, "CAJA1", "cashier")]
    pay = {
        "member_number": "1",
        "session_id": session,
        "effective_date": "2026-03-10",
        "instruments": [{"kind": "cash", "amount": "50000"}],
    }
    receipt = post(web, "/api/v1/receipts", pay).json()
    assert receipt["allocations"] == [{"label": "B 00001-00000001", "amount": "50000.00"}]
    assert debt(web) == "27152.88"
    state = web.client.get(f"/api/v1/cash-sessions/{session}", headers=web.as_("cashier")).json()
    assert state["expected"] == {"cash": "51000.00"}
    close = {"counted": {"cash": "50990"}, "effective_date": "2026-03-10"}
    closed = post(web, f"/api/v1/cash-sessions/{session}/close", close)
    assert (closed.status_code, closed.json()["closed"]) == (200, True)
    again = post(web, f"/api/v1/cash-sessions/{session}/close", close)
    assert again.status_code == 409
    assert "está cerrada" in again.json()["message"]
    late = post(web, "/api/v1/receipts", pay)
    assert late.status_code == 409
    closing = web.client.get(
        "/api/v1/reports/cash-closing?as_of=2026-03-10", headers=web.as_("cashier")
    ).json()
    assert closing["rows"] == [
        ["CAJA1", "cashier", "Efectivo", "50000.00"],
        ["", "Total", "Efectivo", "50000.00"],
    ]


def test_a_retried_receipt_with_the_same_key_is_applied_once(web: Web) -> None:
    pay = {
        "member_number": "1",
        "effective_date": "2026-03-10",
        "instruments": [{"kind": "cash", "amount": "1000"}],
    }
    first = post(web, "/api/v1/receipts", pay, key="caja1-000123")
    second = post(web, "/api/v1/receipts", pay, key="caja1-000123")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert receipt_rows(web) == 1
    assert debt(web) == "76152.88"
    other = post(
        web, "/api/v1/receipts", {**pay, "instruments": [{"kind": "cash", "amount": "7"}]}, key="caja1-000123"
    )
    assert other.status_code == 409
    someone_else = post(web, "/api/v1/receipts", {**pay, "member_number": "2"}, key="caja1-000123")
    assert someone_else.status_code == 409
    assert receipt_rows(web) == 1
    assert post(web, "/api/v1/receipts", pay, key="caja1-000124").status_code == 201
    assert debt(web) == "75152.88"


def test_a_scanned_barcode_pays_that_bill(web: Web) -> None:
    with web.asiento.read() as conn:
        barcode = conn.execute(select(payable_documents.c.barcode)).scalar_one()
    pay = {
        "barcode": barcode,
        "effective_date": "2026-03-10",
        "instruments": [{"kind": "cash", "amount": DEBT_MEMBER_1}],
    }
    receipt = post(web, "/api/v1/receipts", pay)
    assert receipt.status_code == 201, receipt.text
    assert receipt.json()["member_number"] == "000001"
    assert debt(web) == "0.00"
    unknown = post(web, "/api/v1/receipts", {**pay, "barcode": "1" * len(barcode)})
    assert unknown.status_code == 404


def test_bad_receipts_are_422_and_write_nothing(web: Web) -> None:
    before = web.event_count()
    cases = [
        {"effective_date": "2026-03-10", "instruments": [{"kind": "cash", "amount": "10"}]},
        {"member_number": "1", "instruments": [{"kind": "bitcoin", "amount": "10"}]},
        {"member_number": "1", "instruments": [{"kind": "cash", "amount": "-5"}]},
        {"member_number": "1", "instruments": [{"kind": "cheque", "amount": "5"}]},
        {"member_number": "1", "instruments": []},
    ]
    for body in cases:
        answer = post(web, "/api/v1/receipts", body)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.json()["error"] == "invalid_input"
    assert (
        post(
            web, "/api/v1/receipts", {"member_number": "99", "instruments": [{"kind": "cash", "amount": "1"}]}
        ).status_code
        == 404
    )
    assert web.event_count() == before


def test_annulment_needs_the_supervisor_and_reopens_the_debt(web: Web) -> None:
    pay = {
        "member_number": "1",
        "effective_date": "2026-03-10",
        "instruments": [{"kind": "cash", "amount": "1000"}],
    }
    receipt = post(web, "/api/v1/receipts", pay).json()["receipt_id"]
    annul = {"reason": "Billete falso", "effective_date": "2026-03-10"}
    assert post(web, f"/api/v1/receipts/{receipt}/annul", annul).status_code == 403
    done = post(web, f"/api/v1/receipts/{receipt}/annul", annul, role="collections_supervisor")
    assert (done.status_code, done.json()["annulled"]) == (200, True)
    assert debt(web) == DEBT_MEMBER_1
    twice = post(web, f"/api/v1/receipts/{receipt}/annul", annul, role="collections_supervisor")
    assert twice.status_code == 409
    assert (
        web.client.get(f"/api/v1/receipts/{receipt}", headers=web.as_("cashier")).json()["annulled"] is True
    )
    assert web.client.get(f"/api/v1/receipts/{'0' * 32}", headers=web.as_("cashier")).status_code == 404


def test_treasury_movement_is_idempotent_and_shows_in_the_balances(web: Web) -> None:
    move = {
        "kind": "cash_deposit",
        "from_account": "1.1.01.01",
        "to_account": "1.1.01.10",
        "amount": "450.50",
        "reference": "Boleta 1",
        "effective_date": "2026-03-11",
    }
    first = post(web, "/api/v1/treasury/movements", move, role="accountant", key="dep-1")
    second = post(web, "/api/v1/treasury/movements", move, role="accountant", key="dep-1")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["movement_id"] == second.json()["movement_id"]
    balances = web.client.get(
        "/api/v1/treasury/balances?as_of=2026-03-31", headers=web.as_("accountant")
    ).json()
    assert {(b["code"], b["balance"]) for b in balances} == {
        ("1.1.01.01", "-450.50"),
        ("1.1.01.10", "450.50"),
    }
    unknown = post(web, "/api/v1/treasury/movements", {**move, "to_account": "9.9.9"}, role="accountant")
    assert unknown.status_code == 404
    assert post(web, "/api/v1/treasury/movements", move).status_code == 403


def test_a_collection_file_pays_once_and_twice_is_refused(web: Web, tmp_path: Path) -> None:
    with web.asiento.read() as conn:
        barcode = conn.execute(select(payable_documents.c.barcode)).scalar_one()
    path = write(tmp_path, "rendicion.txt", [payment(1, barcode, Decimal(DEBT_MEMBER_1), date(2026, 2, 10))])
    supervisor = web.as_("collections_supervisor")

    def send(role_headers: dict[str, str]) -> Any:
        return web.client.post(
            "/api/v1/collection-files",
            data={"network": "pagofacil"},
            files={"file": ("rendicion.txt", path.read_bytes(), "text/plain")},
            headers=role_headers,
        )

    assert send(web.as_("cashier")).status_code == 403
    answer = send(supervisor)
    assert answer.status_code == 201, answer.text
    summary = answer.json()["summary"]
    assert (summary["receipts"], summary["in_suspense"], summary["collected"]) == (1, 0, DEBT_MEMBER_1)
    assert debt(web) == "0.00"
    again = send(supervisor)
    assert again.status_code == 409
    assert again.json()["message"] == "El archivo rendicion.txt ya estaba registrado: no se registró de nuevo"
