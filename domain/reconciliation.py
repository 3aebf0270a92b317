"""Bank reconciliation (conciliación bancaria): the bank's statement against our books.

Each statement line is matched to one journal line of the bank account with the
same amount (debit in our books is a credit in the bank's eyes: money in), dated
within a few days; a reference shared by both wins over date distance. What
stays unmatched on either side is the reconciling items a person reviews:
deposits in transit, bank fees not yet recorded, transfers nobody told us about.

    statement balance = book balance + unmatched statement lines − unmatched book lines
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.money import ZERO

MAX_DAYS_APART = 5


@dataclass(frozen=True)
class StatementLine:
    line: int
    day: date
    description: str
    amount: Decimal  # positive: money into the account
    reference: str = ""


@dataclass(frozen=True)
class BookLine:
    entry: str  # "2026/15"
    day: date
    description: str
    amount: Decimal  # positive: debit to the bank account (money in)
    reference: str = ""


@dataclass(frozen=True)
class Reconciliation:
    matched: tuple[tuple[StatementLine, BookLine], ...]
    statement_only: tuple[StatementLine, ...]
    books_only: tuple[BookLine, ...]

    @property
    def statement_only_total(self) -> Decimal:
        return sum((s.amount for s in self.statement_only), ZERO)

    @property
    def books_only_total(self) -> Decimal:
        return sum((b.amount for b in self.books_only), ZERO)


def reconcile(
    statement: Sequence[StatementLine], books: Sequence[BookLine], max_days_apart: int = MAX_DAYS_APART
) -> Reconciliation:
    """Greedy, deterministic: statement lines in order, each takes its best free book line."""
    free: dict[Decimal, list[BookLine]] = defaultdict(list)
    for book in sorted(books, key=lambda b: (b.day, b.entry)):
        free[book.amount].append(book)
    matched: list[tuple[StatementLine, BookLine]] = []
    unmatched: list[StatementLine] = []
    for line in sorted(statement, key=lambda s: (s.day, s.line)):
        candidates = [b for b in free[line.amount] if abs((b.day - line.day).days) <= max_days_apart]
        if not candidates:
            unmatched.append(line)
            continue
        best = min(
            candidates,
            key=lambda b: (
                not (line.reference and line.reference in b.reference + " " + b.description),
                abs((b.day - line.day).days),
                b.entry,
            ),
        )
        free[line.amount].remove(best)
        matched.append((line, best))
    left = tuple(sorted((b for group in free.values() for b in group), key=lambda b: (b.day, b.entry)))
    return Reconciliation(tuple(matched), tuple(unmatched), left)
