"""How a payment lands on a member's open documents (imputación de cobranzas).

Pure functions: the cash desk, the collection-network import and the automatic
debit all ask the same question, "which documents does this money pay?", and
get the same answer.

Rules:
- Documents the payer chose are paid in the order given; otherwise the oldest
  first: by due date, then issue date, then id (a deterministic tie-break).
- Each document receives at most its balance, so a partial payment leaves the
  last document it reaches partly paid.
- What is left after every open (or every chosen) document is an overpayment:
  a credit on the member's current account (saldo a favor).
- :func:`allocate_payment` does not use the member's existing credit; the
  caller applies it with :func:`apply_credit` (oldest first) before or after, as
  a separate fact. Keeping the two apart keeps each receipt's arithmetic its own.

Every :class:`Allocation` conserves money: ``sum(applied) + credit`` equals the
amount received. Annulling a receipt re-opens exactly its applied amounts (each
:class:`AppliedAmount` goes back onto its document's balance) and takes back the
credit it created; no reverse allocation is computed.

Worked example: documents A (due 10/03, $ 1.000,00) and B (due 10/04,
$ 500,00); a payment of $ 1.200,00 with no choice pays A 1.000,00 and
B 200,00 (B stays open for 300,00), credit 0,00. Choosing [B] instead pays
B 500,00 and leaves 700,00 as credit; A stays open.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.errors import InvalidAmount, InvalidInput, NotFound
from domain.money import CENT, ZERO, parse_amount


class DocumentNotOpen(NotFound):
    """The payer chose a document that does not exist or is already paid."""

    def __init__(self, document_id: str) -> None:
        super().__init__(f"El documento {document_id} no existe o no tiene saldo pendiente")
        self.document_id = document_id


class DocumentChosenTwice(InvalidInput):
    def __init__(self, document_id: str) -> None:
        super().__init__(f"El documento {document_id} fue elegido más de una vez")
        self.document_id = document_id


class DuplicateOpenDocument(InvalidInput):
    def __init__(self, document_id: str) -> None:
        super().__init__(f"El documento {document_id} figura más de una vez entre los pendientes")
        self.document_id = document_id


@dataclass(frozen=True)
class OpenDocument:
    """A document with a pending balance (> 0, in cents)."""

    document_id: str
    label: str
    issue_date: date
    due_date: date
    balance: Decimal


@dataclass(frozen=True)
class AppliedAmount:
    document_id: str
    amount: Decimal


@dataclass(frozen=True)
class Allocation:
    """Where the money went: ``sum(applied) + credit`` is the amount allocated."""

    applied: tuple[AppliedAmount, ...]
    credit: Decimal

    @property
    def total_applied(self) -> Decimal:
        return sum((a.amount for a in self.applied), ZERO)

    @property
    def total(self) -> Decimal:
        return self.total_applied + self.credit


def age_order(documents: Iterable[OpenDocument]) -> list[OpenDocument]:
    """Oldest first: due date, then issue date, then id."""
    return sorted(documents, key=lambda d: (d.due_date, d.issue_date, d.document_id))


def allocate_payment(
    open_documents: Sequence[OpenDocument],
    amount: Decimal,
    chosen: Sequence[str] | None = None,
) -> Allocation:
    """Allocate ``amount`` (> 0, cents) to the chosen documents in order, or oldest first.

    An empty ``chosen`` list means no choice (oldest first).

    >>> a = OpenDocument("A", "FC A 1", date(2024, 3, 1), date(2024, 3, 10), Decimal("1000.00"))
    >>> b = OpenDocument("B", "FC A 2", date(2024, 4, 1), date(2024, 4, 10), Decimal("500.00"))
    >>> allocate_payment([b, a], Decimal("1200.00")).applied[1]
    AppliedAmount(document_id='B', amount=Decimal('200.00'))
    >>> allocate_payment([a, b], Decimal("1200.00"), chosen=["B"]).credit
    Decimal('700.00')
    """
    assert not isinstance(chosen, str), "chosen is a list of document ids"
    received = _positive_cents(amount, "importe recibido")
    by_id = _index(open_documents)
    targets = _chosen(by_id, chosen) if chosen else age_order(by_id.values())
    return _fill(targets, received)


def apply_credit(open_documents: Sequence[OpenDocument], credit: Decimal) -> Allocation:
    """Apply a member's existing credit (≥ 0) oldest first; ``credit`` is what stays unused.

    >>> a = OpenDocument("A", "FC A 1", date(2024, 3, 1), date(2024, 3, 10), Decimal("80.00"))
    >>> apply_credit([a], Decimal("100.00"))
    Allocation(applied=(AppliedAmount(document_id='A', amount=Decimal('80.00')),), credit=Decimal('20.00'))
    """
    available = parse_amount(credit, field="saldo a favor")
    if available < ZERO:
        raise InvalidAmount(str(credit), "el saldo a favor no puede ser negativo")
    return _fill(age_order(_index(open_documents).values()), available)


def documents_left_open(
    open_documents: Sequence[OpenDocument], allocation: Allocation
) -> tuple[OpenDocument, ...]:
    """The documents as they stand after ``allocation``: balances reduced, fully paid ones gone."""
    paid: dict[str, Decimal] = {}
    for applied in allocation.applied:
        paid[applied.document_id] = paid.get(applied.document_id, ZERO) + applied.amount
    left = (_reduced(doc, paid.get(doc.document_id, ZERO)) for doc in open_documents)
    return tuple(doc for doc in left if doc.balance > ZERO)


def _reduced(document: OpenDocument, paid: Decimal) -> OpenDocument:
    assert paid <= document.balance, "an allocation never over-applies"
    return OpenDocument(
        document.document_id,
        document.label,
        document.issue_date,
        document.due_date,
        document.balance - paid,
    )


def _fill(targets: Iterable[OpenDocument], amount: Decimal) -> Allocation:
    applied: list[AppliedAmount] = []
    left = amount
    for document in targets:
        if left == ZERO:
            break
        part = min(left, document.balance.quantize(CENT))
        applied.append(AppliedAmount(document.document_id, part))
        left -= part
    return Allocation(applied=tuple(applied), credit=left)


def _index(open_documents: Sequence[OpenDocument]) -> dict[str, OpenDocument]:
    by_id: dict[str, OpenDocument] = {}
    for document in open_documents:
        if document.document_id in by_id:
            raise DuplicateOpenDocument(document.document_id)
        _positive_cents(document.balance, f"saldo del documento {document.document_id}")
        by_id[document.document_id] = document
    return by_id


def _chosen(by_id: dict[str, OpenDocument], chosen: Sequence[str]) -> list[OpenDocument]:
    if len(set(chosen)) != len(chosen):
        raise DocumentChosenTwice(next(i for i in chosen if chosen.count(i) > 1))
    missing = [document_id for document_id in chosen if document_id not in by_id]
    if missing:
        raise DocumentNotOpen(missing[0])
    return [by_id[document_id] for document_id in chosen]


def _positive_cents(amount: Decimal, field: str) -> Decimal:
    value = parse_amount(amount, field=field)
    if value <= ZERO:
        raise InvalidAmount(str(amount), f"{field}: debe ser mayor que cero")
    return value
