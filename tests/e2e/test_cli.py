"""The ``asiento`` console script, run for real in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ASIENTO = str(Path(sys.executable).parent / "asiento")


def run(url: str, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASIENTO_DATABASE_URL": url, "ASIENTO_USER": "contadora", "COLUMNS": "200"}
    result = subprocess.run([ASIENTO, *args], capture_output=True, text=True, env=env, timeout=120)
    if ok:
        assert result.returncode == 0, result.stderr
    else:
        assert result.returncode != 0, result.stdout
    return result


def trial_balance(url: str, as_of: str = "2026-12-31") -> dict[str, object]:
    payload: dict[str, object] = json.loads(
        run(url, "report", "trial-balance", "--as-of", as_of, "--format", "json").stdout
    )
    return payload


ENTRY = """
date = 2026-03-31
description = "Provisión de sueldos de marzo"
[[lines]]
account = "5.2.01"
debit = "1500000.00"
dimensions = { cost_center = "administracion" }
[[lines]]
account = "2.1.04.01"
credit = "1500000.00"
"""


def test_a_month_of_manual_accounting_through_the_cli(database_url: str, tmp_path: Path) -> None:
    url = database_url
    assert "ejercicio 2026 abierto" in run(url, "init", "--year", "2026").stdout
    (tmp_path / "sueldos.toml").write_text(ENTRY, encoding="utf-8")
    run(url, "entry", "post", str(tmp_path / "sueldos.toml"))
    assert trial_balance(url) == {
        "as_of": "2026-12-31",
        "accounts": [
            {
                "code": "2.1.04.01",
                "name": "Sueldos a pagar",
                "debit": "0.00",
                "credit": "1500000.00",
                "balance": "-1500000.00",
            },
            {
                "code": "5.2.01",
                "name": "Sueldos y jornales",
                "debit": "1500000.00",
                "credit": "0.00",
                "balance": "1500000.00",
            },
        ],
        "totals": {"debit": "1500000.00", "credit": "1500000.00"},
    }
    run(url, "entry", "reverse", "2026/1", "--date", "2026-04-01")
    journal = json.loads(
        run(url, "report", "journal", "--from", "2026-01-01", "--to", "2026-12-31", "--format", "json").stdout
    )
    summary = [(e["number"], e["kind"], e["recorded_by"], e["reverses_entry_id"]) for e in journal["entries"]]
    assert summary == [(1, "manual", "contadora", None), (2, "reversal", "contadora", 1)]
    assert journal["totals"] == {"entries": 2, "debit": "3000000.00", "credit": "3000000.00"}
    ledger = json.loads(
        run(
            url,
            "report",
            "ledger",
            "5.2.01",
            "--from",
            "2026-04-01",
            "--to",
            "2026-12-31",
            "--format",
            "json",
        ).stdout
    )
    assert (ledger["opening_balance"], ledger["totals"]["closing_balance"]) == ("1500000.00", "0.00")
    before = trial_balance(url)
    run(url, "rebuild", "all")
    assert trial_balance(url) == before
    assert before["totals"] == {"debit": "3000000.00", "credit": "3000000.00"}
    run(url, "rebuild", "journal", "--workers", "1")  # the same with a planning worker process
    run(url, "rebuild", "balances", "--workers", "1")
    assert trial_balance(url) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (ENTRY.replace('credit = "1500000.00"', 'credit = "1499999.99"'), "no balancea"),
        (ENTRY.replace('"5.2.01"', '"5.9.99"'), "La cuenta 5.9.99 no existe"),
        (ENTRY.replace('"5.2.01"', '"5.2"'), "no imputable"),
        (ENTRY.replace("2026-03-31", "2024-03-31"), "No hay ejercicio abierto"),
        (ENTRY.replace('debit = "1500000.00"', "debit = 1500000.5"), "entre comillas"),
        (ENTRY.replace("[[lines]]", "[[lines", 1), "formato inválido"),
    ],
)
def test_bad_entry_files_print_one_line_and_write_nothing(tmp_path: Path, content: str, message: str) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    run(url, "init", "--year", "2026")
    before = trial_balance(url)
    (tmp_path / "malo.toml").write_text(content, encoding="utf-8")
    result = run(url, "entry", "post", str(tmp_path / "malo.toml"), ok=False)
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: "), result.stderr
    assert message in result.stderr
    assert trial_balance(url) == before


def test_closed_period_and_account_commands(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    run(url, "init", "--year", "2026")
    run(url, "period", "close", "2026-03")
    (tmp_path / "e.toml").write_text(ENTRY, encoding="utf-8")
    refused = run(url, "entry", "post", str(tmp_path / "e.toml"), ok=False)
    assert "El período 2026-03 está cerrado" in refused.stderr
    run(url, "account", "add", "5.3.09", "Gastos de sepelio propios", "--type", "expense", "--parent", "5.3")
    accounts = json.loads(run(url, "account", "list", "--format", "json").stdout)["accounts"]
    assert {
        "code": "5.3.09",
        "name": "Gastos de sepelio propios",
        "account_type": "expense",
        "normal_balance": "debit",
        "parent_code": "5.3",
        "header": False,
        "is_open": True,
    } in accounts
    duplicate = run(url, "account", "add", "5.3.09", "Otra", "--type", "expense", "--parent", "5.3", ok=False)
    assert duplicate.stderr == "Error: La cuenta 5.3.09 ya existe\n"
    years = json.loads(run(url, "period", "list", "--format", "json").stdout)["years"]
    assert years == [
        {
            "year": 2026,
            "start": "2026-01-01",
            "end": "2026-12-31",
            "closed": False,
            "closed_months": ["2026-03"],
        }
    ]


def test_rules_check_accepts_the_default_set_and_names_the_fault_in_a_bad_one(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    assert "sin errores" in run(url, "rules", "check").stdout
    bad = tmp_path / "malas.toml"
    bad.write_text(
        '[ruleset]\nname = "malas"\nvalid_from = 2026-01-01\n\n[[rule]]\nname = "solo-debe"\n'
        'event = "InvoiceIssued"\ndescription = "x"\n[[rule.posting]]\nside = "debit"\n'
        'account = "1.1.03.01"\namount = "total"\n',
        encoding="utf-8",
    )
    result = run(url, "rules", "check", str(bad), ok=False)
    assert str(bad) in result.stderr and "solo-debe" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_database_that_cannot_be_opened_is_one_clear_line(tmp_path: Path) -> None:
    result = run(f"sqlite:///{tmp_path}/no/such/dir/a.db", "account", "list", ok=False)
    assert result.stderr.startswith("Error: no se puede abrir la base sqlite:///")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_trace_walks_from_an_entry_and_a_balance_to_the_fact(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    run(url, "init", "--year", "2026")
    (tmp_path / "sueldos.toml").write_text(ENTRY, encoding="utf-8")
    run(url, "entry", "post", str(tmp_path / "sueldos.toml"))
    traced = json.loads(run(url, "trace", "2026/1", "--format", "json").stdout)["entries"][0]
    assert (traced["event"], traced["rule"], traced["recorded_by"]) == (
        "ManualEntryPosted",
        "manual",
        "contadora",
    )
    assert traced["facts"]["description"] == "Provisión de sueldos de marzo"
    assert traced["lines"][0] == {"account": "5.2.01", "debit": "1500000.00", "credit": "0.00"}
    by_account = json.loads(run(url, "trace", "5.2.01", "--as-of", "2026-12-31", "--format", "json").stdout)
    assert by_account["balance"] == "1500000.00"
    assert [e["entry"] for e in by_account["entries"]] == ["2026/1"]
    missing = run(url, "trace", "2026/99", ok=False)
    assert missing.stderr == "Error: El asiento 2026/99 no existe\n"
