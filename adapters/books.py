"""The journal of a period as a set of books that stands alone, for export.

Shared by the Beancount and hledger writers: the accounts to declare, the
opening balances (everything before ``date_from``), the entries of the period
streamed in chunks by ``entry_id`` (a year can hold 100k+ entries) and the
closing balances from our own trial balance. Amounts are signed ``Decimal``:
debit positive, credit negative.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Connection, func, select

from domain.errors import InvalidInput, UnknownAccount
from domain.journal import NOT_IN_BALANCES
from domain.money import from_cents
from projections.queries import trial_balance
from projections.tables import DIMENSION_COLUMNS, journal_entries, journal_lines, ledger_accounts

CHUNK_SIZE = 1_000


@dataclass(frozen=True)
class BookAccount:
    code: str
    name: str
    account_type: str


@dataclass(frozen=True)
class BookLine:
    account: BookAccount
    amount: Decimal
    dimensions: Mapping[str, str]


@dataclass(frozen=True)
class BookEntry:
    entry_id: int
    reference: str  # "2026/15": fiscal year and number
    effective_date: date
    description: str
    event_position: int
    rule: str
    lines: Sequence[BookLine]


@dataclass(frozen=True)
class Books:
    """Everything but the entries, which are streamed by :func:`iter_entries`."""

    date_from: date | None
    date_to: date | None  # None when there is nothing to close (no entries, no date_to)
    open_date: date
    accounts: Mapping[str, BookAccount]  # by code, in code order
    opening: Sequence[tuple[BookAccount, Decimal]]  # non-zero balances before date_from
    closing: Sequence[tuple[BookAccount, Decimal]]  # every account, as of date_to

    @property
    def assertion_date(self) -> date | None:
        """Beancount checks a balance at the start of its day: the day after date_to."""
        return self.date_to + timedelta(days=1) if self.date_to else None


@dataclass(frozen=True)
class ExportSummary:
    entries: int
    accounts: int
    date_from: date | None
    date_to: date | None


class BookWriter(Protocol):
    """One output format: called in file order by :func:`write_books`."""

    def header(self, books: Books) -> None: ...
    def account(self, books: Books, account: BookAccount) -> None: ...
    def opening(self, books: Books) -> None: ...
    def entry(self, entry: BookEntry) -> None: ...
    def closing(self, books: Books) -> None: ...


def write_books(
    conn: Connection, writer: BookWriter, date_from: date | None, date_to: date | None
) -> ExportSummary:
    """The one walk over the books that every format shares."""
    books = read_books(conn, date_from, date_to)
    writer.header(books)
    for account in books.accounts.values():
        writer.account(books, account)
    if books.opening:
        writer.opening(books)
    count = 0
    for entry in iter_entries(conn, books):
        writer.entry(entry)
        count += 1
    if books.closing:
        writer.closing(books)
    return ExportSummary(count, len(books.accounts), books.date_from, books.date_to)


def read_books(conn: Connection, date_from: date | None, date_to: date | None) -> Books:
    if date_from and date_to and date_from > date_to:
        raise InvalidInput(f"Período inválido: empieza el {date_from} y termina el {date_to}")
    first, last = _entry_dates(conn, date_from, date_to)
    closing_date = date_to or last or date_from
    balances = _balances(conn, closing_date)
    accounts = _accounts(conn, used=set(balances))
    opening: list[tuple[BookAccount, Decimal]] = []
    if date_from:
        before = _balances(conn, date_from - timedelta(days=1))
        opening = [(_lookup(accounts, code), amount) for code, amount in before.items() if amount]
    closing = [(account, balances.get(code, Decimal("0.00"))) for code, account in accounts.items()]
    open_date = date_from or first or closing_date or date.today()
    return Books(date_from, closing_date, open_date, accounts, opening,
                 closing if closing_date else [])


def iter_entries(
    conn: Connection, books: Books, *, chunk_size: int | None = None
) -> Iterator[BookEntry]:
    """The period's entries in entry order, ``CHUNK_SIZE`` entries per round trip."""
    after = 0
    while True:
        chunk = _entry_chunk(conn, books, after, chunk_size or CHUNK_SIZE)
        if not chunk:
            return
        lines = _lines_of(conn, books, [row.entry_id for row in chunk])
        for row in chunk:
            yield BookEntry(
                row.entry_id, f"{row.fiscal_year}/{row.number}", row.effective_date,
                row.description, row.event_position, row.rule, lines.get(row.entry_id, []),
            )
        after = chunk[-1].entry_id


def _period_filter(date_from: date | None, date_to: date | None) -> list[ColumnElement[bool]]:
    e = journal_entries.c
    # Cumulative books carry balances forward themselves: opening entries would double them.
    where: list[ColumnElement[bool]] = [e.rule != NOT_IN_BALANCES]
    if date_from:
        where.append(e.effective_date >= date_from)
    if date_to:
        where.append(e.effective_date <= date_to)
    return where


def _entry_chunk(conn: Connection, books: Books, after: int, size: int) -> Sequence[Any]:
    e = journal_entries.c
    query = (
        select(e.entry_id, e.fiscal_year, e.number, e.effective_date, e.description,
               e.event_position, e.rule)
        .where(e.entry_id > after, *_period_filter(books.date_from, books.date_to))
        .order_by(e.entry_id)
        .limit(size)
    )
    return conn.execute(query).all()


def _lines_of(conn: Connection, books: Books, ids: list[int]) -> dict[int, list[BookLine]]:
    line = journal_lines.c
    query = (
        select(line.entry_id, line.account_code, line.debit_cents, line.credit_cents,
               *(line[name] for name in DIMENSION_COLUMNS))
        .where(line.entry_id.in_(ids))
        .order_by(line.entry_id, line.line_no)
    )
    result: dict[int, list[BookLine]] = {}
    for row in conn.execute(query):
        account = _lookup(books.accounts, row.account_code)
        values = row._mapping
        dims = {name: str(values[name]) for name in DIMENSION_COLUMNS if values[name]}
        amount = from_cents(int(row.debit_cents) - int(row.credit_cents))
        result.setdefault(row.entry_id, []).append(BookLine(account, amount, dims))
    return result


def _entry_dates(
    conn: Connection, date_from: date | None, date_to: date | None
) -> tuple[date | None, date | None]:
    e = journal_entries.c
    query = select(func.min(e.effective_date), func.max(e.effective_date))
    first, last = conn.execute(query.where(*_period_filter(date_from, date_to))).one()
    return first, last


def _balances(conn: Connection, as_of: date | None) -> dict[str, Decimal]:
    if as_of is None:
        return {}
    return {row.code: row.balance for row in trial_balance(conn, as_of).rows}


def _accounts(conn: Connection, used: set[str]) -> dict[str, BookAccount]:
    a = ledger_accounts.c
    query = select(a.code, a.name, a.account_type, a.is_open).where(a.header.is_(False))
    rows = sorted(conn.execute(query), key=lambda row: _code_key(row.code))
    return {
        row.code: BookAccount(row.code, row.name, row.account_type)
        for row in rows
        if row.is_open or row.code in used
    }


def _lookup(accounts: Mapping[str, BookAccount], code: str) -> BookAccount:
    """Every posted account must be a postable account of the chart, or the books would lie."""
    account = accounts.get(code)
    if account is None:
        raise UnknownAccount(str(code))
    return account


def _code_key(code: str) -> tuple[int, ...]:
    return tuple(int(part) for part in code.split("."))
