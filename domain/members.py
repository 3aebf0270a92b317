"""Members (asociados): identity, VAT condition, contact, admission and exit.

The member number is the natural key: the aggregate id derives from it, so a
number can be registered once. A customer who is not an associate (usuario no
asociado, ``associate=False``) is registered the same way: it is billed, but it
holds no capital, is not in the Registro de Asociados and gets no retorno.

Capital shares (cuotas sociales, Ley 20.337) are subscribed (at least 5% paid in
at once) and integrated here, and transferred between associates with the
board's approval; the transfer takes effect on the day it is entered in the
register, which is the fact's business date (never before the board's). "Cuota capital" billed on
invoices integrates capital too (posted by the rules, summed per member by the
capital projection). Reimbursements queue in ``domain.capital``.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from stdnum import exceptions as stdnum_errors
from stdnum.ar import cbu as stdnum_cbu

from domain.afip import VatCondition, validate_cuil, validate_cuit, validate_dni
from domain.bulk_aggregate import BulkCreated, StandIn
from domain.errors import Conflict, InvalidInput
from domain.identity import stable_id
from domain.money import ZERO, format_ar, parse_amount

MEMBER_NUMBER = re.compile(r"^[0-9]{1,10}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
VAT_CONDITIONS = tuple(condition.value for condition in VatCondition)
DOCUMENT_TYPES = ("CUIT", "CUIL", "DNI")
# Ley 20.337 art. 25: at least 5% of the subscribed shares is paid in at subscription.
MINIMUM_INTEGRATION_AT_SUBSCRIPTION = Decimal("0.05")


def validate_document(document_type: str, number: str) -> str:
    """The document as stored (digits only), checked with its own rule."""
    if document_type == "CUIT":
        return validate_cuit(number)
    if document_type == "CUIL":
        return validate_cuil(number)
    if document_type == "DNI":
        return validate_dni(number)
    raise InvalidInput(f"Tipo de documento {document_type!r} inválido; use {', '.join(DOCUMENT_TYPES)}")


# A collection batch asks for each paying member's id twice (to read the members, then to
# pay): kept for a batch's worth of numbers. The id is a pure function of the number.
@functools.lru_cache(maxsize=4_096)
def member_id(number: str) -> UUID:
    return stable_id("member", normalize_member_number(number))


def normalize_member_number(number: str) -> str:
    text = str(number).strip()
    if not MEMBER_NUMBER.match(text):
        raise InvalidInput(f"Número de asociado inválido {number!r}: hasta 10 dígitos")
    return text.zfill(6)


class Member(BulkCreated):
    class MemberRegistered(Aggregate.Created):
        """Version 2 adds ``associate``: members registered before were all associates."""

        class_version = 2
        number: str
        name: str
        document_type: str
        document_number: str
        vat_condition: str
        address: str
        postal_address: str
        phones: list[str]
        email: str | None
        admission_date: date
        board_minute: str | None
        associate: bool
        recorded_by: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["associate"] = True

    @event(MemberRegistered)
    def __init__(
        self,
        number: str,
        name: str,
        document_type: str,
        document_number: str,
        vat_condition: str,
        address: str,
        postal_address: str,
        phones: list[str],
        email: str | None,
        admission_date: date,
        board_minute: str | None,
        associate: bool,
        recorded_by: str,
        id: UUID | None = None,
    ) -> None:
        self.number = number
        self.name = name
        self.document_type = document_type
        self.document_number = document_number
        self.vat_condition = vat_condition
        self.address = address
        self.postal_address = postal_address
        self.phones = phones
        self.email = email
        self.admission_date = admission_date
        self.board_minute = board_minute
        self.associate = associate
        self.exit_date: date | None = None
        # Only what is subscribed and paid in directly: the pending integration is their difference.
        self.shares_subscribed = ZERO
        self.shares_integrated = ZERO
        self.credit = ZERO  # overpayments not yet applied to documents
        self.debit_cbu: str | None = None

    def change_credit(self, receipt_id: UUID, delta: Decimal, *, reason: str) -> None:
        """A receipt leaves an overpayment (+) or uses credit (−); it never goes below zero."""
        _check_credit(self, delta)
        if delta:
            self._credit_changed(receipt_id=receipt_id, delta=delta, reason=reason)

    @event("CreditChanged")
    def _credit_changed(self, receipt_id: UUID, delta: Decimal, reason: str) -> None:
        self.credit += delta

    @classmethod
    def register(cls, *, number: str, name: str, document_type: str, document_number: str,
                 vat_condition: str, address: str, admission_date: date, recorded_by: str,
                 postal_address: str | None = None, phones: list[str] | None = None,
                 email: str | None = None, board_minute: str | None = None,
                 associate: bool = True) -> Member:
        number = normalize_member_number(number)
        if not name.strip():
            raise InvalidInput(f"Asociado {number}: falta el nombre")
        if vat_condition not in VAT_CONDITIONS:
            raise InvalidInput(f"Asociado {number}: condición de IVA {vat_condition!r} inválida; use "
                               f"{', '.join(VAT_CONDITIONS)}")
        document_number = validate_document(document_type, document_number)
        if vat_condition in ("RI", "MT", "EX") and document_type not in ("CUIT",):
            raise InvalidInput(f"Asociado {number}: un {vat_condition} se identifica con CUIT")
        if email and not EMAIL.match(email):
            raise InvalidInput(f"Asociado {number}: e-mail inválido {email!r}")
        if not address.strip():
            raise InvalidInput(f"Asociado {number}: falta el domicilio")
        return cls(
            number=number, name=name.strip(), document_type=document_type,
            document_number=document_number, vat_condition=vat_condition, address=address.strip(),
            postal_address=(postal_address or address).strip(), phones=list(phones or []),
            email=email, admission_date=admission_date,
            board_minute=(board_minute or "").strip() or None, associate=associate,
            recorded_by=recorded_by, id=member_id(number),
        )

    def change_vat_condition(self, vat_condition: str, effective_date: date, *, recorded_by: str) -> None:
        if vat_condition not in VAT_CONDITIONS:
            raise InvalidInput(f"Condición de IVA {vat_condition!r} inválida")
        if vat_condition == self.vat_condition:
            raise Conflict(f"El asociado {self.number} ya es {vat_condition}")
        self._vat_changed(vat_condition=vat_condition, effective_date=effective_date,
                          recorded_by=recorded_by)

    # -- capital (cuotas sociales) --------------------------------------------------------
    def _require_active_associate(self, what: str) -> None:
        if not self.associate:
            raise InvalidInput(f"{self.number} es un usuario no asociado: no tiene {what}")
        if self.exit_date is not None:
            raise Conflict(f"El asociado {self.number} egresó el {self.exit_date:%d/%m/%Y}")

    def subscribe_shares(
        self,
        amount: Decimal | str,
        effective_date: date,
        *,
        integrated: Decimal | str,
        account: str,
        recorded_by: str,
        board_minute: str | None = None,
    ) -> None:
        """Subscribe shares paying in at least 5% at once (into ``account``, cash or bank)."""
        self._require_active_associate("capital")
        value = parse_amount(amount, field="capital suscripto")
        paid = parse_amount(integrated, field="integración inicial")
        if value <= ZERO:
            raise InvalidInput(f"Asociado {self.number}: el capital suscripto debe ser positivo")
        if paid < value * MINIMUM_INTEGRATION_AT_SUBSCRIPTION or paid > value:
            raise InvalidInput(
                f"Asociado {self.number}: al suscribir $ {value} se integra entre el 5% "
                f"($ {value * MINIMUM_INTEGRATION_AT_SUBSCRIPTION:.2f}) y el total, no $ {paid} "
                "(Ley 20.337 art. 25)"
            )
        self._capital_subscribed(
            member_number=self.number, amount=value, board_minute=(board_minute or "").strip(),
            effective_date=effective_date, recorded_by=recorded_by,
        )
        self.integrate_shares(paid, effective_date, account=account, recorded_by=recorded_by)

    def integrate_shares(
        self, amount: Decimal | str, effective_date: date, *, account: str, recorded_by: str
    ) -> None:
        """Pay in subscribed shares (cuota capital billed on invoices integrates through the rules)."""
        self._require_active_associate("capital")
        value = parse_amount(amount, field="capital integrado")
        if value <= ZERO:
            raise InvalidInput(f"Asociado {self.number}: el capital integrado debe ser positivo")
        pending = self.shares_subscribed - self.shares_integrated
        if value > pending:
            raise InvalidInput(
                f"Asociado {self.number}: integra $ {value} pero solo tiene $ {pending} suscripto "
                "sin integrar"
            )
        self._capital_integrated(
            member_number=self.number, amount=value, account=account,
            effective_date=effective_date, recorded_by=recorded_by,
        )

    def transfer_shares(
        self,
        to: Member,
        amount: Decimal | str,
        effective_date: date,
        *,
        capital_held: Decimal,
        board_minute: str,
        board_date: date,
        recorded_by: str,
    ) -> None:
        """Transfer integrated shares to another associate (Ley 20.337 art. 26).

        ``capital_held`` is the transferor's integrated capital as the register shows it
        (cuota capital billed included); ``effective_date`` is the day it is entered in
        the register, when the transfer takes effect.
        """
        self._require_active_associate("capital que transferir")
        to._require_active_associate("capital")
        value = parse_amount(amount, field="capital transferido")
        if to.number == self.number:
            raise InvalidInput(f"El asociado {self.number} no puede transferirse capital a sí mismo")
        if value <= ZERO:
            raise InvalidInput("El capital transferido debe ser positivo")
        if value > capital_held:
            raise InvalidInput(
                f"El asociado {self.number} tiene $ {format_ar(capital_held)} de capital integrado; "
                f"no puede transferir $ {format_ar(value)}"
            )
        if not board_minute.strip():
            raise InvalidInput(
                "La transferencia de cuotas sociales requiere el acta del consejo (--board-minute)"
            )
        if board_date > effective_date:
            raise InvalidInput(
                f"El consejo aprobó el {board_date:%d/%m/%Y}: la inscripción en el registro no puede ser "
                f"anterior ({effective_date:%d/%m/%Y})"
            )
        self._capital_transferred(
            from_member=self.number, to_member=to.number, amount=value,
            board_minute=board_minute.strip(), board_date=board_date,
            effective_date=effective_date, recorded_by=recorded_by,
        )

    @event("CapitalSubscribed")
    def _capital_subscribed(
        self, member_number: str, amount: Decimal, board_minute: str, effective_date: date, recorded_by: str
    ) -> None:
        self.shares_subscribed += amount

    @event("CapitalIntegrated")
    def _capital_integrated(
        self, member_number: str, amount: Decimal, account: str, effective_date: date, recorded_by: str
    ) -> None:
        self.shares_integrated += amount

    @event("CapitalTransferred")
    def _capital_transferred(
        self,
        from_member: str,
        to_member: str,
        amount: Decimal,
        board_minute: str,
        board_date: date,
        effective_date: date,
        recorded_by: str,
    ) -> None:
        pass  # the register projection moves the capital; nothing here limits the next command

    def adhere_to_debit(self, cbu: str, effective_date: date, *, recorded_by: str) -> None:
        """Automatic debit of the member's bills from a bank account (CBU, 22 digits)."""
        try:
            checked = str(stdnum_cbu.validate(cbu))
        except stdnum_errors.ValidationError:
            raise InvalidInput(f"CBU inválido {cbu!r}: revise los 22 dígitos y sus verificadores") from None
        self._debit_adhered(cbu=checked, effective_date=effective_date, recorded_by=recorded_by)

    def cancel_debit(self, effective_date: date, *, recorded_by: str) -> None:
        if self.debit_cbu is None:
            raise Conflict(f"El asociado {self.number} no está adherido al débito automático")
        self._debit_cancelled(effective_date=effective_date, recorded_by=recorded_by)

    @event("DebitAdhered")
    def _debit_adhered(self, cbu: str, effective_date: date, recorded_by: str) -> None:
        self.debit_cbu = cbu

    @event("DebitCancelled")
    def _debit_cancelled(self, effective_date: date, recorded_by: str) -> None:
        self.debit_cbu = None

    def record_admission_minute(self, board_minute: str, *, recorded_by: str) -> None:
        """The board minute that admitted the associate, when it was not given at registration."""
        if not self.associate:
            raise InvalidInput(f"{self.number} es un usuario no asociado: no tiene acta de ingreso")
        if not board_minute.strip():
            raise InvalidInput("Indique el acta del consejo que aprobó el ingreso (--board-minute)")
        if self.board_minute is not None:
            raise Conflict(f"El ingreso del asociado {self.number} ya tiene acta: {self.board_minute}")
        self._admission_minute_recorded(board_minute=board_minute.strip(), recorded_by=recorded_by)

    @event("AdmissionMinuteRecorded")
    def _admission_minute_recorded(self, board_minute: str, recorded_by: str) -> None:
        self.board_minute = board_minute

    def leave(self, exit_date: date, cause: str, *, recorded_by: str) -> None:
        if self.exit_date is not None:
            raise Conflict(f"El asociado {self.number} ya egresó el {self.exit_date}")
        if exit_date < self.admission_date:
            raise InvalidInput("La fecha de egreso es anterior a la de ingreso")
        if not cause.strip():
            raise InvalidInput("Indique la causa del egreso")
        self._left(exit_date=exit_date, cause=cause.strip(), recorded_by=recorded_by)

    @event("VatConditionChanged")
    def _vat_changed(self, vat_condition: str, effective_date: date, recorded_by: str) -> None:
        self.vat_condition = vat_condition

    # Before issue 5 subscriptions and integrations were these two events, which the
    # rules did not post; they stay so that older logs replay.
    @event("SharesSubscribed")
    def _shares_subscribed(self, amount: Decimal, effective_date: date, recorded_by: str) -> None:
        self.shares_subscribed += amount

    @event("SharesIntegrated")
    def _shares_integrated(self, amount: Decimal, effective_date: date, recorded_by: str) -> None:
        self.shares_integrated += amount

    @event("MemberLeft")
    def _left(self, exit_date: date, cause: str, recorded_by: str) -> None:
        self.exit_date = exit_date


def _check_credit(member: Member | PayingMember, delta: Decimal) -> None:
    if member.credit + delta < ZERO:
        raise Conflict(f"El asociado {member.number} tiene {member.credit} de saldo a favor, no {-delta}")


class PayingMember(StandIn):
    """A member as a payment needs it: its number, its credit and its version.

    A collection file's payment may change its member's credit. Rebuilding each ``Member``
    from its log decodes its registration (name, address, documents) for what a payment
    never reads. Here the loader (``adapters.bulk_load.load_paying_members``) reads the
    member's events without their contents, except the credit changes, which it applies
    with their own ``apply``; every other event only moves the version, since no other
    event of ``Member`` changes the credit (``tests/unit/test_bulk_aggregate.py`` checks
    each event class). So the version is the log's, and a credit change is saved at the
    next one: anything recorded for the member meanwhile collides there and refuses the
    save, as a save of the whole ``Member`` would. Never kept as an aggregate: its events
    are saved as events.
    """

    def __init__(self, *, id: UUID, number: str) -> None:
        self.id = id
        self.number = number
        self.version = 0  # the loader moves it to the log's
        self.modified_on: Any = None
        self.credit = ZERO
        self.pending_events: list[Any] = []

    def follow(self, version: int, credit_changed: Any = None) -> None:
        """The member's next event in its log: a credit change is applied, any other counted."""
        if credit_changed is None:
            self.version = version
        else:
            credit_changed.mutate(self)

    def change_credit(self, receipt_id: UUID, delta: Decimal, *, reason: str) -> None:
        """As ``Member.change_credit``: the same check, the same event."""
        _check_credit(self, delta)
        if delta:
            self.trigger(Member.CreditChanged, receipt_id=receipt_id, delta=delta, reason=reason)  # type: ignore[attr-defined]
