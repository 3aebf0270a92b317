"""Subledger settings (ledger_rules/data/books.toml): which events the Diario summarises."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.events import POSTABLE_EVENTS
from ledger_rules.model import RuleError

DEFAULT_BOOKS_PATH = Path(__file__).parent / "data" / "books.toml"


@dataclass(frozen=True)
class Subledger:
    name: str
    title: str
    events: frozenset[str]
    summarize_in_diario: bool


def load_subledgers(path: Path | None = None) -> dict[str, Subledger]:
    source = path or DEFAULT_BOOKS_PATH
    try:
        data: dict[str, Any] = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RuleError(str(source), None, f"no se pudo leer la configuración de libros: {exc}") from exc
    books: dict[str, Subledger] = {}
    claimed: dict[str, str] = {}
    for name, spec in data.get("subdiarios", {}).items():
        events = frozenset(str(e) for e in spec.get("events", []))
        unknown = sorted(events - set(POSTABLE_EVENTS))
        if unknown:
            raise RuleError(str(source), None, f"subdiario {name}: eventos desconocidos {unknown}")
        for event_name in events:
            if event_name in claimed:
                twice = f"{event_name} figura en {claimed[event_name]} y en {name}"
                raise RuleError(str(source), None, twice)
            claimed[event_name] = name
        books[name] = Subledger(
            name, str(spec.get("title", name)), events, bool(spec.get("summarize_in_diario", False))
        )
    return books


def summarized_events(books: dict[str, Subledger]) -> frozenset[str]:
    return frozenset(e for book in books.values() if book.summarize_in_diario for e in book.events)
