"""Collection-network files on SQLite and PostgreSQL: matched, surcharged, in suspense, exactly once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError
from sqlalchemy import select

from adapters.collection_files import write_pagofacil_result
from adapters.collection_model import CollectedPayment, CollectionBatch, CollectionFile
from api.billing_run import BillingRun, invoice_id
from api.bootstrap import Asiento
from api.collections_service import CollectionImport
from domain.barcodes import DEFAULT_LAYOUT, CollectionFields, build_collection_barcode
from domain.errors import AlreadyRecorded
from domain.invoicing import Invoice
from projections import queries
from projections.commercial_tables import collections_in_suspense, payable_documents
from tests.integration.cooperative import flat, member, metered, read, setup_services

D = Decimal
FIRST_DUE = date(2026, 2, 17)


@pytest.fixture
def billed(asiento: Asiento) -> Asiento:
    setup_services(asiento)
    for n in (1, 2, 3):
        member(asiento, str(n))
        metered(asiento, f"E-{n}", f"{n:06d}")
        read(asiento, f"E-{n}", "2026-01", str(1000 + 100 * n))
    flat(asiento, "I-1", "000001")
    BillingRun(asiento, period="2026-01", issue_date=date(2026, 2, 2), recorded_by="test").run()
    return asiento


def documents(asiento: Asiento) -> dict[str, Any]:
    with asiento.read() as conn:
        return {r.member_number: r for r in conn.execute(select(payable_documents))}


def payment(sequence: int, barcode: str, amount: Decimal, day: date) -> CollectedPayment:
    return CollectedPayment(
        line=0,
        sequence=sequence,
        payment_date=day,
        payment_time=time(10, 30),
        transfer_date=day,
        amount=amount,
        barcode=barcode,
        instrument="1",
        terminal="T0001",
    )


def write(tmp_path: Path, name: str, payments: list[CollectedPayment]) -> Path:
    path = tmp_path / name
    path.write_bytes(
        write_pagofacil_result(
            CollectionFile.of("pagofacil", date(2026, 3, 1), [CollectionBatch.of(1, payments)])
        )
    )
    return path


def balance(asiento: Asiento, supply: str) -> Decimal:
    invoice: Invoice = asiento.app.repository.get(invoice_id(supply, "2026-01"))
    return invoice.balance


def test_a_result_file_lands_on_the_right_documents_once(billed: Asiento, tmp_path: Path) -> None:
    docs = documents(billed)
    one, two, three = docs["000001"], docs["000002"], docs["000003"]
    stranger = build_collection_barcode(
        DEFAULT_LAYOUT, CollectionFields(937, 99, 99, FIRST_DUE, D("10.00"), date(2026, 2, 27), D("10.30"))
    )
    first_file = write(
        tmp_path,
        "pf-1.txt",
        [
            payment(1, one.barcode, D(one.total_cents) / 100, date(2026, 2, 10)),  # first due
            payment(2, two.barcode, D(two.second_due_total_cents) / 100, date(2026, 2, 20)),  # second due
            payment(3, three.barcode, D("100.00"), date(2026, 2, 10)),  # wrong amount
            payment(4, stranger, D("10.00"), date(2026, 2, 10)),  # no document
        ],
    )
    report = CollectionImport(billed, recorded_by="test").run(first_file, "pagofacil")
    assert (report.payments, report.receipts, report.in_suspense) == (4, 2, 2)
    assert (balance(billed, "E-1"), balance(billed, "I-1"), balance(billed, "E-2")) == (0, 0, 0)
    assert balance(billed, "E-3") == D(three.total_cents) / 100
    surcharge = D(two.second_due_total_cents - two.total_cents) / 100
    with billed.read() as conn:
        tb = {r.code: r.balance for r in queries.trial_balance(conn, date(2026, 12, 31)).rows}
        held = [r.reason for r in conn.execute(select(collections_in_suspense).order_by("payment_key"))]
    assert tb["4.2.02"] == -surcharge
    assert tb["2.1.05.01"] == -D("110.00")
    assert tb["1.1.01.05"] == report.collected + report.suspense_amount
    assert any("importe 100.00 distinto" in r for r in held) and any("ningún documento" in r for r in held)

    head = billed.runner.head()
    with pytest.raises(AlreadyRecorded):
        CollectionImport(billed, recorded_by="test").run(first_file, "pagofacil")
    assert billed.runner.head() == head

    overlapping = write(
        tmp_path,
        "pf-2.txt",
        [
            payment(1, one.barcode, D(one.total_cents) / 100, date(2026, 2, 10)),  # already recorded
            payment(5, three.barcode, D(three.total_cents) / 100, date(2026, 2, 12)),
        ],
    )
    again = CollectionImport(billed, recorded_by="test").run(overlapping, "pagofacil")
    assert (again.already_recorded, again.receipts, again.in_suspense) == (1, 1, 0)
    assert balance(billed, "E-3") == 0


def document_paid_twice(asiento: Asiento, tmp_path: Path) -> Path:
    """A file paying member 000001's document on the 10th and again on the 11th."""
    one = documents(asiento)["000001"]
    amount = D(one.total_cents) / 100
    return write(
        tmp_path,
        "pf.txt",
        [
            payment(1, one.barcode, amount, date(2026, 2, 10)),
            payment(2, one.barcode, amount, date(2026, 2, 11)),
        ],
    )


def test_paying_a_document_twice_sends_the_second_to_suspense(billed: Asiento, tmp_path: Path) -> None:
    path = document_paid_twice(billed, tmp_path)
    report = CollectionImport(billed, recorded_by="test").run(path, "pagofacil")
    assert (report.receipts, report.in_suspense) == (1, 1)
    assert "ya estaba pagado" in report.reasons[0][1]


def test_a_batch_read_ahead_sees_what_the_batch_before_saved(
    billed: Asiento, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL the next batch is read in a thread while the one ahead of it is recorded:
    here it is read before that one is saved, so it holds the member and invoices as they
    were; paying them again must see the payment. SQLite reads each batch in its turn, so
    the thread is forced here to test the same hand-over on both stores."""
    import api.collections_service as service

    path = document_paid_twice(billed, tmp_path)
    monkeypatch.setattr(service, "BATCH_PAYMENTS", 1)
    monkeypatch.setattr(service, "batch_reader", lambda asiento, name: ThreadPoolExecutor(max_workers=1))
    read_batch, save = CollectionImport._read_batch, billed.app.save
    second_read = threading.Event()

    def reading(self: CollectionImport, batch: Any) -> Any:
        loaded = read_batch(self, batch)
        if batch[0][1].sequence == 2:
            second_read.set()
        return loaded

    def saving_after_the_read(*aggregates: Any, **kw: Any) -> Any:
        assert second_read.wait(10), "the second batch is read ahead, while the first is recorded"
        return save(*aggregates, **kw)

    monkeypatch.setattr(CollectionImport, "_read_batch", reading)
    billed.app.save = saving_after_the_read  # type: ignore[method-assign]
    report = CollectionImport(billed, recorded_by="test").run(path, "pagofacil")
    billed.app.save = save  # type: ignore[method-assign]
    assert (report.receipts, report.in_suspense) == (1, 1)
    assert "ya estaba pagado" in report.reasons[0][1]
    assert (balance(billed, "E-1"), balance(billed, "I-1")) == (0, 0)


def each_member_pays_in_a_batch_of_its_own(
    docs: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Members 1, 2 and 3 pay their documents in full, one payment a batch."""
    import api.collections_service as service

    monkeypatch.setattr(service, "BATCH_PAYMENTS", 1)
    return write(
        tmp_path,
        "pf.txt",
        [
            payment(n, docs[m].barcode, D(docs[m].total_cents) / 100, date(2026, 2, 10))
            for n, m in enumerate(("000001", "000002", "000003"), start=1)
        ],
    )


def test_an_import_killed_midway_finishes_on_the_next_run_without_duplicates(
    billed: Asiento, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    docs = documents(billed)
    path = each_member_pays_in_a_batch_of_its_own(docs, tmp_path, monkeypatch)
    original_save = billed.app.save
    calls = {"n": 0}

    def dying_save(*aggregates: Any, **kw: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("killed")
        return original_save(*aggregates, **kw)

    billed.app.save = dying_save  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="killed"):
        CollectionImport(billed, recorded_by="test").run(path, "pagofacil")
    billed.app.save = original_save  # type: ignore[method-assign]
    assert (balance(billed, "E-1"), balance(billed, "E-2")) == (0, D(docs["000002"].total_cents) / 100)
    report = CollectionImport(billed, recorded_by="test").run(path, "pagofacil")
    assert (report.already_recorded, report.receipts, report.in_suspense) == (1, 2, 0)
    assert [balance(billed, s) for s in ("E-1", "I-1", "E-2", "E-3")] == [0, 0, 0, 0]
    with billed.read() as conn:
        tb = {r.code: r.balance for r in queries.trial_balance(conn, date(2026, 12, 31)).rows}
    assert tb["1.1.01.05"] == sum((D(docs[m].total_cents) / 100 for m in docs), D(0))
    with pytest.raises(AlreadyRecorded):
        CollectionImport(billed, recorded_by="test").run(path, "pagofacil")


def versions(asiento: Asiento, supply: str) -> list[int]:
    stored = asiento.app.recorder.select_events(invoice_id(supply, "2026-01"))
    return [s.originator_version for s in stored]


def test_a_network_payment_reads_what_was_recorded_on_the_invoice_since_it_was_issued(
    billed: Asiento, tmp_path: Path
) -> None:
    """The import reads an invoice's issue from the read model and its later events from the
    log: a CAE, a counter payment, its annulment and another payment all count."""
    docs = documents(billed)
    e1 = invoice_id("E-1", "2026-01")
    billed.app.record_cae(e1, "76123456789012", date(2026, 2, 5), recorded_by="afip")
    counter = {
        "member_number": "1", "effective_date": date(2026, 2, 6), "open_invoice_ids": [e1], "chosen": [e1],
        "instruments": [{"kind": "cash", "amount": "100.00", "reference": ""}], "recorded_by": "cajera",
    }
    first = billed.app.record_receipt(**counter)
    billed.app.annul_receipt(first.id, "error de caja", date(2026, 2, 6), recorded_by="supervisora")
    billed.app.record_receipt(**counter)
    e2 = invoice_id("E-2", "2026-01")
    billed.app.record_cae(e2, "76123456789013", date(2026, 2, 5), recorded_by="afip")
    billed.runner.catch_up()
    assert versions(billed, "E-1") == [1, 2, 3, 4, 5] and versions(billed, "E-2") == [1, 2]

    one, two = docs["000001"], docs["000002"]
    path = write(
        tmp_path,
        "pf.txt",
        [
            payment(1, one.barcode, D(one.total_cents) / 100, date(2026, 2, 10)),
            payment(2, two.barcode, D(two.total_cents) / 100, date(2026, 2, 10)),
        ],
    )
    report = CollectionImport(billed, recorded_by="test").run(path, "pagofacil")
    assert (report.receipts, report.in_suspense) == (1, 1)
    owed = D(one.total_cents) / 100 - D("100.00")
    assert report.reasons == [(report.reasons[0][0], f"el documento ya estaba pagado (adeuda {owed})")]
    assert versions(billed, "E-1") == [1, 2, 3, 4, 5]  # nothing applied to a document paid in part
    assert versions(billed, "E-2") == [1, 2, 3] and balance(billed, "E-2") == 0
    assert billed.app.repository.get(e2).cae == "76123456789013"


def test_an_invoice_changed_between_reading_and_saving_refuses_the_batch(
    billed: Asiento, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process records on an invoice after the batch read it: the batch's payment
    event collides on the invoice's version and nothing of the batch is saved; the next run
    reads the invoice again and records the payment."""
    import api.collections_service as service

    two = documents(billed)["000002"]
    path = write(tmp_path, "pf.txt", [payment(1, two.barcode, D(two.total_cents) / 100, date(2026, 2, 10))])
    bring_up_to_date = service.bring_up_to_date

    def meanwhile(*args: Any) -> None:
        bring_up_to_date(*args)
        e2 = invoice_id("E-2", "2026-01")
        billed.app.record_cae(e2, "76123456789013", date(2026, 2, 5), recorded_by="afip")

    monkeypatch.setattr(service, "bring_up_to_date", meanwhile)
    head = billed.runner.head()
    with pytest.raises(IntegrityError):
        CollectionImport(billed, recorded_by="test").run(path, "pagofacil")
    assert billed.runner.head() == head + 1  # the CAE only
    assert versions(billed, "E-2") == [1, 2]
    monkeypatch.setattr(service, "bring_up_to_date", bring_up_to_date)
    report = CollectionImport(billed, recorded_by="test").run(path, "pagofacil")
    assert (report.receipts, report.in_suspense) == (1, 0)
    assert versions(billed, "E-2") == [1, 2, 3] and balance(billed, "E-2") == 0


def test_a_network_payment_uses_the_members_credit_first(billed: Asiento, tmp_path: Path) -> None:
    """The paying member is read without its registration: its credit, from the credit changes
    in its log, pays the document first, and the money paid leaves as much credit again."""
    from adapters.collection_model import payment_key
    from api.collections_service import receipt_id_for
    from domain.members import member_id

    three = billed.app.repository.get(member_id("3"))
    three.change_credit(UUID(int=70), D("150.00"), reason="recibo")
    three.change_credit(UUID(int=71), D("-50.00"), reason="recibo")
    billed.app.save(three)
    doc = documents(billed)["000003"]
    paid = payment(1, doc.barcode, D(doc.total_cents) / 100, date(2026, 2, 10))
    report = CollectionImport(billed, recorded_by="test").run(write(tmp_path, "pf.txt", [paid]), "pagofacil")
    assert (report.receipts, report.in_suspense) == (1, 0)
    receipt = billed.app.repository.get(receipt_id_for(payment_key("pagofacil", paid)))
    assert (receipt.credit_used, receipt.credit_left) == (D("100.00"), D("100.00"))
    assert receipt.total == paid.amount
    assert [a["amount"] for a in receipt.allocations] == [paid.amount]
    assert balance(billed, "E-3") == 0
    assert billed.app.repository.get(member_id("3")).credit == D("100.00")


def test_a_batch_refused_when_written_behind_leaves_the_ones_before_saved(
    billed: Asiento, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several batches: on SQLite each is written behind (adapters.sqlite_store.WriteBehind)
    while the next is matched. An invoice changed after its batch was read makes that batch's
    write collide: the import fails with IntegrityError, the batch before stays saved and
    nothing after it is; the next run records the rest. PostgreSQL saves each batch in turn,
    with the same outcome."""
    import api.collections_service as service
    from adapters.sqlite_store import WriteBehind

    docs = documents(billed)
    path = each_member_pays_in_a_batch_of_its_own(docs, tmp_path, monkeypatch)
    bring_up_to_date, reads = service.bring_up_to_date, []

    def meanwhile(*args: Any) -> None:
        bring_up_to_date(*args)
        reads.append(1)
        if len(reads) == 2:  # the second batch's invoices, as read: E-2 changes after
            e2 = invoice_id("E-2", "2026-01")
            billed.app.record_cae(e2, "76123456789013", date(2026, 2, 5), recorded_by="afip")

    submitted: list[int] = []
    submit = WriteBehind.submit
    monkeypatch.setattr(service, "bring_up_to_date", meanwhile)
    def counted(self: WriteBehind, events: Any) -> None:
        submitted.append(len(events))
        submit(self, events)

    monkeypatch.setattr(WriteBehind, "submit", counted)
    with pytest.raises(IntegrityError):
        CollectionImport(billed, recorded_by="test").run(path, "pagofacil")
    # On SQLite: the receipt and its two invoices' payments, then E-2's batch (the third may be
    # handed over before the second's write fails, or not: it is never written).
    assert submitted[:2] == ([3, 2] if billed.config.is_sqlite else [])
    assert [balance(billed, s) for s in ("E-1", "I-1")] == [0, 0]
    assert versions(billed, "E-2") == [1, 2] and versions(billed, "E-3") == [1]
    monkeypatch.setattr(service, "bring_up_to_date", bring_up_to_date)
    report = CollectionImport(billed, recorded_by="test").run(path, "pagofacil")
    assert (report.already_recorded, report.receipts, report.in_suspense) == (1, 2, 0)
    assert [balance(billed, s) for s in ("E-1", "I-1", "E-2", "E-3")] == [0, 0, 0, 0]
