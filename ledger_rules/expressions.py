"""The compiled pieces of a posting: where-conditions, amounts and account references.

Everything here is built once at load time and then only read: evaluation does
dictionary look-ups and set membership, never parsing. A failure while
evaluating one event raises :class:`Failure` with a Spanish cause; the evaluator
wraps it into a :class:`~ledger_rules.model.PostingError` naming the event and rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# Separator of the parts of a composite lookup key: "electricity/industrial".
KEY_SEPARATOR = "/"
DEFAULT_ENTRY = "default"


class Failure(Exception):
    """One event could not be evaluated; ``cause`` is for the accountant."""

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


def number(value: object, what: str) -> Decimal:
    """An event's numeric value as Decimal; floats and text are refused, never converted."""
    if value.__class__ is Decimal:
        return value
    if value.__class__ is int:
        return Decimal(value)
    raise Failure(f"{what} no es un número (vale {value!r})")


def as_text(value: object) -> str:
    return value if value.__class__ is str else str(value)


@dataclass(frozen=True)
class Condition:
    """``field = value`` or ``field = [v1, v2]`` on a line; values compare by kind.

    Numbers compare as Decimal (``21`` matches a rate stored as ``21.00``), text as
    text, booleans as booleans. A numeric text such as ``"21"`` matches both the
    number 21 and the text "21", so accountants need not know how a field is stored.
    """

    field: str
    strings: frozenset[str]
    numbers: frozenset[Decimal]
    flags: frozenset[bool]

    def matches(self, line: Mapping[str, Any]) -> bool:
        value = line.get(self.field)
        kind = value.__class__
        if kind is str:
            return value in self.strings
        if kind is bool:
            return value in self.flags
        if value is None:
            return False
        # Decimal and int hash equal when numerically equal; other types never match.
        return value in self.numbers

    def text(self) -> str:
        shown = sorted(self.strings | {str(f).lower() for f in self.flags})
        if len(shown) == 1:
            return f"{self.field} = {shown[0]}"
        return f"{self.field} en ({', '.join(shown)})"


@dataclass(frozen=True)
class FieldAmount:
    """``amount = "total"``: one numeric field of the event."""

    field: str

    @property
    def key(self) -> tuple[object, ...]:
        return ("field", self.field)

    def text(self) -> str:
        return self.field


@dataclass(frozen=True)
class LineSum:
    """``amount = { sum = "lines", field = "amount", where = {...} }``."""

    list_name: str
    field: str
    where: tuple[Condition, ...]

    @property
    def key(self) -> tuple[object, ...]:
        """Equal keys mean the same lines summed: used to prove a rule can balance."""
        return ("sum", self.list_name, self.field, frozenset(self.where))

    def text(self) -> str:
        base = f"suma de {self.list_name}.{self.field}"
        if not self.where:
            return base
        return f"{base} donde {' y '.join(c.text() for c in self.where)}"


Amount = FieldAmount | LineSum


@dataclass(frozen=True)
class FixedAccount:
    code: str

    def resolve(self, data: Mapping[str, Any]) -> str:
        return self.code

    def codes(self) -> frozenset[str]:
        return frozenset({self.code})

    def text(self) -> str:
        return self.code


@dataclass(frozen=True)
class LookupAccount:
    """``{ lookup = "table", key = ["service", "category"] }``.

    Tries the full key ("electricity/industrial"), then ever shorter prefixes
    ("electricity"), then the table's ``default`` entry.
    """

    table: str
    key: tuple[str, ...]
    entries: Mapping[str, str]  # as written: "electricity/industrial" -> code
    default: str | None
    # The same entries keyed by tuples of parts, so evaluation never joins text.
    by_parts: Mapping[tuple[str, ...], str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts = {tuple(key.split(KEY_SEPARATOR)): code for key, code in self.entries.items()}
        object.__setattr__(self, "by_parts", parts)

    def resolve(self, data: Mapping[str, Any]) -> str:
        key = self.key
        try:
            if len(key) == 1:  # the common case
                code = self.entries.get(as_text(data[key[0]]))
                return code if code is not None else self._fallback(data)
            if len(key) == 2:
                values: tuple[str, ...] = (as_text(data[key[0]]), as_text(data[key[1]]))
            else:
                values = tuple([as_text(data[name]) for name in key])
        except KeyError as exc:
            raise Failure(f"falta el campo {exc.args[0]!r} para buscar en '{self.table}'") from None
        by_parts = self.by_parts
        for size in range(len(values), 0, -1):
            code = by_parts.get(values[:size])
            if code is not None:
                return code
        return self._fallback(data)

    def _fallback(self, data: Mapping[str, Any]) -> str:
        if self.default is not None:
            return self.default
        values = KEY_SEPARATOR.join(as_text(data[name]) for name in self.key)
        raise Failure(
            f"la tabla '{self.table}' no tiene entrada para "
            f"{KEY_SEPARATOR.join(self.key)} = '{values}' ni una entrada '{DEFAULT_ENTRY}'"
        )

    def codes(self) -> frozenset[str]:
        extra = {self.default} if self.default is not None else set()
        return frozenset(self.entries.values()) | extra

    def text(self) -> str:
        return f"tabla {self.table} según {KEY_SEPARATOR.join(self.key)}"


AccountRef = FixedAccount | LookupAccount
