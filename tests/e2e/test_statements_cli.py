"""Statements, the Diario and the year-end through the console script, files included."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl

from tests.e2e.test_cli import run

YEAR_2026 = """
date = 2026-03-31
description = "Ventas de marzo"
[[lines]]
account = "1.1.01.01"
debit = "1210.00"
[[lines]]
account = "4.1.02"
credit = "1000.00"
[[lines]]
account = "2.1.02.01"
credit = "210.00"
"""

SALARIES = """
date = 2026-04-30
description = "Sueldos de abril"
[[lines]]
account = "5.2.01"
debit = "400.00"
[[lines]]
account = "1.1.01.01"
credit = "400.00"
"""

LATE = """
date = 2026-06-01
description = "Fuera de término"
[[lines]]
account = "5.2.01"
debit = "1.00"
[[lines]]
account = "1.1.01.01"
credit = "1.00"
"""

EXPECTED_CSV = """cuenta,descripcion,nivel,31/12/2026
4,INGRESOS,0,1000.00
4.1,Ingresos por servicios,1,1000.00
4.1.02,Ventas de agua potable,2,1000.00
,Total ingresos,0,1000.00
5,EGRESOS,0,400.00
5.2,Gastos de personal,1,400.00
5.2.01,Sueldos y jornales,2,400.00
,Total egresos,0,400.00
,Resultado del período (excedente o pérdida),0,600.00
"""


def test_statements_and_year_end_from_the_console(database_url: str, tmp_path: Path) -> None:
    url = database_url
    run(url, "init", "--year", "2026")
    for name, text in (("march.toml", YEAR_2026), ("april.toml", SALARIES), ("late.toml", LATE)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    run(url, "entry", "post", str(tmp_path / "march.toml"))
    run(url, "entry", "post", str(tmp_path / "april.toml"))

    sheet = json.loads(run(url, "report", "balance-sheet", "--as-of", "2026-12-31", "-f", "json").stdout)
    assert sheet["totals"] == {
        "Total del activo": ["810.00", "0.00"],
        "Total del pasivo y patrimonio neto": ["810.00", "0.00"],
    }
    income_csv = tmp_path / "resultados.csv"
    run(
        url,
        "report",
        "income-statement",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--no-compare",
        "-f",
        "csv",
        "-o",
        str(income_csv),
    )
    expected = EXPECTED_CSV.replace("31/12/2026", "01/01/2026 a 31/12/2026")
    assert income_csv.read_text(encoding="utf-8") == expected
    workbook = tmp_path / "balance.xlsx"
    run(url, "report", "balance-sheet", "--as-of", "2026-12-31", "-f", "xlsx", "-o", str(workbook))
    cells = [row for row in openpyxl.load_workbook(workbook).active.iter_rows(values_only=True)]
    assert cells[1][0] == "Estado de situación patrimonial"
    assert ("1.1.01.01", "            Caja central (caja 1)", 810, 0) in cells
    pdf = tmp_path / "balance.pdf"
    run(url, "report", "balance-sheet", "--as-of", "2026-12-31", "-f", "pdf", "-o", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    missing = run(url, "report", "balance-sheet", "--as-of", "2026-12-31", "-f", "pdf", ok=False)
    assert "--output" in missing.stderr

    closed = run(url, "period", "close", "2026").stdout
    assert "excedente $ 600,00" in closed
    assert "ya está cerrado" in run(url, "period", "close", "2026", ok=False).stderr
    assert "cerrado" in run(url, "entry", "post", str(tmp_path / "late.toml"), ok=False).stderr
    opened = run(url, "period", "open", "2027").stdout
    assert (
        "Ejercicio 2027 abierto." in opened and "Asiento de apertura del ejercicio 2027 registrado." in opened
    )
    diario = json.loads(
        run(url, "report", "diario", "--from", "2026-01-01", "--to", "2027-12-31", "-f", "json").stdout
    )
    numbers = [(e["fiscal_year"], e["number"], e["rule"]) for e in diario["entries"]]
    assert numbers == [
        (2026, 1, "manual"),
        (2026, 2, "manual"),
        (2026, 3, "year_closing"),
        (2027, 1, "year_opening"),
        (2027, 2, "result_transfer"),
    ]
    assert "motivo" in run(url, "period", "reopen", "2026", "--reason", " ", ok=False).stderr
    run(url, "period", "reopen", "2026", "--reason", "Ajuste de auditoría")
    run(url, "entry", "post", str(tmp_path / "late.toml"))
    assert "excedente $ 599,00" in run(url, "period", "close", "2026").stdout
    deep = run(url, "verify", "--deep").stdout
    assert "Proyecciones idénticas a su reconstrucción" in deep
