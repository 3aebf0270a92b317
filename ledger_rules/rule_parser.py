"""Reading and checking one ``[[rule]]`` table: everything an accountant can get wrong.

Each check raises :class:`~ledger_rules.model.RuleError` naming the file, the
rule and the cause, so that a rule set never loads half-valid.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.chart import Side
from domain.events import EventSchema
from ledger_rules.balance_check import why_it_cannot_balance
from ledger_rules.expressions import (
    AccountRef,
    Amount,
    Condition,
    FieldAmount,
    FixedAccount,
    LineSum,
    LookupAccount,
)
from ledger_rules.model import RuleError
from ledger_rules.toml_source import Source

DIMENSIONS = frozenset({"member", "supply", "service", "cost_center", "category", "zone"})
_RULE_KEYS = frozenset({"name", "event", "description", "dimensions", "posting"})
_POSTING_KEYS = frozenset({"side", "account", "amount", "dimensions"})
_SUM_KEYS = frozenset({"sum", "field", "where"})
_LOOKUP_KEYS = frozenset({"lookup", "key"})
_FORMATTER = string.Formatter()


@dataclass(frozen=True)
class LookupTable:
    name: str
    entries: Mapping[str, str]  # key text -> account code, without the default
    default: str | None
    max_parts: int  # parts of the longest key: a lookup must search by at least as many fields


@dataclass(frozen=True)
class ParsedPosting:
    side: Side
    account: AccountRef
    amount: Amount
    dimensions: tuple[tuple[str, str], ...]  # (dimension, event field), sorted


@dataclass(frozen=True)
class ParsedRule:
    name: str
    event: str
    description: str
    postings: tuple[ParsedPosting, ...]


class RuleReader:
    """Reads the rules of one file against the event schemas, accounts and lookup tables."""

    def __init__(
        self,
        source: Source,
        schemas: Mapping[str, EventSchema],
        accounts: frozenset[str],
        tables: Mapping[str, LookupTable],
    ) -> None:
        self.source = source
        self.schemas = schemas
        self.accounts = accounts
        self.tables = tables
        self.used_tables: set[str] = set()
        self.rule = ""
        self.schema: EventSchema | None = None

    def fail(self, cause: str) -> RuleError:
        return self.source.error(self.rule, cause)

    def read(self, raw: Mapping[str, Any], index: int) -> ParsedRule:
        self.rule = f"#{index + 1}"  # until the name is known
        self.rule = self.source.text(raw, "name", self.rule, f"regla {index + 1}")
        self.source.check_keys(raw, _RULE_KEYS, self.rule, "la regla")
        self.schema = self._event(raw.get("event"))
        description = self._description(raw.get("description"))
        shared = self._dimensions(raw.get("dimensions", {}), "la regla")
        postings = self.source.table_list(raw.get("posting", []), self.rule, "posting")
        parsed = tuple(self._posting(p, i, shared) for i, p in enumerate(postings))
        cause = why_it_cannot_balance(parsed)
        if cause is not None:
            raise self.fail(cause)
        return ParsedRule(self.rule, self.schema.name, description, parsed)

    # -- event, description, dimensions -----------------------------------
    def _event(self, name: object) -> EventSchema:
        if not isinstance(name, str) or name not in self.schemas:
            known = ", ".join(sorted(self.schemas))
            raise self.fail(f"tipo de evento desconocido {name!r}; conocidos: {known}")
        return self.schemas[name]

    def _field(self, name: object, where: str) -> str:
        """An event field that holds one value (not a line list)."""
        assert self.schema is not None
        if not isinstance(name, str) or name not in self.schema.fields:
            fields = ", ".join(sorted(self.schema.fields - set(self.schema.line_lists)))
            raise self.fail(f"{where}: campo desconocido {name!r} de {self.schema.name}; hay: {fields}")
        if name in self.schema.line_lists:
            raise self.fail(f"{where}: '{name}' es una lista de líneas; súmela con {{ sum = '{name}' }}")
        return name

    def _description(self, template: object) -> str:
        if not isinstance(template, str) or not template.strip():
            raise self.fail("falta 'description', la plantilla de la descripción del asiento")
        try:
            parts = list(_FORMATTER.parse(template))
        except ValueError as exc:
            raise self.fail(f"plantilla de descripción inválida: {exc}") from None
        for _, name, spec, conversion in parts:
            if name is None:
                continue
            if not name.isidentifier():
                raise self.fail(f"description: use {{campo}} con el nombre de un campo, no {{{name}}}")
            self._field(name, "description")
            if "{" in (spec or "") or conversion not in (None, "s", "r"):
                raise self.fail(f"description: formato no admitido en {{{name}}}")
        return template

    def _dimensions(self, raw: object, where: str) -> dict[str, str]:
        table = self.source.table(raw, self.rule, f"{where}: dimensions")
        unknown = sorted(set(table) - DIMENSIONS)
        if unknown:
            raise self.fail(
                f"{where}: dimensión desconocida {', '.join(unknown)}; "
                f"válidas: {', '.join(sorted(DIMENSIONS))}"
            )
        return {name: self._field(field, f"dimensión {name}") for name, field in table.items()}

    # -- postings ----------------------------------------------------------
    def _posting(self, raw: Mapping[str, Any], index: int, shared: dict[str, str]) -> ParsedPosting:
        where = f"posting {index + 1}"
        self.source.check_keys(raw, _POSTING_KEYS, self.rule, where)
        side = raw.get("side")
        if side not in ("debit", "credit"):
            raise self.fail(f"{where}: side inválido {side!r}: use debit (debe) o credit (haber)")
        account = self._account(raw.get("account"), where)
        amount = self._amount(raw.get("amount"), where)
        dimensions = shared | self._dimensions(raw.get("dimensions", {}), where)
        return ParsedPosting(Side(side), account, amount, tuple(sorted(dimensions.items())))

    def _account(self, raw: object, where: str) -> AccountRef:
        if raw is None:
            raise self.fail(f"{where}: falta 'account' (un código de cuenta o una tabla de búsqueda)")
        if isinstance(raw, str):
            self._known_account(raw, where)
            return FixedAccount(raw)
        ref = self.source.table(raw, self.rule, f"{where}: account")
        self.source.check_keys(ref, _LOOKUP_KEYS, self.rule, f"{where}: account")
        name = ref.get("lookup")
        table = self.tables.get(name) if isinstance(name, str) else None
        if table is None:
            known = ", ".join(sorted(self.tables)) or "ninguna"
            raise self.fail(f"{where}: la tabla de búsqueda {name!r} no existe; tablas: {known}")
        key = ref.get("key")
        fields = [key] if isinstance(key, str) else key
        if not isinstance(fields, list) or not fields:
            raise self.fail(f"{where}: 'key' debe ser un campo o una lista de campos del evento")
        fields = [self._field(f, f"{where}: key") for f in fields]
        if table.max_parts > len(fields):
            raise self.fail(
                f"{where}: la tabla '{table.name}' tiene claves de {table.max_parts} partes "
                f"pero se busca por {len(fields)} campo(s)"
            )
        codes = set(table.entries.values())
        if table.default is not None:
            codes.add(table.default)
        for code in sorted(codes):
            self._known_account(code, f"{where}: tabla '{table.name}'")
        self.used_tables.add(table.name)
        return LookupAccount(table.name, tuple(fields), table.entries, table.default)

    def _known_account(self, code: str, where: str) -> None:
        if code not in self.accounts:
            raise self.fail(
                f"{where}: la cuenta {code!r} no está en el plan de cuentas como cuenta imputable"
            )

    # -- amounts -------------------------------------------------------------
    def _amount(self, raw: object, where: str) -> Amount:
        if raw is None:
            raise self.fail(f"{where}: falta 'amount' (un campo del evento o una suma de líneas)")
        if isinstance(raw, str):
            return FieldAmount(self._field(raw, f"{where}: amount"))
        table = self.source.table(raw, self.rule, f"{where}: amount")
        self.source.check_keys(table, _SUM_KEYS, self.rule, f"{where}: amount")
        assert self.schema is not None
        list_name = table.get("sum")
        if not isinstance(list_name, str) or list_name not in self.schema.line_lists:
            lists = ", ".join(sorted(self.schema.line_lists)) or "ninguna"
            raise self.fail(f"{where}: lista de líneas desconocida {list_name!r}; hay: {lists}")
        line_fields = self.schema.line_lists[list_name]
        field = table.get("field", "amount")
        if not isinstance(field, str) or field not in line_fields:
            raise self.fail(f"{where}: campo de línea desconocido {field!r} en {list_name}")
        where_table = self.source.table(table.get("where", {}), self.rule, f"{where}: where")
        conditions = []
        for name, values in sorted(where_table.items()):
            if name not in line_fields:
                known = ", ".join(sorted(line_fields))
                raise self.fail(f"{where}: where: campo de línea desconocido {name!r}; hay: {known}")
            conditions.append(self._condition(name, values, where))
        return LineSum(list_name, field, tuple(conditions))

    def _condition(self, field: str, raw: object, where: str) -> Condition:
        values = raw if isinstance(raw, list) else [raw]
        if not values:
            raise self.fail(f"{where}: where {field} = []: ninguna línea coincidiría")
        strings: set[str] = set()
        numbers: set[Decimal] = set()
        flags: set[bool] = set()
        for value in values:
            if isinstance(value, bool):
                flags.add(value)
            elif isinstance(value, int | str):
                strings.add(str(value))
                numeric = _decimal(str(value))
                if numeric is not None:
                    numbers.add(numeric)
            else:
                raise self.fail(
                    f'{where}: where {field} = {value!r}: use texto ("10.5"), entero o true/false'
                )
        return Condition(field, frozenset(strings), frozenset(numbers), frozenset(flags))


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None
