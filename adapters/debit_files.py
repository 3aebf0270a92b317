"""Automatic debit (débito automático) with a bank: the request file out, the bank's result in.

Both files share one layout (Asiento's own, after the usual bank layouts: the bank returns
the request with the reject code filled in). Fixed width, ISO-8859-1, CRLF, 120 characters
per record, positions from 1; N digits zero padded, A text left aligned space padded::

    rec  field                    from  width
    H    record type                 1      1  "H"
         company CUIT                2     11  N (check digit verified)
         service code (prestación)  13     10  A, assigned by the bank
         file date                  23      8  N AAAAMMDD
         file number                31      6  N, the cooperative's sequence
    D    record type                 1      1  "D"
         CBU                         2     22  N (both check digits verified)
         account number             24     15  A, the member's account at the cooperative
         document reference         39     20  A, the document the debit pays
         due date                   59      8  N AAAAMMDD, the day to debit
         amount                     67     12  N cents
         reject code                79      3  A, blank in the request; in the result blank
                                               means debited, else the bank's code (R10...)
    T    record type                 1      1  "T"
         debit count                 2      8  N, D records in the file
         amount                     10     14  N cents, sum of every D record

Reject codes and their Spanish descriptions are data (``[debit.reject_codes]`` in
``data/networks.toml``: the BCRA direct-debit codes, R02 cuenta cerrada, R03 cuenta
inexistente, R10 falta de fondos, ...); an unknown code is still a rejection. Parsing is all
or nothing, like the collection files: every bad line is listed in one :class:`DebitFileError`.
"""

from __future__ import annotations

from collections.abc import Callable

from adapters.collection_codecs import amount_encoder, date_encoder, number_encoder, text_encoder
from adapters.collection_model import RowError
from adapters.debit_model import (
    CBU_BLOCK1_WEIGHTS,
    CBU_BLOCK2_WEIGHTS,
    ENCODING,
    LINE_END,
    RECORD_WIDTH,
    REJECT_CODE,
    DebitFileError,
    DebitOrder,
    DebitOutcome,
    DebitRequestFile,
    DebitResultFile,
    InvalidCbu,
    cbu_check_digit,
    default_reject_codes,
    load_reject_codes,
    reject_reason,
    respond,
    validate_cbu,
)
from adapters.debit_parser import parse_debit_request, parse_debit_result
from domain.afip import validate_cuit
from domain.errors import InvalidInput
from domain.money import ZERO

__all__ = [
    "CBU_BLOCK1_WEIGHTS",
    "CBU_BLOCK2_WEIGHTS",
    "DebitFileError",
    "DebitOrder",
    "DebitOutcome",
    "DebitRequestFile",
    "DebitResultFile",
    "InvalidCbu",
    "cbu_check_digit",
    "default_reject_codes",
    "load_reject_codes",
    "parse_debit_request",
    "parse_debit_result",
    "reject_reason",
    "respond",
    "validate_cbu",
    "write_debit_request",
    "write_debit_result",
]


_DATE = date_encoder("yyyymmdd")
_AMOUNT_12 = amount_encoder(2, 12)
_AMOUNT_14 = amount_encoder(2, 14)
_TEXT_15 = text_encoder(15)
_TEXT_20 = text_encoder(20)
_TEXT_10 = text_encoder(10)
_NUMBER_6 = number_encoder(6)
_NUMBER_8 = number_encoder(8)


def write_debit_request(request: DebitRequestFile) -> bytes:
    """The file for the bank; refuses (listing every one) a bad CBU, CUIT or value."""
    return _write(request, [(order, "") for order in request.orders])


def write_debit_result(result: DebitResultFile) -> bytes:
    """The bank's answer (tests and simulations)."""
    return _write(result, [(o.order, o.reject_code) for o in result.outcomes])


def _write(head: DebitRequestFile | DebitResultFile, details: list[tuple[DebitOrder, str]]) -> bytes:
    errors: list[RowError] = []
    lines = [_line(1, _header_fields(head), errors)]
    for number, (order, code) in enumerate(details, start=2):
        lines.append(_line(number, _detail_fields(order, code), errors))
    if errors:
        raise DebitFileError(errors)
    total = sum((order.amount for order, _ in details), ZERO)
    trailer = [("cantidad", lambda: _NUMBER_8(len(details))), ("importe total", lambda: _AMOUNT_14(total))]
    lines.append(_line(len(details) + 2, [("tipo", lambda: "T"), *trailer], errors))
    if errors:
        raise DebitFileError(errors)
    return "".join(line.ljust(RECORD_WIDTH) + LINE_END for line in lines).encode(ENCODING)


Field = tuple[str, Callable[[], str]]  # Spanish label, what writes it


def _line(number: int, fields: list[Field], errors: list[RowError]) -> str:
    """The record, or "" after adding each field that cannot be written to ``errors``."""
    parts: list[str] = []
    failed = False
    for label, write in fields:
        try:
            parts.append(write())
        except InvalidCbu as exc:
            errors.append(RowError(number, label, exc.reason))
            failed = True
        except InvalidInput as exc:
            errors.append(RowError(number, label, exc.message))
            failed = True
        except ValueError as exc:
            errors.append(RowError(number, label, str(exc)))
            failed = True
    return "" if failed else "".join(parts)


def _header_fields(head: DebitRequestFile | DebitResultFile) -> list[Field]:
    return [
        ("tipo", lambda: "H"),
        ("CUIT", lambda: validate_cuit(head.company_cuit)),
        ("prestación", lambda: _TEXT_10(head.service_code)),
        ("fecha del archivo", lambda: _DATE(head.file_date)),
        ("número de archivo", lambda: _NUMBER_6(head.file_number)),
    ]


def _detail_fields(order: DebitOrder, code: str) -> list[Field]:
    return [
        ("tipo", lambda: "D"),
        ("CBU", lambda: validate_cbu(order.cbu)),
        ("cuenta", lambda: _TEXT_15(order.account_number)),
        ("referencia", lambda: _TEXT_20(order.document_reference)),
        ("vencimiento", lambda: _DATE(order.due_date)),
        ("importe", lambda: _AMOUNT_12(order.amount)),
        ("código de rechazo", lambda: _reject_code_text(code)),
    ]


def _reject_code_text(code: str) -> str:
    if code and not REJECT_CODE.fullmatch(code):
        raise ValueError(f"{code!r} no es un código de rechazo (tres letras o dígitos, p. ej. R10)")
    return code.ljust(3)
