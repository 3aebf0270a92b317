"""``asiento rules check``: validate a rule set and show what each event posts."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from api.render import console
from ledger_rules import DEFAULT_RULES_PATH, load_rule_book
from ledger_rules.model import RuleError


def print_rule_book(path: Path | None, account_codes: set[str] | None = None) -> None:
    """Raises RuleError (file, rule, cause) when the set is invalid."""
    if path is not None and not path.exists():
        raise RuleError(str(path), None, "no existe")
    book = load_rule_book(path, account_codes=account_codes)
    rows = book.describe()
    table = Table(title=f"Reglas de imputación válidas: {path or DEFAULT_RULES_PATH}")
    for header in ("Conjunto", "Vigencia", "Evento", "Regla", "D/H", "Cuenta", "Importe", "Dimensiones"):
        table.add_column(header)
    for row in rows:
        validity = f"{row.valid_from:%d/%m/%Y} a {row.valid_to:%d/%m/%Y}" if row.valid_to else (
            f"desde {row.valid_from:%d/%m/%Y}")
        table.add_row(
            row.ruleset, validity, row.event, row.rule, "Debe" if row.side.value == "debit" else "Haber",
            row.account, row.amount, row.dimensions,
        )
    console.print(table)
    console.print(f"{len(book.event_names())} tipos de evento, {len(rows)} imputaciones: sin errores.")
