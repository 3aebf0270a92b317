"""The event-sourced application: one ordered log for every fact.

Command methods load aggregates, let the domain check everything, then save all
changed aggregates in one atomic ``save``. Read models are never consulted to
enforce a rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Transcoding

from adapters.capital_commands import CapitalCommands
from adapters.commercial_commands import CommercialCommands
from adapters.payment_commands import PaymentCommands
from domain.calendar import CALENDAR_ID, FiscalCalendar
from domain.chart import CHART_ID, ChartOfAccounts
from domain.errors import AlreadyRecorded, Conflict, NotFound
from domain.invoicing import Invoice
from domain.journal import EntryLine, JournalEntry
from domain.treasury import TreasuryMovement
from ledger_rules.model import AccountSpec

A = TypeVar("A", bound=Aggregate)


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class AsientoApp(CapitalCommands, CommercialCommands, PaymentCommands, Application[UUID]):
    name = "asiento"

    def record_treasury_movement(
        self,
        *,
        effective_date: date,
        kind: str,
        from_account: str,
        to_account: str,
        amount: str,
        reference: str,
        recorded_by: str,
        movement_id: UUID | None = None,
    ) -> TreasuryMovement:
        movement = TreasuryMovement.record(
            effective_date=effective_date,
            kind=kind,
            from_account=from_account,
            to_account=to_account,
            amount=amount,
            reference=reference,
            chart=self.chart(),
            calendar=self.calendar(),
            recorded_by=recorded_by,
            movement_id=movement_id,
        )
        (pending,) = movement.pending_events  # read, not collected: save() still writes it
        self.check_postable("TreasuryMovementRecorded", effective_date, pending.__dict__)
        try:
            self.save(movement)
        except IntegrityError:
            raise AlreadyRecorded("El movimiento", movement.id) from None
        return movement

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    # -- loading -----------------------------------------------------------
    def _get(self, aggregate_id: UUID, what: str) -> Any:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(f"{what} {aggregate_id} no existe") from None

    def chart(self) -> ChartOfAccounts:
        try:
            chart: ChartOfAccounts = self.repository.get(CHART_ID)
        except AggregateNotFoundError:
            return ChartOfAccounts()
        return chart

    def calendar(self) -> FiscalCalendar:
        try:
            calendar: FiscalCalendar = self.repository.get(CALENDAR_ID)
        except AggregateNotFoundError:
            return FiscalCalendar()
        return calendar

    def _save(self, *aggregates: Aggregate, what: str = "el registro") -> None:
        try:
            self.save(*aggregates)
        except IntegrityError:
            # Someone else changed one of these aggregates since we loaded it.
            raise Conflict(f"Otro usuario modificó {what} al mismo tiempo: reintente") from None

    # -- chart of accounts -------------------------------------------------------
    def install_chart(self, accounts: Iterable[AccountSpec], *, recorded_by: str) -> int:
        """Open every account of a chart that is not open yet; returns how many."""
        chart = self.chart()
        opened = 0
        for spec in accounts:
            if spec.code in chart.accounts:
                continue
            _open_account(chart, spec, recorded_by)
            opened += 1
        if opened:
            self._save(chart, what="el plan de cuentas")
        return opened

    def open_account(self, spec: AccountSpec, *, recorded_by: str) -> None:
        chart = self.chart()
        _open_account(chart, spec, recorded_by)
        self._save(chart, what="el plan de cuentas")

    def close_account(self, code: str, *, recorded_by: str) -> None:
        chart = self.chart()
        chart.close_account(code, recorded_by=recorded_by)
        self._save(chart, what="el plan de cuentas")

    # -- fiscal calendar -----------------------------------------------------------
    def open_fiscal_year(
        self, year: int, start: date | None = None, end: date | None = None, *, recorded_by: str
    ) -> None:
        calendar = self.calendar()
        calendar.open_year(year, start, end, recorded_by=recorded_by)
        self._save(calendar, what="el calendario de ejercicios")

    def close_period(self, label: str, *, recorded_by: str) -> None:
        calendar = self.calendar()
        if label.isdigit():
            calendar.close_year(int(label), recorded_by=recorded_by)
        else:
            calendar.close_period(label, recorded_by=recorded_by)
        self._save(calendar, what="el calendario de ejercicios")

    def reopen_fiscal_year(self, year: int, reason: str, *, recorded_by: str) -> None:
        calendar = self.calendar()
        calendar.reopen_year(year, reason, recorded_by=recorded_by)
        self._save(calendar, what="el calendario de ejercicios")

    # -- journal entries -------------------------------------------------------------
    def post_entry(
        self,
        *,
        effective_date: date,
        description: str,
        lines: Sequence[EntryLine],
        recorded_by: str,
        entry_id: UUID | None = None,
    ) -> UUID:
        entry = JournalEntry.post(
            effective_date=effective_date,
            description=description,
            lines=lines,
            chart=self.chart(),
            calendar=self.calendar(),
            recorded_by=recorded_by,
            entry_id=entry_id,
        )
        try:
            self.save(entry)
        except IntegrityError:
            raise AlreadyRecorded("El asiento", entry.id) from None
        return entry.id

    def reverse_entry(
        self,
        entry_id: UUID,
        *,
        effective_date: date,
        recorded_by: str,
        description: str | None = None,
    ) -> UUID:
        original: JournalEntry = self._get(entry_id, "El asiento")
        reversal = original.reverse(
            effective_date=effective_date,
            chart=self.chart(),
            calendar=self.calendar(),
            recorded_by=recorded_by,
            description=description,
        )
        self._save(original, reversal, what="el asiento")
        return reversal.id

    # -- invoices ---------------------------------------------------------------------
    def issue_invoice(self, *, lines: Sequence[Mapping[str, Any]], recorded_by: str, **header: Any) -> UUID:
        invoice = Invoice.issue(calendar=self.calendar(), lines=lines, recorded_by=recorded_by, **header)
        self._save(invoice, what="la factura")
        return invoice.id


def _open_account(chart: ChartOfAccounts, spec: AccountSpec, recorded_by: str) -> None:
    chart.open_account(
        spec.code,
        spec.name,
        spec.account_type,
        parent_code=spec.parent_code,
        normal_balance=spec.normal_balance,
        header=spec.header,
        recorded_by=recorded_by,
    )
