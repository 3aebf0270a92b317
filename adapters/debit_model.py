"""Automatic debit: the CBU check digits, what a debit file says, and the reject-code catalog.

The file layout is documented in ``debit_files``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from operator import mul
from pathlib import Path
from types import MappingProxyType

from adapters.collection_layouts import DEFAULT_NETWORKS_PATH
from adapters.collection_model import CollectionFileError
from domain.errors import InvalidInput
from domain.money import ZERO

RECORD_WIDTH = 120
ENCODING = "iso-8859-1"
LINE_END = "\r\n"
MAX_LINES = 1_000_000
REJECT_CODE = re.compile(r"[A-Z0-9]{3}")

# CBU check digits. Block 1 = bank (3) + branch (4) + DV; block 2 = account (13) + DV.
# DV = (10 − Σ digit×weight mod 10) mod 10. Checked against public code: python-stdnum
# stdnum/ar/cbu.py (weights 3,1,7,9 repeated from the right, the same numbers read from the
# left), SIU-Toba toba_validaciones.php cbu_valido ("ponderador 9713" from the right) and
# claudioclfok/clf_web validador.js (these weights, from the left); test vectors from
# python-stdnum tests/test_ar_cbu.doctest.
CBU_BLOCK1_WEIGHTS = (7, 1, 3, 9, 7, 1, 3)
CBU_BLOCK2_WEIGHTS = (3, 9, 7, 1, 3, 9, 7, 1, 3, 9, 7, 1, 3)


class InvalidCbu(InvalidInput):
    def __init__(self, value: str, reason: str) -> None:
        super().__init__(f"CBU {value!r}: {reason}")
        self.value = value
        self.reason = reason


class DebitFileError(CollectionFileError):
    nothing_taken = "no se tomó ningún débito"


def cbu_check_digit(digits: str, weights: tuple[int, ...]) -> int:
    """(10 − Σ digit×weight mod 10) mod 10; ``digits`` as many as ``weights``."""
    if len(digits) != len(weights) or not (digits.isascii() and digits.isdigit()):
        raise InvalidCbu(digits, f"se esperaban {len(weights)} dígitos")
    total = sum(map(mul, map(int, digits), weights))
    return (10 - total % 10) % 10


def validate_cbu(value: str) -> str:
    """The 22 digits (spaces and dashes as people write them are dropped) or :class:`InvalidCbu`."""
    cbu = value.replace(" ", "").replace("-", "")
    if len(cbu) != 22 or not (cbu.isascii() and cbu.isdigit()):
        raise InvalidCbu(value, "debe tener 22 dígitos")
    if cbu_check_digit(cbu[:7], CBU_BLOCK1_WEIGHTS) != int(cbu[7]):
        raise InvalidCbu(value, "el dígito verificador del primer bloque (banco y sucursal) no corresponde")
    if cbu_check_digit(cbu[8:21], CBU_BLOCK2_WEIGHTS) != int(cbu[21]):
        raise InvalidCbu(value, "el dígito verificador del segundo bloque (cuenta) no corresponde")
    return cbu


# model --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DebitOrder:
    cbu: str
    account_number: str
    document_reference: str
    due_date: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class DebitRequestFile:
    company_cuit: str
    service_code: str
    file_date: date
    file_number: int
    orders: tuple[DebitOrder, ...]

    @property
    def total(self) -> Decimal:
        return sum((order.amount for order in self.orders), ZERO)


@dataclass(frozen=True, slots=True)
class DebitOutcome:
    line: int = field(compare=False)
    order: DebitOrder
    reject_code: str = ""  # "" when the bank debited it
    reject_reason: str = ""

    @property
    def accepted(self) -> bool:
        return not self.reject_code


@dataclass(frozen=True, slots=True)
class DebitResultFile:
    company_cuit: str
    service_code: str
    file_date: date
    file_number: int
    outcomes: tuple[DebitOutcome, ...]

    def accepted(self) -> list[DebitOutcome]:
        return [o for o in self.outcomes if o.accepted]

    def rejected(self) -> list[DebitOutcome]:
        return [o for o in self.outcomes if not o.accepted]

    @property
    def accepted_total(self) -> Decimal:
        return sum((o.order.amount for o in self.accepted()), ZERO)


@cache
def default_reject_codes() -> Mapping[str, str]:
    return MappingProxyType(load_reject_codes(DEFAULT_NETWORKS_PATH))


def load_reject_codes(path: Path) -> dict[str, str]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"{path}: no se puede leer: {exc}") from None
    codes = data.get("debit", {}).get("reject_codes", {})
    bad = [
        code for code, text in codes.items() if not REJECT_CODE.fullmatch(code) or not isinstance(text, str)
    ]
    if bad:
        raise InvalidInput(f"{path}: códigos de rechazo inválidos {bad}: tres letras o dígitos y un texto")
    return dict(codes)


def reject_reason(code: str, codes: Mapping[str, str] | None = None) -> str:
    catalog = default_reject_codes() if codes is None else codes
    return catalog.get(code, f"Código de rechazo {code} sin descripción en el catálogo")


def respond(
    request: DebitRequestFile,
    rejections: Mapping[str, str],
    *,
    file_date: date | None = None,
    codes: Mapping[str, str] | None = None,
) -> DebitResultFile:
    """What the bank answers (tests, simulations): ``rejections`` maps document reference → code."""
    outcomes = tuple(
        DebitOutcome(0, order, code, reject_reason(code, codes) if code else "")
        for order in request.orders
        for code in (rejections.get(order.document_reference, ""),)
    )
    return DebitResultFile(
        request.company_cuit,
        request.service_code,
        file_date or request.file_date,
        request.file_number,
        outcomes,
    )
