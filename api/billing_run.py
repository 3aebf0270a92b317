"""The monthly billing run: every supply due, billed once, saved in batches.

For each chunk of members (read from the registry in a few queries):

1. each supply's consumption for the period (its reading, or an estimate
   recorded now when the reader could not read it);
2. its bill from the tariff tables in force (``domain.tariff_calc``);
3. Ley 24.240 art. 31: a consumption more than 75% above the same period's
   average of the two previous years is held for review instead of billed;
4. one consolidated payable document per member with its collection barcode;
5. gapless numbers reserved per (point of sale, document type);
6. one atomic save of the chunk, then the projections catch up.

A run is idempotent and resumable: ids derive from (supply, period), the
registry excludes what is already billed or held, and a chunk is saved whole or
not at all, so a run killed midway and started again finishes the rest.
"""

from __future__ import annotations

import calendar as month_calendar
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from adapters.billing_settings import BillingSettings, load_billing_settings
from adapters.bulk_load import FastForwardCache
from adapters.interest_rates import load_interest_rates
from adapters.tariff_files import parse_tariff_text
from api.background_projections import BackgroundProjections
from api.bootstrap import Asiento
from api.read_ahead import batch_reader
from domain.afip import DocumentKind, PointOfSaleTypes, VatCondition, cbte_tipo, invoice_letter
from domain.barcodes import DEFAULT_LAYOUT, CollectionFields, build_collection_barcode
from domain.billing import (
    PAYABLE_DOCUMENT_TYPE,
    HeldBill,
    PayableDocument,
    exceeds_consumer_protection_limit,
    invoice_id,
    payable_document_id,
)
from domain.calendar import FiscalCalendar
from domain.errors import Conflict, DomainError
from domain.interest import INTEREST_CONCEPT, late_interest
from domain.invoicing import Invoice
from domain.meter_readings import MeterReading, check_period
from domain.money import ZERO, round_half_even
from domain.numbering import DocumentSeries, series_id
from domain.readings import Meter, PeriodConsumption, estimate_reading
from domain.tariff_book import TariffBook, tariff_book_id
from domain.tariff_calc import BillCalculation, compute_bill
from domain.tariffs import TariffTable
from projections.billing_queries import BillingCandidate, CandidateChunk, billing_chunk
from projections.heap import bulk_heap

MEMBERS_PER_CHUNK = 500
MAX_KEPT_BILLS = 50_000  # distinct bill calculations kept by a run (see ``BillingRun._bill``)
Progress = Callable[[int], None]


def period_bounds(period: str) -> tuple[date, date]:
    check_period(period)
    year, month = (int(part) for part in period.split("-"))
    return date(year, month, 1), date(year, month, month_calendar.monthrange(year, month)[1])


@dataclass
class BillingReport:
    period: str
    invoices: int = 0
    documents: int = 0
    held: int = 0
    estimated: int = 0
    total: Decimal = ZERO
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (supply, reason)


@dataclass
class _SupplyBill:
    candidate: BillingCandidate
    bill: BillCalculation
    letter: str
    document_type: int
    interest_line: dict[str, Any] | None = None
    interest_for: list[str] = field(default_factory=list)

    def lines(self) -> list[dict[str, Any]]:
        lines = [_line_data(line) for line in self.bill.lines]
        return [*lines, self.interest_line] if self.interest_line else lines


@dataclass
class _Batch:
    aggregates: list[Aggregate] = field(default_factory=list)
    bills_by_member: dict[str, list[_SupplyBill]] = field(default_factory=lambda: defaultdict(list))


class BillingRun:
    def __init__(
        self,
        asiento: Asiento,
        *,
        period: str,
        issue_date: date,
        recorded_by: str,
        service: str | None = None,
        zone: str | None = None,
        settings: BillingSettings | None = None,
        members_per_chunk: int = MEMBERS_PER_CHUNK,
        background_projections: bool = True,
    ) -> None:
        if not 1 <= members_per_chunk <= 10_000:
            raise ValueError("members_per_chunk must be within 1..10,000")
        self.asiento = asiento
        self.period = period
        self.period_start, self.period_end = period_bounds(period)
        self.issue_date = issue_date
        self.recorded_by = recorded_by
        self.service = service
        self.zone = zone
        self.settings = settings or load_billing_settings()
        self.members_per_chunk = members_per_chunk
        self.background_projections = background_projections
        self.interest_rates = load_interest_rates()
        self.issuer = VatCondition(self.settings.cooperative.vat_condition)
        self.point_of_sale = PointOfSaleTypes(
            self.settings.point_of_sale, self.settings.document_kind == "public_services"
        )
        self.first_due = issue_date + timedelta(days=self.settings.first_due_days)
        self.second_due = self.first_due + timedelta(days=self.settings.second_due_days)
        self._kept_series = FastForwardCache()
        self._bills: dict[tuple[str, str, str, str, int], BillCalculation] = {}

    # -- the run -------------------------------------------------------------------------
    @bulk_heap()
    def run(self, progress: Progress | None = None) -> BillingReport:
        report = BillingReport(self.period)
        self.asiento.runner.catch_up()  # the registry must show every reading recorded so far
        calendar = self.asiento.app.calendar()
        calendar.require_open(self.issue_date)
        tariffs = self._tariffs()
        with BackgroundProjections(self.asiento) as projections:
            for chunk in self._chunks():
                batch = self._bill_chunk(chunk.candidates, chunk.payables_so_far, tariffs, calendar, report)
                self._save(batch)
                members = len({c.member_number for c in chunk.candidates})
                if members >= self.members_per_chunk and self.background_projections:
                    projections.start()  # a full chunk: more will follow, project them alongside
                projections.catch_up()
                if progress is not None:
                    progress(members)
        return report

    def _chunks(self) -> Iterator[CandidateChunk]:
        """The chunks in member order, each read while the one before is billed and saved.

        The reads wait on the database: at 1,350,000 supplies on PostgreSQL, a fifth of the
        billing stage (py-spy ``--idle``), the store being larger than memory. On PostgreSQL
        a thread does them meanwhile; SQLite reads each chunk when its turn comes
        (``api.read_ahead``). On a small store the two cores are busy anyway: at 20,000
        supplies it changed nothing. Reading
        ahead is safe: the next chunk's members are other members, and what it reads of them
        (readings, what is billed or held, late payments, documents of the period) the
        current chunk does not write; another run writing them meanwhile is caught at save."""
        with batch_reader(self.asiento, "billing-chunk") as reader:
            pending = reader.submit(self._read_chunk, "")
            while True:
                chunk = pending.result()
                if chunk.last_member is None:
                    return
                pending = reader.submit(self._read_chunk, chunk.last_member)
                yield chunk

    def _read_chunk(self, after_member: str) -> CandidateChunk:
        with self.asiento.read() as conn:
            return billing_chunk(
                conn,
                self.period,
                self.period_end,
                after_member=after_member,
                member_limit=self.members_per_chunk,
                service=self.service,
                zone=self.zone,
            )

    def _tariffs(self) -> dict[str, list[TariffTable]]:
        books: dict[str, list[TariffTable]] = {}
        for code in self.asiento.app.services().services:
            try:
                book: TariffBook = self.asiento.app.repository.get(tariff_book_id(code))
            except AggregateNotFoundError:  # no table yet: its supplies are reported as skipped
                continue
            books[code] = [parse_tariff_text(v["source_text"], v["source_name"]) for v in book.versions]
        return books

    def _save(self, batch: _Batch) -> None:
        if not batch.aggregates:
            return
        try:
            self.asiento.app.save(*batch.aggregates)
            for aggregate in batch.aggregates:
                if isinstance(aggregate, DocumentSeries):
                    self._kept_series.keep(aggregate)  # saved: the next chunk starts from it
        except IntegrityError:
            # Another run billed some of these meanwhile: nothing of this chunk was written.
            raise Conflict(
                f"Otra corrida facturó el período {self.period} al mismo tiempo: "
                "vuelva a ejecutar la corrida para completar lo pendiente"
            ) from None

    # -- one chunk ---------------------------------------------------------------------------
    def _bill_chunk(
        self,
        candidates: list[BillingCandidate],
        payables_so_far: dict[str, int],
        tariffs: dict[str, list[TariffTable]],
        calendar: FiscalCalendar,
        report: BillingReport,
    ) -> _Batch:
        batch = _Batch()
        for candidate in candidates:
            try:
                self._bill_supply(candidate, tariffs, batch, report)
            except DomainError as exc:
                report.skipped.append((candidate.supply_number, exc.message))
        self._issue_documents(batch, payables_so_far, calendar, report)
        return batch

    def _bill_supply(
        self,
        candidate: BillingCandidate,
        tariffs: dict[str, list[TariffTable]],
        batch: _Batch,
        report: BillingReport,
    ) -> None:
        versions = tariffs.get(candidate.service)
        if not versions:
            report.skipped.append((candidate.supply_number, f"sin cuadro tarifario de {candidate.service}"))
            return
        consumption = self._consumption(candidate, batch, report)
        if consumption is None:
            return
        bill = self._bill(versions, candidate, consumption)
        history = candidate.same_period_history(self.period)
        if not candidate.held_released and exceeds_consumer_protection_limit(consumption, history):
            average = sum(history[-2:], ZERO) / 2
            batch.aggregates.append(
                HeldBill.hold(
                    supply_number=candidate.supply_number,
                    member_number=candidate.member_number,
                    period=self.period,
                    reason="Ley 24.240 art. 31: consumo más de 75% sobre el promedio "
                    f"del mismo período de los dos años anteriores ({consumption} contra {average:.0f})",
                    consumption_units=consumption,
                    average_units=average.quantize(Decimal("0.001")),
                    computed_total=bill.totals.total,
                    recorded_by=self.recorded_by,
                )
            )
            report.held += 1
            return
        letter = invoice_letter(self.issuer, VatCondition(candidate.vat_condition))
        document_type = cbte_tipo(letter, DocumentKind.INVOICE, self.point_of_sale)
        supply_bill = _SupplyBill(candidate, bill, letter.value, document_type)
        if candidate.service in self.settings.interest_deferred_services and candidate.late_payments:
            self._add_deferred_interest(supply_bill)
        batch.bills_by_member[candidate.member_number].append(supply_bill)

    def _bill(
        self, versions: list[TariffTable], candidate: BillingCandidate, consumption: Decimal
    ) -> BillCalculation:
        """``compute_bill``, once per distinct input of the run.

        A bill is a function of the tariff versions, the category, the consumption, the VAT
        condition and the beneficiaries (the period is the run's): thousands of supplies
        share each of these, so most bills of a run are computed already (a fifth of the
        run's time, profiled). The calculation is shared read-only: its lines are copied
        into each invoice (``Invoice.issue`` checks every line into a new dict). The text
        of the consumption is part of the key because descriptions print it as given."""
        key = (
            candidate.service,
            candidate.category,
            str(consumption),
            candidate.vat_condition,
            candidate.beneficiaries,
        )
        bill = self._bills.get(key)
        if bill is None:
            bill = compute_bill(
                versions,
                candidate.category,
                consumption,
                self.period_start,
                self.period_end,
                candidate.vat_condition,
                candidate.beneficiaries,
            )
            if len(self._bills) >= MAX_KEPT_BILLS:
                self._bills.clear()  # memory stays flat on a run with very varied consumptions
            self._bills[key] = bill
        return bill

    def _consumption(
        self, candidate: BillingCandidate, batch: _Batch, report: BillingReport
    ) -> Decimal | None:
        if candidate.meter_serial is None:
            return ZERO  # flat or per-beneficiary service
        reading = candidate.reading(self.period)
        if reading is not None:
            if reading.held_reason:
                report.skipped.append((candidate.supply_number, f"lectura retenida: {reading.held_reason}"))
                return None
            return reading.consumption_units
        estimated = self._estimate(candidate)
        if estimated is None:
            report.skipped.append(
                (candidate.supply_number, "sin lectura del período ni historial para estimar")
            )
            return None
        batch.aggregates.append(estimated)
        report.estimated += 1
        return estimated.consumption_units

    def _estimate(self, candidate: BillingCandidate) -> MeterReading | None:
        """Record an estimated reading when the period was not read (flagged, reconciled later)."""
        previous = candidate.previous_readings(self.period)
        history = [
            PeriodConsumption(r.previous_date, r.reading_date, r.consumption_units, r.estimated)
            for r in previous
            if r.previous_date is not None and r.previous_date < r.reading_date
        ]
        if not previous or all(p.estimated for p in history):
            return None
        meter = Meter(
            candidate.meter_serial or "",
            candidate.meter_digits or 5,
            candidate.meter_multiplier or Decimal(1),
        )
        last = previous[-1]
        estimate = estimate_reading(
            last.value,
            last.reading_date,
            self.period_end,
            history,
            meter,
            supply_number=candidate.supply_number,
        )
        return MeterReading.record(
            supply_number=candidate.supply_number,
            period=self.period,
            reading_date=self.period_end,
            value=estimate.value,
            previous_value=last.value,
            previous_date=last.reading_date,
            consumption_units=estimate.consumption_units,
            rollover=estimate.value < last.value,
            estimated=True,
            meter_serial=candidate.meter_serial,
            source="estimación de facturación",
            held_reason=None,
            recorded_by=self.recorded_by,
        )

    # -- documents and numbers -------------------------------------------------------------------
    def _issue_documents(
        self, batch: _Batch, payables_so_far: dict[str, int], calendar: FiscalCalendar, report: BillingReport
    ) -> None:
        if not batch.bills_by_member:
            return
        numbers = self._reserve_numbers(batch)
        for member_number, bills in batch.bills_by_member.items():
            sequence = payables_so_far.get(member_number, 0) + 1
            document_id = payable_document_id(member_number, self.period, sequence)
            invoices = [
                self._invoice(b, numbers[(b.letter, b.document_type)].pop(0), document_id, calendar)
                for b in bills
            ]
            batch.aggregates.extend(invoices)
            batch.aggregates.append(
                self._payable(member_number, sequence, numbers[("", PAYABLE_DOCUMENT_TYPE)].pop(0), invoices)
            )
            report.invoices += len(invoices)
            report.documents += 1
            report.total += sum((inv.total for inv in invoices), ZERO)

    def _reserve_numbers(self, batch: _Batch) -> dict[tuple[str, int], list[int]]:
        needed: dict[tuple[str, int], int] = defaultdict(int)
        for bills in batch.bills_by_member.values():
            for bill in bills:
                needed[(bill.letter, bill.document_type)] += 1
        needed[("", PAYABLE_DOCUMENT_TYPE)] = len(batch.bills_by_member)
        numbers: dict[tuple[str, int], list[int]] = {}
        for (letter, document_type), count in sorted(needed.items()):
            series = self._series(document_type)
            numbers[(letter, document_type)] = series.reserve(count, purpose=f"facturación {self.period}")
            batch.aggregates.append(series)
        return numbers

    def _series(self, document_type: int) -> DocumentSeries:
        """The numbering series, kept from the previous chunk and brought up to date.

        Every chunk adds a reservation to it, so loaded afresh the series replays every
        reservation ever made: a fifth of a 1,350,000-supply run (profiled), and growing
        with each month billed. Only the first chunk of a run reads it whole."""
        key = series_id(self.settings.point_of_sale, document_type)
        kept: DocumentSeries | None = self._kept_series.load(
            self.asiento.app, self.asiento.lone_statements, key
        )
        if kept is not None:
            return kept
        try:
            series: DocumentSeries = self.asiento.app.repository.get(key)
        except AggregateNotFoundError:  # first document of this type at this point of sale
            return DocumentSeries.open(self.settings.point_of_sale, document_type)
        return series

    def _add_deferred_interest(self, supply_bill: _SupplyBill) -> None:
        """Interest on the supply's payments made after their due date, as one line of this bill."""
        late = supply_bill.candidate.late_payments
        amount = sum(
            (late_interest(p.amount, p.due_date, p.paid_on, self.interest_rates).amount for p in late), ZERO
        )
        if amount <= ZERO:
            return
        labels = ", ".join(sorted({p.label for p in late}))
        supply_bill.interest_line = {
            "concept": INTEREST_CONCEPT,
            "description": f"Intereses por mora por pagos fuera de término ({labels})",
            "kind": "interest",
            "amount": amount,
            "vat_rate": None,
            "in_vat_base": False,
        }
        supply_bill.interest_for = [p.key for p in late]

    def _invoice(
        self, bill: _SupplyBill, number: int, document_id: UUID, calendar: FiscalCalendar
    ) -> Invoice:
        c, calc = bill.candidate, bill.bill
        lines = bill.lines()
        total = sum((line["amount"] for line in lines), ZERO)
        return Invoice.issue(
            calendar=calendar,
            lines=lines,
            interest_for=bill.interest_for or None,
            recorded_by=self.recorded_by,
            period_start=self.period_start,
            period_end=self.period_end,
            second_due_date=self.second_due,
            second_due_total=total + self._surcharge(total),
            consumption_units=calc.consumption if c.meter_serial else None,
            payable_document_id=document_id,
            effective_date=self.issue_date,
            member_number=c.member_number,
            supply_number=c.supply_number,
            service=c.service,
            category=c.category,
            vat_condition=c.vat_condition,
            document_type=bill.document_type,
            letter=bill.letter,
            point_of_sale=self.settings.point_of_sale,
            number=number,
            period=self.period,
            due_date=self.first_due,
            id=invoice_id(c.supply_number, self.period),
        )

    def _surcharge(self, total: Decimal) -> Decimal:
        return round_half_even(total * self.settings.second_due_surcharge_percent / 100)

    def _payable(
        self, member_number: str, sequence: int, number: int, invoices: list[Invoice]
    ) -> PayableDocument:
        total = sum((inv.total for inv in invoices), ZERO)
        second_total = sum((inv.second_due_total or inv.total for inv in invoices), ZERO)
        barcode = build_collection_barcode(
            DEFAULT_LAYOUT,
            CollectionFields(
                company_code=self.settings.company_code,
                account_number=int(member_number),
                document_number=number,
                first_due=self.first_due,
                first_amount=total,
                second_due=self.second_due,
                second_amount=second_total,
            ),
        )
        return PayableDocument.issue(
            member_number=member_number,
            period=self.period,
            sequence=sequence,
            number=number,
            effective_date=self.issue_date,
            invoice_ids=[inv.id for inv in invoices],
            total=total,
            due_date=self.first_due,
            second_due_date=self.second_due,
            second_due_total=second_total,
            barcode=barcode,
            recorded_by=self.recorded_by,
        )


def _line_data(line: Any) -> dict[str, Any]:
    """The tariff engine's line in the invoice event's shape."""
    if isinstance(line, dict):
        return line
    return {
        "concept": line.concept,
        "description": line.description,
        "kind": line.kind,
        "amount": line.amount,
        "vat_rate": line.vat_rate,
        "in_vat_base": line.in_vat_base,
    }
