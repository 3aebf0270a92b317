"""Chart of accounts, reversals of manual entries, the audit trail and the hash chain through the API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.api.conftest import Web

UNKNOWN_ID = "0" * 31 + "1"
ENTRY = {
    "effective_date": "2026-03-10",
    "description": "Póliza de seguro de marzo",
    "lines": [
        {"account": "5.3.04", "debit": "1234.56"},
        {"account": "1.1.01.10", "credit": "1234.56"},
    ],
}
NEW_ACCOUNT = {
    "code": "5.3.09",
    "name": "Gastos de auditoría externa",
    "account_type": "expense",
    "parent_code": "5.3",
}


def post(web: Web, path: str, body: dict[str, Any], role: str = "accountant", key: str | None = None) -> Any:
    headers = web.as_(role) | ({"Idempotency-Key": key} if key else {})
    return web.client.post(path, json=body, headers=headers)


def balance(web: Web, code: str, as_of: str = "2026-12-31") -> Decimal:
    tb = web.client.get(f"/api/v1/reports/trial-balance?as_of={as_of}", headers=web.as_("auditor")).json()
    return sum((Decimal(r["balance"]) for r in tb["rows"] if r["code"] == code), Decimal(0))


def posted_entry(web: Web) -> str:
    answer = post(web, "/api/v1/journal/entries", ENTRY, key="seguro-marzo")
    assert answer.status_code == 201, answer.text
    return str(answer.json()["entry_id"])


# -- chart of accounts ----------------------------------------------------------------------------------
def test_an_account_is_added_to_the_chart_and_used(web: Web) -> None:
    answer = post(web, "/api/v1/accounts", NEW_ACCOUNT)
    assert answer.status_code == 201, answer.text
    assert answer.json() == {
        "code": "5.3.09",
        "name": "Gastos de auditoría externa",
        "account_type": "expense",
        "parent_code": "5.3",
        "header": False,
        "is_open": True,
    }
    listed = web.client.get("/api/v1/accounts/5.3.09", headers=web.as_("auditor")).json()
    assert listed["name"] == "Gastos de auditoría externa"
    entry = {**ENTRY, "lines": [{**ENTRY["lines"][0], "account": "5.3.09"}, ENTRY["lines"][1]]}
    assert post(web, "/api/v1/journal/entries", entry).status_code == 201
    assert balance(web, "5.3.09") == Decimal("1234.56")
    events = web.client.get(
        "/api/v1/trace/accounts/5.3.09?as_of=2026-12-31", headers=web.as_("auditor")
    ).json()
    assert events["entries"][0]["recorded_by"] == "accountant"


def test_adding_an_account_refuses_conflicts_and_bad_input_and_writes_nothing(web: Web) -> None:
    before = web.event_count()
    duplicate = post(web, "/api/v1/accounts", {**NEW_ACCOUNT, "code": "5.3.04"})
    assert (duplicate.status_code, duplicate.json()["message"]) == (409, "La cuenta 5.3.04 ya existe")
    unknown_parent = post(web, "/api/v1/accounts", {**NEW_ACCOUNT, "parent_code": "5.9"})
    assert unknown_parent.status_code == 404
    wrong_type = post(web, "/api/v1/accounts", {**NEW_ACCOUNT, "parent_code": "1.1.01"})
    assert wrong_type.status_code == 422
    assert "no puede colgar de 1.1.01" in wrong_type.json()["message"]
    assert post(web, "/api/v1/accounts", {**NEW_ACCOUNT, "code": "cinco"}).status_code == 422
    assert post(web, "/api/v1/accounts", {**NEW_ACCOUNT, "account_type": "gasto"}).status_code == 422
    assert post(web, "/api/v1/accounts", {**NEW_ACCOUNT, "extra": 1}).status_code == 422
    refused = post(web, "/api/v1/accounts", NEW_ACCOUNT, role="cashier")
    assert refused.status_code == 403
    assert refused.json()["message"] == "El usuario cashier no tiene permiso para accounting.write"
    assert web.client.post("/api/v1/accounts", json=NEW_ACCOUNT).status_code == 401
    assert web.event_count() == before
    assert web.client.get("/api/v1/accounts/5.3.09", headers=web.as_("auditor")).status_code == 404


def test_a_closed_account_takes_no_more_entries(web: Web) -> None:
    before = web.event_count()
    assert post(web, "/api/v1/accounts/5.3.04/close", {}, role="auditor").status_code == 403
    assert web.client.post("/api/v1/accounts/5.3.04/close").status_code == 401
    assert web.event_count() == before
    closed = post(web, "/api/v1/accounts/5.3.04/close", {})
    assert closed.status_code == 200, closed.text
    assert (closed.json()["code"], closed.json()["is_open"]) == ("5.3.04", False)
    assert web.event_count() == before + 1
    again = post(web, "/api/v1/accounts/5.3.04/close", {})
    assert (again.status_code, again.json()["error"]) == (409, "conflict")
    assert post(web, "/api/v1/accounts/9.9.99/close", {}).status_code == 404
    refused = post(web, "/api/v1/journal/entries", ENTRY)
    assert refused.status_code == 409
    assert refused.json()["message"] == "La cuenta 5.3.04 está cerrada y no admite imputaciones"


# -- reversal of a manual entry ---------------------------------------------------------------------------
def test_a_manual_entry_is_reversed_once_with_mirrored_lines(web: Web) -> None:
    entry_id = posted_entry(web)
    assert balance(web, "5.3.04") == Decimal("1234.56")
    body = {"effective_date": "2026-03-31", "description": "Póliza anulada por la aseguradora"}
    before = web.event_count()
    reversed_ = post(web, f"/api/v1/journal/entries/{entry_id}/reverse", body, key="rev-1")
    assert reversed_.status_code == 201, reversed_.text
    reversal = reversed_.json()
    assert reversal["entry"] == "2026/4"  # after the two January invoices and the entry it reverses
    assert reversal["reverses"] == "2026/3"
    assert (
        reversal["effective_date"],
        reversal["description"],
        reversal["kind"],
        reversal["recorded_by"],
    ) == (
        "2026-03-31",
        "Póliza anulada por la aseguradora",
        "reversal",
        "accountant",
    )
    assert reversal["lines"] == [
        {"account": "5.3.04", "debit": "0.00", "credit": "1234.56"},
        {"account": "1.1.01.10", "debit": "1234.56", "credit": "0.00"},
    ]
    assert balance(web, "5.3.04") == Decimal(0)
    assert balance(web, "1.1.01.10") == Decimal(0)
    after = web.event_count()
    assert after == before + 2  # the reversal posted, the original marked as reversed

    retried = post(web, f"/api/v1/journal/entries/{entry_id}/reverse", body, key="rev-1")
    assert retried.status_code == 200
    assert retried.json() == reversal
    assert web.event_count() == after
    twice = post(web, f"/api/v1/journal/entries/{entry_id}/reverse", body)
    assert twice.status_code == 409
    assert "ya fue revertido" in twice.json()["message"]
    other_user = post(web, f"/api/v1/journal/entries/{entry_id}/reverse", body, "administrator", "rev-1")
    assert other_user.status_code == 409
    reversal_of_reversal = post(web, f"/api/v1/journal/entries/{reversal['entry_id']}/reverse", body)
    assert reversal_of_reversal.status_code == 422
    assert web.event_count() == after
    assert balance(web, "5.3.04") == Decimal(0)

    # The key is bound to the reversal it made: reused for another entry it is a conflict.
    other = post(web, "/api/v1/journal/entries", ENTRY, key="seguro-abril")
    assert other.status_code == 201, other.text
    posted = web.event_count()
    reused = post(web, f"/api/v1/journal/entries/{other.json()['entry_id']}/reverse", body, key="rev-1")
    assert reused.status_code == 409
    assert reused.json()["message"] == f"La Idempotency-Key ya se usó para revertir el asiento {entry_id}"
    assert web.event_count() == posted
    assert balance(web, "5.3.04") == Decimal("1234.56")  # the other entry stands


def test_a_reversal_refuses_unknown_entries_bad_input_and_other_roles(web: Web) -> None:
    entry_id = posted_entry(web)
    body = {"effective_date": "2026-03-31"}
    before = web.event_count()
    assert post(web, f"/api/v1/journal/entries/{UNKNOWN_ID}/reverse", body).status_code == 404
    assert post(web, "/api/v1/journal/entries/no-es-un-id/reverse", body).status_code == 422
    assert post(web, f"/api/v1/journal/entries/{entry_id}/reverse", {}).status_code == 422
    assert (
        post(web, f"/api/v1/journal/entries/{entry_id}/reverse", {**body, "motivo": "x"}).status_code == 422
    )
    closed_year = post(web, f"/api/v1/journal/entries/{entry_id}/reverse", {"effective_date": "2019-01-01"})
    assert closed_year.status_code in (409, 422)
    assert post(web, f"/api/v1/journal/entries/{entry_id}/reverse", body, key=" ").status_code == 422
    assert post(web, f"/api/v1/journal/entries/{entry_id}/reverse", body, role="cashier").status_code == 403
    assert post(web, f"/api/v1/journal/entries/{entry_id}/reverse", body, role="auditor").status_code == 403
    assert web.client.post(f"/api/v1/journal/entries/{entry_id}/reverse", json=body).status_code == 401
    assert web.event_count() == before
    default = post(web, f"/api/v1/journal/entries/{entry_id}/reverse", body)
    assert default.status_code == 201
    assert default.json()["description"] == "Reversión de: Póliza de seguro de marzo"


# -- audit trail and hash chain ----------------------------------------------------------------------------
def test_the_auditor_traces_an_entry_down_to_its_event(web: Web) -> None:
    posted_entry(web)
    auditor = web.as_("auditor")
    traced = web.client.get("/api/v1/trace/entries/2026/3", headers=auditor)
    assert traced.status_code == 200, traced.text
    (item,) = traced.json()["entries"]
    assert (item["entry"], item["date"], item["event"], item["recorded_by"]) == (
        "2026/3",
        "2026-03-10",
        "ManualEntryPosted",
        "accountant",
    )
    assert item["description"] == "Póliza de seguro de marzo"
    assert item["lines"] == [
        {"account": "5.3.04", "debit": "1234.56", "credit": "0.00"},
        {"account": "1.1.01.10", "debit": "0.00", "credit": "1234.56"},
    ]
    invoice = web.client.get("/api/v1/trace/entries/2026/1", headers=auditor).json()["entries"][0]
    assert invoice["recorded_by"] == "test"
    assert web.client.get("/api/v1/trace/entries/2026/99", headers=auditor).status_code == 404
    assert web.client.get("/api/v1/trace/entries/dos/1", headers=auditor).status_code == 422
    assert web.client.get("/api/v1/trace/entries/2026/3", headers=web.as_("cashier")).status_code == 403
    assert web.client.get("/api/v1/trace/entries/2026/3").status_code == 401


def test_the_auditor_traces_an_account_balance(web: Web) -> None:
    posted_entry(web)
    auditor = web.as_("auditor")
    traced = web.client.get("/api/v1/trace/accounts/1.1.01.10?as_of=2026-12-31", headers=auditor).json()
    assert (traced["account"], traced["as_of"], traced["balance"], traced["shown"]) == (
        "1.1.01.10",
        "2026-12-31",
        "-1234.56",
        1,
    )
    assert [e["entry"] for e in traced["entries"]] == ["2026/3"]
    before_it = web.client.get("/api/v1/trace/accounts/1.1.01.10?as_of=2026-03-09", headers=auditor).json()
    assert (before_it["balance"], before_it["entries"]) == ("0", [])
    assert web.client.get("/api/v1/trace/accounts/9.9.99", headers=auditor).status_code == 404
    assert web.client.get("/api/v1/trace/accounts/1.1.01.10?as_of=ayer", headers=auditor).status_code == 422
    assert web.client.get("/api/v1/trace/accounts/1.1.01.10", headers=web.as_("cashier")).status_code == 403
    assert web.client.get("/api/v1/trace/accounts/1.1.01.10").status_code == 401


def test_the_hash_chain_verifies_every_event(web: Web) -> None:
    posted_entry(web)
    answer = web.client.get("/api/v1/audit/verify", headers=web.as_("auditor"))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "intact": True,
        "events_checked": web.event_count(),
        "broken_at": None,
        "reason": None,
    }
    assert web.client.get("/api/v1/audit/verify", headers=web.as_("cashier")).status_code == 403
    assert web.client.get("/api/v1/audit/verify").status_code == 401
