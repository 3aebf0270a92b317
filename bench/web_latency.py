"""Web latency benchmark: p50/p99 of the member 360° page and of GET /api/v1/members/{id}/statement.

Builds N members with one metered supply each and M months of readings, each
month billed by the real ``BillingRun``, plus one counter payment for every
fifth member (set-up, not timed). Then requests random members' pages through
the real app in-process (FastAPI/Starlette over ASGI, session cookie and bearer
token as staff use them; no network hop) and prints the latency percentiles.
Prints figures; asserts nothing.

    python bench/web_latency.py --members 20000 --months 12 --database sqlite:////tmp/bench-web.db
    python bench/web_latency.py --members 20000 --months 12 --database postgresql://postgres@127.0.0.1:5432/bench_web
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from api.billing_run import BillingRun, period_bounds
from api.bootstrap import Asiento, bootstrap
from api.cli_cash import open_invoice_ids
from api.web.app import create_app
from api.web.context import WebSettings
from api.web.staff_accounts import StaffAccounts
from bench.billing_run import setup
from bench.projection_catchup import fresh_database
from domain.meter_readings import MeterReading
from projections.billing_queries import shift_period

SAVE_BATCH = 2_000
PASSWORD = "clave-de-banco-de-pruebas"


def reading_for(n: int, period: str, month: int) -> MeterReading:
    """Month ``month`` (2, 3, ...) of supply n, continuing the set-up's January reading."""
    consumption = Decimal(150 + (n * 37 + month * 11) % 500)
    previous = Decimal(1000) + sum(
        (Decimal(150 + (n * 37 + m * 11) % 500) for m in range(1, month)), Decimal(0)
    )
    start, end = period_bounds(period)
    return MeterReading.record(
        supply_number=f"E{n + 1:07d}",
        period=period,
        reading_date=end,
        value=previous + consumption,
        previous_value=previous,
        previous_date=start - timedelta(days=1),
        consumption_units=consumption,
        rollover=False,
        estimated=False,
        meter_serial=f"M{n}",
        source="bench",
        held_reason=None,
        recorded_by="bench",
    )


def build_history(asiento: Asiento, members: int, months: int, log: Callable[[str], None]) -> None:
    setup(asiento, members)  # members, supplies and January's readings
    asiento.app.open_fiscal_year(2027, recorded_by="bench")  # December is billed in January
    for month in range(1, months + 1):
        period = f"2026-{month:02d}"
        if month > 1:
            for start in range(0, members, SAVE_BATCH):
                asiento.app.save(
                    *[reading_for(n, period, month) for n in range(start, min(members, start + SAVE_BATCH))]
                )
            asiento.runner.catch_up()
        issue = period_bounds(shift_period(period, 1))[0] + timedelta(days=1)
        report = BillingRun(asiento, period=period, issue_date=issue, recorded_by="bench").run()
        log(f"  {period}: {report.invoices} invoices")
    pay_some(asiento, members)


def pay_some(asiento: Asiento, members: int) -> None:
    for n in range(0, members, 5):
        number = f"{n + 1:06d}"
        with asiento.read() as conn:
            candidates = open_invoice_ids(conn, number)
        asiento.app.record_receipt(
            member_number=number,
            instruments=[{"kind": "cash", "amount": "20000"}],
            effective_date=date(2026, 12, 20),
            open_invoice_ids=candidates,
            recorded_by="bench",
        )
    asiento.runner.catch_up()


def percentiles(samples_ms: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return cuts[49], cuts[98], max(samples_ms)


def measure(client: TestClient, paths: list[str], headers: dict[str, str]) -> list[float]:
    timings = []
    for path in paths:
        started = time.perf_counter()
        answer = client.get(path, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise SystemExit(f"{path}: {answer.status_code} {answer.text[:200]}")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--months", type=int, default=12, choices=range(1, 13))
    parser.add_argument("--samples", type=int, default=1_000)
    parser.add_argument("--database", default="sqlite:////tmp/bench-web.db")
    parser.add_argument("--reuse", action="store_true", help="measure an existing database built before")
    args = parser.parse_args()
    url = args.database if args.reuse else fresh_database(args.database)
    asiento = bootstrap(url)
    if not args.reuse:
        started = time.perf_counter()
        build_history(asiento, args.members, args.months, print)
        StaffAccounts(asiento.app).add(
            "bench", "Banco de pruebas", ["auditor"], PASSWORD, recorded_by="bench"
        )
        print(f"set-up: {time.perf_counter() - started:.0f}s, {asiento.runner.head():,} events")
    app = create_app(asiento, WebSettings(b"b" * 32), hasher=PasswordHasher())
    client = TestClient(app)
    token = client.post("/api/v1/auth/token", json={"username": "bench", "password": PASSWORD}).json()
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    login = client.get("/login")
    nonce = login.cookies.get("asiento_login_csrf") or client.cookies.get("asiento_login_csrf")
    client.post("/login", data={"username": "bench", "password": PASSWORD, "login_csrf": nonce or ""})
    rng = random.Random(11)
    numbers = [f"{rng.randrange(args.members) + 1:06d}" for _ in range(args.samples)]
    measure(client, [f"/socios/{n}" for n in numbers[:50]], {})  # warm-up: caches, pools, templates
    backend = "sqlite" if url.startswith("sqlite") else "postgresql"
    print(f"backend={backend} members={args.members} months={args.months} samples={args.samples}")
    for label, paths, headers in (
        ("member 360° page   ", [f"/socios/{n}" for n in numbers], {}),
        ("API statement      ", [f"/api/v1/members/{n}/statement?as_of=2026-12-31" for n in numbers], bearer),
    ):
        p50, p99, worst = percentiles(measure(client, paths, headers))
        print(f"{label} p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   max {worst:6.1f} ms")
    asiento.close()


if __name__ == "__main__":
    main()
