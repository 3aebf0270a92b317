"""Report queries over the ledger read models. Amounts come back as Decimal."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, func, select, tuple_
from sqlalchemy.sql.elements import ColumnElement

from domain.errors import NotFound
from domain.events import MANUAL_ENTRY_EVENT
from domain.journal import NOT_IN_BALANCES
from domain.money import ZERO, from_cents
from domain.reconciliation import BookLine
from projections.tables import (
    DIMENSION_COLUMNS,
    account_balances,
    fiscal_years,
    journal_entries,
    journal_lines,
    ledger_accounts,
)

UNKNOWN_ACCOUNT_NAME = "(cuenta inexistente en el plan)"
JOURNAL_CHUNK = 5_000


@dataclass(frozen=True)
class AccountRow:
    code: str
    name: str
    account_type: str
    normal_balance: str
    parent_code: str | None
    header: bool
    is_open: bool


@dataclass(frozen=True)
class TrialBalanceRow:
    code: str
    name: str
    debit: Decimal
    credit: Decimal

    @property
    def balance(self) -> Decimal:
        """Signed: positive is a debit balance (saldo deudor), negative a credit one."""
        return self.debit - self.credit


@dataclass(frozen=True)
class TrialBalance:
    as_of: date
    rows: Sequence[TrialBalanceRow]

    @property
    def total_debit(self) -> Decimal:
        return sum((r.debit for r in self.rows), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((r.credit for r in self.rows), ZERO)


@dataclass(frozen=True)
class JournalLineRow:
    account_code: str
    account_name: str
    debit: Decimal
    credit: Decimal
    dimensions: dict[str, str]


@dataclass
class JournalEntryRow:
    entry_id: int
    fiscal_year: int
    number: int
    effective_date: date
    description: str
    event_position: int
    event_name: str
    rule: str
    kind: str
    recorded_by: str
    reverses_entry_id: int | None
    reversed_by_entry_id: int | None
    lines: list[JournalLineRow] = field(default_factory=list)


@dataclass(frozen=True)
class LedgerRow:
    effective_date: date
    fiscal_year: int
    number: int
    description: str
    debit: Decimal
    credit: Decimal
    balance: Decimal
    event_position: int
    rule: str


@dataclass(frozen=True)
class Ledger:
    account: AccountRow
    date_from: date
    date_to: date
    opening_balance: Decimal
    rows: Sequence[LedgerRow]

    @property
    def closing_balance(self) -> Decimal:
        return self.rows[-1].balance if self.rows else self.opening_balance


def list_accounts(conn: Connection) -> list[AccountRow]:
    rows = conn.execute(select(*_account_columns()).order_by(ledger_accounts.c.code))
    return [AccountRow(*row) for row in rows]


def get_account(conn: Connection, code: str) -> AccountRow:
    row = conn.execute(select(*_account_columns()).where(ledger_accounts.c.code == code)).first()
    if row is None:
        raise NotFound(f"La cuenta {code} no existe en el plan de cuentas")
    return AccountRow(*row)


def _account_columns() -> tuple[Any, ...]:
    c = ledger_accounts.c
    return (c.code, c.name, c.account_type, c.normal_balance, c.parent_code, c.header, c.is_open)


def trial_balance(conn: Connection, as_of: date, as_known_at: datetime | None = None) -> TrialBalance:
    """Sumas y saldos: debits, credits and balance per account up to a business date.

    ``as_known_at``: what the books showed at that moment, before later entries
    (corrections included) were recorded; read from the journal lines themselves.
    """
    if as_known_at is not None:
        return _trial_balance_as_known(conn, as_of, as_known_at)
    b = account_balances.c
    totals = (
        select(
            b.account_code,
            func.sum(b.debit_cents).label("debit"),
            func.sum(b.credit_cents).label("credit"),
        )
        .where(b.effective_date <= as_of)
        .group_by(b.account_code)
        .subquery()
    )
    return _trial_balance_rows(conn, as_of, totals)


def _trial_balance_as_known(conn: Connection, as_of: date, as_known_at: datetime) -> TrialBalance:
    line, entry = journal_lines.c, journal_entries.c
    totals = (
        select(
            line.account_code,
            func.sum(line.debit_cents).label("debit"),
            func.sum(line.credit_cents).label("credit"),
        )
        .join(journal_entries, entry.entry_id == line.entry_id)
        .where(
            and_(
                line.effective_date <= as_of,
                entry.recorded_at <= as_known_at,
                line.rule != NOT_IN_BALANCES,
            )
        )
        .group_by(line.account_code)
        .subquery()
    )
    return _trial_balance_rows(conn, as_of, totals)


def _trial_balance_rows(conn: Connection, as_of: date, totals: Any) -> TrialBalance:
    # Outer join: a balance on an account missing from the chart must show, not vanish.
    query = (
        select(totals.c.account_code, ledger_accounts.c.name, totals.c.debit, totals.c.credit)
        .join(ledger_accounts, totals.c.account_code == ledger_accounts.c.code, isouter=True)
        .order_by(totals.c.account_code)
    )
    rows = [
        TrialBalanceRow(code, name or UNKNOWN_ACCOUNT_NAME, from_cents(int(debit)), from_cents(int(credit)))
        for code, name, debit, credit in conn.execute(query)
    ]
    return TrialBalance(as_of, rows)


def journal(
    conn: Connection, date_from: date, date_to: date, as_known_at: datetime | None = None
) -> list[JournalEntryRow]:
    """Libro Diario between two business dates, in entry order (as known at a moment, if given)."""
    if as_known_at is None:
        return list(iter_journal(conn, date_from, date_to))
    e = journal_entries.c
    rows = list(iter_journal(conn, date_from, date_to, [e.recorded_at <= as_known_at]))
    # A reversal recorded after the moment was not known then either.
    later = {r.reversed_by_entry_id for r in rows if r.reversed_by_entry_id is not None}
    if later:
        known_ids = set(
            conn.execute(
                select(e.entry_id).where(and_(e.entry_id.in_(later), e.recorded_at <= as_known_at))
            ).scalars()
        )
        rows = [
            r
            if r.reversed_by_entry_id in known_ids or r.reversed_by_entry_id is None
            else replace(r, reversed_by_entry_id=None)
            for r in rows
        ]
    return rows


def iter_journal(
    conn: Connection, date_from: date, date_to: date, where: Sequence[ColumnElement[bool]] = ()
) -> Iterator[JournalEntryRow]:
    """The same, read in chunks of entries so a year of bulk billing never sits in memory.

    ``where`` narrows the entries (by event type, by when they were recorded).
    """
    e = journal_entries.c
    after = (0, 0)
    while True:
        chunk = conn.execute(
            select(journal_entries)
            .where(
                and_(
                    e.effective_date >= date_from,
                    e.effective_date <= date_to,
                    tuple_(e.fiscal_year, e.number) > tuple_(*after),
                    *where,
                )
            )
            .order_by(e.fiscal_year, e.number)
            .limit(JOURNAL_CHUNK)
        ).all()
        if not chunk:
            return
        entries = {
            row.entry_id: JournalEntryRow(
                row.entry_id,
                row.fiscal_year,
                row.number,
                row.effective_date,
                row.description,
                row.event_position,
                row.event_name,
                row.rule,
                row.kind,
                row.recorded_by,
                row.reverses_entry_id,
                row.reversed_by_entry_id,
            )
            for row in chunk
        }
        _attach_lines(conn, entries)
        yield from entries.values()
        after = (chunk[-1].fiscal_year, chunk[-1].number)


def _attach_lines(conn: Connection, entries: dict[int, JournalEntryRow]) -> None:
    line = journal_lines.c
    rows = conn.execute(
        select(journal_lines, ledger_accounts.c.name)
        .join(ledger_accounts, ledger_accounts.c.code == line.account_code, isouter=True)
        .where(line.entry_id.in_(list(entries)))
        .order_by(line.entry_id, line.line_no)
    )
    for row in rows:
        dims = {name: getattr(row, name) for name in DIMENSION_COLUMNS if getattr(row, name)}
        entries[row.entry_id].lines.append(
            JournalLineRow(
                row.account_code,
                row.name or UNKNOWN_ACCOUNT_NAME,
                from_cents(row.debit_cents),
                from_cents(row.credit_cents),
                dims,
            )
        )


def ledger(
    conn: Connection, code: str, date_from: date, date_to: date, as_known_at: datetime | None = None
) -> Ledger:
    """Libro Mayor of one account: opening balance, then each line with running balance.

    ``as_known_at``: only the entries recorded up to that moment.
    """
    account = get_account(conn, code)
    line, entry = journal_lines.c, journal_entries.c
    known = [entry.recorded_at <= as_known_at] if as_known_at is not None else []
    if as_known_at is None:
        b = account_balances.c
        opening_query = select(
            func.coalesce(func.sum(b.debit_cents), 0), func.coalesce(func.sum(b.credit_cents), 0)
        ).where(and_(b.account_code == code, b.effective_date < date_from))
    else:
        opening_query = (
            select(
                func.coalesce(func.sum(line.debit_cents), 0), func.coalesce(func.sum(line.credit_cents), 0)
            )
            .join(journal_entries, entry.entry_id == line.entry_id)
            .where(
                and_(
                    line.account_code == code,
                    line.effective_date < date_from,
                    line.rule != NOT_IN_BALANCES,
                    *known,
                )
            )
        )
    opening_debit, opening_credit = conn.execute(opening_query).one()
    balance = from_cents(int(opening_debit) - int(opening_credit))
    opening = balance
    query = (
        select(
            line.effective_date,
            entry.fiscal_year,
            entry.number,
            entry.description,
            line.debit_cents,
            line.credit_cents,
            line.event_position,
            line.rule,
        )
        .join(journal_entries, journal_entries.c.entry_id == line.entry_id)
        .where(
            and_(
                line.account_code == code,
                line.effective_date >= date_from,
                line.effective_date <= date_to,
                line.rule != NOT_IN_BALANCES,
                *known,
            )
        )
        .order_by(line.effective_date, entry.entry_id, line.line_no)
    )
    rows: list[LedgerRow] = []
    for day, year, number, description, debit_cents, credit_cents, position, rule in conn.execute(query):
        debit, credit = from_cents(debit_cents), from_cents(credit_cents)
        balance += debit - credit
        rows.append(LedgerRow(day, year, number, description, debit, credit, balance, position, rule))
    return Ledger(account, date_from, date_to, opening, rows)


def entry_originator(conn: Connection, fiscal_year: int, number: int) -> str:
    """The aggregate id behind an entry number such as 2026/15 (for reversals)."""
    e = journal_entries.c
    row = conn.execute(
        select(e.originator_id, e.event_name).where(and_(e.fiscal_year == fiscal_year, e.number == number))
    ).first()
    if row is None:
        raise NotFound(f"El asiento {fiscal_year}/{number} no existe")
    if row.event_name != MANUAL_ENTRY_EVENT:
        raise NotFound(
            f"El asiento {fiscal_year}/{number} proviene de {row.event_name}: se corrige con su propio "
            "documento (nota de crédito, anulación), no con una reversión manual"
        )
    return str(row.originator_id)


def list_fiscal_years(conn: Connection) -> list[tuple[int, date, date, bool, str]]:
    f = fiscal_years.c
    query = select(f.year, f.start_date, f.end_date, f.closed, f.closed_months).order_by(f.year)
    return [tuple(row) for row in conn.execute(query)]


def bank_book_lines(conn: Connection, code: str, date_from: date, date_to: date) -> list[BookLine]:
    """The account's journal lines as reconciliation sees them (positive: money in)."""
    line, entry = journal_lines.c, journal_entries.c
    rows = conn.execute(
        select(
            entry.fiscal_year,
            entry.number,
            line.effective_date,
            entry.description,
            line.debit_cents,
            line.credit_cents,
        )
        .join(journal_entries, entry.entry_id == line.entry_id)
        .where(
            and_(
                line.account_code == code,
                line.effective_date >= date_from,
                line.effective_date <= date_to,
                line.rule != NOT_IN_BALANCES,
            )
        )
        .order_by(line.effective_date, line.entry_id, line.line_no)
    )
    return [
        BookLine(f"{year}/{number}", day, description, from_cents(debit - credit), description)
        for year, number, day, description, debit, credit in rows
    ]
