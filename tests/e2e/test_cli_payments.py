"""The monthly cycle and the cash desk through the real ``asiento`` console script (SQLite)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.test_cli import run


def test_bill_collect_close_and_deposit_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    run(url, "init", "--year", "2026")
    run(url, "tariff", "load")
    run(
        url,
        "member",
        "add",
        "1",
        "Pérez, Juan",
        "--doc-type",
        "CUIT",
        "--doc",
        "20267565393",
        "--vat",
        "CF",
        "--address",
        "San Martín 123",
        "--admission",
        "2020-01-01",
    )
    run(
        url,
        "supply",
        "add",
        "I-1",
        "--member",
        "1",
        "--service",
        "internet",
        "--category",
        "plan_100mb",
        "--address",
        "San Martín 123",
        "--date",
        "2025-12-01",
    )
    run(url, "supply", "connect", "I-1", "--date", "2025-12-01")
    billed = run(url, "billing", "run", "--period", "2026-01", "--issue-date", "2026-02-02").stdout
    assert "1 facturas" in billed and "24.079,00" in billed
    session = run(
        url, "cash", "open", "--desk", "CAJA1", "--float", "1000", "--date", "2026-02-10"
    ).stdout.split()[-1]
    receipt = run(
        url,
        "cash",
        "receipt",
        "--member",
        "1",
        "--pay",
        "cash=20000",
        "--pay",
        "cheque=4079:CH-1 Nación",
        "--session",
        session,
        "--date",
        "2026-02-10",
    ).stdout
    assert "24.079,00" in receipt
    run(
        url,
        "cash",
        "close",
        "--session",
        session,
        "--count",
        "cash=21000",
        "--count",
        "cheque=4079",
        "--date",
        "2026-02-10",
    )
    closing = json.loads(
        run(url, "report", "cash-closing", "--date", "2026-02-10", "--format", "json").stdout
    )
    assert closing["totals"] == {"cash": "20000.00", "cheque": "4079.00"}
    assert closing["sessions"][0]["receipts"] == 1 and closing["sessions"][0]["closed"] is True
    statement = json.loads(
        run(url, "member", "statement", "1", "--as-of", "2026-03-01", "--format", "json").stdout
    )
    assert statement["totals"] == {"debt": "0.00", "credit": "0.00"}
    run(
        url,
        "treasury",
        "move",
        "--kind",
        "cash_deposit",
        "--from",
        "1.1.01.01",
        "--to",
        "1.1.01.10",
        "--amount",
        "20000",
        "--reference",
        "Boleta 1",
        "--date",
        "2026-02-11",
    )
    balances = run(url, "treasury", "balances", "--as-of", "2026-02-28").stdout
    assert "1.1.01.10" in balances and "20.000,00" in balances
    refused = run(url, "cash", "receipt", "--member", "1", "--pay", "bitcoin=10", ok=False)
    assert refused.stderr.startswith("Error: ") and refused.stderr.count("\n") == 1


def test_reading_files_import_in_order_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    run(url, "init", "--year", "2026")
    run(url, "tariff", "load")
    run(url, "member", "add", "1", "Pérez, Juan", "--doc-type", "DNI", "--doc", "20111222", "--vat", "CF",
        "--address", "San Martín 123", "--admission", "2020-01-01")  # fmt: skip
    for number, meter in (("E-1", "M1"), ("E-2", "M2")):
        run(url, "supply", "add", number, "--member", "1", "--service", "electricity", "--category",
            "residential", "--address", "San Martín 123", "--date", "2025-12-01")  # fmt: skip
        run(url, "supply", "connect", number, "--date", "2025-12-01", "--meter", meter, "--initial", "1000")
    header = "suministro;fecha_lectura;lectura;lecturista\r\n"
    first, second = tmp_path / "ruta1.csv", tmp_path / "ruta2.csv"
    first.write_text(header + "E-1;31/01/2026;1150;L1\r\n", encoding="utf-8")
    second.write_text(header + "E-2;31/01/2026;1300;L2\r\n", encoding="utf-8")
    out = run(url, "reading", "import", str(first), str(second), "--period", "2026-01").stdout
    assert "ruta1.csv: 1 lecturas registradas (0 retenidas para revisión); 0 suministros sin leer." in out
    assert "ruta2.csv: 1 lecturas registradas" in out
    again = run(url, "reading", "import", str(second), "--period", "2026-01", ok=False)
    assert "ya tiene lectura del período 2026-01" in again.stdout + again.stderr
    billed = run(url, "billing", "run", "--period", "2026-01", "--issue-date", "2026-02-02").stdout
    assert "2 facturas" in billed
