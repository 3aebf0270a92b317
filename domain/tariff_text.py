"""Spanish (es-AR) wording of bill lines: the member reads these on the bill.

Numbers use the dot for thousands and the comma for decimals. Quantities and
rates show only the decimals they have (up to a limit), so a block reads
"Energía 0 a 200 kWh: 200 kWh × $ 95,40", never "200,000000 kWh".
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from domain.money import format_ar
from domain.tariff_versions import VersionSpan
from domain.tariffs import BlockUse

_SWAP_SEPARATORS = str.maketrans(",.", ".,")


@lru_cache(maxsize=4096)  # rates and block bounds repeat on every bill of a run
def number_ar(value: Decimal, max_places: int, min_places: int = 0) -> str:
    """es-AR text with between ``min_places`` and ``max_places`` decimals (presentation only)."""
    quantized = value.quantize(Decimal(1).scaleb(-max_places))
    if min_places < max_places:  # drop trailing zeros down to min_places
        quantized = quantized.normalize()
        exponent = quantized.as_tuple().exponent
        if isinstance(exponent, int) and exponent > -min_places:
            quantized = quantized.quantize(Decimal(1).scaleb(-min_places))
    return f"{quantized:,f}".translate(_SWAP_SEPARATORS)


def money(amount: Decimal) -> str:
    return f"$ {format_ar(amount)}"


def rate(amount: Decimal) -> str:
    """A price per unit: two decimals at least, four at most."""
    return f"$ {number_ar(amount, 4, 2)}"


def units(quantity: Decimal, unit: str | None) -> str:
    return f"{number_ar(quantity, 2)} {unit or ''}".rstrip()


def percent(value: Decimal) -> str:
    return f"{number_ar(value, 4)}%"


def day(value: date) -> str:
    return f"{value:%d/%m/%Y}"


def block_range(use: BlockUse, unit: str | None) -> str:
    """"0 a 200 kWh", "más de 800 kWh"; empty for a single open block (one price for everything)."""
    if use.upper_units is None and not use.lower_units:
        return ""
    if use.upper_units is None:
        return f"más de {units(use.lower_units, unit)}"
    return f"{number_ar(use.lower_units, 2)} a {units(use.upper_units, unit)}"


def span_note(span: VersionSpan, period_days: int) -> str:
    """Said on every line of a prorated bill: which version and how many days of the period."""
    return f" (cuadro desde {day(span.table.valid_from)}: {span.days} de {period_days} días)"
