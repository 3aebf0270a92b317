"""Beancount as an independent oracle: our journal, exported, must pass ``bean-check``
and Beancount's own balances must equal our trial balance, to the cent.

hledger is not installed here (Debian has a package); its output is checked as text.
"""

from __future__ import annotations

import random
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import typer
from beancount import loader
from beancount.core import account as bean_account
from beancount.core.data import Balance, Open, Transaction
from typer.testing import CliRunner

from adapters import books
from adapters.beancount import account_name, code_of, export_beancount, export_hledger
from api.bootstrap import Asiento, bootstrap
from api.export_cli import register
from domain.chart import Side
from domain.journal import EntryLine, JournalEntry
from ledger_rules import load_chart
from ledger_rules.model import AccountSpec
from projections import queries
from tests.integration.helpers import STANDARD_INVOICE_LINES, invoice_header

BEAN_CHECK = Path(sys.executable).parent / "bean-check"
YEAR_START, YEAR_END = date(2026, 1, 1), date(2026, 12, 31)
D = Decimal


# -- a seeded ledger -------------------------------------------------------------------------------
def _random_lines(rng: random.Random, codes: list[str]) -> list[EntryLine]:
    debits = [rng.randint(1, 5_000_000) for _ in range(rng.randint(1, 3))]
    total = sum(debits)
    cuts = sorted(rng.sample(range(1, total), rng.randint(0, min(2, total - 1))))
    credits = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    lines = []
    for side, amounts in ((Side.DEBIT, debits), (Side.CREDIT, credits)):
        for cents in amounts:
            dims = {}
            if rng.random() < 0.5:
                dims = {"member": f"{rng.randint(1, 40):04d}",
                        "cost_center": rng.choice(["redes", "administracion", "comercial"])}
            lines.append(EntryLine(rng.choice(codes), side, D(cents) / 100, dims))
    return lines


def generate_ledger(asiento: Asiento, *, entries: int = 300, seed: int = 20260101) -> None:
    rng = random.Random(seed)
    chart, calendar = asiento.app.chart(), asiento.app.calendar()
    codes = sorted(a.code for a in chart.accounts.values() if not a.header)
    posted = [
        JournalEntry.post(
            effective_date=YEAR_START + timedelta(days=rng.randint(0, 364)),
            description=f'Asiento {n}: "ajuste"; ver\nnota' if n % 97 == 0 else f"Asiento {n}",
            lines=_random_lines(rng, codes), chart=chart, calendar=calendar, recorded_by="test",
        )
        for n in range(entries)
    ]
    for start in range(0, len(posted), 100):
        asiento.app.save(*posted[start : start + 100])
    for month in range(1, 13):
        asiento.app.issue_invoice(
            lines=STANDARD_INVOICE_LINES, recorded_by="facturacion",
            **invoice_header(month, effective_date=date(2026, month, 5),
                             due_date=date(2026, month, 20), member_number=f"{month:04d}"),
        )
    asiento.app.reverse_entry(posted[7].id, effective_date=date(2026, 5, 20), recorded_by="auditor")
    asiento.runner.catch_up()


# -- helpers ---------------------------------------------------------------------------------------
def bean_check(path: Path) -> None:
    result = subprocess.run([BEAN_CHECK, path], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def beancount_balances(path: Path) -> tuple[dict[str, Decimal], list[Any]]:
    """Beancount's own view: the sum of every posting per account, mapped back to our codes."""
    entries, errors, _ = loader.load_file(str(path))
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for item in entries:
        if isinstance(item, Transaction):
            for posting in item.postings:
                units = posting.units
                assert units is not None and units.number is not None and units.currency == "ARS"
                totals[code_of(posting.account)] += units.number
    return {code: amount for code, amount in totals.items() if amount}, errors


def our_balances(asiento: Asiento, as_of: date) -> dict[str, Decimal]:
    with asiento.read() as conn:
        return {r.code: r.balance for r in queries.trial_balance(conn, as_of).rows if r.balance}


def export(asiento: Asiento, path: Path, date_from: date | None, date_to: date | None) -> None:
    with asiento.read() as conn, path.open("w", encoding="utf-8") as out:
        export_beancount(conn, out, date_from, date_to)


# -- tests -----------------------------------------------------------------------------------------
def test_whole_year_passes_bean_check_and_balances_agree(
    asiento: Asiento, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate_ledger(asiento)
    monkeypatch.setattr(books, "CHUNK_SIZE", 37)  # many chunks, boundaries inside the year
    path = tmp_path / "libros.beancount"
    with asiento.read() as conn, path.open("w", encoding="utf-8") as out:
        summary = export_beancount(conn, out, None, YEAR_END)
        journal = queries.journal(conn, YEAR_START, YEAR_END)
        postable = {a.code for a in queries.list_accounts(conn) if not a.header}
    assert summary.entries == len(journal) == 300 + 12 + 1
    bean_check(path)
    balances, errors = beancount_balances(path)
    assert errors == []
    assert balances == our_balances(asiento, YEAR_END)
    entries, _, options = loader.load_file(str(path))
    assert options["title"].startswith("Asiento") and options["operating_currency"] == ["ARS"]
    assert {code_of(e.account) for e in entries if isinstance(e, Open)} == postable
    transactions = [e for e in entries if isinstance(e, Transaction)]
    assert sorted(t.meta["entry"] for t in transactions) == sorted(
        f"{e.fiscal_year}/{e.number}" for e in journal)
    assert {e.date for e in entries if isinstance(e, Balance)} == {date(2027, 1, 1)}


def test_sub_period_stands_alone_with_opening_and_closing_balances(
    asiento: Asiento, tmp_path: Path
) -> None:
    generate_ledger(asiento, entries=200, seed=7)
    start, end = date(2026, 4, 1), date(2026, 6, 30)
    path = tmp_path / "trimestre.beancount"
    export(asiento, path, start, end)
    bean_check(path)
    balances, errors = beancount_balances(path)
    assert errors == []
    assert balances == our_balances(asiento, end)
    entries, _, _ = loader.load_file(str(path))
    transactions = [e for e in entries if isinstance(e, Transaction)]
    opening = [t for t in transactions if t.narration == "Saldos de apertura"]
    assert len(opening) == 1 and opening[0].date == start
    opening_balances = {code_of(p.account): p.units and p.units.number for p in opening[0].postings}
    assert opening_balances == our_balances(asiento, start - timedelta(days=1))
    assert all(start <= t.date <= end for t in transactions)
    asserted = {code_of(b.account): b.amount.number for b in entries if isinstance(b, Balance)}
    assert {c: a for c, a in asserted.items() if a} == our_balances(asiento, end)
    # The assertions really are checked: one wrong cent is an error.
    text = path.read_text(encoding="utf-8")
    code, amount = next((c, a) for c, a in asserted.items() if a)
    line = next(ln for ln in text.splitlines()
                if " balance " in ln and ln.split()[2] == _bean_name(asiento, code))
    broken = line.replace(f"{amount:.2f}", f"{amount + D('0.01'):.2f}")
    path.write_text(text.replace(line, broken), encoding="utf-8")
    _, errors = beancount_balances(path)
    assert len(errors) == 1 and "Balance failed" in errors[0].message


def _bean_name(asiento: Asiento, code: str) -> str:
    with asiento.read() as conn:
        return account_name(code, queries.get_account(conn, code).account_type)


def test_account_names_map_the_chart_both_ways() -> None:
    assert account_name("1.1.03.01", "asset") == "Assets:1-1-03-01"
    assert account_name("2.1.01.02", "liability") == "Liabilities:2-1-01-02"
    assert account_name("3.1.01", "equity") == "Equity:3-1-01"
    assert account_name("4.1.01.01", "revenue") == "Income:4-1-01-01"
    assert account_name("5.1.01", "expense") == "Expenses:5-1-01"
    names = {account_name(a.code, a.account_type): a.code for a in load_chart() if not a.header}
    assert all(bean_account.is_valid(name) for name in names)
    assert all(code_of(name) == code for name, code in names.items())
    assert len(names) == len([a for a in load_chart() if not a.header])


# -- hledger, as text ------------------------------------------------------------------------------
TINY_CHART = [
    AccountSpec("1", "ACTIVO", "asset", None, None, True),
    AccountSpec("1.1", "Caja", "asset", "1", None, False),
    AccountSpec("2.1", "Proveedores, varios", "liability", None, None, False),
    AccountSpec("3.1", "Capital", "equity", None, None, False),
    AccountSpec("4.1", "Ventas", "revenue", None, None, False),
    AccountSpec("5.1", "Compras", "expense", None, None, False),
]

EXPECTED_HLEDGER = """\
; Asiento: libro diario del 2026-01-05 al 2026-01-31

decimal-mark .
commodity ARS 1000.00

account Activo  ; type: A
account Pasivo  ; type: L
account Patrimonio  ; type: E
account Ingresos  ; type: R
account Egresos  ; type: X
account Activo:1-1  ; name: Caja
account Pasivo:2-1  ; name: Proveedores  varios
account Patrimonio:3-1  ; name: Capital
account Ingresos:4-1  ; name: Ventas
account Egresos:5-1  ; name: Compras

2026-01-05 * Saldos de apertura
    Activo:1-1                         ARS 1000.00
    Patrimonio:3-1                    ARS -1000.00

2026-01-10 * Compra, "papel" de oficina
    ; entry: 2026/2, event: {p2}, rule: manual
    Egresos:5-1                         ARS 250.25  ; cost_center: redes
    Pasivo:2-1                         ARS -250.25  ; cost_center: redes

2026-01-15 * Venta
    ; entry: 2026/3, event: {p3}, rule: manual
    Activo:1-1                          ARS 121.00  ; member: 0001
    Ingresos:4-1                       ARS -121.00  ; member: 0001

2026-01-20 * Anula la compra
    ; entry: 2026/4, event: {p4}, rule: reversal
    Egresos:5-1                        ARS -250.25  ; cost_center: redes
    Pasivo:2-1                          ARS 250.25  ; cost_center: redes

2026-01-31 * Saldos al cierre
    Activo:1-1                            ARS 0.00 = ARS 1121.00
    Pasivo:2-1                            ARS 0.00 = ARS 0.00
    Patrimonio:3-1                        ARS 0.00 = ARS -1000.00
    Ingresos:4-1                          ARS 0.00 = ARS -121.00
    Egresos:5-1                           ARS 0.00 = ARS 0.00
"""


def _post(asiento: Asiento, day: date, text: str, *lines: tuple[str, Side, str],
          dims: dict[str, str] | None = None) -> UUID:
    return asiento.app.post_entry(
        effective_date=day, description=text, recorded_by="test",
        lines=[EntryLine(code, side, D(amount), dims or {}) for code, side, amount in lines],
    )


def test_hledger_journal_is_rendered_exactly(database_url: str) -> None:
    asiento = bootstrap(database_url)
    try:
        asiento.app.install_chart(TINY_CHART, recorded_by="test")
        asiento.app.open_fiscal_year(2026, recorded_by="test")
        _post(asiento, date(2026, 1, 2), "Aporte", ("1.1", Side.DEBIT, "1000"),
              ("3.1", Side.CREDIT, "1000"))
        purchase = _post(asiento, date(2026, 1, 10), 'Compra; "papel"\nde oficina',
                         ("5.1", Side.DEBIT, "250.25"), ("2.1", Side.CREDIT, "250.25"),
                         dims={"cost_center": "redes"})
        _post(asiento, date(2026, 1, 15), "Venta", ("1.1", Side.DEBIT, "121"),
              ("4.1", Side.CREDIT, "121"), dims={"member": "0001"})
        asiento.app.reverse_entry(purchase, effective_date=date(2026, 1, 20), recorded_by="test",
                                  description="Anula la compra")
        asiento.runner.catch_up()
        out = StringIO()
        with asiento.read() as conn:
            summary = export_hledger(conn, out, date(2026, 1, 5), date(2026, 1, 31))
            positions = [e.event_position for e in queries.journal(conn, YEAR_START, YEAR_END)]
    finally:
        asiento.close()
    p2, p3, p4 = positions[1:]
    assert out.getvalue() == EXPECTED_HLEDGER.format(p2=p2, p3=p3, p4=p4)
    assert (summary.entries, summary.accounts) == (3, 5)


# -- the CLI commands, through a Typer app of their own -------------------------------------------
def test_cli_exports_a_period_and_says_so(asiento: Asiento, tmp_path: Path) -> None:
    generate_ledger(asiento, entries=20, seed=3)

    @contextmanager
    def opened(**_: object) -> Iterator[Asiento]:
        yield asiento

    export_app = typer.Typer()
    register(export_app, opened)
    runner = CliRunner()
    path = tmp_path / "febrero.beancount"
    result = runner.invoke(export_app, ["beancount", "--output", str(path),
                                        "--from", "2026-02-01", "--to", "2026-02-28"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Exportados ")
    assert "(desde 2026-02-01 hasta 2026-02-28)" in result.output
    bean_check(path)
    journal = tmp_path / "anual.journal"
    result = runner.invoke(export_app, ["hledger", "-o", str(journal)])
    assert result.exit_code == 0, result.output
    assert journal.read_text(encoding="utf-8").startswith("; Asiento: libro diario del 2026-")
    assert sorted(p.name for p in tmp_path.iterdir() if "journal" in p.name) == ["anual.journal"]
