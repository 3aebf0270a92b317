"""Fixed-width field text to values and back, shared by collection and debit files.

Decoders raise ``ValueError`` with the reason in Spanish (the parser turns it into a
row error); encoders raise ``ValueError`` when a value does not fit. Dates and times
repeat a lot in a file, so each decoder keeps a cache for the life of one parse.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from decimal import Decimal

from domain.money import CENT, format_ar

MIDNIGHT = time(0, 0)

# format -> (year slice, month slice, day slice, century added to the year)
_DATE_PARTS: dict[str, tuple[slice, slice, slice, int]] = {
    "yyyymmdd": (slice(0, 4), slice(4, 6), slice(6, 8), 0),
    "ddmmyyyy": (slice(4, 8), slice(2, 4), slice(0, 2), 0),
    "yymmdd": (slice(0, 2), slice(2, 4), slice(4, 6), 2000),
}


def is_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _not_digits(what: str, text: str) -> ValueError:
    shown = text.strip()
    if not shown:
        return ValueError(f"falta {what} (está en blanco)")
    return ValueError(f"{shown!r} no es {what}: se esperan solo dígitos")


def date_decoder(fmt: str) -> Callable[[str], date]:
    years, months, days, century = _DATE_PARTS[fmt]
    cache: dict[str, date] = {}

    def decode(text: str) -> date:
        found = cache.get(text)
        if found is not None:
            return found
        if not is_digits(text):
            raise _not_digits(f"una fecha ({fmt})", text)
        try:
            day = date(int(text[years]) + century, int(text[months]), int(text[days]))
        except ValueError:
            raise ValueError(f"{text} no es una fecha válida ({fmt})") from None
        cache[text] = day
        return day

    return decode


def date_encoder(fmt: str) -> Callable[[date], str]:
    cache: dict[date, str] = {}

    def encode(day: date) -> str:
        text = cache.get(day)
        if text is None:
            text = _format_date(day, fmt)
            cache[day] = text
        return text

    return encode


def _format_date(day: date, fmt: str) -> str:
    if fmt == "yyyymmdd":
        return f"{day.year:04d}{day.month:02d}{day.day:02d}"
    if fmt == "ddmmyyyy":
        return f"{day.day:02d}{day.month:02d}{day.year:04d}"
    if not 2000 <= day.year <= 2099:
        raise ValueError(f"{day} no se puede escribir con año de dos dígitos")
    return f"{day.year % 100:02d}{day.month:02d}{day.day:02d}"


def time_decoder(fmt: str) -> Callable[[str], time]:
    cache: dict[str, time] = {}
    seconds = fmt == "hhmmss"

    def decode(text: str) -> time:
        found = cache.get(text)
        if found is not None:
            return found
        if not is_digits(text):
            raise _not_digits(f"una hora ({fmt})", text)
        try:
            moment = time(int(text[0:2]), int(text[2:4]), int(text[4:6]) if seconds else 0)
        except ValueError:
            raise ValueError(f"{text} no es una hora válida ({fmt})") from None
        cache[text] = moment
        return moment

    return decode


def time_encoder(fmt: str) -> Callable[[time], str]:
    if fmt == "hhmmss":
        return lambda moment: f"{moment.hour:02d}{moment.minute:02d}{moment.second:02d}"

    def encode(moment: time) -> str:
        if moment.second or moment.microsecond:
            raise ValueError(f"{moment} tiene segundos y el formato es {fmt}")
        return f"{moment.hour:02d}{moment.minute:02d}"

    return encode


def amount_decoder(decimals: int) -> Callable[[str], Decimal]:
    """Digits with ``decimals`` implied decimals to a Decimal in cents."""

    def decode(text: str) -> Decimal:
        if not is_digits(text):
            raise _not_digits("un importe", text)
        if decimals == 2:
            return Decimal(text).scaleb(-2)
        amount = Decimal(text).scaleb(-decimals)
        cents = amount.quantize(CENT)
        if cents != amount:
            raise ValueError(f"{text} tiene fracciones de centavo")
        return cents

    return decode


def amount_encoder(decimals: int, width: int) -> Callable[[Decimal], str]:
    def encode(amount: Decimal) -> str:
        units = amount.scaleb(decimals)
        if amount < 0 or units != units.to_integral_value():
            raise ValueError(f"$ {amount} debe ser positivo y tener a lo sumo {decimals} decimales")
        text = str(int(units))
        if len(text) > width:
            raise ValueError(f"$ {format_ar(amount)} no entra en {width} dígitos")
        return text.zfill(width)

    return encode


def number_decoder(what: str) -> Callable[[str], int]:
    def decode(text: str) -> int:
        if not is_digits(text):
            raise _not_digits(what, text)
        return int(text)

    return decode


def number_encoder(width: int) -> Callable[[int], str]:
    def encode(number: int) -> str:
        text = str(number)
        if number < 0 or len(text) > width:
            raise ValueError(f"{number} no entra en {width} dígitos")
        return text.zfill(width)

    return encode


decode_text: Callable[[str], str] = str.strip


def text_encoder(width: int, *, cut: bool = False) -> Callable[[str], str]:
    """Left aligned, space padded; a key that does not fit is an error, a name is cut."""

    def encode(text: str) -> str:
        if not text.isprintable():
            raise ValueError(f"{text!r} tiene caracteres de control")
        if len(text) > width:
            if not cut:
                raise ValueError(f"{text!r} no entra en {width} posiciones")
            text = text[:width]
        return text.ljust(width)

    return encode
