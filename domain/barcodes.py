"""Digits printed on bills: collection barcodes, AFIP's RG 1702 barcode and the RG 4892 QR.

Check digits (domain-facts §1 and §6):

- "1 3 5 7 9" (Pago Fácil and most collection networks): weights 1,3,5,7,9,3,5,7,9,… from
  the left; DV = ⌊Σ digit×weight / 2⌋ mod 10; the DV is appended and the rule repeated for DV2.
- RG 1702 (AFIP): digits at odd positions (from the left, 1-based) ×3 plus digits at even
  positions; DV = (10 − sum mod 10) mod 10.

Collection barcode, default layout :data:`DEFAULT_LAYOUT` (52 digits, Interleaved 2 of 5 needs an
even count). Every field is numeric, right-aligned and zero-padded on the left::

    pos  width  field
    1    4      company code assigned by the collection network
    5    8      account number (the member number for a consolidated document)
    13   8      consolidated document number
    21   8      first due date, yyyymmdd
    29   10     first amount in cents (at most 99.999.999,99)
    39   2      days from the first to the second due date (00–99)
    41   10     second (surcharged) amount in cents
    51   1      DV1, "1 3 5 7 9" over positions 1–50
    52   1      DV2, "1 3 5 7 9" over positions 1–51

Other networks reorder or resize fields, write dates as julian ``yyddd`` (two-digit year,
day of the year; read back as 20yy) or the second due date instead of the days to it: build
a :class:`CollectionLayout` for them. :func:`parse_collection_barcode` is the inverse of
:func:`build_collection_barcode`; network payment imports use it to find the document paid.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from itertools import cycle, islice
from operator import mul

from domain.errors import InvalidInput
from domain.money import CENT, format_ar, from_cents

# --- errors --------------------------------------------------------------------------------


class NotDigits(InvalidInput):
    def __init__(self, what: str, value: str) -> None:
        super().__init__(f"{what}: {value!r} debe contener solo dígitos")
        self.value = value


class BarcodeFieldInvalid(InvalidInput):
    def __init__(self, field: str, value: object, reason: str) -> None:
        super().__init__(f"Código de barras, campo {field} ({value}): {reason}")
        self.field = field
        self.value = value


class BarcodeFieldOverflow(BarcodeFieldInvalid):
    """A value needs more digits than the layout gives its field (e.g. an amount too large)."""

    def __init__(self, field: str, value: object, width: int) -> None:
        super().__init__(field, value, f"no entra en {width} dígitos")
        self.width = width


class BarcodeLengthMismatch(InvalidInput):
    def __init__(self, layout: str, expected: int, got: int) -> None:
        super().__init__(f"Código de barras de {got} dígitos; el diseño {layout} tiene {expected}")


class CheckDigitMismatch(InvalidInput):
    def __init__(self, digits: str) -> None:
        super().__init__(f"Los dígitos verificadores del código {digits} no corresponden")
        self.digits = digits


class InvalidLayout(InvalidInput):
    pass


def require_digits(what: str, value: str) -> str:
    if not (value.isascii() and value.isdigit()):
        raise NotDigits(what, value)
    return value


# --- check digits --------------------------------------------------------------------------


_WEIGHTS_13579 = (1, *(3, 5, 7, 9) * 16)  # the first digit weighs 1, then 3 5 7 9 over and over


_ZERO_CODE = ord("0")


def check_digit_13579(digits: str) -> int:
    """One "1 3 5 7 9" check digit over ``digits``."""
    require_digits("dígitos", digits)
    return (_weighted_sum_13579(digits) // 2) % 10


def _weighted_sum_13579(digits: str) -> int:
    """Σ digit × weight over ``digits``, already known to be ASCII digits."""
    weights = _weights_13579(len(digits))
    # Over the ASCII codes, all in C: Σ (code − 48) × w = Σ code × w − 48 Σ w.
    codes = digits.encode("ascii")
    return sum(map(mul, codes, weights)) - _ZERO_CODE * sum(weights[: len(codes)])


def _weights_13579(count: int) -> tuple[int, ...]:
    if count <= len(_WEIGHTS_13579):
        return _WEIGHTS_13579
    return (1, *islice(cycle((3, 5, 7, 9)), count))


def append_check_digits_13579(digits: str, count: int = 2) -> str:
    """Append ``count`` check digits, each computed over everything before it.

    One weighted sum serves them all: the next digit's sum is this one's plus the digit
    just appended times its weight. A billing run computes these for every bill and a
    collection import checks every payment's barcode with them."""
    require_digits("dígitos", digits)
    total = _weighted_sum_13579(digits)
    weights = _weights_13579(len(digits) + count)
    appended = []
    for position in range(len(digits), len(digits) + count):
        check = (total // 2) % 10
        appended.append(check)
        total += check * weights[position]
    return digits + "".join(map(str, appended))


def rg1702_check_digit(digits: str) -> int:
    require_digits("dígitos", digits)
    odd = sum(int(d) for d in digits[0::2])
    even = sum(int(d) for d in digits[1::2])
    return (10 - (odd * 3 + even) % 10) % 10


def _fixed(what: str, value: int, width: int) -> str:
    text = str(value)
    if value < 0 or len(text) > width:
        raise BarcodeFieldOverflow(what, value, width)
    return text.zfill(width)


def afip_barcode(cuit: str, cbte_tipo: int, point_of_sale: int, cae: str, cae_due: date) -> str:
    """RG 1702 content: CUIT(11) + tipo(3) + PtoVta(5) + CAE(14) + CAE expiry(8) + DV = 42 digits."""
    body = (
        _fixed("CUIT", int(require_digits("CUIT", cuit)), 11)
        + _fixed("tipo", cbte_tipo, 3)
        + _fixed("punto de venta", point_of_sale, 5)
        + _fixed("CAE", int(require_digits("CAE", cae)), 14)
        + cae_due.strftime("%Y%m%d")
    )
    return body + str(rg1702_check_digit(body))


# --- AFIP QR (RG 4892) ---------------------------------------------------------------------

AFIP_QR_URL = "https://www.afip.gob.ar/fe/qr/?p="


class AuthorizationKind(StrEnum):
    CAE = "E"
    CAEA = "A"


@dataclass(frozen=True)
class AfipQr:
    """The data AFIP's QR carries for one authorised voucher."""

    issue_date: date
    cuit: str
    point_of_sale: int
    cbte_tipo: int
    number: int
    total: Decimal
    doc_tipo: int
    doc_nro: int
    authorization_code: str
    authorization_kind: AuthorizationKind = AuthorizationKind.CAE
    currency: str = "PES"
    exchange_rate: Decimal = Decimal(1)


def afip_qr_json(qr: AfipQr) -> str:
    """The JSON AFIP specifies, keys in its order; numbers are JSON numbers, amounts exact."""
    require_digits("CUIT", qr.cuit)
    require_digits("CAE", qr.authorization_code)
    if qr.total != qr.total.quantize(CENT) or qr.total < 0:
        raise BarcodeFieldInvalid("importe", qr.total, "debe ser positivo y con dos decimales")
    # json.dumps cannot write a Decimal as a number without a float: we write the text ourselves.
    pairs = (
        ("ver", "1"),
        ("fecha", f'"{qr.issue_date.isoformat()}"'),
        ("cuit", str(int(qr.cuit))),
        ("ptoVta", str(qr.point_of_sale)),
        ("tipoCmp", str(qr.cbte_tipo)),
        ("nroCmp", str(qr.number)),
        ("importe", format(qr.total.quantize(CENT), "f")),
        ("moneda", f'"{require_letters(qr.currency)}"'),
        ("ctz", format(qr.exchange_rate, "f")),
        ("tipoDocRec", str(qr.doc_tipo)),
        ("nroDocRec", str(qr.doc_nro)),
        ("tipoCodAut", f'"{qr.authorization_kind.value}"'),
        ("codAut", str(int(qr.authorization_code))),
    )
    return "{" + ",".join(f'"{key}":{value}' for key, value in pairs) + "}"


def require_letters(value: str) -> str:
    if not (value.isascii() and value.isalpha()):
        raise BarcodeFieldInvalid("moneda", value, "debe ser un código de letras (PES, DOL)")
    return value


def afip_qr_url(qr: AfipQr) -> str:
    """What the QR encodes: AFIP's URL + base64 of the JSON."""
    payload = base64.b64encode(afip_qr_json(qr).encode("ascii")).decode("ascii")
    return AFIP_QR_URL + payload


# --- collection barcode --------------------------------------------------------------------


class BarcodeField(StrEnum):
    COMPANY = "company_code"
    ACCOUNT = "account_number"
    DOCUMENT = "document_number"
    FIRST_DUE = "first_due"
    FIRST_AMOUNT = "first_amount"
    SECOND_DUE = "second_due"
    SECOND_AMOUNT = "second_amount"


class DateFormat(StrEnum):
    YYYYMMDD = "yyyymmdd"
    JULIAN = "yyddd"


class SecondDueAs(StrEnum):
    DAYS = "days"  # days after the first due date
    DATE = "date"  # a date in the layout's date format


@dataclass(frozen=True)
class LayoutField:
    field: BarcodeField
    width: int


@dataclass(frozen=True)
class CollectionLayout:
    """Order and width of the fields; two "1 3 5 7 9" check digits always close the code."""

    name: str
    fields: tuple[LayoutField, ...]
    date_format: DateFormat = DateFormat.YYYYMMDD
    second_due_as: SecondDueAs = SecondDueAs.DAYS

    def __post_init__(self) -> None:
        names = [f.field for f in self.fields]
        if sorted(names) != sorted(BarcodeField):
            raise InvalidLayout(f"Diseño {self.name}: cada campo debe figurar una vez ({names})")
        for spec in self.fields:
            expected = self._date_width(spec.field)
            if spec.width < 1 or (expected is not None and spec.width != expected):
                raise InvalidLayout(f"Diseño {self.name}: ancho {spec.width} inválido para {spec.field}")
        if self.length % 2:
            # Interleaved 2 of 5 encodes digit pairs: an odd code would gain a leading 0 when printed.
            raise InvalidLayout(f"Diseño {self.name}: {self.length} dígitos; Intercalado 2 de 5 exige par")

    def _date_width(self, field: BarcodeField) -> int | None:
        is_date = field is BarcodeField.FIRST_DUE or (
            field is BarcodeField.SECOND_DUE and self.second_due_as is SecondDueAs.DATE
        )
        return len(self.date_format.value) if is_date else None

    @cached_property
    def length(self) -> int:
        # cached: every imported payment's barcode is checked against it
        return sum(f.width for f in self.fields) + 2


DEFAULT_LAYOUT = CollectionLayout(
    name="asiento-52",
    fields=(
        LayoutField(BarcodeField.COMPANY, 4),
        LayoutField(BarcodeField.ACCOUNT, 8),
        LayoutField(BarcodeField.DOCUMENT, 8),
        LayoutField(BarcodeField.FIRST_DUE, 8),
        LayoutField(BarcodeField.FIRST_AMOUNT, 10),
        LayoutField(BarcodeField.SECOND_DUE, 2),
        LayoutField(BarcodeField.SECOND_AMOUNT, 10),
    ),
)


@dataclass(frozen=True)
class CollectionFields:
    """What a collection barcode says about one payable document."""

    company_code: int
    account_number: int
    document_number: int
    first_due: date
    first_amount: Decimal
    second_due: date
    second_amount: Decimal


def build_collection_barcode(layout: CollectionLayout, fields: CollectionFields) -> str:
    """The fixed-length digits to print (and encode as Interleaved 2 of 5)."""
    if fields.second_due < fields.first_due:
        raise BarcodeFieldInvalid("second_due", fields.second_due, "es anterior al primer vencimiento")
    body = "".join(_encode(layout, spec, fields) for spec in layout.fields)
    return append_check_digits_13579(body)


def _encode(layout: CollectionLayout, spec: LayoutField, fields: CollectionFields) -> str:
    name = spec.field
    if name in (BarcodeField.FIRST_AMOUNT, BarcodeField.SECOND_AMOUNT):
        return _encode_amount(name, getattr(fields, name.value), spec.width)
    if name is BarcodeField.FIRST_DUE:
        return _encode_date(fields.first_due, layout.date_format)
    if name is BarcodeField.SECOND_DUE:
        if layout.second_due_as is SecondDueAs.DATE:
            return _encode_date(fields.second_due, layout.date_format)
        return _fixed(name.value, (fields.second_due - fields.first_due).days, spec.width)
    return _fixed(name.value, getattr(fields, name.value), spec.width)


def _encode_amount(name: BarcodeField, amount: Decimal, width: int) -> str:
    if amount < 0 or amount != amount.quantize(CENT):
        raise BarcodeFieldInvalid(name.value, amount, "debe ser positivo y con dos decimales")
    cents = int(amount * 100)
    if len(str(cents)) > width:
        raise BarcodeFieldOverflow(name.value, f"$ {format_ar(amount)}", width)
    return str(cents).zfill(width)


def _encode_date(day: date, fmt: DateFormat) -> str:
    if fmt is DateFormat.JULIAN:
        return f"{day.year % 100:02d}{day.timetuple().tm_yday:03d}"
    return day.strftime("%Y%m%d")


def parse_collection_barcode(layout: CollectionLayout, digits: str) -> CollectionFields:
    """Read back a scanned or imported code; refuses wrong length or check digits."""
    require_digits("código de barras", digits)
    if len(digits) != layout.length:
        raise BarcodeLengthMismatch(layout.name, layout.length, len(digits))
    if append_check_digits_13579(digits[:-2]) != digits:
        raise CheckDigitMismatch(digits)
    raw: dict[BarcodeField, str] = {}
    position = 0
    for spec in layout.fields:
        raw[spec.field] = digits[position : position + spec.width]
        position += spec.width
    return _decode(layout, raw)


def _decode(layout: CollectionLayout, raw: dict[BarcodeField, str]) -> CollectionFields:
    first_due = _decode_date(BarcodeField.FIRST_DUE, raw[BarcodeField.FIRST_DUE], layout.date_format)
    second_raw = raw[BarcodeField.SECOND_DUE]
    if layout.second_due_as is SecondDueAs.DATE:
        second_due = _decode_date(BarcodeField.SECOND_DUE, second_raw, layout.date_format)
    else:
        second_due = first_due + timedelta(days=int(second_raw))
    return CollectionFields(
        company_code=int(raw[BarcodeField.COMPANY]),
        account_number=int(raw[BarcodeField.ACCOUNT]),
        document_number=int(raw[BarcodeField.DOCUMENT]),
        first_due=first_due,
        first_amount=from_cents(int(raw[BarcodeField.FIRST_AMOUNT])),
        second_due=second_due,
        second_amount=from_cents(int(raw[BarcodeField.SECOND_AMOUNT])),
    )


def _decode_date(field: BarcodeField, text: str, fmt: DateFormat) -> date:
    try:
        if fmt is DateFormat.JULIAN:
            year, day_of_year = 2000 + int(text[:2]), int(text[2:])
            day = date(year, 1, 1) + timedelta(days=day_of_year - 1)
            if day.year != year or day_of_year < 1:
                raise ValueError(text)
            return day
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError as exc:
        raise BarcodeFieldInvalid(field.value, text, "no es una fecha válida") from exc
