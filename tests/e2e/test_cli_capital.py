"""Capital, the member register and the surplus through the real console script."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.test_cli import run

# Services billed per member (revenue with the member dimension) and the year's expenses:
# result 5,000.00 − 4,000.00 = 1,000.00; the non-associate's fifth (200.00) to the special
# reserve; 800.00 distributable, 40.00 to each reserve, retorno 680.00 = 170.00 + 510.00.
YEAR = """
date = 2026-06-30
description = "Servicios del año y gastos"
[[lines]]
account = "1.1.03.02"
debit = "5000.00"
[[lines]]
account = "4.1.02"
credit = "1000.00"
dimensions = { member = "000001" }
[[lines]]
account = "4.1.02"
credit = "3000.00"
dimensions = { member = "000002" }
[[lines]]
account = "4.1.02"
credit = "1000.00"
dimensions = { member = "000009" }
[[lines]]
account = "5.2.01"
debit = "4000.00"
[[lines]]
account = "2.1.04.01"
credit = "4000.00"
"""


def test_capital_register_and_surplus_through_the_cli(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/asiento.db"
    run(url, "init", "--year", "2026")
    common = ("--doc-type", "DNI", "--vat", "CF", "--admission", "2025-05-02")
    run(
        url,
        "member",
        "add",
        "1",
        "Pérez, Juan",
        "--doc",
        "20111222",
        "--address",
        "Mitre 1",
        *common,
        "--board-minute",
        "Acta 7",
    )
    run(url, "member", "add", "2", "Paz, Ana", "--doc", "20111333", "--address", "Mitre 2", *common)
    run(
        url,
        "member",
        "add",
        "9",
        "Kiosco SRL",
        "--doc",
        "20111444",
        "--address",
        "Mitre 9",
        *common,
        "--non-associate",
    )
    run(url, "capital", "subscribe", "1", "1000.00", "--integrate", "50.00", "--date", "2026-01-10")
    refused = run(
        url,
        "capital",
        "transfer",
        "1",
        "2",
        "60.00",
        "--board-minute",
        "Acta 8",
        "--board-date",
        "2026-02-01",
        "--date",
        "2026-02-02",
        ok=False,
    )
    assert refused.stderr.strip() == (
        "Error: El asociado 000001 tiene $ 50,00 de capital integrado; no puede transferir $ 60,00"
    )
    (tmp_path / "year.toml").write_text(YEAR, encoding="utf-8")
    run(url, "entry", "post", str(tmp_path / "year.toml"))
    run(url, "period", "close", "2026")
    run(url, "period", "open", "2027")
    proposal = json.loads(run(url, "surplus", "compute", "2026", "--format", "json").stdout)
    assert {k: proposal[k] for k in ("result", "special_reserve", "legal_reserve", "retorno_total")} == {
        "result": "1000.00",
        "special_reserve": "200.00",
        "legal_reserve": "40.00",
        "retorno_total": "680.00",
    }
    assert [(m["number"], m["retorno"]) for m in proposal["members"]] == [
        ("000001", "170.00"),
        ("000002", "510.00"),
    ]
    run(
        url,
        "surplus",
        "approve",
        "2026",
        "--assembly-minute",
        "Asamblea 3",
        "--retorno-to",
        "capital",
        "--date",
        "2027-04-30",
    )
    approved = json.loads(run(url, "surplus", "compute", "2026", "--format", "json").stdout)["approved"]
    assert approved == {"minute": "Asamblea 3", "date": "2027-04-30"}
    again = run(
        url,
        "surplus",
        "approve",
        "2026",
        "--assembly-minute",
        "Asamblea 3",
        "--retorno-to",
        "capital",
        "--date",
        "2027-04-30",
        ok=False,
    )
    assert "ya fue aprobada" in again.stderr
    register = json.loads(
        run(url, "report", "member-register", "--as-of", "2027-05-01", "--format", "json").stdout
    )
    assert [
        (m["number"], m["board_minute"], m["subscribed"], m["integrated"]) for m in register["members"]
    ] == [
        ("000001", "Acta 7", "1170.00", "220.00"),
        ("000002", "", "510.00", "510.00"),
    ]
    run(
        url,
        "report",
        "member-register",
        "--as-of",
        "2027-05-01",
        "--format",
        "csv",
        "-o",
        str(tmp_path / "r.csv"),
    )
    assert (tmp_path / "r.csv").read_bytes().splitlines()[2] == (
        b"000002;02/05/2025;;Paz, Ana;DNI;20111333;Mitre 2;510,00;510,00;0,00;0,00;;"
    )
    run(url, "member", "admission-minute", "2", "--board-minute", "Acta 9")
    run(url, "member", "leave", "2", "--cause", "Renuncia", "--date", "2027-05-10")
    register = json.loads(
        run(url, "report", "member-register", "--as-of", "2027-05-31", "--format", "json").stdout
    )
    assert [(m["board_minute"], m["exit_date"], m["exit_cause"]) for m in register["members"]] == [
        ("Acta 7", None, ""),
        ("Acta 9", "2027-05-10", "Renuncia"),
    ]
