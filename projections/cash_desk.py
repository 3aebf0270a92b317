"""Receipts and cash sessions as read models (cash-closing reports read these)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Connection, Table, and_

from domain.cash_desk import CashSession, Receipt, UnmatchedCollection
from domain.cheques import ThirdPartyCheque
from domain.invoicing import Invoice
from domain.money import to_cents
from projections.bulk import insert_rows
from projections.commercial_tables import (
    cash_sessions,
    cheques,
    collections_in_suspense,
    document_payments,
    receipt_instruments,
    receipts,
)
from projections.runner import LoggedEvent, PlannedProjection

RECEIPT_ISSUED = get_topic(Receipt.ReceiptIssued)  # type: ignore[attr-defined]
RECEIPT_ANNULLED = get_topic(Receipt.ReceiptAnnulled)  # type: ignore[attr-defined]
SESSION_OPENED = get_topic(CashSession.CashSessionOpened)  # type: ignore[attr-defined]
SESSION_CLOSED = get_topic(CashSession.CashSessionClosed)  # type: ignore[attr-defined]
CHEQUE_RECEIVED = get_topic(ThirdPartyCheque.ChequeReceived)  # type: ignore[attr-defined]
CHEQUE_MOVES = {
    get_topic(ThirdPartyCheque.ChequeDeposited): "deposited",  # type: ignore[attr-defined]
    get_topic(ThirdPartyCheque.ChequeEndorsed): "endorsed",  # type: ignore[attr-defined]
    get_topic(ThirdPartyCheque.ChequeRejected): "rejected",  # type: ignore[attr-defined]
}
INVOICE_ISSUED = get_topic(Invoice.InvoiceIssued)  # type: ignore[attr-defined]
SUSPENSE = get_topic(UnmatchedCollection.CollectionHeldInSuspense)  # type: ignore[attr-defined]


class CashDeskProjection(PlannedProjection):
    name = "cash_desk"

    def topics(self) -> frozenset[str]:
        return frozenset(
            {
                RECEIPT_ISSUED,
                RECEIPT_ANNULLED,
                SESSION_OPENED,
                SESSION_CLOSED,
                SUSPENSE,
                CHEQUE_RECEIVED,
                INVOICE_ISSUED,
                *CHEQUE_MOVES,
            }
        )

    def tables(self) -> Sequence[Table]:
        return (
            receipts,
            receipt_instruments,
            cash_sessions,
            collections_in_suspense,
            cheques,
            document_payments,
        )

    def plan_page(self, events: Sequence[LoggedEvent]) -> list[Step]:
        """The page's writes in log order, without the database: new rows, and the changes that
        follow them (a change first writes the rows planned before it)."""
        steps: list[Step] = []
        rows = _no_rows()
        for event in events:
            if event.topic in (RECEIPT_ISSUED, SESSION_OPENED, SUSPENSE, CHEQUE_RECEIVED):
                self._created(event, rows)
                continue
            d, key = event.data, event.originator_id.hex
            if event.topic == INVOICE_ISSUED:
                # A bill that charges late payments' interest: those payments are settled.
                charged = [tuple(k.split("/")) for k in d.get("interest_for") or ()]
                if not charged:
                    continue
                change: Step = ("interest", key, charged)
            elif event.topic in CHEQUE_MOVES:
                change = (
                    "cheque",
                    key,
                    {
                        "state": CHEQUE_MOVES[event.topic],
                        "state_since": d["effective_date"],
                        "bank_account": d.get("bank_account"),
                        "endorsed_to": d.get("supplier"),
                        "rejection_reason": d.get("reason"),
                    },
                )
            elif event.topic == RECEIPT_ANNULLED:
                annulled = {"annulled_on": d["effective_date"], "annulment_reason": d["reason"]}
                change = ("annulled", key, annulled)
            else:
                change = (
                    "closed",
                    key,
                    {
                        "closed_on": d["effective_date"],
                        "cash_surplus_cents": to_cents(d["cash_surplus"]),
                        "cash_shortage_cents": to_cents(d["cash_shortage"]),
                    },
                )
            if any(rows.values()):
                steps.append(("rows", "", rows))
                rows = _no_rows()
            steps.append(change)
        if any(rows.values()):
            steps.append(("rows", "", rows))
        return steps

    def write_planned(self, conn: Connection, plan: list[Step]) -> None:
        for kind, key, detail in plan:
            if kind == "rows":
                self._flush(conn, detail)
            elif kind == "interest":
                for receipt_id, document_id in detail:
                    conn.execute(
                        document_payments.update()
                        .where(
                            and_(
                                document_payments.c.receipt_id == receipt_id,
                                document_payments.c.document_id == document_id,
                            )
                        )
                        .values(interest_invoice_id=key)
                    )
            elif kind == "cheque":
                conn.execute(cheques.update().where(cheques.c.cheque_id == key).values(**detail))
            elif kind == "annulled":
                payments = document_payments.update().where(document_payments.c.receipt_id == key)
                conn.execute(payments.values(annulled=True))
                conn.execute(receipts.update().where(receipts.c.receipt_id == key).values(**detail))
            else:
                conn.execute(cash_sessions.update().where(cash_sessions.c.session_id == key).values(**detail))

    def _created(self, event: LoggedEvent, rows: dict[str, list[tuple[Any, ...]]]) -> None:
        d, key = event.data, event.originator_id.hex
        if event.topic == CHEQUE_RECEIVED:
            rows["cheques"].append(
                (
                    key,
                    d["receipt_id"].hex,
                    d["member_number"],
                    d["reference"],
                    to_cents(d["amount"]),
                    d["effective_date"],
                    "portfolio",
                    d["effective_date"],
                    None,
                    None,
                    None,
                )
            )
            return
        if event.topic == SUSPENSE:
            rows["suspense"].append(
                (
                    d["payment_key"],
                    d["network"],
                    d["effective_date"],
                    to_cents(d["amount"]),
                    d["barcode"],
                    d["reason"],
                    key,
                )
            )
            return
        if event.topic == SESSION_OPENED:
            rows["sessions"].append(
                (
                    key,
                    d["desk"],
                    d["cashier"],
                    d["effective_date"],
                    to_cents(d["opening_float"]),
                    None,
                    None,
                    None,
                )
            )
            return
        session = d["session_id"].hex if d["session_id"] else None
        rows["receipts"].append(
            (
                key,
                d["member_number"],
                session,
                d["channel"],
                d["effective_date"],
                to_cents(d["total"]),
                to_cents(d["credit_used"]),
                to_cents(d["credit_left"]),
                None,
                None,
                event.position,
            )
        )
        for allocation in d["allocations"]:
            rows["payments"].append(
                (
                    key,
                    allocation["document_id"],
                    allocation["supply"],
                    d["effective_date"],
                    to_cents(allocation["amount"]),
                    False,
                    None,
                )
            )
        for line_no, item in enumerate(d["instruments"], start=1):
            rows["instruments"].append(
                (key, line_no, item["kind"], to_cents(item["amount"]), item["reference"])
            )

    @staticmethod
    def _flush(conn: Connection, rows: dict[str, list[tuple[Any, ...]]]) -> None:
        insert_rows(conn, cash_sessions, rows["sessions"])
        insert_rows(conn, receipts, rows["receipts"])
        insert_rows(conn, receipt_instruments, rows["instruments"])
        insert_rows(conn, collections_in_suspense, rows["suspense"])
        insert_rows(conn, cheques, rows["cheques"])
        insert_rows(conn, document_payments, rows["payments"])


def _no_rows() -> dict[str, list[tuple[Any, ...]]]:
    return {"receipts": [], "instruments": [], "sessions": [], "suspense": [], "cheques": [], "payments": []}


# One write of a page, in log order: ("rows", "", new rows by table) or (change, aggregate hex, detail).
Step = tuple[str, str, Any]
