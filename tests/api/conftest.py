"""A small billed cooperative served by the real app, with one user per role.

Member 1 (Pérez, Juan) has electricity E-1 and internet I-1 billed for January 2026:
53,073.88 + 24,079.00 = 77,152.88 owed. Member 2 (Gómez, Ana) has nothing billed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.billing_run import BillingRun
from api.bootstrap import Asiento, bootstrap
from api.web.app import create_app
from api.web.context import WebContext, WebSettings
from api.web.security import LoginThrottle
from api.web.staff_accounts import StaffAccounts
from domain.permissions import ROLES
from ledger_rules import load_chart
from tests.integration.cooperative import flat, member, metered, read, setup_services

# Cheap argon2 parameters: tests hash a dozen passwords; production keeps the library's defaults.
TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
SECRET = b"s" * 32
DEBT_MEMBER_1 = "77152.88"


def password_of(username: str) -> str:
    return f"{username}-clave-segura"


def build_cooperative(url: str) -> Asiento:
    asiento = bootstrap(url)
    asiento.app.install_chart(load_chart(), recorded_by="test")
    asiento.app.open_fiscal_year(2026, recorded_by="test")
    setup_services(asiento)
    member(asiento, "1", "CF", "Pérez, Juan")
    member(asiento, "2", "RI", "Gómez, Ana")
    metered(asiento, "E-1", "000001")
    flat(asiento, "I-1", "000001")
    read(asiento, "E-1", "2026-01", "1320")
    BillingRun(asiento, period="2026-01", issue_date=date(2026, 2, 2), recorded_by="test").run()
    accounts = StaffAccounts(asiento.app, TEST_HASHER)
    for role in ROLES:
        accounts.add(role, f"Usuario {role}", [role], password_of(role), recorded_by="test")
    asiento.runner.catch_up()
    return asiento


@dataclass
class Web:
    asiento: Asiento
    app: FastAPI
    client: TestClient
    tokens: dict[str, str]

    @property
    def context(self) -> WebContext:
        context: WebContext = self.app.state.context
        return context

    def as_(self, role: str) -> dict[str, str]:
        """Authorization header of the user holding only ``role`` (users are named after their role)."""
        if role not in self.tokens:
            answer = self.client.post(
                "/api/v1/auth/token", json={"username": role, "password": password_of(role)}
            )
            assert answer.status_code == 200, answer.text
            self.tokens[role] = answer.json()["access_token"]
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def event_count(self) -> int:
        """How many events the log holds: a refused request must leave it unchanged."""
        return int(self.asiento.app.recorder.max_notification_id() or 0)


def make_web(asiento: Asiento, throttle: LoginThrottle | None = None) -> Web:
    app = create_app(asiento, WebSettings(SECRET), hasher=TEST_HASHER, throttle=throttle)
    return Web(asiento, app, TestClient(app, base_url="https://testserver"), {})


@pytest.fixture
def web(database_url: str) -> Iterator[Web]:
    """On SQLite and PostgreSQL."""
    asiento = build_cooperative(database_url)
    try:
        yield make_web(asiento)
    finally:
        asiento.close()


@pytest.fixture
def sqlite_web(tmp_path: object) -> Iterator[Web]:
    """SQLite only: for what does not depend on the backend (authorisation rules, forms)."""
    asiento = build_cooperative(f"sqlite:///{tmp_path}/asiento.db")
    try:
        yield make_web(asiento)
    finally:
        asiento.close()
