"""The journal (Libro Diario) projection.

Entries are numbered consecutively per fiscal year in log order; every line
keeps the event position and the rule that produced it, which is the audit
trail from any balance down to the fact.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, Table, func, select

from domain.chart import Side
from domain.money import to_cents
from projections.bulk import insert_rows
from projections.posting import PostingEngine
from projections.runner import LoggedEvent, Projection
from projections.tables import (
    DIMENSION_COLUMNS,
    fiscal_years,
    journal_entries,
    journal_lines,
    journal_sequences,
)


class NoFiscalYearForEntry(RuntimeError):
    pass


class JournalProjection(Projection):
    name = "journal"

    def __init__(self, engine: PostingEngine) -> None:
        self.engine = engine

    def topics(self) -> frozenset[str]:
        return self.engine.topics()

    def tables(self) -> Sequence[Table]:
        return (journal_entries, journal_lines, journal_sequences)

    def handle_page(self, conn: Connection, events: Sequence[LoggedEvent]) -> None:
        if not events:
            return
        page = _JournalPage(conn)
        for event in events:
            page.add(event, self.engine)
        page.write()


class _JournalPage:
    """The rows one page adds, built in memory and written in a few statements."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.years = conn.execute(
            select(fiscal_years.c.year, fiscal_years.c.start_date, fiscal_years.c.end_date)
        ).all()
        self.last_numbers: dict[int, int] = dict(
            conn.execute(select(journal_sequences.c.fiscal_year, journal_sequences.c.last_number)).all()
        )
        self.known_years = set(self.last_numbers)
        self.next_entry_id = (conn.execute(select(func.max(journal_entries.c.entry_id))).scalar() or 0) + 1
        self.entries: list[tuple[Any, ...]] = []
        self.lines: list[tuple[Any, ...]] = []
        self.entry_of_originator: dict[str, int] = {}
        self.reversed: list[tuple[int, int]] = []  # (original entry, reversal entry)

    def fiscal_year(self, day: date, position: int) -> int:
        for year, start, end in self.years:
            if start <= day <= end:
                return int(year)
        raise NoFiscalYearForEntry(f"evento {position}: no hay ejercicio para la fecha {day}")

    def add(self, event: LoggedEvent, engine: PostingEngine) -> None:
        posted = engine.post(event)
        data = event.data
        day: date = data["effective_date"]
        for proposed in posted.entries:
            if not proposed.postings:
                continue
            year = self.fiscal_year(day, event.position)
            number = self.last_numbers.get(year, 0) + 1
            self.last_numbers[year] = number
            entry_id = self.next_entry_id
            self.next_entry_id += 1
            originator = event.originator_id.hex
            self.entry_of_originator.setdefault(originator, entry_id)
            reverses = self._entry_reversed(posted.reverses, entry_id)
            # Tuples in table column order (see projections.tables), for bulk insert.
            self.entries.append((
                entry_id, year, number, day, event.position, posted.event_name, originator,
                proposed.rule, posted.kind, proposed.description, reverses, None,
                str(data.get("recorded_by", "system")), event.timestamp,
            ))
            for line_no, posting in enumerate(proposed.postings, start=1):
                cents = to_cents(posting.amount)
                dims = posting.dimensions
                debit = cents if posting.side is Side.DEBIT else 0
                self.lines.append((
                    entry_id, line_no, posting.account, day, debit, cents - debit,
                    event.position, proposed.rule, *[dims.get(name) for name in DIMENSION_COLUMNS],
                ))

    def _entry_reversed(self, original: Any, reversal_entry: int) -> int | None:
        if original is None:
            return None
        key = original.hex
        entry_id = self.entry_of_originator.get(key)
        if entry_id is None:
            entry_id = self.conn.execute(
                select(func.min(journal_entries.c.entry_id)).where(journal_entries.c.originator_id == key)
            ).scalar()
        if entry_id is not None:
            self.reversed.append((int(entry_id), reversal_entry))
        return int(entry_id) if entry_id is not None else None

    def write(self) -> None:
        conn = self.conn
        insert_rows(conn, journal_entries, self.entries)
        insert_rows(conn, journal_lines, self.lines)
        for original, reversal in self.reversed:
            conn.execute(
                journal_entries.update()
                .where(journal_entries.c.entry_id == original)
                .values(reversed_by_entry_id=reversal)
            )
        for year, last in self.last_numbers.items():
            table = journal_sequences
            if year in self.known_years:
                conn.execute(table.update().where(table.c.fiscal_year == year).values(last_number=last))
            else:
                conn.execute(table.insert().values(fiscal_year=year, last_number=last))
