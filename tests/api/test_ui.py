"""The staff UI over HTTP: login, session cookie, CSRF, pages and forms (the browser tests drive it too)."""

from __future__ import annotations

import re

from tests.api.conftest import Web, password_of


def login(web: Web, role: str) -> str:
    """Logs in through the form; returns the page's CSRF token for later forms."""
    page = web.client.get("/login")
    nonce = re.search(r'name="login_csrf" value="([^"]+)"', page.text)
    assert nonce is not None
    answer = web.client.post(
        "/login",
        data={
            "username": role,
            "password": password_of(role),
            "login_csrf": nonce.group(1),
            "next": "/socios",
        },
        follow_redirects=False,
    )
    assert (answer.status_code, answer.headers["location"]) == (303, "/socios")
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    return csrf_of(web.client.get("/socios").text)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_pages_need_a_session(sqlite_web: Web) -> None:
    for path in ("/", "/socios", "/socios/1", "/caja", "/informes", "/facturacion", "/lecturas"):
        answer = sqlite_web.client.get(path, follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (303, f"/login?next={path}"), path


def test_wrong_password_shows_the_form_again(sqlite_web: Web) -> None:
    page = sqlite_web.client.get("/login")
    nonce = re.search(r'name="login_csrf" value="([^"]+)"', page.text)
    assert nonce is not None
    answer = sqlite_web.client.post(
        "/login", data={"username": "cashier", "password": "mala-clave-x", "login_csrf": nonce.group(1)}
    )
    assert answer.status_code == 401
    assert "Usuario o contraseña incorrectos" in answer.text
    assert "asiento_sesion" not in answer.headers.get("set-cookie", "")


def test_a_login_form_from_elsewhere_does_not_log_in(sqlite_web: Web) -> None:
    answer = sqlite_web.client.post(
        "/login",
        data={"username": "cashier", "password": password_of("cashier"), "login_csrf": "forjado"},
        follow_redirects=False,
    )
    assert "asiento_sesion" not in answer.headers.get("set-cookie", "")


def test_search_and_member_360(sqlite_web: Web) -> None:
    login(sqlite_web, "cashier")
    found = sqlite_web.client.get("/socios?q=gómez")
    assert found.url.path == "/socios/000002"  # one match opens the member
    page = sqlite_web.client.get("/socios/1")
    assert "Pérez, Juan" in page.text
    assert '<strong id="deuda">$ 77.152,88</strong>' in page.text
    assert "conectado" in page.text
    assert "/socios/000001/facturas/2026-01/pdf?sequence=1" in page.text
    assert "Historial" not in page.text  # the cashier cannot read event histories
    pdf = sqlite_web.client.get("/socios/000001/facturas/2026-01/pdf?sequence=1")
    assert pdf.content.startswith(b"%PDF-")


def test_a_form_without_the_session_token_is_403_and_writes_nothing(sqlite_web: Web) -> None:
    login(sqlite_web, "cashier")
    before = sqlite_web.event_count()
    answer = sqlite_web.client.post("/caja/abrir", data={"desk": "CAJA1", "opening_float": "0", "csrf": "x"})
    assert answer.status_code == 403
    assert "El formulario venció" in answer.text
    assert sqlite_web.event_count() == before


def test_cash_desk_by_forms_records_the_cashier(sqlite_web: Web) -> None:
    csrf = login(sqlite_web, "cashier")
    sqlite_web.client.post("/caja/abrir", data={"desk": "CAJA2", "opening_float": "500", "csrf": csrf})
    page = sqlite_web.client.get("/caja?member=1")
    assert "Caja CAJA2 abierta" in page.text
    session = re.search(r'name="session_id" value="([^"]+)"', page.text)
    assert session is not None
    form = {
        "csrf": csrf,
        "session_id": session.group(1),
        "code": "1",
        "kind": "cash",
        "amount": "ciento",
        "request_key": "k-1",
    }
    bad = sqlite_web.client.post("/caja/cobrar", data=form)
    assert bad.status_code == 422
    assert "importe: número inválido &#39;ciento&#39;" in bad.text
    receipt = sqlite_web.client.post("/caja/cobrar", data={**form, "amount": "$ 152,88"})  # as staff type it
    assert '<strong id="saldo">$ 77.000,00</strong>' in receipt.text
    retried = sqlite_web.client.post("/caja/cobrar", data={**form, "amount": "152.88"})
    assert retried.status_code == 409  # the same form sent twice does not collect twice
    closed = sqlite_web.client.post(
        "/caja/cerrar", data={"csrf": csrf, "session_id": session.group(1), "count_cash": "652.88"}
    )
    assert "Caja CAJA2 cerrada" in closed.text
    history = sqlite_web.asiento.app.recorder.select_events(__import__("uuid").UUID(session.group(1)))
    recorded_by = {
        sqlite_web.asiento.app.mapper.to_domain_event(e).__dict__.get("recorded_by") for e in history
    }
    assert recorded_by == {"cashier", None}  # registering receipts carries no user; opening and closing do


def test_reports_page_and_download(sqlite_web: Web) -> None:
    login(sqlite_web, "accountant")
    page = sqlite_web.client.get("/informes?name=trial-balance&as_of=2026-12-31")
    assert "Balance de sumas y saldos al 31/12/2026" in page.text
    csv = sqlite_web.client.get("/informes/descargar?name=trial-balance&as_of=2026-12-31&format=csv")
    assert csv.content.splitlines()[0] == b"Cuenta;Nombre;Debe;Haber;Saldo"
    sheet = sqlite_web.client.get("/informes?name=balance-sheet&as_of=2026-12-31")
    assert (
        "Estado de situación patrimonial" in sheet.text and "Total del pasivo y patrimonio neto" in sheet.text
    )
    diario = sqlite_web.client.get("/informes/descargar?name=diario&from=2026-01-01&to=2026-12-31&format=pdf")
    assert diario.content.startswith(b"%PDF-")


def test_api_docs_for_a_logged_in_user(sqlite_web: Web) -> None:
    login(sqlite_web, "auditor")
    docs = sqlite_web.client.get("/docs")
    assert "/api/v1/openapi.json" in docs.text
    assert sqlite_web.client.get("/api/v1/openapi.json").json()["info"]["title"] == "Asiento"


def test_pages_cannot_be_framed_nor_run_foreign_scripts(sqlite_web: Web) -> None:
    page = sqlite_web.client.get("/login")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert (
        "script-src" not in page.headers["Content-Security-Policy"]
    )  # default-src 'self': no inline scripts
    assert "onclick" not in page.text
    assert "javascript:" not in page.text


def test_logout_ends_the_session(sqlite_web: Web) -> None:
    csrf = login(sqlite_web, "auditor")
    sqlite_web.client.post("/logout", data={"csrf": csrf})
    assert sqlite_web.client.get("/socios", follow_redirects=False).status_code == 303


def test_after_login_only_paths_of_this_site(sqlite_web: Web) -> None:
    from api.web.ui import _local

    assert [
        _local(p)
        for p in (
            "/socios/1",
            "/informes?name=ledger&from=2026-01-01",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "javascript:alert(1)",
        )
    ] == ["/socios/1", "/informes?name=ledger&from=2026-01-01", "/", "/", "/", "/"]


def test_readings_by_forms_record_import_and_accept(sqlite_web: Web) -> None:
    csrf = login(sqlite_web, "technician")
    recorded = sqlite_web.client.post(
        "/lecturas/registrar", data={"csrf": csrf, "supply": "e-1", "value": "1.500", "period": "2026-03"}
    )
    assert "Lectura de E-1: consumo 180" in recorded.text  # 1.500 is fifteen hundred, as typed in es-AR
    bad_file = "suministro;fecha_lectura;lectura;lecturista\r\nX-9;27/02/2026;5;L1\r\n"
    refused = sqlite_web.client.post(
        "/lecturas/importar",
        data={"csrf": csrf, "period": "2026-02"},
        files={"file": ("ruta.csv", bad_file.encode(), "text/csv")},
    )
    assert refused.status_code == 422
    assert "no se importó ninguna lectura" in refused.text
    backdated = {"supply_number": "E-1", "period": "2026-04", "value": "1600", "reading_date": "2026-03-01"}
    sqlite_web.client.post("/api/v1/readings", json=backdated, headers=sqlite_web.as_("technician"))
    assert "<td>E-1</td>" in sqlite_web.client.get("/lecturas?period=2026-04").text
    accepted = sqlite_web.client.post(
        "/lecturas/aceptar",
        data={"csrf": csrf, "supply": "E-1", "period": "2026-04", "note": "Verificada en campo"},
    )
    assert "Lectura de E-1 aceptada" in accepted.text
    assert "<td>E-1</td>" not in accepted.text


def test_history_pages_for_the_auditor(sqlite_web: Web) -> None:
    login(sqlite_web, "auditor")
    member = sqlite_web.client.get("/socios/1/historial")
    assert "Historial del asociado 000001" in member.text
    assert "MemberRegistered" in member.text
    page = sqlite_web.client.get("/socios/1")
    document = re.search(r'href="/documentos/([0-9a-f]{32})/historial"', page.text)
    assert document is not None
    assert "InvoiceIssued" in sqlite_web.client.get(f"/documentos/{document.group(1)}/historial").text
    assert (
        sqlite_web.client.post(
            "/lecturas/registrar",
            data={"csrf": csrf_of(page.text), "supply": "E-1", "value": "1", "period": "2026-04"},
        ).status_code
        == 403
    )


def test_amounts_as_staff_type_them() -> None:
    from decimal import Decimal

    from api.web.ui import staff_amount

    typed = ["1.500", "1.234,56", "1234,56", "$ 27.152,88", "152.88", "1500", "1.234.567"]
    assert [staff_amount(t, "importe") for t in typed] == [
        Decimal("1500"),
        Decimal("1234.56"),
        Decimal("1234.56"),
        Decimal("27152.88"),
        Decimal("152.88"),
        Decimal("1500"),
        Decimal("1234567"),
    ]
