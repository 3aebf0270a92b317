"""The journal (Libro Diario) projection.

Entries are numbered consecutively per fiscal year in log order; every line
keeps the event position and the rule that produced it, which is the audit
trail from any balance down to the fact.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Select, Table, func, select, text

from domain.chart import Side
from domain.events import MANUAL_ENTRY_EVENT
from domain.money import to_cents
from projections.bulk import insert_rows
from projections.posting import PostingEngine
from projections.runner import LoggedEvent, PlannedProjection
from projections.tables import (
    DIMENSION_COLUMNS,
    MANUAL_ENTRY_CONDITION,
    fiscal_years,
    journal_entries,
    journal_lines,
    journal_sequences,
)

_DEBIT = Side.DEBIT


class NoFiscalYearForEntry(RuntimeError):
    pass


class JournalProjection(PlannedProjection):
    name = "journal"

    def __init__(self, engine: PostingEngine) -> None:
        self.engine = engine
        # The last page planned, by (first position, last position, events): the balances
        # projection runs right after on the same events and sums these lines instead of
        # reading back the rows just written.
        self._last_plan: tuple[tuple[int, int, int], list[PlannedEntry]] | None = None

    def planned_for(self, events: Sequence[LoggedEvent]) -> list[PlannedEntry] | None:
        """The plan this projection made for exactly these events, if it was the last one."""
        if not events or self._last_plan is None:
            return None
        key, plan = self._last_plan
        return plan if key == (events[0].position, events[-1].position, len(events)) else None

    def topics(self) -> frozenset[str]:
        return self.engine.topics()

    def tables(self) -> Sequence[Table]:
        return (journal_entries, journal_lines, journal_sequences)

    def plan_page(self, events: Sequence[LoggedEvent]) -> list[PlannedEntry]:
        """What the page posts, without touching the database (a worker process may do this part)."""
        planned: list[PlannedEntry] = []
        for event in events:
            posted = self.engine.post(event)
            data = event.data
            day = data["effective_date"].isoformat()
            recorded_at = event.timestamp.isoformat(" ")
            reverses = posted.reverses.hex if posted.reverses is not None else None
            position = event.position
            for proposed in posted.entries:
                if not proposed.postings:
                    continue
                lines = []
                rule = proposed.rule
                # The postings of an entry share a few dimension mappings: each becomes the
                # row's dimension columns once.
                columns: dict[int, tuple[str | None, ...]] = {}
                for account, side, amount, dims in proposed.postings:
                    cents = to_cents(amount)
                    debit = cents if side is _DEBIT else 0
                    values = columns.get(id(dims))
                    if values is None:
                        values = columns[id(dims)] = tuple([dims.get(n) for n in DIMENSION_COLUMNS])
                    lines.append((account, day, debit, cents - debit, position, rule, *values))
                planned.append(
                    (  # a PlannedEntry
                        position,
                        day,
                        posted.event_name,
                        event.originator_id.hex,
                        rule,
                        posted.kind,
                        proposed.description,
                        reverses,
                        str(data.get("recorded_by", "system")),
                        recorded_at,
                        lines,
                    )
                )
        if events:
            self._last_plan = ((events[0].position, events[-1].position, len(events)), planned)
        return planned

    def write_planned(self, conn: Connection, planned: Sequence[PlannedEntry]) -> None:
        """Number the planned entries in log order and write them with their lines."""
        if not planned:
            return
        page = _JournalPage(conn)
        for entry in planned:
            page.add(entry)
        page.write()


# One entry as the rules make it: everything but its number, which needs the database. A plain
# tuple, not a NamedTuple: planning workers pickle tens of thousands per window, three times faster.
# (position, day, event name, originator hex, rule, kind, description, reversed originator hex or
# None, recorded by, recorded at, lines); a line is its row after the key (entry id, line number):
# (account, day, debit cents, credit cents, position, rule, *dimensions). The writer only puts
# the key in front: built here, in a worker, the row costs the writer one tuple concatenation
# (building it there was a sixth of the writer's page, profiled).
# The day and the recording time travel as the text the database stores (ISO 8601, as sqlite3's
# own adapters write them): no Python adapter call per value when the rows are inserted (a tenth
# of a rebuild's writer, profiled), cheaper to pickle, and PostgreSQL's COPY reads the same text.
PlannedEntry = tuple[int, str, str, str, str, str, str, "str | None", str, str, list[tuple[Any, ...]]]


def first_entry_of_manual(originator_hex: str) -> Select[Any]:
    """The first entry of a manual entry's aggregate, through the partial index of manual
    entries' originators (its condition written as in the index, or SQLite will not use it)."""
    entries = journal_entries.c
    return select(func.min(entries.entry_id)).where(
        entries.originator_id == originator_hex, text(MANUAL_ENTRY_CONDITION)
    )


class _JournalPage:
    """The rows one page adds, built in memory and written in a few statements."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.years = [
            (year, start.isoformat(), end.isoformat())  # ISO text compares as the dates do
            for year, start, end in conn.execute(
                select(fiscal_years.c.year, fiscal_years.c.start_date, fiscal_years.c.end_date)
            )
        ]
        self.last_numbers: dict[int, int] = dict(
            conn.execute(select(journal_sequences.c.fiscal_year, journal_sequences.c.last_number)).all()
        )
        self.known_years = set(self.last_numbers)
        self.next_entry_id = (conn.execute(select(func.max(journal_entries.c.entry_id))).scalar() or 0) + 1
        self.entries: list[tuple[Any, ...]] = []
        self.lines: list[tuple[Any, ...]] = []
        self.entry_of_originator: dict[str, int] = {}  # manual entries of this page, by aggregate
        self.reversed: list[tuple[int, int]] = []  # (original entry, reversal entry)

    def fiscal_year(self, day: str, position: int) -> int:
        for year, start, end in self.years:
            if start <= day <= end:
                return int(year)
        raise NoFiscalYearForEntry(f"evento {position}: no hay ejercicio para la fecha {day}")

    def add(self, entry: PlannedEntry) -> None:
        position, day, event_name, originator, rule, kind, description, reversed_originator = entry[:8]
        recorded_by, recorded_at, lines = entry[8:]
        year = self.fiscal_year(day, position)
        number = self.last_numbers.get(year, 0) + 1
        self.last_numbers[year] = number
        entry_id = self.next_entry_id
        self.next_entry_id += 1
        if event_name == MANUAL_ENTRY_EVENT:  # the only entries reversed, as in the partial index
            self.entry_of_originator.setdefault(originator, entry_id)
        reverses = self._entry_reversed(reversed_originator, entry_id)
        # Tuples in table column order (see projections.tables), for bulk insert.
        self.entries.append(
            (
                entry_id,
                year,
                number,
                day,
                position,
                event_name,
                originator,
                rule,
                kind,
                description,
                reverses,
                None,
                recorded_by,
                recorded_at,
            )
        )
        # Concatenation, not (entry_id, line_no, *line): 36 ns a line against 86 (timeit).
        self.lines.extend([(entry_id, line_no) + line for line_no, line in enumerate(lines, start=1)])  # noqa: RUF005

    def _entry_reversed(self, original: str | None, reversal_entry: int) -> int | None:
        if original is None:
            return None
        key = original
        entry_id = self.entry_of_originator.get(key)
        if entry_id is None:
            entry_id = self.conn.execute(first_entry_of_manual(key)).scalar()
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
