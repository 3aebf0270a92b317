"""Members (asociados): identity, VAT condition, contact, admission and exit.

The member number is the natural key: the aggregate id derives from it, so a
number can be registered once. Capital shares (cuotas sociales) are subscribed
and integrated here; "cuota capital" billed on invoices integrates capital too
(posted by the rules, summed per member by the capital projection).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from stdnum import exceptions as stdnum_errors
from stdnum.ar import cbu as stdnum_cbu

from domain.afip import VatCondition, validate_cuil, validate_cuit, validate_dni
from domain.errors import Conflict, InvalidInput
from domain.identity import stable_id
from domain.money import ZERO, parse_amount

MEMBER_NUMBER = re.compile(r"^[0-9]{1,10}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
VAT_CONDITIONS = tuple(condition.value for condition in VatCondition)
DOCUMENT_TYPES = ("CUIT", "CUIL", "DNI")


def validate_document(document_type: str, number: str) -> str:
    """The document as stored (digits only), checked with its own rule."""
    if document_type == "CUIT":
        return validate_cuit(number)
    if document_type == "CUIL":
        return validate_cuil(number)
    if document_type == "DNI":
        return validate_dni(number)
    raise InvalidInput(f"Tipo de documento {document_type!r} inválido; use {', '.join(DOCUMENT_TYPES)}")


def member_id(number: str) -> UUID:
    return stable_id("member", normalize_member_number(number))


def normalize_member_number(number: str) -> str:
    text = str(number).strip()
    if not MEMBER_NUMBER.match(text):
        raise InvalidInput(f"Número de asociado inválido {number!r}: hasta 10 dígitos")
    return text.zfill(6)


class Member(Aggregate):
    @event("MemberRegistered")
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
        self.exit_date: date | None = None
        self.shares_subscribed = ZERO
        self.shares_integrated = ZERO
        self.credit = ZERO  # overpayments not yet applied to documents
        self.debit_cbu: str | None = None

    def change_credit(self, receipt_id: UUID, delta: Decimal, *, reason: str) -> None:
        """A receipt leaves an overpayment (+) or uses credit (−); it never goes below zero."""
        if self.credit + delta < ZERO:
            raise Conflict(f"El asociado {self.number} tiene {self.credit} de saldo a favor, no {-delta}")
        if delta:
            self._credit_changed(receipt_id=receipt_id, delta=delta, reason=reason)

    @event("CreditChanged")
    def _credit_changed(self, receipt_id: UUID, delta: Decimal, reason: str) -> None:
        self.credit += delta

    @classmethod
    def register(cls, *, number: str, name: str, document_type: str, document_number: str,
                 vat_condition: str, address: str, admission_date: date, recorded_by: str,
                 postal_address: str | None = None, phones: list[str] | None = None,
                 email: str | None = None, board_minute: str | None = None) -> Member:
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
            email=email, admission_date=admission_date, board_minute=board_minute,
            recorded_by=recorded_by, id=member_id(number),
        )

    def change_vat_condition(self, vat_condition: str, effective_date: date, *, recorded_by: str) -> None:
        if vat_condition not in VAT_CONDITIONS:
            raise InvalidInput(f"Condición de IVA {vat_condition!r} inválida")
        if vat_condition == self.vat_condition:
            raise Conflict(f"El asociado {self.number} ya es {vat_condition}")
        self._vat_changed(vat_condition=vat_condition, effective_date=effective_date,
                          recorded_by=recorded_by)

    def subscribe_shares(self, amount: Decimal | str, effective_date: date, *, recorded_by: str) -> None:
        value = parse_amount(amount, field="capital suscripto")
        if value <= ZERO:
            raise InvalidInput("El capital suscripto debe ser positivo")
        self._shares_subscribed(amount=value, effective_date=effective_date, recorded_by=recorded_by)

    def integrate_shares(self, amount: Decimal | str, effective_date: date, *, recorded_by: str) -> None:
        """Capital paid in directly (cuota capital billed on invoices integrates through the rules)."""
        value = parse_amount(amount, field="capital integrado")
        if value <= ZERO:
            raise InvalidInput("El capital integrado debe ser positivo")
        self._shares_integrated(amount=value, effective_date=effective_date, recorded_by=recorded_by)

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

    @event("SharesSubscribed")
    def _shares_subscribed(self, amount: Decimal, effective_date: date, recorded_by: str) -> None:
        self.shares_subscribed += amount

    @event("SharesIntegrated")
    def _shares_integrated(self, amount: Decimal, effective_date: date, recorded_by: str) -> None:
        self.shares_integrated += amount

    @event("MemberLeft")
    def _left(self, exit_date: date, cause: str, recorded_by: str) -> None:
        self.exit_date = exit_date
