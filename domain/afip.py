"""AFIP/ARCA document identity: VAT conditions, letters, voucher types, receiver documents.

Pure functions over AFIP's published codes (domain-facts §1 and §4). A billing run asks:

>>> invoice_letter(VatCondition.RI, VatCondition.CF)
<Letter.B: 'B'>
>>> cbte_tipo(Letter.B, DocumentKind.INVOICE)
6
>>> receiver_document(IdKind.DNI, "12.345.678")
ReceiverDocument(doc_tipo=<DocTipo.DNI: 96>, doc_nro=12345678)

CUIT/CUIL check digits are validated by ``stdnum.ar.cuit`` (not rewritten here); its
exceptions become :class:`InvalidCuit` with a Spanish reason that staff can act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

from stdnum import exceptions as stdnum_errors
from stdnum.ar import cuit as stdnum_cuit

from domain.errors import InvalidInput


class VatCondition(StrEnum):
    """Condición frente al IVA, with the short codes used across Asiento."""

    RI = "RI"  # IVA Responsable Inscripto
    MT = "MT"  # Responsable Monotributo
    MS = "MS"  # Monotributista Social
    EX = "EX"  # IVA Sujeto Exento
    CF = "CF"  # Consumidor Final
    NC = "NC"  # Sujeto No Categorizado

    @property
    def name_es(self) -> str:
        return _VAT_NAMES[self]

    @property
    def afip_id(self) -> int:
        """``CondicionIVAReceptorId`` for FECAESolicitar (always sent)."""
        return _VAT_AFIP_IDS[self]


_VAT_NAMES = {
    VatCondition.RI: "IVA Responsable Inscripto",
    VatCondition.MT: "Responsable Monotributo",
    VatCondition.MS: "Monotributista Social",
    VatCondition.EX: "IVA Sujeto Exento",
    VatCondition.CF: "Consumidor Final",
    VatCondition.NC: "Sujeto No Categorizado",
}
_VAT_AFIP_IDS = {
    VatCondition.RI: 1,
    VatCondition.EX: 4,
    VatCondition.CF: 5,
    VatCondition.MT: 6,
    VatCondition.NC: 7,
    VatCondition.MS: 13,
}


class Letter(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    E = "E"


class DocumentKind(StrEnum):
    INVOICE = "factura"
    DEBIT_NOTE = "nota_debito"
    CREDIT_NOTE = "nota_credito"


class DocTipo(IntEnum):
    """AFIP ``DocTipo`` of the receiver."""

    CUIT = 80
    CUIL = 86
    DNI = 96
    ANONYMOUS = 99  # consumidor final sin identificar: DocNro 0


class IdKind(StrEnum):
    """Which identity document a member gave us."""

    CUIT = "CUIT"
    CUIL = "CUIL"
    DNI = "DNI"
    NONE = "NONE"


class InvalidCuit(InvalidInput):
    def __init__(self, value: str, reason: str, kind: str = "CUIT") -> None:
        super().__init__(f"{kind} inválido {value!r}: {reason}")
        self.value = value


class InvalidDni(InvalidInput):
    def __init__(self, value: str, reason: str) -> None:
        super().__init__(f"DNI inválido {value!r}: {reason}")
        self.value = value


class LetterNotAllowed(InvalidInput):
    """The issuer/receiver pair or the configured type cannot produce this voucher."""


# --- letters and voucher types -------------------------------------------------------------

# Issuers outside the VAT regime (Monotributo, exempt) can only issue C.
_ISSUES_C = frozenset({VatCondition.MT, VatCondition.MS, VatCondition.EX})
# A Responsable Inscripto discriminates VAT (A) only to receivers that can compute it as credit.
_RECEIVES_A = frozenset({VatCondition.RI, VatCondition.MT, VatCondition.MS})


def invoice_letter(issuer: VatCondition, receiver: VatCondition, *, abroad: bool = False) -> Letter:
    """The letter ``issuer`` must use for ``receiver`` (domain-facts §4)."""
    if issuer in _ISSUES_C:
        return Letter.C
    if issuer is not VatCondition.RI:
        raise LetterNotAllowed(f"Un emisor {issuer.name_es} no emite comprobantes")
    if abroad:
        return Letter.E
    return Letter.A if receiver in _RECEIVES_A else Letter.B


_CBTE_TIPOS: dict[tuple[Letter, DocumentKind], int] = {
    (Letter.A, DocumentKind.INVOICE): 1,
    (Letter.A, DocumentKind.DEBIT_NOTE): 2,
    (Letter.A, DocumentKind.CREDIT_NOTE): 3,
    (Letter.B, DocumentKind.INVOICE): 6,
    (Letter.B, DocumentKind.DEBIT_NOTE): 7,
    (Letter.B, DocumentKind.CREDIT_NOTE): 8,
    (Letter.C, DocumentKind.INVOICE): 11,
    (Letter.C, DocumentKind.DEBIT_NOTE): 12,
    (Letter.C, DocumentKind.CREDIT_NOTE): 13,
    (Letter.E, DocumentKind.INVOICE): 19,
    (Letter.E, DocumentKind.DEBIT_NOTE): 20,
    (Letter.E, DocumentKind.CREDIT_NOTE): 21,
}
# RG 3571/2013: "Liquidación de Servicios Públicos" replaces the invoice (only A and B exist).
_PUBLIC_SERVICES_TIPOS = {Letter.A: 17, Letter.B: 18}

CBTE_TIPO_NAMES: dict[int, str] = {
    1: "Factura A", 2: "Nota de Débito A", 3: "Nota de Crédito A",
    6: "Factura B", 7: "Nota de Débito B", 8: "Nota de Crédito B",
    11: "Factura C", 12: "Nota de Débito C", 13: "Nota de Crédito C",
    17: "Liquidación de Servicios Públicos A", 18: "Liquidación de Servicios Públicos B",
    19: "Factura E", 20: "Nota de Débito E", 21: "Nota de Crédito E",
}


@dataclass(frozen=True)
class PointOfSaleTypes:
    """Per point of sale: whether invoices are issued as "Liquidación de Servicios Públicos"."""

    point_of_sale: int
    public_services_invoice: bool = False


def cbte_tipo(letter: Letter, kind: DocumentKind, config: PointOfSaleTypes | None = None) -> int:
    """AFIP ``CbteTipo`` for a voucher of ``kind`` and ``letter`` at a configured point of sale."""
    if config is not None and config.public_services_invoice and kind is DocumentKind.INVOICE:
        if letter not in _PUBLIC_SERVICES_TIPOS:
            raise LetterNotAllowed(
                f"No existe Liquidación de Servicios Públicos {letter}; "
                f"punto de venta {config.point_of_sale}"
            )
        return _PUBLIC_SERVICES_TIPOS[letter]
    return _CBTE_TIPOS[(letter, kind)]


def cbte_tipo_name(tipo: int) -> str:
    return CBTE_TIPO_NAMES.get(tipo, f"Comprobante tipo {tipo}")


# --- identity documents --------------------------------------------------------------------

_STDNUM_REASONS: tuple[tuple[type[Exception], str], ...] = (
    (stdnum_errors.InvalidLength, "debe tener 11 dígitos"),
    (stdnum_errors.InvalidFormat, "solo puede contener dígitos (y guiones)"),
    (stdnum_errors.InvalidComponent, "el prefijo no corresponde a un CUIT/CUIL"),
    (stdnum_errors.InvalidChecksum, "el dígito verificador no corresponde"),
)
# CUILs are only given to people.
_PERSON_PREFIXES = frozenset({"20", "23", "24", "27"})


def validate_cuit(value: str, *, kind: str = "CUIT") -> str:
    """The compact 11-digit CUIT, or :class:`InvalidCuit` saying why."""
    try:
        return str(stdnum_cuit.validate(value))
    except stdnum_errors.ValidationError as exc:
        reason = next((text for cls, text in _STDNUM_REASONS if isinstance(exc, cls)), "formato inválido")
        raise InvalidCuit(value, reason, kind) from exc


def validate_cuil(value: str) -> str:
    number = validate_cuit(value, kind="CUIL")
    if number[:2] not in _PERSON_PREFIXES:
        raise InvalidCuit(value, "el prefijo no corresponde a una persona", "CUIL")
    return number


def format_cuit(value: str) -> str:
    """Presentation form: 20-26756539-3."""
    return str(stdnum_cuit.format(validate_cuit(value)))


def validate_dni(value: str) -> str:
    """A DNI has 7 or 8 digits; dots and spaces as people write them are accepted."""
    digits = value.replace(".", "").replace(" ", "").strip()
    if not digits.isdigit() or not digits.isascii():
        raise InvalidDni(value, "solo puede contener dígitos")
    if not 7 <= len(digits) <= 8:
        raise InvalidDni(value, "debe tener 7 u 8 dígitos")
    return digits


@dataclass(frozen=True)
class ReceiverDocument:
    """``DocTipo`` and ``DocNro`` as sent to AFIP and printed in the QR."""

    doc_tipo: DocTipo
    doc_nro: int


def receiver_document(kind: IdKind, number: str = "") -> ReceiverDocument:
    """Validate the member's document and map it to AFIP's DocTipo/DocNro."""
    if kind is IdKind.CUIT:
        return ReceiverDocument(DocTipo.CUIT, int(validate_cuit(number)))
    if kind is IdKind.CUIL:
        return ReceiverDocument(DocTipo.CUIL, int(validate_cuil(number)))
    if kind is IdKind.DNI:
        return ReceiverDocument(DocTipo.DNI, int(validate_dni(number)))
    return ReceiverDocument(DocTipo.ANONYMOUS, 0)


def require_document_for_letter(letter: Letter, document: ReceiverDocument) -> None:
    """AFIP rejects an A voucher whose receiver is not identified by CUIT."""
    if letter is Letter.A and document.doc_tipo is not DocTipo.CUIT:
        raise LetterNotAllowed("Un comprobante A requiere que el receptor se identifique con CUIT")
