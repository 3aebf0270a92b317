"""Fiscal years and their monthly periods (ejercicios y períodos).

Closing a month or a year locks it: facts dated in it are refused, and
corrections go into an open period. Re-opening a closed year is an explicit,
recorded act with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import Conflict, InvalidInput, NoOpenFiscalYear, NotFound, PeriodClosed
from domain.identity import stable_id

CALENDAR_ID = stable_id("fiscal-calendar")


@dataclass(frozen=True)
class FiscalYear:
    year: int
    start_date: date
    end_date: date
    closed: bool = False
    closed_months: frozenset[str] = frozenset()
    # The year-end entries (asientos de cierre y de apertura) recorded for this year, if any.
    closing_entry_id: UUID | None = None
    opening_entry_ids: tuple[UUID, ...] = ()

    def contains(self, day: date) -> bool:
        return self.start_date <= day <= self.end_date

    def months(self) -> list[str]:
        labels: list[str] = []
        day = self.start_date.replace(day=1)
        while day <= self.end_date:
            labels.append(month_label(day))
            day = (day + timedelta(days=32)).replace(day=1)
        return labels


def month_label(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


class FiscalCalendar(Aggregate):
    """All fiscal years of the cooperative, in one aggregate (a handful of rows)."""

    @staticmethod
    def create_id() -> Any:
        return CALENDAR_ID

    @event("Created")
    def __init__(self) -> None:
        self.years: dict[int, FiscalYear] = {}

    # -- queries -----------------------------------------------------------
    def year_of(self, day: date) -> FiscalYear:
        for fiscal_year in self.years.values():
            if fiscal_year.contains(day):
                return fiscal_year
        raise NoOpenFiscalYear(day)

    def require_open(self, day: date) -> FiscalYear:
        """The fiscal year for a business date, refusing closed periods."""
        fiscal_year = self.year_of(day)
        if fiscal_year.closed:
            raise PeriodClosed(day, f"ejercicio {fiscal_year.year}")
        label = month_label(day)
        if label in fiscal_year.closed_months:
            raise PeriodClosed(day, label)
        return fiscal_year

    def get_year(self, year: int) -> FiscalYear:
        try:
            return self.years[year]
        except KeyError:
            raise NotFound(f"El ejercicio {year} no existe") from None

    # -- commands ----------------------------------------------------------
    def open_year(
        self,
        year: int,
        start_date: date | None = None,
        end_date: date | None = None,
        *,
        recorded_by: str = "system",
    ) -> None:
        start = start_date or date(year, 1, 1)
        end = end_date or _one_year_after(start)
        if year in self.years:
            raise Conflict(f"El ejercicio {year} ya está abierto")
        if end <= start:
            raise InvalidInput(f"El ejercicio {year} termina ({end}) antes de empezar ({start})")
        if (end - start).days > 366 * 2:
            raise InvalidInput(f"El ejercicio {year} dura más de dos años ({start} a {end})")
        for other in self.years.values():
            if start <= other.end_date and other.start_date <= end:
                raise Conflict(
                    f"El ejercicio {year} ({start} a {end}) se superpone con el {other.year} "
                    f"({other.start_date} a {other.end_date})"
                )
        self._year_opened(year=year, start_date=start, end_date=end, recorded_by=recorded_by)

    def close_period(self, label: str, *, recorded_by: str = "system") -> None:
        """Close one month, given as YYYY-MM."""
        day = _parse_month(label)
        fiscal_year = self.year_of(day)
        if fiscal_year.closed or label in fiscal_year.closed_months:
            raise Conflict(f"El período {label} ya está cerrado")
        self._period_closed(year=fiscal_year.year, month=label, recorded_by=recorded_by)

    def previous_year(self, year: int) -> FiscalYear | None:
        """The fiscal year that ends the day before ``year`` starts, if there is one."""
        start = self.get_year(year).start_date
        for other in self.years.values():
            if other.end_date == start - timedelta(days=1):
                return other
        return None

    def next_year(self, year: int) -> FiscalYear | None:
        end = self.get_year(year).end_date
        for other in self.years.values():
            if other.start_date == end + timedelta(days=1):
                return other
        return None

    def close_year(
        self, year: int, *, closing_entry_id: UUID | None = None, recorded_by: str = "system"
    ) -> None:
        """Lock the year; ``closing_entry_id`` links the entry that closed its results."""
        fiscal_year = self.get_year(year)
        if fiscal_year.closed:
            raise Conflict(f"El ejercicio {year} ya está cerrado")
        previous = self.previous_year(year)
        if previous is not None and not previous.closed:
            raise Conflict(f"El ejercicio {previous.year} sigue abierto: ciérrelo antes que el {year}")
        if closing_entry_id is not None:
            self._closing_entry_linked(year=year, entry_id=closing_entry_id, recorded_by=recorded_by)
        self._year_closed(year=year, recorded_by=recorded_by)

    def link_opening_entries(self, year: int, entry_ids: list[UUID], *, recorded_by: str = "system") -> None:
        """Record that ``year``'s opening entries (apertura, traslado del resultado) now exist."""
        fiscal_year = self.get_year(year)
        if not entry_ids:
            raise InvalidInput(f"El asiento de apertura del {year} no tiene líneas")
        if fiscal_year.opening_entry_ids:
            raise Conflict(f"El ejercicio {year} ya tiene asiento de apertura")
        previous = self.previous_year(year)
        if previous is None or not previous.closed:
            raise Conflict(f"El asiento de apertura del {year} requiere el ejercicio anterior cerrado")
        self._opening_entries_linked(year=year, entry_ids=entry_ids, recorded_by=recorded_by)

    def unlink_opening_entry(self, year: int, *, recorded_by: str = "system") -> None:
        fiscal_year = self.get_year(year)
        if fiscal_year.closed:
            raise Conflict(f"El ejercicio {year} está cerrado: reábralo antes que el anterior")
        self._opening_entry_unlinked(year=year, recorded_by=recorded_by)

    def reopen_year(self, year: int, reason: str, *, recorded_by: str = "system") -> None:
        fiscal_year = self.get_year(year)
        if not fiscal_year.closed:
            raise Conflict(f"El ejercicio {year} no está cerrado")
        if not reason.strip():
            raise InvalidInput("Reabrir un ejercicio cerrado requiere un motivo")
        self._year_reopened(year=year, reason=reason.strip(), recorded_by=recorded_by)

    # -- events --------------------------------------------------------------
    @event("FiscalYearOpened")
    def _year_opened(self, year: int, start_date: date, end_date: date, recorded_by: str) -> None:
        self.years[year] = FiscalYear(year, start_date, end_date)

    @event("FiscalPeriodClosed")
    def _period_closed(self, year: int, month: str, recorded_by: str) -> None:
        fiscal_year = self.years[year]
        self.years[year] = replace(fiscal_year, closed_months=fiscal_year.closed_months | {month})

    @event("FiscalYearClosed")
    def _year_closed(self, year: int, recorded_by: str) -> None:
        self.years[year] = replace(self.years[year], closed=True)

    @event("FiscalYearReopened")
    def _year_reopened(self, year: int, reason: str, recorded_by: str) -> None:
        # The closing entry is reversed by the same act; closing again computes a new one.
        self.years[year] = replace(self.years[year], closed=False, closing_entry_id=None)

    @event("ClosingEntryLinked")
    def _closing_entry_linked(self, year: int, entry_id: UUID, recorded_by: str) -> None:
        self.years[year] = replace(self.years[year], closing_entry_id=entry_id)

    @event("OpeningEntriesLinked")
    def _opening_entries_linked(self, year: int, entry_ids: list[UUID], recorded_by: str) -> None:
        self.years[year] = replace(self.years[year], opening_entry_ids=tuple(entry_ids))

    @event("OpeningEntryUnlinked")
    def _opening_entry_unlinked(self, year: int, recorded_by: str) -> None:
        self.years[year] = replace(self.years[year], opening_entry_ids=())


def _one_year_after(start: date) -> date:
    try:
        return start.replace(year=start.year + 1) - timedelta(days=1)
    except ValueError:  # 29 February
        return date(start.year + 1, 2, 28)


def _parse_month(label: str) -> date:
    try:
        year_text, month_text = label.split("-")
        return date(int(year_text), int(month_text), 1)
    except ValueError:
        raise InvalidInput(f"Período inválido {label!r}: use AAAA-MM") from None
