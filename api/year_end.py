"""Year-end: close a fiscal year with its closing entry, open the next with its opening entry.

The balances come from the ledger read models, brought up to date first; the
application refuses to record if anything reached the log in the meantime, so
the entries always match the books they were computed from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from api.bootstrap import Asiento
from domain.closing import YEAR_CLOSING
from domain.errors import Conflict
from projections.queries import list_accounts
from projections.statement_queries import signed_balances

RESULT_TYPES = frozenset({"revenue", "expense"})
BALANCE_SHEET_TYPES = frozenset({"asset", "liability", "equity"})


@dataclass(frozen=True)
class YearEndOutcome:
    year: int
    entry_id: UUID | None
    result: Decimal  # surplus positive, loss negative (closing); zero for an opening


def _balances_by_type(asiento: Asiento, as_of: date, types: frozenset[str]) -> tuple[dict[str, Decimal], int]:
    position = asiento.app.log_position()
    asiento.runner.catch_up()
    with asiento.read() as conn:
        kinds = {row.code: row.account_type for row in list_accounts(conn)}
        balances = signed_balances(conn, as_of)
    unknown = sorted(code for code in balances if code not in kinds)
    if unknown:
        raise Conflict(f"Hay saldos en cuentas que no están en el plan: {', '.join(unknown)}")
    return {code: amount for code, amount in balances.items() if kinds[code] in types}, position


def close_year(asiento: Asiento, year: int, *, recorded_by: str) -> YearEndOutcome:
    """Close ``year``: results to 'Resultado del ejercicio' as of its last day, then lock it."""
    fiscal_year = asiento.app.calendar().get_year(year)
    results, position = _balances_by_type(asiento, fiscal_year.end_date, RESULT_TYPES)
    entry_id = asiento.app.close_fiscal_year(
        year, results, based_on_position=position, recorded_by=recorded_by
    )
    surplus = -sum(results.values(), Decimal(0))
    return YearEndOutcome(year, entry_id, surplus)


def open_year(
    asiento: Asiento, year: int, start: date | None, end: date | None, *, recorded_by: str
) -> tuple[bool, YearEndOutcome | None]:
    """Open ``year`` if it is not open yet; record its opening entry once the previous year is closed.

    Returns whether the year was newly opened and the opening entry, if one
    was recorded now. Asking again when everything exists is refused.
    """
    calendar = asiento.app.calendar()
    newly_opened = year not in calendar.years
    if newly_opened:
        asiento.app.open_fiscal_year(year, start, end, recorded_by=recorded_by)
        calendar = asiento.app.calendar()
    fiscal_year = calendar.get_year(year)
    previous = calendar.previous_year(year)
    if fiscal_year.opening_entry_ids:
        raise Conflict(f"El ejercicio {year} ya está abierto y tiene su asiento de apertura")
    if previous is None or not previous.closed:
        if newly_opened:
            return True, None
        raise Conflict(
            f"El ejercicio {year} ya está abierto; su asiento de apertura se registra cuando se cierre "
            "el ejercicio anterior"
        )
    carried, position = _balances_by_type(asiento, previous.end_date, BALANCE_SHEET_TYPES)
    entry_id = asiento.app.record_opening_entry(
        year, carried, based_on_position=position, recorded_by=recorded_by
    )
    return newly_opened, YearEndOutcome(year, entry_id, Decimal(0))


__all__ = ["YEAR_CLOSING", "YearEndOutcome", "close_year", "open_year"]
