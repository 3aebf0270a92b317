"""What every ``asiento`` command group shares: parsing people's input, the store type."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from uuid import UUID

from api.bootstrap import Asiento
from domain.errors import InvalidInput

Opened = Callable[..., AbstractContextManager[Asiento]]


def parse_day(text: str | None, field: str) -> date:
    """A date given as AAAA-MM-DD; no text means today."""
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{field}: fecha inválida {text!r}, use AAAA-MM-DD") from None


def parse_decimal(text: str, field: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise InvalidInput(f"{field}: número inválido {text!r}") from None


def parse_uuid(text: str, what: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise InvalidInput(f"{what} {text!r} no es un identificador válido") from None


def parse_moment(text: str, field: str) -> datetime:
    """A moment as staff give it (local time unless an offset is written), in UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{field}: momento inválido {text!r}, use AAAA-MM-DDTHH:MM[:SS]") from None
    return moment.astimezone(UTC)


def parse_known_at(text: str) -> datetime | None:
    """The optional ``--as-known-at`` of every report: empty means the books as they are now."""
    return parse_moment(text, "--as-known-at") if text else None
