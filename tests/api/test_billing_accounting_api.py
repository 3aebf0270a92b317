"""Billing runs, bill PDFs, accounts, journal and report downloads through the API."""

from __future__ import annotations

import csv
import io
import time
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

from tests.api.conftest import DEBT_MEMBER_1, Web

POLLS = 6_000  # a bound on waiting (one minute) for the background run, not a timing assertion


def wait_for(web: Web, run_id: str) -> dict[str, Any]:
    for _ in range(POLLS):
        job: dict[str, Any] = web.client.get(
            f"/api/v1/billing-runs/{run_id}", headers=web.as_("auditor")
        ).json()
        if job["state"] != "running":
            return job
        time.sleep(0.01)
    raise AssertionError("the billing run did not finish")


def test_a_billing_run_in_the_background_bills_once(web: Web) -> None:
    clerk = web.as_("billing_clerk")
    body = {"period": "2026-02", "issue_date": "2026-03-02"}
    web.client.post(
        "/api/v1/readings",
        json={"supply_number": "E-1", "period": "2026-02", "value": "1500", "reading_date": "2026-02-27"},
        headers=web.as_("technician"),
    )
    started = web.client.post("/api/v1/billing-runs", json=body, headers=clerk)
    assert started.status_code == 202
    job = wait_for(web, started.json()["id"])
    assert (job["state"], job["done"], job["total"]) == ("finished", 1, 1)
    assert (job["result"]["invoices"], job["result"]["documents"], job["started_by"]) == (
        2,
        1,
        "billing_clerk",
    )
    again = wait_for(web, web.client.post("/api/v1/billing-runs", json=body, headers=clerk).json()["id"])
    assert again["result"]["invoices"] == 0
    assert (
        web.client.post("/api/v1/billing-runs", json={"period": "2026-13"}, headers=clerk).status_code == 422
    )
    assert web.client.get(f"/api/v1/billing-runs/{'0' * 32}", headers=clerk).status_code == 404


def test_the_bill_pdf(web: Web) -> None:
    answer = web.client.get("/api/v1/members/1/bills/2026-01/pdf", headers=web.as_("cashier"))
    assert (answer.status_code, answer.headers["content-type"]) == (200, "application/pdf")
    assert answer.content.startswith(b"%PDF-")
    missing = web.client.get("/api/v1/members/2/bills/2026-01/pdf", headers=web.as_("cashier"))
    assert (missing.status_code, missing.json()["error"]) == (404, "not_found")


def test_accounts_and_the_trial_balance(web: Web) -> None:
    accountant = web.as_("accountant")
    cash = web.client.get("/api/v1/accounts/1.1.01.01", headers=accountant).json()
    assert (cash["header"], cash["is_open"]) == (False, True)
    assert web.client.get("/api/v1/accounts/9.9", headers=accountant).status_code == 404
    assert web.client.get("/api/v1/accounts", headers=web.as_("cashier")).status_code == 403
    tb = web.client.get("/api/v1/reports/trial-balance?as_of=2026-12-31", headers=accountant).json()
    assert tb["total_debit"] == tb["total_credit"]
    receivables = sum(Decimal(r["balance"]) for r in tb["rows"] if r["code"].startswith("1.1.03."))
    assert receivables == Decimal(DEBT_MEMBER_1)


def test_journal_is_paged(web: Web) -> None:
    accountant = web.as_("accountant")
    entries = web.client.get(
        "/api/v1/journal?from=2026-01-01&to=2026-12-31&limit=500", headers=accountant
    ).json()
    assert len(entries) == 2  # the two January invoices
    first = web.client.get("/api/v1/journal?from=2026-01-01&to=2026-12-31&limit=1", headers=accountant).json()
    assert first == entries[:1]
    backwards = web.client.get("/api/v1/journal?from=2026-12-31&to=2026-01-01", headers=accountant)
    assert backwards.status_code == 422


def test_reports_download_as_csv_xlsx_and_pdf(web: Web) -> None:
    accountant = web.as_("accountant")
    table = web.client.get("/api/v1/reports/trial-balance/table?as_of=2026-12-31", headers=accountant).json()
    answer = web.client.get(
        "/api/v1/reports/trial-balance/download?format=csv&as_of=2026-12-31", headers=accountant
    )
    assert answer.headers["content-disposition"] == 'attachment; filename="trial-balance.csv"'
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8")), delimiter=";"))
    assert rows[0] == ["Cuenta", "Nombre", "Debe", "Haber", "Saldo"]
    assert rows[1:] == [[c or "" for c in row] for row in table["rows"]]
    xlsx = web.client.get(
        "/api/v1/reports/trial-balance/download?format=xlsx&as_of=2026-12-31", headers=accountant
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == rows[0]
    assert sheet.max_row == len(rows)
    pdf = web.client.get(
        "/api/v1/reports/journal/download?format=pdf&from=2026-01-01&to=2026-12-31", headers=accountant
    )
    assert pdf.content.startswith(b"%PDF-")
    ledger = web.client.get("/api/v1/reports/ledger/table?from=2026-01-01&to=2026-12-31", headers=accountant)
    assert (ledger.status_code, ledger.json()["message"]) == (422, "account: indique la cuenta del mayor")
    bad = web.client.get("/api/v1/reports/trial-balance/download?format=doc", headers=accountant)
    assert bad.status_code == 422


def test_a_manual_entry_posts_once_per_key_and_only_if_it_balances(web: Web) -> None:
    accountant = web.as_("accountant") | {"Idempotency-Key": "provision-marzo"}
    entry = {
        "effective_date": "2026-03-31",
        "description": "Provisión de sueldos de marzo",
        "lines": [
            {"account": "5.2.01", "debit": "1500000.00"},
            {"account": "2.1.04.01", "credit": "1500000.00"},
        ],
    }
    first = web.client.post("/api/v1/journal/entries", json=entry, headers=accountant)
    second = web.client.post("/api/v1/journal/entries", json=entry, headers=accountant)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    lines = web.client.get(
        "/api/v1/reports/ledger/table?account=5.2.01&from=2026-01-01&to=2026-12-31", headers=accountant
    ).json()["rows"]
    assert [row[3] for row in lines[1:]] == ["1500000.00"]  # posted once
    unbalanced = {
        **entry,
        "lines": [{"account": "5.2.01", "debit": "10"}, {"account": "2.1.04.01", "credit": "9"}],
    }
    refused = web.client.post("/api/v1/journal/entries", json=unbalanced, headers=web.as_("accountant"))
    assert (refused.status_code, refused.json()["message"]) == (
        422,
        "El asiento no balancea: debe 10.00 ≠ haber 9.00",
    )
    both = {**entry, "lines": [{"account": "5.2.01", "debit": "1", "credit": "1"}, entry["lines"][1]]}
    assert (
        web.client.post("/api/v1/journal/entries", json=both, headers=web.as_("accountant")).status_code
        == 422
    )
    assert (
        web.client.post("/api/v1/journal/entries", json=entry, headers=web.as_("auditor")).status_code == 403
    )


def test_tariffs_suspense_and_cheques_are_listed(web: Web) -> None:
    reader = web.as_("accountant")
    versions = web.client.get("/api/v1/tariffs/electricity", headers=reader).json()
    assert versions and "[" in versions[0]["source_text"]
    assert web.client.get("/api/v1/tariffs/teleportation", headers=reader).status_code == 404
    assert web.client.get("/api/v1/collections/suspense", headers=reader).json() == []
    pay = {
        "member_number": "1",
        "effective_date": "2026-03-10",
        "instruments": [{"kind": "cheque", "amount": "5000", "reference": "CH-1 Banco Nación"}],
    }
    assert web.client.post("/api/v1/receipts", json=pay, headers=web.as_("cashier")).status_code == 201
    portfolio = web.client.get("/api/v1/treasury/cheques?state=portfolio", headers=reader).json()
    assert [(c["member_number"], c["reference"], c["amount"]) for c in portfolio] == [
        ("000001", "CH-1 Banco Nación", "5000.00")
    ]
    assert web.client.get("/api/v1/treasury/cheques?state=rejected", headers=reader).json() == []


def test_closing_a_month_refuses_later_facts_dated_in_it(web: Web) -> None:
    accountant = web.as_("accountant")
    closed = web.client.post("/api/v1/periods/2026-01/close", headers=accountant)
    assert closed.status_code == 200
    assert closed.json()[0]["year"] == 2026
    assert "2026-01" in closed.json()[0]["closed_months"]
    entry = {
        "effective_date": "2026-01-31",
        "description": "Tarde",
        "lines": [{"account": "5.2.01", "debit": "1"}, {"account": "2.1.04.01", "credit": "1"}],
    }
    late = web.client.post("/api/v1/journal/entries", json=entry, headers=accountant)
    assert (late.status_code, late.json()["message"]) == (
        409,
        "El período 2026-01 está cerrado: no se registran hechos con fecha 2026-01-31",
    )
    assert web.client.post("/api/v1/periods/2026-13/close", headers=accountant).status_code == 422
    assert web.client.post("/api/v1/periods/2026-02/close", headers=web.as_("auditor")).status_code == 403


def test_closing_and_opening_a_year_through_the_api(web: Web) -> None:
    accountant = web.as_("accountant")
    assert web.client.post("/api/v1/periods/2027/open", json={}, headers=accountant).status_code == 200
    closed = web.client.post("/api/v1/periods/2026/close", headers=accountant)
    assert closed.status_code == 200 and closed.json()[0]["closed"] is True
    again = web.client.post("/api/v1/periods/2026/close", headers=accountant)
    assert (again.status_code, again.json()["message"]) == (409, "El ejercicio 2026 ya está cerrado")
    opened = web.client.post("/api/v1/periods/2027/open", json={}, headers=accountant)
    assert opened.status_code == 200
    kinds = [
        e["rule"]
        for e in web.client.get("/api/v1/journal?from=2026-12-31&to=2027-01-01", headers=accountant).json()
    ]
    assert kinds[-3:] == ["year_closing", "year_opening", "result_transfer"]
    twice = web.client.post("/api/v1/periods/2027/open", json={}, headers=accountant)
    assert twice.status_code == 409
    no_reason = web.client.post("/api/v1/periods/2026/reopen", json={"reason": ""}, headers=accountant)
    assert no_reason.status_code == 422
    reopened = web.client.post("/api/v1/periods/2026/reopen", json={"reason": "Ajuste"}, headers=accountant)
    assert reopened.status_code == 200 and reopened.json()[0]["closed"] is False
    assert web.client.post("/api/v1/periods/20x6/close", headers=accountant).status_code == 422


def test_a_cheque_collected_is_deposited_once(web: Web) -> None:
    pay = {
        "member_number": "1",
        "effective_date": "2026-03-10",
        "instruments": [{"kind": "cheque", "amount": "5000", "reference": "CH-2 Banco Nación"}],
    }
    web.client.post("/api/v1/receipts", json=pay, headers=web.as_("cashier"))
    accountant = web.as_("accountant")
    (cheque,) = web.client.get("/api/v1/treasury/cheques", headers=accountant).json()
    move = {"action": "deposit", "detail": "1.1.01.10", "effective_date": "2026-03-11"}
    moved = web.client.post(
        f"/api/v1/treasury/cheques/{cheque['cheque_id']}/move", json=move, headers=accountant
    )
    assert (moved.status_code, moved.json()["state"]) == (200, "deposited")
    again = web.client.post(
        f"/api/v1/treasury/cheques/{cheque['cheque_id']}/move", json=move, headers=accountant
    )
    assert again.status_code == 409
    bank = web.client.get("/api/v1/treasury/balances?as_of=2026-03-31", headers=accountant).json()
    assert ("1.1.01.10", "5000.00") in {(b["code"], b["balance"]) for b in bank}


def test_debit_adhesion_and_held_bill_release(web: Web) -> None:
    clerk = web.as_("back_office")
    cbu = "2850590940090418135201"
    adhered = web.client.post(
        "/api/v1/members/1/debit", json={"cbu": cbu, "effective_date": "2026-03-01"}, headers=clerk
    )
    assert adhered.json() == {"member_number": "000001", "cbu": cbu}
    assert web.client.get("/api/v1/members/1", headers=clerk).json()["debit_cbu"] == cbu
    bad = web.client.post("/api/v1/members/1/debit", json={"cbu": "123"}, headers=clerk)
    assert bad.status_code == 422
    release = web.client.post(
        "/api/v1/billing/held/E-1/2026-01/release",
        json={"note": "Verificado"},
        headers=web.as_("billing_clerk"),
    )
    assert release.status_code == 404  # nothing was held in January


def test_statements_diario_and_register_through_the_api(web: Web) -> None:
    accountant = web.as_("accountant")

    def table(name: str, query: str) -> dict[str, Any]:
        answer = web.client.get(f"/api/v1/reports/{name}/table?{query}", headers=accountant)
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        return found

    sheet = table("balance-sheet", "as_of=2026-12-31")
    totals = {row[1]: row[2] for row in sheet["rows"] if not row[0] and row[1].startswith("Total del")}
    assert totals["Total del activo"] == totals["Total del pasivo y patrimonio neto"] != "0.00"
    income = table("income-statement", "from=2026-01-01&to=2026-12-31")
    (result,) = [row[2] for row in income["rows"] if row[1].startswith("Resultado del período")]
    balances = table("trial-balance", "as_of=2026-12-31")["rows"]
    revenue_less_expenses = -sum(
        (Decimal(row[4]) for row in balances if row[0] and row[0][0] in "45"), Decimal(0)
    )
    assert Decimal(result) == revenue_less_expenses
    diario = table("diario", "from=2026-01-01&to=2026-12-31")
    numbers = list(dict.fromkeys(int(row[0]) for row in diario["rows"]))
    assert numbers == list(range(1, len(numbers) + 1))
    debit = sum((Decimal(row[6]) for row in diario["rows"]), Decimal(0))
    credit = sum((Decimal(row[7]) for row in diario["rows"]), Decimal(0))
    assert debit == credit > 0
    register = table("member-register", "as_of=2026-12-31")
    assert register["columns"][:2] == ["Asociado", "Ingreso"] and register["rows"]
