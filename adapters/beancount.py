"""The journal of any period as independent books: Beancount v3 and hledger.

Account names come from the chart, deterministically: a root by account type,
then the code with dashes for dots (``1.1.03.01`` of type asset is
``Assets:1-1-03-01`` in Beancount, ``Activo:1-1-03-01`` in hledger). Beancount v3
accepts components that start with a digit; our codes are digits and dots only,
so the mapping is reversible (:func:`code_of`). Amounts are ARS, exact to the
cent, debit positive.

With ``date_from`` the books open with one transaction that carries every
account's balance before that date; it balances by itself when our books do
(no plug account), so an unbalanced history fails ``bean-check`` instead of
hiding behind an equity account. The period closes with a balance assertion
for every account at our trial-balance figure as of ``date_to``, with an
explicit zero tolerance (by default Beancount lets a two-decimal assertion miss
by one cent).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import TextIO

from sqlalchemy import Connection

from adapters.books import BookAccount, BookEntry, Books, ExportSummary, write_books

CURRENCY = "ARS"
BEANCOUNT_ROOTS = {
    "asset": "Assets", "liability": "Liabilities", "equity": "Equity",
    "revenue": "Income", "expense": "Expenses",
}
HLEDGER_ROOTS = {
    "asset": ("Activo", "A"), "liability": ("Pasivo", "L"), "equity": ("Patrimonio", "E"),
    "revenue": ("Ingresos", "R"), "expense": ("Egresos", "X"),
}
HLEDGER_NAMES = {kind: root for kind, (root, _) in HLEDGER_ROOTS.items()}
OPENING = "Saldos de apertura"
CLOSING = "Saldos al cierre"

__all__ = ["ExportSummary", "account_name", "code_of", "export_beancount", "export_hledger"]


def account_name(code: str, account_type: str, roots: Mapping[str, str] = BEANCOUNT_ROOTS) -> str:
    """``1.1.03.01`` (asset) -> ``Assets:1-1-03-01``."""
    return f"{roots[account_type]}:{code.replace('.', '-')}"


def code_of(name: str) -> str:
    """The chart code behind an exported account name (inverse of :func:`account_name`)."""
    return name.rsplit(":", 1)[-1].replace("-", ".")


def export_beancount(
    conn: Connection, out: TextIO, date_from: date | None, date_to: date | None
) -> ExportSummary:
    return write_books(conn, _Beancount(out), date_from, date_to)


def export_hledger(
    conn: Connection, out: TextIO, date_from: date | None, date_to: date | None
) -> ExportSummary:
    return write_books(conn, _Hledger(out), date_from, date_to)


def _title(books: Books) -> str:
    start = books.date_from or books.open_date
    end = books.date_to or start
    return f"Asiento: libro diario del {start.isoformat()} al {end.isoformat()}"


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _one_line(text: str) -> str:
    return text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def _quoted(text: str) -> str:
    """A Beancount string: backslashes and double quotes escaped, on one line."""
    return '"' + _one_line(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


class _Beancount:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def header(self, books: Books) -> None:
        self.out.write(f"option \"title\" {_quoted(_title(books))}\n"
                       f"option \"operating_currency\" \"{CURRENCY}\"\n\n"
                       f"{books.open_date} commodity {CURRENCY}\n\n")

    def account(self, books: Books, account: BookAccount) -> None:
        self.out.write(f"{books.open_date} open {_bean(account)} {CURRENCY}\n"
                       f"  name: {_quoted(account.name)}\n  code: \"{account.code}\"\n")

    def opening(self, books: Books) -> None:
        self.out.write(f"\n{books.open_date} * {_quoted(OPENING)}\n")
        for account, balance in books.opening:
            self._posting(account, balance)

    def entry(self, entry: BookEntry) -> None:
        self.out.write(f"\n{entry.effective_date} * {_quoted(entry.description)}\n"
                       f"  entry: \"{entry.reference}\"\n  event: \"{entry.event_position}\"\n"
                       f"  rule: {_quoted(entry.rule)}\n")
        for line in entry.lines:
            self._posting(line.account, line.amount)
            for key, value in line.dimensions.items():
                self.out.write(f"    {key}: {_quoted(value)}\n")

    def closing(self, books: Books) -> None:
        self.out.write("\n")
        for account, balance in books.closing:
            # "~ 0.00": exact; Beancount's inferred tolerance would let one cent pass.
            self.out.write(f"{books.assertion_date} balance {_bean(account):<24} "
                           f"{_amount(balance):>16} ~ 0.00 {CURRENCY}\n")

    def _posting(self, account: BookAccount, amount: Decimal) -> None:
        self.out.write(f"  {_bean(account):<24} {_amount(amount):>16} {CURRENCY}\n")


def _bean(account: BookAccount) -> str:
    return account_name(account.code, account.account_type)


class _Hledger:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def header(self, books: Books) -> None:
        self.out.write(f"; {_title(books)}\n\ndecimal-mark .\ncommodity {CURRENCY} 1000.00\n\n")
        for root, kind in HLEDGER_ROOTS.values():
            self.out.write(f"account {root}  ; type: {kind}\n")

    def account(self, books: Books, account: BookAccount) -> None:
        self.out.write(f"account {_ledger(account)}  ; name: {_tag(account.name)}\n")

    def opening(self, books: Books) -> None:
        self.out.write(f"\n{books.open_date} * {OPENING}\n")
        for account, balance in books.opening:
            self._posting(account, balance)

    def entry(self, entry: BookEntry) -> None:
        self.out.write(f"\n{entry.effective_date} * {_flat(entry.description)}\n"
                       f"    ; entry: {entry.reference}, event: {entry.event_position}, "
                       f"rule: {_tag(entry.rule)}\n")
        for line in entry.lines:
            tags = ", ".join(f"{key}: {_tag(value)}" for key, value in line.dimensions.items())
            self._posting(line.account, line.amount, f"  ; {tags}" if tags else "")

    def closing(self, books: Books) -> None:
        self.out.write(f"\n{books.date_to} * {CLOSING}\n")
        for account, balance in books.closing:
            self._posting(account, Decimal("0.00"), f" = {CURRENCY} {_amount(balance)}")

    def _posting(self, account: BookAccount, amount: Decimal, suffix: str = "") -> None:
        money = f"{CURRENCY} {_amount(amount)}"
        self.out.write(f"    {_ledger(account):<24}  {money:>20}{suffix}\n")


def _ledger(account: BookAccount) -> str:
    return account_name(account.code, account.account_type, HLEDGER_NAMES)


def _flat(text: str) -> str:
    """A description on one line, without ``;`` (it would start a comment)."""
    return _one_line(text).replace(";", ",")


def _tag(text: str) -> str:
    """A tag value: a comma would end it."""
    return _flat(text).replace(",", " ")
