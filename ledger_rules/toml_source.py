"""Reading the accountants' TOML files: syntax errors and unknown keys as :class:`RuleError`.

Every message names the file (as given), the rule when there is one, and the
cause in Spanish; a typo in a key (``acount``) is an error, never ignored.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from ledger_rules.model import RuleError

# Limit on what we accept from a data file: far above a real chart or rule set.
MAX_FILE_BYTES = 2_000_000


def read_toml(path: Path) -> dict[str, Any]:
    """The parsed file; a missing file or bad syntax (tomllib gives line and column) is an error."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RuleError(str(path), None, f"no se puede leer el archivo: {exc.strerror}") from exc
    if len(raw) > MAX_FILE_BYTES:
        raise RuleError(str(path), None, f"el archivo supera {MAX_FILE_BYTES} bytes")
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise RuleError(str(path), None, "el archivo no está en UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(str(path), None, f"sintaxis TOML inválida: {exc}") from exc


class Source:
    """One file being read: raises errors that name it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = str(path)

    def error(self, rule: str | None, cause: str) -> RuleError:
        return RuleError(self.name, rule, cause)

    def table(self, value: object, rule: str | None, where: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.error(rule, f"{where} debe ser una tabla, no {_kind(value)}")
        return value

    def table_list(self, value: object, rule: str | None, where: str) -> list[Mapping[str, Any]]:
        if not isinstance(value, list):
            raise self.error(rule, f"{where} debe ser una lista de tablas, no {_kind(value)}")
        return [self.table(item, rule, f"{where}[{i + 1}]") for i, item in enumerate(value)]

    def text(self, table: Mapping[str, Any], key: str, rule: str | None, where: str) -> str:
        value = table.get(key)
        if value is None:
            raise self.error(rule, f"{where}: falta '{key}'")
        if not isinstance(value, str) or not value.strip():
            raise self.error(rule, f"{where}: '{key}' debe ser un texto no vacío, no {value!r}")
        return value.strip()

    def check_keys(
        self,
        table: Mapping[str, Any],
        allowed: Collection[str],
        rule: str | None,
        where: str,
    ) -> None:
        unknown = sorted(set(table) - set(allowed))
        if unknown:
            raise self.error(
                rule,
                f"{where}: clave desconocida {', '.join(map(repr, unknown))}; "
                f"válidas: {', '.join(sorted(allowed))}",
            )


def _kind(value: object) -> str:
    return {
        str: "un texto",
        int: "un número",
        float: "un número",
        bool: "un booleano",
        list: "una lista",
    }.get(type(value), type(value).__name__)
