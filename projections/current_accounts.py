"""The member current account (cuenta corriente): every document and what is owed.

Each invoice is a document with its total; payments (issue 4) raise its paid
amount. Debt per supply and per service, and its ageing, are queries over it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Connection, Table

from domain.afip import cbte_tipo_name
from domain.cheques import REJECTED_CHEQUE_SERVICE, ThirdPartyCheque
from domain.invoicing import Invoice
from domain.money import to_cents
from projections.bulk import add_to_column, insert_rows
from projections.commercial_tables import account_documents
from projections.runner import LoggedEvent, PlannedProjection

INVOICE_ISSUED = get_topic(Invoice.InvoiceIssued)  # type: ignore[attr-defined]
PAYMENT_APPLIED = get_topic(Invoice.PaymentApplied)  # type: ignore[attr-defined]
CHEQUE_REJECTED = get_topic(ThirdPartyCheque.ChequeRejected)  # type: ignore[attr-defined]
PAYMENT_REVERSED = get_topic(Invoice.PaymentReversed)  # type: ignore[attr-defined]
CHEQUE_REPAID = get_topic(ThirdPartyCheque.PaymentApplied)  # type: ignore[attr-defined]
CHEQUE_REPAYMENT_REVERSED = get_topic(ThirdPartyCheque.PaymentReversed)  # type: ignore[attr-defined]
APPLIED_TOPICS = frozenset({PAYMENT_APPLIED, CHEQUE_REPAID})


def document_label(document_type: int, letter: str, point_of_sale: int, number: int) -> str:
    """As printed: "Factura B 00001-00001234"."""
    kind = cbte_tipo_name(document_type).removesuffix(f" {letter}")
    return f"{kind} {letter} {point_of_sale:05d}-{number:08d}"


# (new document rows, cents paid per document): plain values, picklable for planning workers.
_Plan = tuple[list[tuple[Any, ...]], dict[str, int]]


class CurrentAccountsProjection(PlannedProjection):
    name = "current_accounts"

    def topics(self) -> frozenset[str]:
        return frozenset({
            INVOICE_ISSUED, PAYMENT_APPLIED, PAYMENT_REVERSED, CHEQUE_REJECTED, CHEQUE_REPAID,
            CHEQUE_REPAYMENT_REVERSED,
        })

    def tables(self) -> Sequence[Table]:
        return (account_documents,)

    def plan_page(self, events: Sequence[LoggedEvent]) -> _Plan:
        """The page's new documents and what its payments add to each, without the database."""
        rows: list[tuple[Any, ...]] = []
        paid: dict[str, int] = defaultdict(int)  # per document: payments of this page, summed
        for event in events:
            d = event.data
            if event.topic == CHEQUE_REJECTED:
                # The money the receipt counted never arrived: the member owes it again.
                rows.append(
                    (
                        event.originator_id.hex,
                        d["member_number"],
                        None,
                        REJECTED_CHEQUE_SERVICE,
                        "rejected_cheque",
                        f"Cheque rechazado {d['reference']}"[:40],
                        d["effective_date"],
                        d["effective_date"],
                        to_cents(d["amount"]),
                        0,
                        event.position,
                    )
                )
                continue
            if event.topic != INVOICE_ISSUED:
                cents = to_cents(d["amount"])
                paid[event.originator_id.hex] += cents if event.topic in APPLIED_TOPICS else -cents
                continue
            label = document_label(d["document_type"], d["letter"], d["point_of_sale"], d["number"])
            rows.append(
                (
                    event.originator_id.hex,
                    d["member_number"],
                    d["supply_number"],
                    d["service"],
                    "invoice",
                    label,
                    d["effective_date"],
                    d["due_date"],
                    to_cents(d["total"]),
                    0,
                    event.position,
                )
            )
        # A payment and its annulment in one page cancel out.
        return rows, {doc: cents for doc, cents in paid.items() if cents}

    def write_planned(self, conn: Connection, plan: _Plan) -> None:
        rows, paid = plan
        insert_rows(conn, account_documents, rows)
        add_to_column(conn, account_documents, "document_id", "paid_cents", paid)
