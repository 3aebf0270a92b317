"""Members, supplies, services, readings and history through the API, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import DEBT_MEMBER_1, Web


def get(web: Web, path: str, role: str = "cashier") -> Any:
    answer = web.client.get(path, headers=web.as_(role))
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.mark.parametrize(
    ("query", "numbers"),
    [
        ("1", ["000001"]),
        ("pérez", ["000001"]),
        ("30500010912", ["000002"]),
        ("30-50001091-2", ["000002"]),
        ("E-1", ["000001"]),
        ("i-1", ["000001"]),
        ("", ["000001", "000002"]),
        ("zzz", []),
    ],
)
def test_search_by_number_name_document_or_supply(web: Web, query: str, numbers: list[str]) -> None:
    found = get(web, f"/api/v1/members?q={query}")
    assert [m["number"] for m in found["data"]] == numbers
    assert found["count"] == len(numbers)


def test_paging_says_the_total_and_the_limit(web: Web) -> None:
    first = get(web, "/api/v1/members?limit=1")
    second = get(web, "/api/v1/members?limit=1&offset=1")
    assert (first["count"], first["limit"], [m["number"] for m in first["data"] + second["data"]]) == (
        2,
        1,
        ["000001", "000002"],
    )


def test_member_statement_to_the_cent(web: Web) -> None:
    statement = get(web, "/api/v1/members/1/statement?as_of=2026-03-10")
    assert statement["debt"] == DEBT_MEMBER_1
    assert statement["debt_by_service"] == {"electricity": "53073.88", "internet": "24079.00"}
    assert [
        (line["supply_number"], line["balance"], line["days_overdue"]) for line in statement["lines"]
    ] == [("E-1", "53073.88", 21), ("I-1", "24079.00", 21)]
    assert statement["ageing"]["1 a 30 días"] == DEBT_MEMBER_1


def test_member_view_supplies_documents_and_404(web: Web) -> None:
    assert get(web, "/api/v1/members/000001")["name"] == "Pérez, Juan"
    supplies = get(web, "/api/v1/members/1/supplies")
    assert [(s["number"], s["service"], s["state_name"]) for s in supplies] == [
        ("E-1", "electricity", "conectado"),
        ("I-1", "internet", "conectado"),
    ]
    documents = get(web, "/api/v1/members/1/documents?limit=5")
    assert sorted(d["total"] for d in documents) == ["24079.00", "53073.88"]
    missing = web.client.get("/api/v1/members/77/statement", headers=web.as_("cashier"))
    assert (missing.status_code, missing.json()) == (
        404,
        {"error": "not_found", "message": "El asociado 000077 no existe"},
    )


def test_register_a_member_then_a_supply_with_its_lifecycle(web: Web) -> None:
    clerk = web.as_("back_office")
    member = {
        "number": "3",
        "name": "Luna, Rosa",
        "document_type": "DNI",
        "document_number": "23456789",
        "vat_condition": "CF",
        "address": "Belgrano 10",
        "admission_date": "2026-01-05",
    }
    created = web.client.post("/api/v1/members", json=member, headers=clerk)
    assert (created.status_code, created.json()["number"], created.json()["credit"]) == (
        201,
        "000003",
        "0.00",
    )
    again = web.client.post("/api/v1/members", json=member, headers=clerk)
    assert again.status_code == 409
    bad = web.client.post(
        "/api/v1/members",
        json={**member, "number": "4", "document_type": "CUIT", "document_number": "20111111111"},
        headers=clerk,
    )
    assert bad.status_code == 422
    assert "CUIT" in bad.json()["message"]
    supply = {
        "number": "E-3",
        "member_number": "3",
        "service": "electricity",
        "category": "residential",
        "address": "Belgrano 10",
        "effective_date": "2026-01-05",
    }
    assert web.client.post("/api/v1/supplies", json=supply, headers=clerk).json()["state"] == "requested"
    connect = {"meter": "M-9", "digits": 5, "initial": "10", "effective_date": "2026-01-06"}
    assert (
        web.client.post("/api/v1/supplies/E-3/connect", json=connect, headers=clerk).json()["state"]
        == "connected"
    )
    cut = {"state": "cut", "reason": "Falta de pago", "effective_date": "2026-02-01"}
    answer = web.client.post("/api/v1/supplies/E-3/state", json=cut, headers=clerk)
    assert (answer.json()["state"], answer.json()["state_name"], answer.json()["state_since"]) == (
        "cut",
        "cortado",
        "2026-02-01",
    )
    backwards = web.client.post(
        "/api/v1/supplies/E-3/state", json={**cut, "state": "requested"}, headers=clerk
    )
    assert backwards.status_code in (409, 422)
    history = get(web, "/api/v1/members/3/events", role="billing_clerk")
    assert history[0]["name"] == "SupplyStateChanged"  # newest first
    assert {(e["name"], e["recorded_by"]) for e in history} >= {
        ("MemberRegistered", "back_office"),
        ("SupplyStateChanged", "back_office"),
    }


def test_readings_record_hold_and_accept(web: Web) -> None:
    reader = web.as_("technician")
    normal = {"supply_number": "E-1", "period": "2026-02", "value": "1500", "reading_date": "2026-02-27"}
    recorded = web.client.post("/api/v1/readings", json=normal, headers=reader)
    assert (recorded.status_code, recorded.json()["consumption_units"], recorded.json()["held_reason"]) == (
        201,
        "180.000",
        None,
    )
    twice = web.client.post("/api/v1/readings", json=normal, headers=reader)
    assert twice.status_code == 422
    assert "ya tiene lectura del período 2026-02" in twice.json()["message"]
    unknown = web.client.post("/api/v1/readings", json={**normal, "supply_number": "X-9"}, headers=reader)
    assert unknown.status_code == 404
    bad_period = web.client.post("/api/v1/readings", json={**normal, "period": "2026-13"}, headers=reader)
    assert bad_period.status_code == 422
    backdated = {"supply_number": "E-1", "period": "2026-03", "value": "1600", "reading_date": "2026-02-20"}
    held = web.client.post("/api/v1/readings", json=backdated, headers=reader).json()
    assert held["held_reason"].startswith("La fecha de lectura 20/02/2026 no es posterior")
    anomalies = get(web, "/api/v1/readings/anomalies?period=2026-03")
    assert [(a["supply_number"], a["consumption_units"]) for a in anomalies] == [("E-1", "100.000")]
    accepted = web.client.post(
        "/api/v1/readings/E-1/2026-03/accept", json={"note": "Verificado en campo"}, headers=reader
    )
    assert accepted.status_code == 200
    assert get(web, "/api/v1/readings/anomalies?period=2026-03") == []


def test_import_a_collector_file_all_or_nothing(web: Web) -> None:
    reader = web.as_("technician")
    good = "suministro;fecha_lectura;lectura;lecturista\r\nE-1;27/02/2026;1450;L1\r\n"
    answer = web.client.post(
        "/api/v1/readings/import",
        data={"period": "2026-02"},
        files={"file": ("ruta.csv", good.encode(), "text/csv")},
        headers=reader,
    )
    assert answer.status_code == 201, answer.text
    assert answer.json() == {"recorded": 1, "held_for_review": 0, "unread_supplies": []}
    bad = web.client.post(
        "/api/v1/readings/import",
        data={"period": "2026-02"},
        files={
            "file": (
                "otra.csv",
                b"suministro;fecha_lectura;lectura;lecturista\r\nE-9;27/02/2026;1;L1\r\n",
                "text/csv",
            )
        },
        headers=reader,
    )
    assert bad.status_code == 422
    assert "no se importó ninguna lectura" in bad.json()["message"]


def test_services_and_document_history(web: Web) -> None:
    codes = [s["code"] for s in get(web, "/api/v1/services")]
    assert {"electricity", "internet", "water"} <= set(codes)
    document = get(web, "/api/v1/members/1/documents")[0]["document_id"]
    events = get(web, f"/api/v1/aggregates/{document}/events", role="auditor")
    assert events[0]["name"] == "InvoiceIssued"
    assert events[0]["recorded_by"] == "test"
    assert web.client.get("/api/v1/aggregates/nada/events", headers=web.as_("auditor")).status_code == 422
    unknown = "0" * 32
    assert (
        web.client.get(f"/api/v1/aggregates/{unknown}/events", headers=web.as_("auditor")).status_code == 404
    )


def test_one_supply_and_held_bills(web: Web) -> None:
    supply = get(web, "/api/v1/supplies/e-1")
    assert (supply["number"], supply["member_number"], supply["meter_serial"]) == ("E-1", "000001", "M-E-1")
    assert web.client.get("/api/v1/supplies/X-9", headers=web.as_("cashier")).status_code == 404
    assert get(web, "/api/v1/billing/held?period=2026-01") == []
    assert web.client.get("/api/v1/billing/held?period=enero", headers=web.as_("cashier")).status_code == 422
