"""Importing a collection network's result file: every payment exactly once.

Each payment is matched by its barcode to a consolidated payable document and
recorded as a receipt paying that document's invoices (the second-due
surcharge is revenue). Whatever does not match (unknown barcode, an amount that
is neither due amount, a document already paid) goes to the suspense account
and the review list: never lost. Receipt and suspense ids derive from the
payment's key, so an overlapping file, or the same file after a crash, posts
nothing twice; a file fully imported is refused by its fingerprint.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from sqlalchemy import Connection, select

from adapters.bulk_load import bring_up_to_date, load_paying_members
from adapters.collection_files import file_fingerprint, parse_network_file, payment_key
from adapters.collection_model import CollectedPayment
from adapters.sqlite_store import WriteBehind, write_behind
from api.background_projections import BackgroundProjections
from api.bootstrap import Asiento
from api.read_ahead import batch_reader
from domain.barcodes import DEFAULT_LAYOUT, parse_collection_barcode
from domain.bulk_aggregate import StandIn
from domain.cash_desk import CollectionFileImport
from domain.errors import AlreadyRecorded, DomainError
from domain.identity import stable_id
from domain.invoicing import PayableInvoice
from domain.money import ZERO, from_cents
from projections.bulk import among
from projections.commercial_tables import collections_in_suspense, invoices, payable_documents, receipts
from projections.heap import bulk_heap

# Each batch is one save, one write lock of the file on SQLite, taken in turn with the
# projection follower's pages: at 100,000 payments batches of 2,000 waited less than batches
# of 1,000 (4,697-4,923 against 4,522-4,740 payments/s, run alternately); 4,000 gained no more.
BATCH_PAYMENTS = 2_000
# The follower projects pages of two batches' events (a receipt and an invoice payment each).
# On SQLite a page's commit writes every index page its rows touched, and the receipts' keys
# are random: with pages of 2,000 events the follower fell 52,000 events behind by the end of
# a 100,000-payment import, and the import waited 4 s more to project them; with 8,000 it kept
# within a page (23.7-24.0 s against 21.3-22.1 s in all, run alternately; 16,000 no better).
FOLLOWER_PAGE_EVENTS = 8_000


@dataclass
class CollectionReport:
    network: str
    file_name: str
    payments: int = 0
    receipts: int = 0
    in_suspense: int = 0
    already_recorded: int = 0
    collected: Decimal = ZERO
    suspense_amount: Decimal = ZERO
    reasons: list[tuple[str, str]] = field(default_factory=list)  # (payment key, reason)


@dataclass(frozen=True)
class _Document:
    document_id: str
    member_number: str
    due_date: Any
    total: Decimal
    second_due_total: Decimal
    invoice_ids: tuple[UUID, ...]


def receipt_id_for(key: str) -> UUID:
    return stable_id("network-payment", key)


class CollectionImport:
    def __init__(self, asiento: Asiento, *, recorded_by: str) -> None:
        self.asiento = asiento
        self.recorded_by = recorded_by
        self._receipt_ids: dict[str, UUID] = {}  # the file's payment keys' receipt ids

    @bulk_heap()
    def run(self, path: Path, network: str) -> CollectionReport:
        raw = path.read_bytes()
        fingerprint = file_fingerprint(raw)
        file_id = stable_id("collection-file", fingerprint)
        if self.asiento.app.recorder.select_events(file_id, limit=1):
            raise AlreadyRecorded("El archivo", path.name)
        parsed = parse_network_file(raw, network, source=path.name)
        payments = [p for batch in parsed.batches for p in batch.payments]
        report = CollectionReport(network, path.name, payments=len(payments))
        self.asiento.runner.catch_up()
        keys = [payment_key(network, p) for p in payments]
        self._receipt_ids = {k: receipt_id_for(k) for k in keys}  # made once: checked here, then paid
        done = self._recorded(self._receipt_ids)
        seen: set[str] = set()
        pairs = list(zip(keys, payments, strict=True))
        batches: list[list[tuple[str, CollectedPayment]]] = []
        for start in range(0, len(pairs), BATCH_PAYMENTS):
            batch = pairs[start : start + BATCH_PAYMENTS]
            todo = [(k, p) for k, p in batch if k not in done and k not in seen]
            seen.update(k for k, _ in batch)
            report.already_recorded += len(batch) - len(todo)
            batches.append(todo)
        with BackgroundProjections(self.asiento, page_size=FOLLOWER_PAGE_EVENTS) as projections:
            behind = None
            if len(payments) > BATCH_PAYMENTS:
                projections.start()  # several batches: project each while the next is matched
                behind = write_behind(self.asiento.app.recorder)
            self._import_batches(batches, network, report, projections, behind)
        total = sum((p.amount for p in payments), ZERO)
        self.asiento.app.save(
            CollectionFileImport(
                network=network,
                file_name=path.name,
                fingerprint=fingerprint,
                payments=len(payments),
                total=total,
                recorded_by=self.recorded_by,
                id=file_id,
            )
        )
        self.asiento.runner.catch_up()
        return report

    def _import_batches(
        self,
        batches: list[list[tuple[str, CollectedPayment]]],
        network: str,
        report: CollectionReport,
        projections: BackgroundProjections,
        behind: WriteBehind | None,
    ) -> None:
        """Each batch matched and saved, the next one read before it is saved.

        A batch is read while the one before may not be written yet (a read ahead on
        PostgreSQL, a write behind on SQLite), so what the last two changed is taken as
        saved. If anything fails, what was prepared before is still written, as saving each
        batch in turn would have done."""
        reads = self._read_ahead(batches)
        recent: list[dict[UUID, Aggregate | StandIn]] = []  # the last two batches' changes, older first
        loaded = next(reads, None)
        try:
            for todo in batches:
                assert loaded is not None
                documents, cache = loaded
                for changed in recent:
                    cache.update((i, changed[i]) for i in cache.keys() & changed.keys())
                changed = self._import_batch(todo, network, report, documents, cache, behind)
                # Read while the follower may hold SQLite's write lock, not while this batch does.
                loaded = next(reads, None)
                if changed:
                    self.asiento.app.save(*changed.values(), behind=behind)
                recent = [*recent[-1:], changed]
                projections.catch_up()
        finally:
            if behind is not None:
                behind.flush()

    def _recorded(self, receipt_ids: Mapping[str, UUID]) -> set[str]:
        """Payments (keys, with their receipt ids) already recorded by an earlier
        (overlapping or interrupted) import."""
        by_id = {receipt.hex: k for k, receipt in receipt_ids.items()}
        found: set[str] = set()
        ids = list(by_id)
        with self.asiento.read() as conn:
            for start in range(0, len(ids), 5_000):
                chunk = ids[start : start + 5_000]
                found.update(
                    by_id[r]
                    for (r,) in conn.execute(
                        select(receipts.c.receipt_id).where(among(conn, receipts.c.receipt_id, chunk))
                    )
                )
                found.update(
                    by_id[r]
                    for (r,) in conn.execute(
                        select(collections_in_suspense.c.aggregate_id).where(
                            among(conn, collections_in_suspense.c.aggregate_id, chunk)
                        )
                    )
                )
        return found

    def _read_ahead(
        self, batches: list[list[tuple[str, CollectedPayment]]]
    ) -> Iterator[tuple[dict[str, _Document], dict[UUID, Any]]]:
        """Each batch's documents, members and invoices, read while the batch before is recorded.

        In a large store those reads wait on the disk: at 1,350,000 supplies on PostgreSQL,
        half of the stage waited on the server with a third of the machine idle (profiled).
        A thread reads the next batch meanwhile; ``_import_batches`` swaps in what the
        batches before changed, so a member paying in two batches is never recorded from a
        stale copy. On SQLite each batch is read when its turn comes (``api.read_ahead``)."""
        with batch_reader(self.asiento, "collection-batch") as reader:
            pending = [reader.submit(self._read_batch, batch) for batch in batches[:1]]
            for n in range(len(batches)):
                loaded = pending.pop().result()
                if n + 1 < len(batches):
                    pending.append(reader.submit(self._read_batch, batches[n + 1]))
                yield loaded

    def _read_batch(
        self, batch: list[tuple[str, CollectedPayment]]
    ) -> tuple[dict[str, _Document], dict[UUID, Any]]:
        if not batch:
            return {}, {}
        with self.asiento.read() as conn:
            documents, issued = _documents(conn, [p.barcode for _, p in batch])
        # Every member and invoice the batch may pay, read in one query each instead of one
        # per payment, as paying them needs them: their first events (the member's
        # registration, the invoice's lines) left unread.
        app, engine = self.asiento.app, self.asiento.engine
        members = [d.member_number for d in documents.values()]
        loaded: dict[UUID, Any] = load_paying_members(app, engine, members)
        bring_up_to_date(app, engine, issued)
        loaded.update((invoice.id, invoice) for invoice in issued)
        return documents, loaded

    def _import_batch(
        self,
        batch: list[tuple[str, CollectedPayment]],
        network: str,
        report: CollectionReport,
        documents: dict[str, _Document],
        cache: dict[UUID, Any],
        behind: WriteBehind | None,
    ) -> dict[UUID, Aggregate | StandIn]:
        """The batch's receipts and suspense entries, to be saved together: what they change."""
        changed: dict[UUID, Aggregate | StandIn] = {}
        for key, payment in batch:
            if behind is not None:
                behind.poll()  # the batch before, written as soon as the lock is held
            outcome = self._one(key, payment, network, documents.get(payment.barcode), cache)
            for aggregate in outcome:
                changed[aggregate.id] = aggregate
            if any(type(a).__name__ == "Receipt" for a in outcome):
                report.receipts += 1
                report.collected += payment.amount
            else:
                report.in_suspense += 1
                report.suspense_amount += payment.amount
                report.reasons.append((key, outcome[0].reason))  # type: ignore[union-attr]
        return changed

    def _one(
        self,
        key: str,
        payment: CollectedPayment,
        network: str,
        document: _Document | None,
        cache: dict[UUID, Any],
    ) -> list[Aggregate | StandIn]:
        reason, surcharge = _match(payment, document)
        if reason is None and document is not None:
            owed = sum(
                (self.asiento.app.load_cached(cache, i, "La factura").balance for i in document.invoice_ids),
                ZERO,
            )
            if owed < payment.amount - surcharge:
                reason = f"el documento ya estaba pagado (adeuda {owed})"
        if reason is None and document is not None:
            # Checked above, so applying cannot fail half-way; any error aborts the whole batch.
            _, changed = self.asiento.app.prepare_receipt(
                member_number=document.member_number,
                effective_date=payment.payment_date,
                instruments=[{"kind": "network", "amount": payment.amount, "reference": key[:80]}],
                open_invoice_ids=list(document.invoice_ids),
                chosen=list(document.invoice_ids),
                recorded_by=self.recorded_by,
                receipt_id=self._receipt_ids[key],
                channel=network,
                surcharge=surcharge,
                cache=cache,
            )
            return changed
        held = self.asiento.app.hold_in_suspense(
            effective_date=payment.payment_date,
            network=network,
            payment_key=key,
            amount=payment.amount,
            barcode=payment.barcode,
            reason=reason or "sin documento",
            recorded_by=self.recorded_by,
        )
        return [held]


def _match(payment: CollectedPayment, document: _Document | None) -> tuple[str | None, Decimal]:
    """None and the surcharge when the payment fits its document; else why not."""
    if document is None:
        try:
            parse_collection_barcode(DEFAULT_LAYOUT, payment.barcode)
        except DomainError as exc:
            return f"código de barras ilegible: {exc.message}", ZERO
        return "el código de barras no corresponde a ningún documento emitido", ZERO
    if payment.amount == document.total:
        return None, ZERO
    if payment.amount == document.second_due_total and payment.payment_date > document.due_date:
        return None, document.second_due_total - document.total
    return (
        f"importe {payment.amount} distinto del documento ({document.total} al 1er vencimiento, "
        f"{document.second_due_total} al 2do)"
    ), ZERO


def _documents(
    conn: Connection, barcodes: Sequence[str]
) -> tuple[dict[str, _Document], list[PayableInvoice]]:
    """The documents the barcodes name and their invoices as issued: one query, joined."""
    p, i = payable_documents.c, invoices.c
    rows = conn.execute(
        select(
            p.document_id, p.member_number, p.due_date, p.total_cents, p.second_due_total_cents, p.barcode,
            i.invoice_id, i.member_number.label("invoice_member"), i.supply_number, i.service, i.letter,
            i.point_of_sale, i.number, i.issue_date, i.due_date.label("invoice_due"),
            i.total_cents.label("invoice_total_cents"),
        )
        .select_from(payable_documents.outerjoin(invoices, i.payable_document_id == p.document_id))
        .where(among(conn, p.barcode, sorted(set(barcodes))))
    ).all()
    by_document: dict[str, list[UUID]] = {}
    first_rows: dict[str, Any] = {}  # each document's first row
    issued: list[PayableInvoice] = []
    for row in rows:
        first_rows.setdefault(row.document_id, row)
        paid_by = by_document.setdefault(row.document_id, [])
        if row.invoice_id is not None:
            issued.append(_payable(row))
            paid_by.append(issued[-1].id)
    documents = {
        row.barcode: _Document(
            doc_id,
            row.member_number,
            row.due_date,
            from_cents(row.total_cents),
            from_cents(row.second_due_total_cents),
            tuple(by_document[doc_id]),
        )
        for doc_id, row in first_rows.items()
    }
    return documents, issued


def _payable(row: Any) -> PayableInvoice:
    return PayableInvoice(
        id=UUID(row.invoice_id),
        member_number=row.invoice_member,
        supply_number=row.supply_number,
        service=row.service,
        letter=row.letter,
        point_of_sale=row.point_of_sale,
        number=row.number,
        effective_date=row.issue_date,
        due_date=row.invoice_due,
        total=from_cents(row.invoice_total_cents),
    )
