"""Loading rule files: the ``[ruleset]`` header, lookup tables, rules, and the checks across files.

A rule book is every ``*.toml`` file of a directory (or one file). Across files:
rule set names and rule names are unique (the rule name is kept on every
journal line, so it must say which version of a rule produced it), and two rule
sets with rules for the same event type never overlap in validity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from pathlib import Path

from domain.events import EventSchema
from ledger_rules.compiler import compile_rule
from ledger_rules.evaluator import CompiledRule
from ledger_rules.expressions import DEFAULT_ENTRY, KEY_SEPARATOR
from ledger_rules.model import RuleError
from ledger_rules.rule_parser import LookupTable, ParsedRule, RuleReader
from ledger_rules.toml_source import Source, read_toml

DEFAULT_RULES_PATH = Path(__file__).parent / "data" / "rules"
MAX_RULE_FILES = 500

_FILE_KEYS = frozenset({"ruleset", "rule", "lookup"})
_RULESET_KEYS = frozenset({"name", "valid_from", "valid_to", "description"})


@dataclass(frozen=True)
class RuleSet:
    name: str
    file: str
    valid_from: date
    valid_to: date | None  # inclusive; None: open-ended
    rules: tuple[ParsedRule, ...]
    compiled: tuple[CompiledRule, ...]

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def rule_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(path.glob("*.toml"))
        if not files:
            raise RuleError(str(path), None, "la carpeta no tiene archivos de reglas *.toml")
        if len(files) > MAX_RULE_FILES:
            raise RuleError(str(path), None, f"más de {MAX_RULE_FILES} archivos de reglas")
        return files
    if not path.is_file():
        raise RuleError(str(path), None, "no existe el archivo o la carpeta de reglas")
    return [path]


def load_rule_sets(path: Path, schemas: Mapping[str, EventSchema], accounts: frozenset[str]) -> list[RuleSet]:
    rule_sets = [read_rule_file(f, schemas, accounts) for f in rule_files(path)]
    _check_unique_names(rule_sets)
    _check_no_overlap(rule_sets)
    return rule_sets


def read_rule_file(path: Path, schemas: Mapping[str, EventSchema], accounts: frozenset[str]) -> RuleSet:
    source = Source(path)
    document = read_toml(path)
    source.check_keys(document, _FILE_KEYS, None, "el archivo")
    name, valid_from, valid_to = _header(source, document.get("ruleset"))
    tables = _lookup_tables(source, document.get("lookup", {}))
    reader = RuleReader(source, schemas, accounts, tables)
    raw_rules = source.table_list(document.get("rule", []), None, "rule")
    if not raw_rules:
        raise source.error(None, f"el conjunto '{name}' no tiene reglas ([[rule]])")
    rules = tuple(reader.read(raw, i) for i, raw in enumerate(raw_rules))
    _check_unused_tables(source, tables, reader, accounts)
    compiled = tuple(compile_rule(rule) for rule in rules)
    return RuleSet(name, source.name, valid_from, valid_to, rules, compiled)


def _header(source: Source, raw: object) -> tuple[str, date, date | None]:
    if raw is None:
        raise source.error(None, "falta la tabla [ruleset] con name y valid_from")
    header = source.table(raw, None, "[ruleset]")
    source.check_keys(header, _RULESET_KEYS, None, "[ruleset]")
    name = source.text(header, "name", None, "[ruleset]")
    valid_from = _date(source, header.get("valid_from"), "valid_from")
    if valid_from is None:
        raise source.error(None, "[ruleset]: falta valid_from (fecha desde la que rige)")
    valid_to = _date(source, header.get("valid_to"), "valid_to")
    if valid_to is not None and valid_to < valid_from:
        raise source.error(None, f"[ruleset]: valid_to {valid_to} es anterior a valid_from {valid_from}")
    return name, valid_from, valid_to


def _date(source: Source, value: object, key: str) -> date | None:
    if value is None or type(value) is date:  # a TOML date; a datetime is refused
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise source.error(None, f"[ruleset]: {key} debe ser una fecha AAAA-MM-DD, no {value!r}")


def _lookup_tables(source: Source, raw: object) -> dict[str, LookupTable]:
    tables: dict[str, LookupTable] = {}
    for name, entries in source.table(raw, None, "[lookup]").items():
        table = source.table(entries, None, f"tabla de búsqueda '{name}'")
        codes: dict[str, str] = {}
        for key, code in table.items():
            if not isinstance(code, str):
                raise source.error(
                    None,
                    f"tabla de búsqueda '{name}', clave '{key}': la cuenta debe ser un código entre comillas",
                )
            codes[key] = code
        default = codes.pop(DEFAULT_ENTRY, None)
        if not codes and default is None:
            raise source.error(None, f"la tabla de búsqueda '{name}' está vacía")
        parts = max((len(key.split(KEY_SEPARATOR)) for key in codes), default=1)
        tables[name] = LookupTable(name, codes, default, parts)
    return tables


def _check_unused_tables(
    source: Source, tables: Mapping[str, LookupTable], reader: RuleReader, accounts: frozenset[str]
) -> None:
    """Tables no rule uses yet still name real accounts: they are about to be used."""
    for table in tables.values():
        if table.name in reader.used_tables:
            continue
        for key, code in [*table.entries.items(), (DEFAULT_ENTRY, table.default)]:
            if code is not None and code not in accounts:
                raise source.error(
                    None,
                    f"tabla de búsqueda '{table.name}', clave '{key}': la cuenta {code!r} "
                    "no está en el plan de cuentas como cuenta imputable",
                )


def _check_unique_names(rule_sets: Sequence[RuleSet]) -> None:
    set_files: dict[str, str] = {}
    rule_homes: dict[str, RuleSet] = {}
    for rule_set in rule_sets:
        if rule_set.name in set_files:
            raise RuleError(
                rule_set.file,
                None,
                f"conjunto de reglas '{rule_set.name}' repetido (ya está en {set_files[rule_set.name]})",
            )
        set_files[rule_set.name] = rule_set.file
        for rule in rule_set.rules:
            home = rule_homes.get(rule.name)
            if home is rule_set:
                raise RuleError(rule_set.file, rule.name, "nombre de regla repetido en el archivo")
            if home is not None:
                raise RuleError(
                    rule_set.file,
                    rule.name,
                    f"nombre de regla repetido (también en el conjunto '{home.name}', "
                    f"{home.file}); cada versión de una regla necesita su propio nombre",
                )
            rule_homes[rule.name] = rule_set


def _check_no_overlap(rule_sets: Sequence[RuleSet]) -> None:
    by_event: dict[str, list[RuleSet]] = {}
    for rule_set in rule_sets:
        for event in dict.fromkeys(rule.event for rule in rule_set.rules):
            by_event.setdefault(event, []).append(rule_set)
    for event, sets in by_event.items():
        ordered = sorted(sets, key=lambda s: s.valid_from)
        for earlier, later in pairwise(ordered):
            if earlier.valid_to is None or earlier.valid_to >= later.valid_from:
                rule = next(r.name for r in later.rules if r.event == event)
                raise RuleError(
                    later.file,
                    rule,
                    f"la vigencia del conjunto '{later.name}' ({_period(later)}) se superpone con "
                    f"'{earlier.name}' ({_period(earlier)}, {earlier.file}) para el evento {event}",
                )


def _period(rule_set: RuleSet) -> str:
    end = rule_set.valid_to.isoformat() if rule_set.valid_to else "sin fin"
    return f"{rule_set.valid_from.isoformat()} a {end}"
