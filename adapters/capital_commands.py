"""Commands of member capital and surplus distribution (Ley 20.337).

Mixed into :class:`adapters.application.AsientoApp`. What the write side cannot
know by itself (an associate's capital including the cuota capital billed, the
integrated capital of the last balance, the year's result) is computed by the
caller from the read models after catching up, and recorded in the event with
the decision; the aggregates enforce order, once-only and the caps. Every fact
the rules post is dry-posted first, so a fact they cannot post is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from adapters.commercial_commands import CommercialCommands
from adapters.payment_commands import PaymentCommands
from domain.calendar import CALENDAR_ID, FiscalCalendar
from domain.capital import QUEUE_ID, ReimbursementQueue
from domain.errors import Conflict, InvalidInput, NotFound
from domain.events import POSTABLE_EVENTS
from domain.members import Member
from domain.money import ZERO
from domain.surplus import SurplusDistribution, SurplusProposal

_POSTABLE_BY_TOPIC = {schema.topic: name for name, schema in POSTABLE_EVENTS.items()}


class CapitalCommands(CommercialCommands, PaymentCommands):
    def _open_calendar(self) -> FiscalCalendar:
        try:
            calendar: FiscalCalendar = self.repository.get(CALENDAR_ID)
        except AggregateNotFoundError:
            return FiscalCalendar()
        return calendar

    def _save_checked(self, *aggregates: Aggregate, what: str) -> None:
        """Refuse facts dated in a closed period or that the rules cannot post, then save."""
        calendar = self._open_calendar()
        for aggregate in aggregates:
            for pending in aggregate.pending_events:
                name = _POSTABLE_BY_TOPIC.get(get_topic(type(pending)))
                if name is not None:
                    day: date = pending.effective_date  # type: ignore[attr-defined]
                    calendar.require_open(day)
                    self.check_postable(name, day, pending.__dict__)
        try:
            self.save(*aggregates)
        except IntegrityError:
            raise Conflict(f"Otro usuario modificó {what} al mismo tiempo: reintente") from None

    # -- subscription, integration, transfer, exit ------------------------------------------------
    def subscribe_shares(
        self,
        member_number: str,
        amount: str,
        effective_date: date,
        *,
        integrated: str,
        account: str,
        recorded_by: str,
        board_minute: str | None = None,
    ) -> None:
        member = self.member(member_number)
        member.subscribe_shares(
            amount,
            effective_date,
            integrated=integrated,
            account=account,
            board_minute=board_minute,
            recorded_by=recorded_by,
        )
        self._save_checked(member, what=f"el asociado {member.number}")

    def integrate_shares(
        self, member_number: str, amount: str, effective_date: date, *, account: str, recorded_by: str
    ) -> None:
        member = self.member(member_number)
        member.integrate_shares(amount, effective_date, account=account, recorded_by=recorded_by)
        self._save_checked(member, what=f"el asociado {member.number}")

    def transfer_shares(
        self,
        from_number: str,
        to_number: str,
        amount: str,
        effective_date: date,
        *,
        capital_held: Decimal,
        board_minute: str,
        board_date: date,
        recorded_by: str,
    ) -> None:
        """``capital_held``: the transferor's integrated capital in the register, caught up."""
        giver, taker = self.member(from_number), self.member(to_number)
        giver.transfer_shares(
            taker,
            amount,
            effective_date,
            capital_held=capital_held,
            board_minute=board_minute,
            board_date=board_date,
            recorded_by=recorded_by,
        )
        self._save_checked(giver, what=f"el asociado {giver.number}")

    def record_admission_minute(self, member_number: str, board_minute: str, *, recorded_by: str) -> None:
        member = self.member(member_number)
        member.record_admission_minute(board_minute, recorded_by=recorded_by)
        self._save_checked(member, what=f"el asociado {member.number}")

    def record_member_exit(
        self, member_number: str, exit_date: date, cause: str, *, recorded_by: str
    ) -> None:
        member = self.member(member_number)
        member.leave(exit_date, cause, recorded_by=recorded_by)
        self._open_calendar().require_open(exit_date)
        self._save_checked(member, what=f"el asociado {member.number}")

    # -- reimbursements ------------------------------------------------------------------------------
    def reimbursement_queue(self) -> ReimbursementQueue:
        try:
            queue: ReimbursementQueue = self.repository.get(QUEUE_ID)
        except AggregateNotFoundError:
            return ReimbursementQueue()
        return queue

    def request_reimbursement(
        self, member_number: str, requested_on: date, *, capital_held: Decimal, recorded_by: str
    ) -> Decimal:
        """An associate who left asks for the integrated capital back (all of it: ``capital_held``)."""
        member = self.member(member_number)
        if not member.associate:
            raise InvalidInput(f"{member.number} es un usuario no asociado: no tiene capital")
        if member.exit_date is None or requested_on < member.exit_date:
            raise Conflict(
                f"El asociado {member.number} no egresó (o egresa después del {requested_on:%d/%m/%Y}): "
                "registre el egreso antes de pedir el reembolso (asiento member leave)"
            )
        queue = self.reimbursement_queue()
        queue.request(member.number, capital_held, requested_on, recorded_by=recorded_by)
        self._save_checked(queue, what="la cola de reembolsos")
        return capital_held

    def pay_reimbursements(
        self,
        *,
        fiscal_year: int,
        base_year: int,
        integrated_capital: Decimal,
        cap_percent: Decimal,
        account: str,
        effective_date: date,
        recorded_by: str,
    ) -> Decimal:
        queue = self.reimbursement_queue()
        paid = queue.pay(
            fiscal_year=fiscal_year,
            base_year=base_year,
            integrated_capital=integrated_capital,
            cap_percent=cap_percent,
            account=account,
            effective_date=effective_date,
            recorded_by=recorded_by,
        )
        self._save_checked(queue, what="la cola de reembolsos")
        return paid

    # -- surplus -----------------------------------------------------------------------------------------
    def approve_surplus(
        self,
        proposal: SurplusProposal,
        *,
        assembly_minute: str,
        assembly_date: date,
        retorno_to: str,
        recorded_by: str,
    ) -> SurplusDistribution:
        """Record the assembly's approval and credit each associate (capital or current account)."""
        fiscal_year = self._open_calendar().get_year(proposal.year)
        if self._distribution_exists(SurplusDistribution.id_for(proposal.year)):
            raise Conflict(
                f"La distribución de excedentes del ejercicio {proposal.year} ya fue aprobada: "
                "no se registró de nuevo"
            )
        if not fiscal_year.closed:
            raise Conflict(f"El ejercicio {proposal.year} no está cerrado: ciérrelo antes de distribuir")
        distribution = SurplusDistribution.approve(
            proposal,
            assembly_minute=assembly_minute,
            assembly_date=assembly_date,
            year_end=fiscal_year.end_date,
            retorno_to=retorno_to,
            recorded_by=recorded_by,
        )
        credited = self._credit_current_accounts(distribution, proposal) if retorno_to == "account" else []
        self._save_checked(distribution, *credited, what="la distribución de excedentes")
        return distribution

    def _distribution_exists(self, distribution_id: UUID) -> bool:
        try:
            self.repository.get(distribution_id)
        except AggregateNotFoundError:
            return False
        return True

    def _credit_current_accounts(
        self, distribution: SurplusDistribution, proposal: SurplusProposal
    ) -> Sequence[Member]:
        members: list[Member] = []
        for share in proposal.shares:
            credit = share.retorno + share.interest
            if credit == ZERO:
                continue
            try:
                member = self.member(share.member_number)
            except NotFound:
                raise NotFound(f"El asociado {share.member_number} del reparto no existe") from None
            member.change_credit(distribution.id, credit, reason=f"retorno ejercicio {proposal.year}")
            members.append(member)
        return members
