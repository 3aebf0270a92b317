"""Libro Diario as the law books it: consecutive numbers per fiscal year, bulk facts summarised.

Entries of the events a subledger summarises (a billing run, a collection
file) appear as one entry per day and per rule, their debits and credits summed
per account; every other entry appears as it is. The Diario is chronological:
by business date, then by journal entry order, and numbered from 1 in each
fiscal year in that order. The detail of summarised entries stays in the
subledger (``subledger_entries``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Connection, and_, func, select
from sqlalchemy.sql.elements import ColumnElement

from domain.money import from_cents
from projections.queries import UNKNOWN_ACCOUNT_NAME, JournalEntryRow, iter_journal
from projections.tables import fiscal_years, journal_entries, journal_lines, ledger_accounts


@dataclass(frozen=True)
class DiarioLine:
    account: str
    name: str
    debit: Decimal
    credit: Decimal


@dataclass
class DiarioEntry:
    fiscal_year: int
    number: int  # Diario number, consecutive per fiscal year
    effective_date: date
    description: str
    reference: str  # journal entry number (2026/15) or the summarised range and count
    rule: str
    lines: list[DiarioLine] = field(default_factory=list)

    @property
    def total_debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), Decimal(0))


@dataclass(frozen=True)
class _Slot:
    """One Diario item before numbering: its sort key and how to build it."""

    effective_date: date
    first_entry_id: int
    fiscal_year: int
    summary: tuple[str, int, int, int] | None  # (rule, entries, first number, last number)
    detail: JournalEntryRow | None


def _conditions(
    date_from: date, date_to: date, as_known_at: datetime | None, events: Collection[str], inside: bool
) -> list[ColumnElement[bool]]:
    e = journal_entries.c
    where = [e.effective_date >= date_from, e.effective_date <= date_to]
    if events:
        where.append(e.event_name.in_(events) if inside else e.event_name.not_in(events))
    elif inside:
        where.append(e.entry_id < 0)  # nothing is summarised
    if as_known_at is not None:
        where.append(e.recorded_at <= as_known_at)
    return where


def _summary_slots(
    conn: Connection,
    date_from: date,
    date_to: date,
    summarized: Collection[str],
    as_known_at: datetime | None,
) -> list[_Slot]:
    e = journal_entries.c
    query = (
        select(
            e.effective_date,
            e.rule,
            e.fiscal_year,
            func.min(e.entry_id),
            func.count(),
            func.min(e.number),
            func.max(e.number),
        )
        .where(and_(*_conditions(date_from, date_to, as_known_at, summarized, True)))
        .group_by(e.effective_date, e.rule, e.fiscal_year)
    )
    return [
        _Slot(day, int(first), int(year), (rule, int(count), int(low), int(high)), None)
        for day, rule, year, first, count, low, high in conn.execute(query)
    ]


def _detail_slots(
    conn: Connection,
    date_from: date,
    date_to: date,
    summarized: Collection[str],
    as_known_at: datetime | None,
) -> list[_Slot]:
    where = _conditions(date_from, date_to, as_known_at, summarized, False)
    return [
        _Slot(row.effective_date, row.entry_id, row.fiscal_year, None, row)
        for row in iter_journal(conn, date_from, date_to, where)
    ]


def _numbers_before(
    conn: Connection,
    fiscal_year: int,
    date_from: date,
    summarized: Collection[str],
    as_known_at: datetime | None,
) -> int:
    """How many Diario items of ``fiscal_year`` come before ``date_from`` (numbering continues)."""
    start = conn.execute(select(fiscal_years.c.start_date).where(fiscal_years.c.year == fiscal_year)).scalar()
    if start is None or start >= date_from:
        return 0
    until = date.fromordinal(date_from.toordinal() - 1)
    e = journal_entries.c
    details = conn.execute(
        select(func.count()).where(and_(*_conditions(start, until, as_known_at, summarized, False)))
    ).scalar()
    groups = (
        select(e.effective_date, e.rule)
        .where(and_(*_conditions(start, until, as_known_at, summarized, True)))
        .group_by(e.effective_date, e.rule)
        .subquery()
    )
    summaries = conn.execute(select(func.count()).select_from(groups)).scalar()
    return int(details or 0) + int(summaries or 0)


def _summary_lines(
    conn: Connection, day: date, rule: str, summarized: Collection[str], as_known_at: datetime | None
) -> list[DiarioLine]:
    e, line = journal_entries.c, journal_lines.c
    query = (
        select(
            line.account_code, ledger_accounts.c.name, func.sum(line.debit_cents), func.sum(line.credit_cents)
        )
        .join(journal_entries, e.entry_id == line.entry_id)
        .join(ledger_accounts, ledger_accounts.c.code == line.account_code, isouter=True)
        .where(and_(e.rule == rule, *_conditions(day, day, as_known_at, summarized, True)))
        .group_by(line.account_code, ledger_accounts.c.name)
        .order_by(line.account_code)
    )
    lines: list[DiarioLine] = []
    for code, name, debit, credit in conn.execute(query):
        # An account both debited and credited by one rule keeps both sides visible.
        if debit:
            lines.append(DiarioLine(code, name or UNKNOWN_ACCOUNT_NAME, from_cents(int(debit)), Decimal(0)))
        if credit:
            lines.append(DiarioLine(code, name or UNKNOWN_ACCOUNT_NAME, Decimal(0), from_cents(int(credit))))
    lines.sort(key=lambda ln: (ln.credit > 0, ln.account))
    return lines


def diario(
    conn: Connection,
    date_from: date,
    date_to: date,
    summarized: Collection[str],
    as_known_at: datetime | None = None,
) -> Iterator[DiarioEntry]:
    """The Libro Diario between two dates, summarising the events in ``summarized``."""
    slots = _summary_slots(conn, date_from, date_to, summarized, as_known_at)
    slots += _detail_slots(conn, date_from, date_to, summarized, as_known_at)
    slots.sort(key=lambda s: (s.effective_date, s.first_entry_id))
    numbers: dict[int, int] = {}
    for slot in slots:
        if slot.fiscal_year not in numbers:
            numbers[slot.fiscal_year] = _numbers_before(
                conn, slot.fiscal_year, date_from, summarized, as_known_at
            )
        numbers[slot.fiscal_year] += 1
        yield _build(conn, slot, numbers[slot.fiscal_year], summarized, as_known_at)


def _build(
    conn: Connection, slot: _Slot, number: int, summarized: Collection[str], as_known_at: datetime | None
) -> DiarioEntry:
    if slot.detail is not None:
        row = slot.detail
        lines = [DiarioLine(ln.account_code, ln.account_name, ln.debit, ln.credit) for ln in row.lines]
        reference = f"{row.fiscal_year}/{row.number}"
        return DiarioEntry(
            slot.fiscal_year, number, row.effective_date, row.description, reference, row.rule, lines
        )
    assert slot.summary is not None
    rule, count, low, high = slot.summary
    lines = _summary_lines(conn, slot.effective_date, rule, summarized, as_known_at)
    description = f"Resumen del día: {rule} ({count} asientos del subdiario)"
    reference = (
        f"{slot.fiscal_year}/{low}"
        if low == high
        else f"{slot.fiscal_year}/{low} a {slot.fiscal_year}/{high}"
    )
    return DiarioEntry(slot.fiscal_year, number, slot.effective_date, description, reference, rule, lines)


def subledger_entries(
    conn: Connection,
    events: Collection[str],
    date_from: date,
    date_to: date,
    as_known_at: datetime | None = None,
) -> Iterator[JournalEntryRow]:
    """The detail a subledger keeps: every entry of its events, in journal order."""
    yield from iter_journal(
        conn, date_from, date_to, _conditions(date_from, date_to, as_known_at, events, True)
    )
