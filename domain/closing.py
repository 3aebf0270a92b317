"""Year-end entries: the closing entry (asiento de cierre) and the opening one (de apertura).

Pure arithmetic over signed balances (positive = debit balance) that the caller
reads from the ledger; the entries themselves are ordinary journal entries of
kind ``year_closing`` and ``year_opening``, so the journal, the balances and the
audit trail treat them like any other.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from domain.chart import Side
from domain.journal import YEAR_CLOSING, YEAR_OPENING, EntryLine
from domain.money import ZERO

__all__ = ["YEAR_CLOSING", "YEAR_OPENING", "closing_lines", "opening_lines", "result_transfer_lines"]
# Where results close to, and where the previous year's result waits for the assembly.
RESULT_OF_YEAR_ACCOUNT = "3.3.02"
UNASSIGNED_RESULTS_ACCOUNT = "3.3.01"


def _line_settling(code: str, signed_balance: Decimal) -> EntryLine:
    """The line that brings ``signed_balance`` to zero."""
    side = Side.CREDIT if signed_balance > ZERO else Side.DEBIT
    return EntryLine(code, side, abs(signed_balance))


def _line_carrying(code: str, signed_balance: Decimal) -> EntryLine:
    """The line that recreates ``signed_balance`` from zero."""
    side = Side.DEBIT if signed_balance > ZERO else Side.CREDIT
    return EntryLine(code, side, abs(signed_balance))


def closing_lines(
    result_balances: Mapping[str, Decimal], result_account: str = RESULT_OF_YEAR_ACCOUNT
) -> list[EntryLine]:
    """Zero every revenue and expense account against the result of the year.

    The counterpart line carries the year's result: credit for a surplus,
    debit for a loss. An empty list means nothing to close.
    """
    lines = [_line_settling(code, amount) for code, amount in sorted(result_balances.items()) if amount]
    net = sum((amount for amount in result_balances.values()), ZERO)
    if net:
        lines.append(_line_carrying(result_account, net))
    return lines


def opening_lines(balance_sheet_balances: Mapping[str, Decimal]) -> list[EntryLine]:
    """Carry every balance-sheet balance, as it is, into the new year (asiento de apertura)."""
    return [_line_carrying(code, amount) for code, amount in sorted(balance_sheet_balances.items()) if amount]


def result_transfer_lines(
    result_of_year: Decimal,
    result_account: str = RESULT_OF_YEAR_ACCOUNT,
    unassigned_account: str = UNASSIGNED_RESULTS_ACCOUNT,
) -> list[EntryLine]:
    """Move last year's result into unassigned results (resultados no asignados).

    It waits there for the assembly to distribute it, and the new year's result
    account starts at zero. ``result_of_year`` is the signed balance (a surplus
    is a credit, so negative).
    """
    if not result_of_year:
        return []
    return [
        _line_settling(result_account, result_of_year),
        _line_carrying(unassigned_account, result_of_year),
    ]
