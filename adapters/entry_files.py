"""Journal entries written by accountants in TOML or JSON files.

One entry::

    date = 2026-03-31
    description = "Provisión de sueldos de marzo"
    id = "5a1c..."            # optional: makes posting the file twice harmless
    [[lines]]
    account = "5.2.01.01"
    debit = "1500000.00"
    [[lines]]
    account = "2.1.04.01"
    credit = "1500000.00"

Several entries: the same tables under ``[[entry]]``. A file is taken whole or not at all.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from domain.errors import InvalidInput
from domain.journal import EntryLine, line_from_input


@dataclass(frozen=True)
class EntryDraft:
    effective_date: date
    description: str
    lines: list[EntryLine]
    entry_id: UUID | None


def read_entry_file(path: Path) -> list[EntryDraft]:
    raw = _load(path)
    items = raw.get("entry", [raw]) if isinstance(raw, Mapping) else raw
    if not isinstance(items, list) or not items:
        raise InvalidInput(f"{path}: no contiene asientos")
    return [_draft(item, f"{path} asiento {n + 1}") for n, item in enumerate(items)]


def _load(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"{path}: no se puede leer ({exc.strerror})") from None
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text, parse_float=str)
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"{path}: formato inválido: {exc}") from None


def _draft(item: Any, where: str) -> EntryDraft:
    if not isinstance(item, Mapping):
        raise InvalidInput(f"{where}: se esperaba una tabla")
    try:
        day = item["date"]
        effective_date = day if isinstance(day, date) else date.fromisoformat(str(day))
    except (KeyError, ValueError):
        raise InvalidInput(f"{where}: falta la fecha (date = AAAA-MM-DD) o es inválida") from None
    lines_raw = item.get("lines")
    if not isinstance(lines_raw, list):
        raise InvalidInput(f"{where}: faltan las líneas (lines)")
    try:
        lines = [line_from_input(_no_float(ln), i) for i, ln in enumerate(lines_raw)]
    except InvalidInput as exc:
        raise InvalidInput(f"{where}: {exc.message}") from None
    entry_id = item.get("id")
    try:
        parsed_id = UUID(str(entry_id)) if entry_id else None
    except ValueError:
        raise InvalidInput(f"{where}: id {entry_id!r} no es un UUID") from None
    return EntryDraft(effective_date, str(item.get("description", "")), lines, parsed_id)


def _no_float(line: Any) -> Any:
    """TOML floats lose cents; amounts must be written as strings or integers."""
    if isinstance(line, Mapping):
        for key in ("debit", "credit"):
            if isinstance(line.get(key), float):
                raise InvalidInput(
                    f"{key} = {line[key]!r}: escriba el importe entre comillas, p. ej. \"1234.50\""
                )
    return line
