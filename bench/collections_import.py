"""Collection-file import benchmark: payments/s end to end (matched, posted, current accounts updated).

Bills N supplies (set-up, not timed), writes a Pago Fácil result file paying
every consolidated document at its first due amount, then times the import.
Prints figures; asserts nothing.

    python bench/collections_import.py --payments 20000 --database sqlite:////tmp/collections.db
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import date
from datetime import time as clock
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select

from adapters.collection_files import write_pagofacil_result
from adapters.collection_model import CollectedPayment, CollectionBatch, CollectionFile
from api.billing_run import BillingRun
from api.bootstrap import bootstrap
from api.collections_service import CollectionImport
from bench.billing_run import setup
from bench.cpu import machine_reference_s, reference_summary
from bench.projection_catchup import fresh_database
from projections.commercial_tables import payable_documents

BATCH_SIZE = 5_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=20_000)
    parser.add_argument("--database", default="sqlite:////tmp/bench-collections.db")
    args = parser.parse_args()
    before = machine_reference_s()
    asiento = bootstrap(fresh_database(args.database))
    started = time.perf_counter()
    setup(asiento, args.payments)
    BillingRun(asiento, period="2026-01", issue_date=date(2026, 2, 2), recorded_by="bench").run()
    with asiento.read() as conn:
        documents = conn.execute(select(payable_documents.c.barcode, payable_documents.c.total_cents)).all()
    payments = [
        CollectedPayment(
            line=0,
            sequence=n + 1,
            payment_date=date(2026, 2, 10),
            payment_time=clock(10, 0),
            transfer_date=date(2026, 2, 11),
            amount=Decimal(cents) / 100,
            barcode=barcode,
            instrument="1",
            terminal=f"T{n % 1500:04d}",
        )
        for n, (barcode, cents) in enumerate(documents)
    ]
    batches = [
        CollectionBatch.of(i // BATCH_SIZE + 1, payments[i : i + BATCH_SIZE])
        for i in range(0, len(payments), BATCH_SIZE)
    ]
    path = Path("/tmp/bench-pagofacil.txt")
    path.write_bytes(write_pagofacil_result(CollectionFile.of("pagofacil", date(2026, 2, 11), batches)))
    setup_s = time.perf_counter() - started
    # The import is a command of its own, as `asiento payments import` is: the set-up's
    # store is closed (SQLite checkpoints its write-ahead log) and opened again.
    asiento.close()
    asiento = bootstrap(args.database)
    started = time.perf_counter()
    report = CollectionImport(asiento, recorded_by="bench").run(path, "pagofacil")
    import_s = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    backend = "sqlite" if args.database.startswith("sqlite") else "postgresql"
    print(f"backend={backend} payments={report.payments} setup={setup_s:.1f}s")
    print(
        f"import: {report.receipts} receipts, {report.in_suspense} in suspense, {import_s:.2f}s -> "
        f"{report.payments / import_s:,.0f} payments/s; peak RSS {peak:,.0f} MiB"
    )
    print(reference_summary(before))
    asiento.close()


if __name__ == "__main__":
    main()
