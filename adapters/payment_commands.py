"""Commands of the cash desk: sessions, receipts, annulments.

Mixed into :class:`adapters.application.AsientoApp`. A receipt is saved in one
transaction with every invoice it pays, the member (credit) and the session:
two cashiers cannot both collect the same balance, because each invoice's
version is checked when the receipt is saved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from domain.afip import DocumentKind, VatCondition, cbte_tipo, invoice_letter
from domain.allocation import OpenDocument, allocate_payment, apply_credit, documents_left_open
from domain.bulk_aggregate import StandIn
from domain.calendar import CALENDAR_ID, FiscalCalendar
from domain.cash_desk import CashSession, Receipt, UnmatchedCollection, check_instruments
from domain.cheques import ThirdPartyCheque, cheque_id
from domain.errors import AlreadyRecorded, Conflict, InvalidInput, NotFound
from domain.identity import stable_id
from domain.interest import InterestRates, interest_for_documents
from domain.invoicing import Invoice, PayableInvoice
from domain.members import Member, PayingMember, member_id
from domain.money import ZERO
from domain.numbering import DocumentSeries, series_id
from ledger_rules.model import PostingError

DEBIT_NOTES = frozenset({2, 7, 12, 20})  # interest is not charged on interest


def _label(document: Invoice | PayableInvoice | ThirdPartyCheque) -> str:
    """How a paid document is named on the receipt (a rejected cheque is payable too)."""
    if isinstance(document, ThirdPartyCheque):
        return document.label
    return f"{document.letter} {document.point_of_sale:05d}-{document.number:08d}"


class PaymentCommands(Application):
    # Set by the composition root: posts a would-be event through the rule book, raising
    # PostingError if the rules cannot post it (so the command is refused, not the projection).
    dry_post: Callable[[str, date, Mapping[str, Any]], None] | None = None

    def check_postable(self, event_name: str, effective_date: date, data: Mapping[str, Any]) -> None:
        if self.dry_post is None:
            return
        try:
            self.dry_post(event_name, effective_date, data)
        except PostingError as exc:
            raise InvalidInput(f"Las reglas de imputación no pueden contabilizarlo: {exc.cause}") from None

    def _load(self, aggregate_id: UUID, what: str) -> Any:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(f"{what} {aggregate_id} no existe") from None

    def open_cash_session(
        self,
        *,
        desk: str,
        cashier: str,
        effective_date: date,
        opening_float: str,
        recorded_by: str,
        session_id: UUID | None = None,
    ) -> UUID:
        session = CashSession.open(
            desk=desk,
            cashier=cashier,
            effective_date=effective_date,
            opening_float=opening_float,
            recorded_by=recorded_by,
            session_id=session_id,
        )
        try:
            self.save(session)
        except IntegrityError:
            raise AlreadyRecorded("La sesión de caja", session.id) from None
        return session.id

    def close_cash_session(
        self, session_id: UUID, counted: Mapping[str, str], effective_date: date, *, recorded_by: str
    ) -> CashSession:
        session: CashSession = self._load(session_id, "La sesión de caja")
        session.close(counted, effective_date, recorded_by=recorded_by)
        self._save_all([session], "la sesión de caja")
        return session

    def record_receipt(self, **kwargs: Any) -> Receipt:
        """Collect a payment at the counter: prepared, then saved in one transaction."""
        receipt, changed = self.prepare_receipt(**kwargs)
        self._save_all(changed, "el recibo", idempotency_key=receipt.id)
        return receipt

    def load_cached(self, cache: dict[UUID, Any], aggregate_id: UUID, what: str) -> Any:
        """Aggregates a batch touches more than once (a member paying twice) are loaded once."""
        if aggregate_id not in cache:
            cache[aggregate_id] = self._load(aggregate_id, what)
        return cache[aggregate_id]

    def prepare_receipt(
        self,
        *,
        member_number: str,
        instruments: Sequence[Mapping[str, Any]],
        effective_date: date,
        open_invoice_ids: Sequence[UUID],
        recorded_by: str,
        session_id: UUID | None = None,
        chosen: Sequence[UUID] = (),
        receipt_id: UUID | None = None,
        channel: str = "caja",
        surcharge: Decimal = ZERO,
        cache: dict[UUID, Any] | None = None,
    ) -> tuple[Receipt, list[Aggregate | StandIn]]:
        """A payment applied: existing credit first, then the money, oldest first or as chosen.

        ``open_invoice_ids`` are the member's candidate documents (from the current account);
        their balances are read from the invoices themselves, which decide.
        """
        checked = check_instruments(instruments)
        amount = sum((i["amount"] for i in checked), ZERO)
        if not ZERO <= surcharge < amount:
            raise InvalidInput(f"Recargo {surcharge} inválido para un cobro de {amount}")
        loaded: dict[UUID, Any] = {} if cache is None else cache
        if CALENDAR_ID not in loaded:
            loaded[CALENDAR_ID] = self._calendar()
        loaded[CALENDAR_ID].require_open(effective_date)
        member: Member | PayingMember = self.load_cached(loaded, member_id(member_number), "El asociado")
        invoices = {
            inv.id: inv
            for inv in (self.load_cached(loaded, i, "El documento") for i in {*open_invoice_ids, *chosen})
        }
        payable = (Invoice, PayableInvoice, ThirdPartyCheque)
        not_payable = [i for i, inv in invoices.items() if not isinstance(inv, payable)]
        if not_payable:
            raise InvalidInput(f"{not_payable} no son documentos a cobrar")
        foreign = [i for i, inv in invoices.items() if inv.member_number != member.number]
        if foreign:
            raise InvalidInput(f"Las facturas {foreign} no son del asociado {member.number}")
        documents = [
            OpenDocument(inv.id.hex, _label(inv), inv.effective_date, inv.due_date, inv.balance)
            for inv in invoices.values()
            if inv.balance > ZERO
        ]
        from_credit = apply_credit(documents, member.credit) if member.credit else None
        remaining = list(documents_left_open(documents, from_credit)) if from_credit else documents
        # The second-due surcharge is revenue of its own; only the rest pays documents.
        from_money = allocate_payment(remaining, amount - surcharge, [c.hex for c in chosen])
        receipt_key = receipt_id or uuid4()
        applied = _merge(from_credit.applied if from_credit else (), from_money.applied)
        credit_used = from_credit.total_applied if from_credit else ZERO
        allocations = []
        for document_hex, paid in applied.items():
            invoice = invoices[UUID(document_hex)]
            invoice.apply_payment(receipt_key, paid)
            allocations.append(
                {
                    "document_id": document_hex,
                    "label": _label(invoice),
                    "supply": invoice.supply_number,
                    "service": invoice.service,
                    "amount": paid,
                }
            )
        member.change_credit(receipt_key, from_money.credit - credit_used, reason="recibo")
        receipt = Receipt(
            effective_date=effective_date,
            member_number=member.number,
            session_id=session_id,
            channel=channel,
            instruments=checked,
            allocations=allocations,
            credit_used=credit_used,
            credit_left=from_money.credit,
            total=amount,
            recorded_by=recorded_by,
            surcharge=surcharge,
            id=receipt_key,
        )
        changed: list[Aggregate | StandIn] = [receipt, member, *[invoices[UUID(h)] for h in applied]]
        changed += [
            ThirdPartyCheque(
                receipt_id=receipt.id,
                member_number=member.number,
                amount=item["amount"],
                reference=item["reference"],
                effective_date=effective_date,
                id=cheque_id(receipt.id, line_no),
            )
            for line_no, item in enumerate(checked, start=1)
            if item["kind"] == "cheque"
        ]
        if session_id is not None:
            session: CashSession = self.load_cached(loaded, session_id, "La sesión de caja")
            session.register(receipt.id, checked)
            changed.append(session)
        return receipt, changed

    def _calendar(self) -> FiscalCalendar:
        try:
            calendar: FiscalCalendar = self.repository.get(CALENDAR_ID)
        except AggregateNotFoundError:
            return FiscalCalendar()
        return calendar

    def hold_in_suspense(
        self,
        *,
        effective_date: date,
        network: str,
        payment_key: str,
        amount: Decimal,
        barcode: str,
        reason: str,
        recorded_by: str,
    ) -> UnmatchedCollection:
        held = UnmatchedCollection(
            effective_date=effective_date,
            network=network,
            payment_key=payment_key,
            amount=amount,
            barcode=barcode,
            reason=reason,
            recorded_by=recorded_by,
            id=stable_id("network-payment", payment_key),
        )
        return held

    def move_cheque(
        self, cheque: UUID, action: str, effective_date: date, *, detail: str, recorded_by: str
    ) -> ThirdPartyCheque:
        """deposit (detail: bank account), endorse (detail: supplier) or reject (detail: reason)."""
        found: ThirdPartyCheque = self._load(cheque, "El cheque")
        if action == "deposit":
            self.check_postable(
                "ChequeDeposited",
                effective_date,
                {"bank_account": detail, "amount": found.amount, "reference": found.reference},
            )
            found.deposit(detail, effective_date, recorded_by=recorded_by)
        elif action == "endorse":
            found.endorse(detail, effective_date, recorded_by=recorded_by)
        elif action == "reject":
            found.reject(detail, effective_date, recorded_by=recorded_by)
        else:
            raise InvalidInput(f"Acción {action!r}: use deposit, endorse o reject")
        self._calendar().require_open(effective_date)
        self._save_all([found], "el cheque")
        return found

    def charge_late_interest(
        self,
        *,
        member_number: str,
        effective_date: date,
        open_invoice_ids: Sequence[UUID],
        rates: InterestRates,
        point_of_sale: int,
        due_days: int,
        recorded_by: str,
    ) -> list[Invoice]:
        """Interest on each overdue invoice's balance up to today, as one debit note per invoice.

        The notes are numbered in their own series (per point of sale and letter) in the
        same save as the notes, and are due today: the receipt that follows pays them too.
        """
        member: Member = self._load(member_id(member_number), "El asociado")
        overdue = [
            inv
            for inv in (self._load(i, "La factura") for i in open_invoice_ids)
            # Interest runs on bills; a rejected cheque's debt carries none here.
            if isinstance(inv, Invoice)
            and inv.balance > ZERO
            and inv.due_date < effective_date
            and inv.document_type not in DEBIT_NOTES
        ]
        notes: list[tuple[Invoice, dict[str, Any]]] = []
        for invoice in overdue:
            lines = interest_for_documents(
                [(_label(invoice), invoice.balance, invoice.due_date)], effective_date, rates
            )
            notes += [(invoice, {**line, "kind": "interest"}) for line in lines]
        if not notes:
            return []
        letter = invoice_letter(VatCondition.RI, VatCondition(member.vat_condition))
        note_type = cbte_tipo(letter, DocumentKind.DEBIT_NOTE)
        series = self._series(point_of_sale, note_type)
        numbers = series.reserve(len(notes), purpose=f"intereses por mora {effective_date}")
        calendar = self._calendar()
        issued = [
            Invoice.issue(
                calendar=calendar,
                lines=[line],
                recorded_by=recorded_by,
                effective_date=effective_date,
                member_number=member.number,
                supply_number=invoice.supply_number,
                service=invoice.service,
                category=invoice.category,
                vat_condition=member.vat_condition,
                document_type=note_type,
                letter=letter.value,
                point_of_sale=point_of_sale,
                number=number,
                period=f"{effective_date:%Y-%m}",
                due_date=effective_date + timedelta(days=due_days),
            )
            for (invoice, line), number in zip(notes, numbers, strict=True)
        ]
        self._save_all([series, *issued], "las notas de débito")
        return issued

    def _series(self, point_of_sale: int, document_type: int) -> DocumentSeries:
        try:
            found: DocumentSeries = self.repository.get(series_id(point_of_sale, document_type))
        except AggregateNotFoundError:
            return DocumentSeries.open(point_of_sale, document_type)
        return found

    def annul_receipt(
        self, receipt_id: UUID, reason: str, effective_date: date, *, recorded_by: str
    ) -> Receipt:
        receipt: Receipt = self._load(receipt_id, "El recibo")
        receipt.annul(reason, effective_date, recorded_by=recorded_by)
        member: Member = self._load(member_id(receipt.member_number), "El asociado")
        member.change_credit(receipt.id, receipt.credit_used - receipt.credit_left, reason="anulación")
        changed: list[Aggregate] = [receipt, member]
        for allocation in receipt.allocations:
            invoice: Invoice = self._load(UUID(allocation["document_id"]), "La factura")
            invoice.reverse_payment(receipt.id, allocation["amount"])
            changed.append(invoice)
        if receipt.session_id is not None:
            session: CashSession = self._load(receipt.session_id, "La sesión de caja")
            if not session.closed:
                session.withdraw(receipt.id, receipt.instruments)
                changed.append(session)
        self._save_all(changed, "el recibo")
        return receipt

    def _save_all(
        self, aggregates: Sequence[Aggregate | StandIn], what: str, idempotency_key: UUID | None = None
    ) -> None:
        try:
            self.save(*aggregates)
        except IntegrityError:
            if idempotency_key is not None and self.recorder.select_events(idempotency_key, limit=1):
                raise AlreadyRecorded("El recibo", idempotency_key) from None
            raise Conflict(f"Otro usuario modificó {what} al mismo tiempo: reintente") from None


def _merge(*groups: Sequence[Any]) -> dict[str, Decimal]:
    total: dict[str, Decimal] = {}
    for group in groups:
        for applied in group:
            total[applied.document_id] = total.get(applied.document_id, ZERO) + applied.amount
    return total
