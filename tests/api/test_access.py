"""Authentication and authorisation over every route of the API."""

from __future__ import annotations

import re

import pytest

from api.web.deps import MAX_PAGE
from api.web.security import LoginThrottle, TokenSigner
from domain.permissions import ROLES, Permission
from tests.api.conftest import Web, make_web, password_of

OPEN_ROUTES = {("GET", "/api/v1/health"), ("POST", "/api/v1/auth/token")}


def api_routes(web: Web) -> list[tuple[str, str]]:
    """Every operation the OpenAPI schema publishes (the UI's routes are not in it)."""
    paths = web.app.openapi()["paths"]
    return [(method.upper(), path) for path, operations in paths.items() for method in operations]


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


def test_every_route_but_health_and_login_needs_a_token(sqlite_web: Web) -> None:
    routes = api_routes(sqlite_web)
    assert len(routes) >= 35
    for method, path in routes:
        if (method, path) in OPEN_ROUTES:
            continue
        answer = sqlite_web.client.request(method, concrete(path))
        assert answer.status_code == 401, (method, path, answer.text)
        assert answer.headers["WWW-Authenticate"] == "Bearer"
        assert answer.json()["error"] == "unauthorized"


def test_health_answers_without_authentication(sqlite_web: Web) -> None:
    assert sqlite_web.client.get("/api/v1/health").json() == {"status": "ok"}


def test_the_api_description_needs_a_token_and_the_docs_a_session(sqlite_web: Web) -> None:
    assert sqlite_web.client.get("/api/v1/openapi.json").status_code == 401
    described = sqlite_web.client.get("/api/v1/openapi.json", headers=sqlite_web.as_("auditor"))
    assert described.json()["info"]["title"] == "Asiento"
    answer = sqlite_web.client.get("/docs", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/login?next=/docs")


def test_a_forged_or_foreign_token_is_refused(sqlite_web: Web) -> None:
    good = sqlite_web.as_("cashier")["Authorization"]
    body, signature = good.removeprefix("Bearer ").split(".")
    forged = {"Authorization": f"Bearer {body}.{signature[:-2]}xx"}
    assert sqlite_web.client.get("/api/v1/me", headers=forged).status_code == 401
    other_server = make_web(sqlite_web.asiento)
    other_server.context.signer = TokenSigner(b"o" * 32)  # another secret: its tokens mean nothing here
    foreign = other_server.context.signer.issue(
        sqlite_web.context.staff.directory().get("cashier"), "api", 60
    )[0]
    answer = sqlite_web.client.get("/api/v1/me", headers={"Authorization": f"Bearer {foreign}"})
    assert answer.status_code == 401


def test_wrong_password_is_401_and_says_nothing_about_which_part(sqlite_web: Web) -> None:
    for username in ("cashier", "nobody"):
        answer = sqlite_web.client.post(
            "/api/v1/auth/token", json={"username": username, "password": "mala-clave-x"}
        )
        assert answer.status_code == 401
        assert answer.json()["message"] == "Usuario o contraseña incorrectos"


def test_login_is_rate_limited_per_user(sqlite_web: Web) -> None:
    clock = [1000.0]
    web = make_web(sqlite_web.asiento, LoginThrottle(max_failures=3, window_s=60, clock=lambda: clock[0]))
    bad = {"username": "cashier", "password": "mala-clave-x"}
    assert [web.client.post("/api/v1/auth/token", json=bad).status_code for _ in range(3)] == [401] * 3
    good = {"username": "cashier", "password": password_of("cashier")}
    refused = web.client.post("/api/v1/auth/token", json=good)
    assert refused.status_code == 429  # even the right password waits: the guesser cannot tell
    assert "Demasiados intentos" in refused.json()["message"]
    clock[0] += 61
    assert web.client.post("/api/v1/auth/token", json=good).status_code == 200


def test_a_password_change_ends_earlier_tokens(sqlite_web: Web) -> None:
    headers = sqlite_web.as_("cashier")
    sqlite_web.context.staff.change_password("cashier", "otra-clave-larga", recorded_by="admin")
    assert sqlite_web.client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_disabled_user_cannot_use_its_token(sqlite_web: Web) -> None:
    headers = sqlite_web.as_("technician")
    answer = sqlite_web.client.get("/api/v1/me", headers=headers)
    assert answer.json()["permissions"] == ["members.read", "readings.write", "supplies.write"]
    sqlite_web.context.staff.set_active("technician", False, recorded_by="admin")
    assert sqlite_web.client.get("/api/v1/me", headers=headers).status_code == 401


def test_the_auditor_can_read_but_every_write_is_403_and_writes_nothing(sqlite_web: Web) -> None:
    auditor = sqlite_web.as_("auditor")
    assert sqlite_web.client.get("/api/v1/members/1/statement", headers=auditor).status_code == 200
    assert sqlite_web.client.get("/api/v1/reports/trial-balance", headers=auditor).status_code == 200
    before = sqlite_web.event_count()
    writes = [(m, p) for m, p in api_routes(sqlite_web) if m in {"POST", "PUT"} and (m, p) not in OPEN_ROUTES]
    assert len(writes) >= 15
    for method, path in writes:
        answer = sqlite_web.client.request(method, concrete(path), headers=auditor, json={})
        assert answer.status_code == 403, (method, path, answer.text)
        assert answer.json()["error"] == "forbidden"
    assert sqlite_web.event_count() == before


def test_a_cashier_cannot_run_billing_nor_manage_users(sqlite_web: Web) -> None:
    cashier = sqlite_web.as_("cashier")
    before = sqlite_web.event_count()
    answer = sqlite_web.client.post("/api/v1/billing-runs", json={"period": "2026-02"}, headers=cashier)
    assert answer.status_code == 403
    assert answer.json()["message"] == "El usuario cashier no tiene permiso para billing.run"
    user = {
        "username": "intruso",
        "full_name": "X",
        "roles": ["administrator"],
        "password": "una-clave-larga",
    }
    assert sqlite_web.client.post("/api/v1/users", json=user, headers=cashier).status_code == 403
    assert sqlite_web.event_count() == before


def test_users_are_managed_by_the_administrator_and_recorded_with_who(sqlite_web: Web) -> None:
    admin = sqlite_web.as_("administrator")
    user = {
        "username": "Nueva.Cajera",
        "full_name": "Nueva Cajera",
        "roles": ["cashier"],
        "password": "una-clave-larga",
    }
    created = sqlite_web.client.post("/api/v1/users", json=user, headers=admin)
    assert created.status_code == 201
    assert created.json()["username"] == "nueva.cajera"
    assert sqlite_web.client.post("/api/v1/users", json=user, headers=admin).status_code == 409
    weak = {**user, "username": "otra", "password": "corta"}
    assert sqlite_web.client.post("/api/v1/users", json=weak, headers=admin).json() == {
        "error": "invalid_input",
        "message": "La contraseña debe tener al menos 10 caracteres",
    }
    bad_role = sqlite_web.client.put(
        "/api/v1/users/nueva.cajera/roles", json={"roles": ["rey"]}, headers=admin
    )
    assert bad_role.status_code == 422
    moved = sqlite_web.client.put(
        "/api/v1/users/nueva.cajera/roles", json={"roles": ["auditor"]}, headers=admin
    )
    assert moved.json()["roles"] == ["auditor"]
    assert (
        sqlite_web.client.put(
            "/api/v1/users/nadie/roles", json={"roles": ["auditor"]}, headers=admin
        ).status_code
        == 404
    )
    directory = sqlite_web.context.staff.directory()
    events = sqlite_web.asiento.app.recorder.select_events(directory.id)
    last = sqlite_web.asiento.app.mapper.to_domain_event(events[-1])
    assert type(last).__name__ == "UserRolesChanged"
    assert last.recorded_by == "administrator"  # type: ignore[attr-defined]


@pytest.mark.parametrize("role", sorted(ROLES))
def test_each_role_sees_exactly_its_permissions(sqlite_web: Web, role: str) -> None:
    me = sqlite_web.client.get("/api/v1/me", headers=sqlite_web.as_(role)).json()
    assert me["permissions"] == sorted(p.value for p in ROLES[role].permissions)
    if role == "auditor":
        assert all(Permission(p).read_only for p in me["permissions"])


def test_lists_refuse_pages_beyond_the_limit(sqlite_web: Web) -> None:
    answer = sqlite_web.client.get(f"/api/v1/members?limit={MAX_PAGE + 1}", headers=sqlite_web.as_("cashier"))
    assert answer.status_code == 422
    assert answer.json()["message"].startswith("Datos inválidos — limit:")
