"""What a collection-network result file says, whatever its layout; the import identities.

A :class:`CollectionFile` holds batches of :class:`CollectedPayment`; trailers are kept as
the file declares them (the parser checks them against the payments; the writer writes them
as given, so a test can build a file with wrong totals). Build consistent ones with
:meth:`CollectionBatch.of` and :meth:`CollectionFile.of`.

Identities for exactly-once imports: :func:`file_fingerprint` (the same bytes again) and
:func:`payment_key` (the same payment in an overlapping file): network, payment date,
terminal, sequence and barcode (or reference) are what the network itself uses to tell
payments apart.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

from adapters.reading_formats import RowError, RowsError
from domain.money import ZERO

__all__ = [
    "CollectedPayment",
    "CollectionBatch",
    "CollectionFile",
    "CollectionFileError",
    "RowError",
    "file_fingerprint",
    "payment_key",
]

DEFAULT_CURRENCY = "ARS"


@dataclass(frozen=True, slots=True)
class CollectedPayment:
    """One payment taken by the network. ``line`` is where it starts in the file (0: not read)."""

    line: int = field(compare=False)
    sequence: int  # the network's transaction number (per terminal and day)
    payment_date: date
    payment_time: time
    transfer_date: date  # when the network credits the money (the payment date if not given)
    amount: Decimal
    barcode: str  # digits as scanned ("" for networks that send a reference)
    instrument: str  # the network's code for cash, debit card, ... ("" if not given)
    terminal: str
    work_date: date | None = None  # the network's business day; None: not given (written as payment_date)
    account: str = ""  # the collecting account at the network, as it writes it
    currency: str = DEFAULT_CURRENCY
    reference: str = ""  # account/document reference, for networks without a barcode


@dataclass(frozen=True, slots=True)
class CollectionBatch:
    batch_number: int
    payments: tuple[CollectedPayment, ...]
    trailer_count: int  # as the batch trailer declares
    trailer_amount: Decimal

    @classmethod
    def of(cls, batch_number: int, payments: Iterable[CollectedPayment]) -> CollectionBatch:
        items = tuple(payments)
        return cls(batch_number, items, len(items), total_of(items))

    @property
    def total(self) -> Decimal:
        return total_of(self.payments)


@dataclass(frozen=True, slots=True)
class CollectionFile:
    network: str
    file_date: date
    batches: tuple[CollectionBatch, ...]
    trailer_count: int  # as the file trailer declares
    trailer_amount: Decimal
    client_code: str = ""  # the cooperative's number at the network
    client_name: str = ""

    @classmethod
    def of(
        cls,
        network: str,
        file_date: date,
        batches: Iterable[CollectionBatch],
        *,
        client_code: str = "",
        client_name: str = "",
    ) -> CollectionFile:
        items = tuple(batches)
        count = sum(b.trailer_count for b in items)
        amount = sum((b.trailer_amount for b in items), ZERO)
        return cls(network, file_date, items, count, amount, client_code, client_name)

    def payments(self) -> Iterator[CollectedPayment]:
        for batch in self.batches:
            yield from batch.payments

    @property
    def payment_count(self) -> int:
        return sum(len(b.payments) for b in self.batches)

    @property
    def total(self) -> Decimal:
        return sum((b.total for b in self.batches), ZERO)


def total_of(payments: Iterable[CollectedPayment]) -> Decimal:
    return sum((p.amount for p in payments), ZERO)


def file_fingerprint(raw: bytes) -> str:
    """sha256 of the bytes as received: the same file imported twice has the same fingerprint."""
    return hashlib.sha256(raw).hexdigest()


def payment_key(network: str, payment: CollectedPayment) -> str:
    """Stable across files: network|payment date|terminal|sequence|barcode (or reference)."""
    identity = payment.barcode or payment.reference
    return f"{network}|{payment.payment_date:%Y%m%d}|{payment.terminal}|{payment.sequence}|{identity}"


class CollectionFileError(RowsError):
    """Every problem of a result file (line, field, reason); nothing of the file was taken."""

    nothing_taken = "no se importó ningún pago"
