"""Read a debit file back: the bank's result (each debit accepted or rejected) or a request.

All or nothing: every bad line (type, order, width, CBU, CUIT, date, amount, reject code,
trailer totals) is listed in one :class:`DebitFileError`. Layout in ``debit_files``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from adapters.collection_codecs import amount_decoder, date_decoder, number_decoder
from adapters.collection_model import RowError
from adapters.debit_model import (
    ENCODING,
    MAX_LINES,
    RECORD_WIDTH,
    REJECT_CODE,
    DebitFileError,
    DebitOrder,
    DebitOutcome,
    DebitRequestFile,
    DebitResultFile,
    InvalidCbu,
    default_reject_codes,
    reject_reason,
    validate_cbu,
)
from domain.afip import validate_cuit
from domain.errors import InvalidInput
from domain.money import ZERO, format_ar

Decoder = Callable[[str], Any]
FieldSpec = tuple[str, str, int, int, Decoder]  # name, label (Spanish), start, end (0-based), decoder
RECORD_TYPES = ("H", "D", "T")


@dataclass
class _Parsed:
    header: dict[str, Any] | None = None
    outcomes: list[DebitOutcome] = field(default_factory=list)
    trailer_line: int = 0
    trailer: dict[str, Any] | None = None
    complete: bool = True  # every detail decoded: the totals can be checked
    count: int = 0
    total: Decimal = ZERO


def parse_debit_result(
    raw: bytes, *, codes: Mapping[str, str] | None = None, source: str = ""
) -> DebitResultFile:
    """The bank's answer: each debit accepted or rejected with its code and reason."""
    parsed = _parse(raw, _Decoders(codes if codes is not None else default_reject_codes(), True), source)
    assert parsed.header is not None
    return DebitResultFile(**parsed.header, outcomes=tuple(parsed.outcomes))


def parse_debit_request(raw: bytes, *, source: str = "") -> DebitRequestFile:
    """A request file read back (the bank side, tests)."""
    parsed = _parse(raw, _Decoders({}, False), source)
    assert parsed.header is not None
    return DebitRequestFile(**parsed.header, orders=tuple(o.order for o in parsed.outcomes))


class _Decoders:
    """Field decoders of one parse (their caches live as long as it)."""

    def __init__(self, codes: Mapping[str, str], result: bool) -> None:
        self.codes = codes
        date_, amount, number = date_decoder("yyyymmdd"), amount_decoder(2), number_decoder("un número")
        self.header: list[FieldSpec] = [
            ("company_cuit", "CUIT", 1, 12, validate_cuit),
            ("service_code", "prestación", 12, 22, str.strip),
            ("file_date", "fecha del archivo", 22, 30, date_),
            ("file_number", "número de archivo", 30, 36, number),
        ]
        self.detail: list[FieldSpec] = [
            ("cbu", "CBU", 1, 23, validate_cbu),
            ("account_number", "cuenta", 23, 38, str.strip),
            ("document_reference", "referencia", 38, 58, str.strip),
            ("due_date", "vencimiento", 58, 66, date_),
            ("amount", "importe", 66, 78, amount),
            ("reject_code", "código de rechazo", 78, 81, _result_code if result else _request_code),
        ]
        self.trailer: list[FieldSpec] = [
            ("count", "cantidad de débitos", 1, 9, number),
            ("total", "importe total", 9, 23, amount),
        ]


def _parse(raw: bytes, decoders: _Decoders, source: str) -> _Parsed:
    lines = raw.decode(ENCODING).split("\n")  # every byte is an ISO-8859-1 character
    while lines and lines[-1] in ("", "\r"):
        lines.pop()
    parsed, errors = _Parsed(), list[RowError]()
    if not lines or len(lines) > MAX_LINES:
        reason = "está vacío" if not lines else f"más de {MAX_LINES} registros: divida el archivo"
        raise DebitFileError([RowError(0, "archivo", reason)], source)
    for number, line in enumerate(lines, start=1):
        _parse_line(number, line.removesuffix("\r"), parsed, errors, decoders)
    _check_end(parsed, errors, len(lines))
    if errors:
        raise DebitFileError(errors, source)
    return parsed


def _parse_line(number: int, line: str, parsed: _Parsed, errors: list[RowError], dec: _Decoders) -> None:
    kind = line[:1]
    if kind not in RECORD_TYPES:
        errors.append(RowError(number, "tipo de registro", f"{kind!r} no es H, D ni T"))
        parsed.complete = False  # it may have been a debit: the totals cannot be checked
        return
    if parsed.trailer_line:
        errors.append(RowError(number, "tipo de registro", "hay registros después del cierre (T)"))
        return
    if (kind == "H") != (number == 1):
        reason = (
            "el archivo empieza con el encabezado (H)" if number == 1 else "encabezado (H) fuera de lugar"
        )
        errors.append(RowError(number, "tipo de registro", reason))
    if len(line) != RECORD_WIDTH:
        errors.append(
            RowError(number, "línea", f"mide {len(line)} caracteres y el registro mide {RECORD_WIDTH}")
        )
    if kind == "H":
        parsed.header = _fields(number, line, dec.header, errors)
    elif kind == "D":
        _detail(number, line, parsed, errors, dec)
    else:
        parsed.trailer_line = number
        parsed.trailer = _fields(number, line, dec.trailer, errors)


def _fields(number: int, line: str, specs: list[FieldSpec], errors: list[RowError]) -> dict[str, Any] | None:
    """The decoded fields, or None after adding every bad one (and a wrong width) to ``errors``."""
    if len(line) != RECORD_WIDTH:
        return None
    values: dict[str, Any] = {}
    for name, label, start, end, decode in specs:
        try:
            values[name] = decode(line[start:end])
        except InvalidCbu as exc:
            errors.append(RowError(number, label, exc.reason))
        except InvalidInput as exc:
            errors.append(RowError(number, label, exc.message))
        except ValueError as exc:
            errors.append(RowError(number, label, str(exc)))
    return values if len(values) == len(specs) else None


def _detail(number: int, line: str, parsed: _Parsed, errors: list[RowError], dec: _Decoders) -> None:
    parsed.count += 1
    values = _fields(number, line, dec.detail, errors)
    if values is None:
        parsed.complete = False
        return
    code = values.pop("reject_code")
    parsed.total += values["amount"]
    reason = reject_reason(code, dec.codes) if code else ""
    parsed.outcomes.append(DebitOutcome(number, DebitOrder(**values), code, reason))


def _result_code(text: str) -> str:
    code = text.strip()
    if code and not REJECT_CODE.fullmatch(code):
        raise ValueError(f"{code!r} no es un código de rechazo (tres letras o dígitos, p. ej. R10)")
    return code


def _request_code(text: str) -> str:
    if text.strip():
        raise ValueError(f"un pedido de débito no lleva código de rechazo ({text.strip()})")
    return ""


def _check_end(parsed: _Parsed, errors: list[RowError], last_line: int) -> None:
    if not parsed.trailer_line:
        errors.append(RowError(last_line, "tipo de registro", "falta el cierre (T) al final"))
        return
    trailer, line = parsed.trailer, parsed.trailer_line
    if trailer is None or not parsed.complete:
        return
    if trailer["count"] != parsed.count:
        reason = f"el cierre declara {trailer['count']} débitos y hay {parsed.count}"
        errors.append(RowError(line, "cantidad de débitos", reason))
    if trailer["total"] != parsed.total:
        declared, total = format_ar(trailer["total"]), format_ar(parsed.total)
        reason = f"el cierre declara $ {declared} y los débitos suman $ {total}"
        errors.append(RowError(line, "importe total", reason))
