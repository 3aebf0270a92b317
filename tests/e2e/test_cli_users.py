"""``asiento user`` through the real console script: users the web app then accepts."""

from __future__ import annotations

from pathlib import Path

from api.bootstrap import bootstrap
from api.web.staff_accounts import StaffAccounts
from tests.e2e.test_cli import run


def test_add_list_change_roles_and_disable(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/asiento.db"
    added = run(
        url,
        "user",
        "add",
        "jperez",
        "--name",
        "Juan Pérez",
        "--role",
        "cashier",
        "--role",
        "accountant",
        "--password",
        "una-clave-larga",
    )
    assert added.stdout.strip() == "Usuario jperez creado: Cajero, Contador."
    refused = run(
        url,
        "user",
        "add",
        "otro",
        "--name",
        "Otro",
        "--role",
        "rey",
        "--password",
        "una-clave-larga",
        ok=False,
    )
    assert "Rol desconocido rey" in refused.stderr
    short = run(
        url, "user", "add", "otro", "--name", "Otro", "--role", "cashier", "--password", "corta", ok=False
    )
    assert "al menos 10 caracteres" in short.stderr
    run(url, "user", "role", "jperez", "--role", "auditor")
    run(url, "user", "disable", "jperez")
    listed = run(url, "user", "list").stdout.splitlines()
    assert listed[0].split() == ["jperez", "Juan", "Pérez", "Auditor", "(solo", "lectura)", "(deshabilitado)"]
    assert listed[-1] == "1 usuarios."
    asiento = bootstrap(url)
    try:
        user = StaffAccounts(asiento.app).directory().get("jperez")
        assert (user.roles, user.active) == (("auditor",), False)
        assert StaffAccounts(asiento.app).authenticate("jperez", "una-clave-larga") is None  # disabled
        events = asiento.app.recorder.select_events(StaffAccounts(asiento.app).directory().id)
        who = {asiento.app.mapper.to_domain_event(e).__dict__.get("recorded_by") for e in events[1:]}
        assert who == {"contadora"}  # ASIENTO_USER of the console
    finally:
        asiento.close()
