"""Files through the API: tariff tables, reading routes, AFIP CAE, bank reconciliation, automatic debit."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from adapters.debit_files import parse_debit_request, write_debit_result
from adapters.debit_model import respond
from api.billing_run import invoice_id
from domain.invoicing import Invoice
from tests.api.conftest import DEBT_MEMBER_1, Web

UNKNOWN_ID = "0" * 31 + "1"
TARIFFS = Path("adapters/data/tariffs")
CBU_MEMBER_1 = "2850590940090418135201"


def upload(
    web: Web, path: str, name: str, content: bytes, role: str, data: dict[str, str] | None = None
) -> Any:
    headers = web.as_(role) if role else {}
    return web.client.post(
        path, data=data or {}, files={"file": (name, content, "text/plain")}, headers=headers
    )


def debt(web: Web, member: str = "1") -> str:
    answer = web.client.get(
        f"/api/v1/members/{member}/statement?as_of=2026-03-10", headers=web.as_("cashier")
    )
    return str(answer.json()["debt"])


# -- tariff tables ----------------------------------------------------------------------------------------
def internet_tariff(valid_from: str) -> bytes:
    text = (TARIFFS / "internet.toml").read_text(encoding="utf-8")
    assert "valid_from = 2026-01-01" in text
    return text.replace("valid_from = 2026-01-01", f"valid_from = {valid_from}").encode()


def test_a_tariff_table_is_published_once(web: Web) -> None:
    content = internet_tariff("2026-05-01")
    answer = upload(web, "/api/v1/tariffs", "internet-2026-05.toml", content, "billing_clerk")
    assert answer.status_code == 201, answer.text
    assert answer.json() == {
        "service": "internet",
        "valid_from": "2026-05-01",
        "source_name": "internet-2026-05.toml",
    }
    versions = web.client.get("/api/v1/tariffs/internet", headers=web.as_("cashier")).json()
    assert [(v["valid_from"], v["source_name"]) for v in versions] == [
        ("2026-01-01", "internet.toml"),
        ("2026-05-01", "internet-2026-05.toml"),
    ]
    assert versions[1]["source_text"] == content.decode()
    events = web.client.get(
        f"/api/v1/aggregates/{versions_id(web)}/events?limit=500", headers=web.as_("billing_clerk")
    ).json()
    assert events[-1]["recorded_by"] == "billing_clerk"
    before = web.event_count()
    again = upload(web, "/api/v1/tariffs", "otra-vez.toml", content, "billing_clerk")
    assert (again.status_code, again.json()["message"]) == (
        409,
        "Ya hay un cuadro tarifario de internet vigente desde 2026-05-01",
    )
    assert web.event_count() == before


def versions_id(web: Web) -> str:
    from domain.tariff_book import tariff_book_id

    return tariff_book_id("internet").hex


def test_a_bad_tariff_file_is_422_with_the_loaders_message_and_writes_nothing(web: Web) -> None:
    before = web.event_count()
    broken = upload(web, "/api/v1/tariffs", "roto.toml", b"[tariff\nservice = ", "billing_clerk")
    assert broken.status_code == 422
    assert broken.json()["error"] == "invalid_input"
    assert "roto.toml" in broken.json()["message"]
    no_service = internet_tariff("2026-06-01").replace(b'service = "internet"', b'service = "telefonia"')
    unknown = upload(web, "/api/v1/tariffs", "telefonia.toml", no_service, "billing_clerk")
    assert unknown.status_code == 422
    assert "telefonia" in unknown.json()["message"]
    latin1 = upload(web, "/api/v1/tariffs", "latin.toml", "año = ñ".encode("latin-1"), "billing_clerk")
    assert (latin1.status_code, latin1.json()["message"]) == (
        422,
        "El archivo latin.toml no está en UTF-8; no se tomó nada",
    )
    assert web.client.post("/api/v1/tariffs", headers=web.as_("billing_clerk")).status_code == 422
    good = internet_tariff("2026-06-01")
    refused = upload(web, "/api/v1/tariffs", "internet.toml", good, "cashier")
    assert refused.status_code == 403
    assert upload(web, "/api/v1/tariffs", "internet.toml", good, "").status_code == 401
    assert web.event_count() == before
    assert len(web.client.get("/api/v1/tariffs/internet", headers=web.as_("cashier")).json()) == 1


# -- reading routes ------------------------------------------------------------------------------------------
ROUTE_HEADER = [
    "ruta",
    "orden",
    "suministro",
    "titular",
    "domicilio",
    "medidor",
    "digitos",
    "lectura_anterior",
    "fecha_anterior",
]


def test_the_reading_route_downloads_as_csv_txt_and_xlsx(web: Web) -> None:
    reader = web.as_("technician")
    answer = web.client.get("/api/v1/readings/routes/R1?period=2026-02&format=csv", headers=reader)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"] == 'attachment; filename="ruta-R1-2026-02.csv"'
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][: len(ROUTE_HEADER)] == ROUTE_HEADER
    (stop,) = [dict(zip(rows[0], row, strict=False)) for row in rows[1:] if row]
    assert (stop["ruta"], stop["orden"], stop["suministro"], stop["titular"]) == (
        "R1",
        "1",
        "E-1",
        "Pérez, Juan",
    )
    assert Decimal(stop["lectura_anterior"].replace(",", ".")) == Decimal(1320)

    txt = web.client.get("/api/v1/readings/routes/R1?period=2026-02&format=txt", headers=reader)
    assert txt.status_code == 200
    assert txt.headers["content-type"] == "text/plain; charset=iso-8859-1"
    (line,) = [ln for ln in txt.content.decode("iso-8859-1").splitlines() if "E-1" in ln]
    assert "Pérez, Juan" in line and "1320" in line

    xlsx = web.client.get("/api/v1/readings/routes/R1?period=2026-02&format=xlsx", headers=reader)
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert list(values[0][: len(ROUTE_HEADER)]) == ROUTE_HEADER
    assert values[1][2] == "E-1"
    assert Decimal(str(values[1][7])) == Decimal(1320)


def test_a_route_named_with_accents_downloads_under_an_ascii_file_name(web: Web) -> None:
    clerk = web.as_("billing_clerk")
    supply = {
        "number": "E-2",
        "member_number": "2",
        "service": "electricity",
        "category": "residential",
        "address": "Calle 2",
        "reading_route": "Ñandú 2",
        "effective_date": "2026-01-05",
    }
    assert web.client.post("/api/v1/supplies", json=supply, headers=clerk).status_code == 201
    connect = {"effective_date": "2026-01-05", "meter": "M-2", "initial": "700"}
    assert web.client.post("/api/v1/supplies/E-2/connect", json=connect, headers=clerk).status_code == 200
    answer = web.client.get("/api/v1/readings/routes/Ñandú 2?period=2026-02", headers=clerk)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-disposition"] == 'attachment; filename="ruta-and2-2026-02.csv"'
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
    assert [(r[0], r[2], r[3]) for r in rows[1:] if r] == [("Ñandú 2", "E-2", "Gómez, Ana")]


def test_the_reading_route_refuses_unknown_routes_bad_input_and_other_roles(web: Web) -> None:
    reader = web.as_("technician")
    missing = web.client.get("/api/v1/readings/routes/R9?period=2026-02", headers=reader)
    assert (missing.status_code, missing.json()["message"]) == (
        404,
        "La ruta R9 no tiene suministros medidos conectados",
    )
    assert web.client.get("/api/v1/readings/routes/R1?period=2026-13", headers=reader).status_code == 422
    assert web.client.get("/api/v1/readings/routes/R1?period=febrero", headers=reader).status_code == 422
    assert web.client.get("/api/v1/readings/routes/R1?format=pdf", headers=reader).status_code == 422
    assert web.client.get("/api/v1/readings/routes/R1", headers=web.as_("cashier")).status_code == 403
    assert web.client.get("/api/v1/readings/routes/R1").status_code == 401


# -- AFIP CAE ---------------------------------------------------------------------------------------------
def test_the_cae_is_recorded_once(web: Web) -> None:
    electricity = invoice_id("E-1", "2026-01").hex
    path = f"/api/v1/invoices/{electricity}/cae"
    clerk = web.as_("billing_clerk")
    body = {"cae": "74123456789012", "cae_due": "2026-02-12"}
    before = web.event_count()
    assert web.client.post(path, json=body, headers=web.as_("cashier")).status_code == 403
    assert web.client.post(path, json=body).status_code == 401
    assert web.client.post(path, json={**body, "cae": "123"}, headers=clerk).status_code == 422
    early = web.client.post(path, json={**body, "cae_due": "2026-01-01"}, headers=clerk)
    assert (early.status_code, early.json()["message"]) == (
        422,
        "El vencimiento del CAE es anterior a la emisión",
    )
    assert web.client.post(path, json={**body, "qr": True}, headers=clerk).status_code == 422
    assert web.client.post(f"/api/v1/invoices/{UNKNOWN_ID}/cae", json=body, headers=clerk).status_code == 404
    member_id = web.asiento.app.member("1").id.hex  # an id, but not an invoice's
    assert web.client.post(f"/api/v1/invoices/{member_id}/cae", json=body, headers=clerk).status_code == 404
    assert web.event_count() == before

    answer = web.client.post(path, json=body, headers=clerk)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"invoice_id": electricity, "cae": "74123456789012", "cae_due": "2026-02-12"}
    invoice: Invoice = web.asiento.app.repository.get(invoice_id("E-1", "2026-01"))
    assert (invoice.cae, invoice.cae_due) == ("74123456789012", date(2026, 2, 12))
    stored = web.asiento.app.recorder.select_events(invoice.id)
    last = web.asiento.app.mapper.to_domain_event(stored[-1])
    assert (type(last).__name__, last.recorded_by) == ("CaeRecorded", "billing_clerk")  # type: ignore[attr-defined]
    after = web.event_count()
    again = web.client.post(path, json={**body, "cae": "74123456789099"}, headers=clerk)
    assert again.status_code == 409
    assert "ya tiene CAE 74123456789012" in again.json()["message"]
    assert web.event_count() == after


# -- bank reconciliation -------------------------------------------------------------------------------------
def test_a_bank_statement_is_reconciled_against_the_journal(web: Web) -> None:
    accountant = web.as_("accountant")
    for day, description, lines in (
        ("2026-03-10", "Seguro de marzo", [("5.3.04", "1234.56", "0"), ("1.1.01.10", "0", "1234.56")]),
        ("2026-03-12", "Depósito de caja", [("1.1.01.10", "5000", "0"), ("1.1.01.01", "0", "5000")]),
    ):
        entry = {
            "effective_date": day,
            "description": description,
            "lines": [{"account": a, "debit": d, "credit": c} for a, d, c in lines],
        }
        assert web.client.post("/api/v1/journal/entries", json=entry, headers=accountant).status_code == 201
    statement = (
        "fecha;descripcion;importe;referencia\n"
        "11/03/2026;Débito seguro;-1234,56;\n"
        "20/03/2026;Comisión mantenimiento;-150,00;C-77\n"
    ).encode()
    form = {"account": "1.1.01.10", "date_from": "2026-03-01", "date_to": "2026-03-31"}
    before = web.event_count()
    answer = upload(web, "/api/v1/treasury/reconciliations", "extracto.csv", statement, "accountant", form)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    ((matched_statement, matched_book),) = [(m["statement"], m["book"]) for m in result["matched"]]
    assert (matched_statement["line"], matched_statement["amount"]) == (2, "-1234.56")
    assert (matched_book["day"], matched_book["amount"], matched_book["description"]) == (
        "2026-03-10",
        "-1234.56",
        "Seguro de marzo",
    )
    assert [(s["line"], s["amount"], s["reference"]) for s in result["statement_only"]] == [
        (3, "-150.00", "C-77")
    ]
    assert [(b["day"], b["amount"]) for b in result["books_only"]] == [("2026-03-12", "5000.00")]
    assert (result["statement_only_total"], result["books_only_total"]) == ("-150.00", "5000.00")
    assert result["book_balance"] == "3765.44"
    assert result["expected_bank_balance"] == "-1384.56"  # 3765.44 - 150.00 - 5000.00
    assert web.event_count() == before  # reconciling records nothing


def test_a_reconciliation_refuses_bad_statements_unknown_accounts_and_other_roles(web: Web) -> None:
    good = b"fecha;descripcion;importe;referencia\n11/03/2026;x;-1,00;\n"
    form = {"account": "1.1.01.10", "date_from": "2026-03-01", "date_to": "2026-03-31"}
    path = "/api/v1/treasury/reconciliations"
    bad_rows = b"fecha;descripcion;importe\n31/02/2026;x;abc\n"
    bad = upload(web, path, "extracto.csv", bad_rows, "accountant", form)
    assert bad.status_code == 422
    assert bad.json()["message"].startswith("El archivo extracto.csv tiene 2 errores; no se tomó el extracto")
    no_header = upload(web, path, "extracto.csv", b"a;b\n1;2\n", "accountant", form)
    assert no_header.status_code == 422
    odd = upload(
        web, path, "extracto.csv", b"fecha;descripcion;importe\n11/03/2026;x;sNaN\n", "accountant", form
    )
    assert odd.status_code == 422
    assert upload(web, path, "extracto.csv", b"\xff\xfe", "accountant", form).status_code == 422
    unknown = upload(web, path, "extracto.csv", good, "accountant", {**form, "account": "9.9.99"})
    assert unknown.status_code == 404
    backwards = upload(web, path, "extracto.csv", good, "accountant", {**form, "date_from": "2026-04-01"})
    assert backwards.status_code == 422
    assert (
        upload(web, path, "extracto.csv", good, "accountant", {**form, "date_to": "marzo"}).status_code == 422
    )
    assert upload(web, path, "extracto.csv", good, "cashier", form).status_code == 403
    assert upload(web, path, "extracto.csv", good, "auditor", form).status_code == 403
    assert upload(web, path, "extracto.csv", good, "", form).status_code == 401


# -- automatic debit -------------------------------------------------------------------------------------
def test_automatic_debit_export_then_the_banks_result_pays_once(web: Web) -> None:
    adhesion = {"cbu": CBU_MEMBER_1, "effective_date": "2026-01-10"}
    adhered = web.client.post("/api/v1/members/1/debit", json=adhesion, headers=web.as_("back_office"))
    assert adhered.status_code == 200, adhered.text
    supervisor = web.as_("collections_supervisor")
    before = web.event_count()
    body = {"period": "2026-01", "file_number": 7, "file_date": "2026-02-05"}
    exported = web.client.post("/api/v1/debit-files", json=body, headers=supervisor)
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-disposition"] == 'attachment; filename="debitos-2026-01-000007.txt"'
    assert exported.headers["x-debit-orders"] == "1"
    assert web.event_count() == before  # exporting records nothing
    request = parse_debit_request(exported.content)
    assert (request.file_number, request.file_date) == (7, date(2026, 2, 5))
    ((order),) = request.orders
    assert (order.cbu, order.account_number, order.amount) == (CBU_MEMBER_1, "000001", Decimal(DEBT_MEMBER_1))

    result = write_debit_result(respond(request, {}, file_date=date(2026, 2, 17)))
    refused = upload(web, "/api/v1/debit-files/results", "respuesta.txt", result, "cashier")
    assert refused.status_code == 403
    assert upload(web, "/api/v1/debit-files/results", "respuesta.txt", result, "").status_code == 401
    assert web.event_count() == before
    imported = upload(web, "/api/v1/debit-files/results", "respuesta.txt", result, "collections_supervisor")
    assert imported.status_code == 201, imported.text
    assert imported.json() == {
        "file_name": "respuesta.txt",
        "orders": 1,
        "debited": 1,
        "rejected": 0,
        "debited_amount": DEBT_MEMBER_1,
    }
    assert debt(web) == "0.00"
    tb = web.client.get("/api/v1/treasury/balances?as_of=2026-12-31", headers=web.as_("accountant")).json()
    assert {b["code"]: b["balance"] for b in tb}["1.1.01.10"] == DEBT_MEMBER_1
    after = web.event_count()
    again = upload(web, "/api/v1/debit-files/results", "respuesta.txt", result, "collections_supervisor")
    assert again.status_code == 409
    assert web.event_count() == after
    assert debt(web) == "0.00"


def test_a_rejected_debit_leaves_the_debt_open(web: Web) -> None:
    adhesion = {"cbu": CBU_MEMBER_1, "effective_date": "2026-01-10"}
    assert (
        web.client.post("/api/v1/members/1/debit", json=adhesion, headers=web.as_("back_office")).status_code
        == 200
    )
    supervisor = web.as_("collections_supervisor")
    exported = web.client.post(
        "/api/v1/debit-files", json={"period": "2026-01", "file_number": 8}, headers=supervisor
    )
    request = parse_debit_request(exported.content)
    reference = request.orders[0].document_reference
    result = write_debit_result(respond(request, {reference: "R10"}, file_date=date(2026, 2, 17)))
    imported = upload(web, "/api/v1/debit-files/results", "rechazos.txt", result, "collections_supervisor")
    assert imported.status_code == 201, imported.text
    assert (imported.json()["debited"], imported.json()["rejected"], imported.json()["debited_amount"]) == (
        0,
        1,
        "0",
    )
    assert debt(web) == DEBT_MEMBER_1


def test_debit_files_refuse_bad_input(web: Web) -> None:
    supervisor = web.as_("collections_supervisor")
    before = web.event_count()
    for bad in (
        {"period": "2026-13", "file_number": 1},
        {"period": "2026-01", "file_number": 0},
        {"period": "2026-01"},
        {"period": "2026-01", "file_number": 1, "banco": "x"},
    ):
        assert web.client.post("/api/v1/debit-files", json=bad, headers=supervisor).status_code == 422, bad
    body = {"period": "2026-01", "file_number": 1}
    assert web.client.post("/api/v1/debit-files", json=body, headers=web.as_("cashier")).status_code == 403
    assert web.client.post("/api/v1/debit-files", json=body).status_code == 401
    garbage = upload(
        web,
        "/api/v1/debit-files/results",
        "respuesta.txt",
        b"no es un archivo del banco",
        "collections_supervisor",
    )
    assert garbage.status_code == 422
    assert garbage.json()["error"] == "invalid_input"
    assert web.event_count() == before
