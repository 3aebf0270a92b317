"""Journal entries recorded directly by accountants (asientos manuales).

Business facts (invoices, payments, ...) reach the journal through the posting
rules; an accountant's own entry is a fact in itself and carries its lines.
A reversal is a new entry with the mirrored lines that references the original;
nothing is ever edited or deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.calendar import FiscalCalendar
from domain.chart import ChartOfAccounts, Side
from domain.errors import EntryAlreadyReversed, InvalidAmount, InvalidInput, PeriodClosed, UnbalancedEntry
from domain.money import CENT, ZERO, parse_amount

MAX_LINES_PER_ENTRY = 5_000
DIMENSION_NAMES = frozenset({"member", "supply", "service", "cost_center", "category", "zone"})
# Kinds of the year-end entries (asientos de cierre y apertura): dated on the
# year's last or first day, they may fall in a month already closed.
YEAR_CLOSING = "year_closing"
YEAR_OPENING = "year_opening"
YEAR_END_KINDS = frozenset({YEAR_CLOSING, YEAR_OPENING})
# Balances are cumulative across years, so they already carry last year's
# balances forward: the opening entry (and its annulment) is a Diario record
# that balances, ledgers and exports leave out, or every balance would double.
NOT_IN_BALANCES = YEAR_OPENING


@dataclass(frozen=True)
class EntryLine:
    account: str
    side: Side
    amount: Decimal
    dimensions: Mapping[str, str] = field(default_factory=dict)

    def as_event_data(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "side": self.side.value,
            "amount": self.amount,
            "dimensions": dict(self.dimensions),
        }

    def mirrored(self) -> EntryLine:
        return EntryLine(self.account, self.side.opposite, self.amount, self.dimensions)


def line_from_input(raw: Mapping[str, Any], index: int) -> EntryLine:
    """Read one line as given by a person or a file: ``debit`` or ``credit``, not both."""
    where = f"línea {index + 1}"
    account = str(raw.get("account", "")).strip()
    if not account:
        raise InvalidInput(f"{where}: falta la cuenta (account)")
    debit, credit = raw.get("debit"), raw.get("credit")
    if (debit is None) == (credit is None):
        raise InvalidInput(f"{where}: indique debe (debit) o haber (credit), uno solo")
    side = Side.DEBIT if debit is not None else Side.CREDIT
    given: str | int | Decimal = debit if debit is not None else credit  # type: ignore[assignment]
    amount = parse_amount(given, field=f"{where} {side.value}")
    if amount <= ZERO:
        raise InvalidAmount(str(amount), f"{where}: el importe debe ser mayor que cero")
    dimensions = raw.get("dimensions") or {}
    if not isinstance(dimensions, Mapping):
        raise InvalidInput(f"{where}: dimensions debe ser una tabla nombre = valor")
    unknown = set(dimensions) - DIMENSION_NAMES
    if unknown:
        allowed = ", ".join(sorted(DIMENSION_NAMES))
        raise InvalidInput(f"{where}: dimensión desconocida {sorted(unknown)}; use {allowed}")
    return EntryLine(account, side, amount, {str(k): str(v) for k, v in dimensions.items()})


def check_entry(
    lines: Sequence[EntryLine], effective_date: date, chart: ChartOfAccounts,
    calendar: FiscalCalendar, *, year_end: bool = False,
) -> None:
    """Everything that makes an entry acceptable, checked before any event exists."""
    if len(lines) < 2:
        raise InvalidInput("Un asiento necesita al menos dos líneas")
    if len(lines) > MAX_LINES_PER_ENTRY:
        raise InvalidInput(f"Un asiento admite hasta {MAX_LINES_PER_ENTRY} líneas")
    for number, line in enumerate(lines, start=1):
        if line.amount <= ZERO:
            raise InvalidAmount(str(line.amount), f"línea {number}: el importe debe ser mayor que cero")
        if line.amount != line.amount.quantize(CENT):
            raise InvalidAmount(str(line.amount), f"línea {number}: más de dos decimales")
    debit = sum((ln.amount for ln in lines if ln.side is Side.DEBIT), ZERO)
    credit = sum((ln.amount for ln in lines if ln.side is Side.CREDIT), ZERO)
    if debit != credit:
        raise UnbalancedEntry(debit, credit)
    for line in lines:
        chart.require_postable(line.account)
    if year_end:
        fiscal_year = calendar.year_of(effective_date)
        if fiscal_year.closed:
            raise PeriodClosed(effective_date, f"ejercicio {fiscal_year.year}")
    else:
        calendar.require_open(effective_date)


class JournalEntry(Aggregate):
    """One accountant's entry; its id doubles as the idempotency key."""

    @event("ManualEntryPosted")
    def __init__(
        self,
        effective_date: date,
        description: str,
        lines: list[dict[str, Any]],
        kind: str,
        reverses: UUID | None,
        recorded_by: str,
        id: UUID | None = None,
    ) -> None:
        self.effective_date = effective_date
        self.description = description
        self.lines = lines
        self.kind = kind
        self.reverses = reverses
        self.reversed_by: UUID | None = None

    @classmethod
    def post(
        cls,
        *,
        effective_date: date,
        description: str,
        lines: Iterable[EntryLine],
        chart: ChartOfAccounts,
        calendar: FiscalCalendar,
        recorded_by: str,
        entry_id: UUID | None = None,
        kind: str = "manual",
        reverses: UUID | None = None,
        reverses_kind: str | None = None,
    ) -> JournalEntry:
        checked = list(lines)
        if not description.strip():
            raise InvalidInput("El asiento necesita una descripción")
        year_end = kind in YEAR_END_KINDS or reverses_kind in YEAR_END_KINDS
        check_entry(checked, effective_date, chart, calendar, year_end=year_end)
        entry = cls(
            effective_date=effective_date,
            description=description.strip(),
            lines=[line.as_event_data() for line in checked],
            kind=kind,
            reverses=reverses,
            recorded_by=recorded_by,
            id=entry_id,
        )
        return entry

    def entry_lines(self) -> list[EntryLine]:
        return [
            EntryLine(ln["account"], Side(ln["side"]), ln["amount"], ln.get("dimensions", {}))
            for ln in self.lines
        ]

    def reverse(
        self,
        *,
        effective_date: date,
        chart: ChartOfAccounts,
        calendar: FiscalCalendar,
        recorded_by: str,
        description: str | None = None,
        reversal_id: UUID | None = None,
    ) -> JournalEntry:
        """A new entry with the mirrored lines; the original records who reversed it.
        ``reversal_id``: the new entry's id, when the caller chooses it (an idempotency key).

        Annulling an opening entry yields an entry of the same kind, which the
        balances leave out just like the original.
        """
        if self.reversed_by is not None:
            raise EntryAlreadyReversed(self.id)
        if self.reverses is not None:
            raise InvalidInput(f"El asiento {self.id} ya es una reversión: registre uno nuevo")
        reversal = JournalEntry.post(
            effective_date=effective_date,
            description=description or f"Reversión de: {self.description}",
            lines=[line.mirrored() for line in self.entry_lines()],
            chart=chart,
            calendar=calendar,
            recorded_by=recorded_by,
            kind=YEAR_OPENING if self.kind == YEAR_OPENING else "reversal",
            reverses=self.id,
            reverses_kind=self.kind,
            entry_id=reversal_id,
        )
        self._reversed(reversal_id=reversal.id, recorded_by=recorded_by)
        return reversal

    @event("Reversed")
    def _reversed(self, reversal_id: UUID, recorded_by: str) -> None:
        self.reversed_by = reversal_id
