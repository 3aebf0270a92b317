"""Load-time proof that a rule *can* balance, from the shape of its amounts alone.

The evaluator checks every entry; this catches, before any event is posted,
rules that could only balance if their amounts were zero. Identical amount
expressions on the two sides cancel (``total`` against ``total``); if what is
left sits all on one side, nothing can offset it. Rules whose sides differ in
form (``total`` against sums of lines) may balance and are left to the evaluator:
that they do depends on the event (the total is the sum of the lines).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Protocol

from domain.chart import Side
from ledger_rules.expressions import Amount


class _Posting(Protocol):
    @property
    def side(self) -> Side: ...

    @property
    def amount(self) -> Amount: ...


def why_it_cannot_balance(postings: Sequence[_Posting]) -> str | None:
    """The cause in Spanish, or None when the rule may balance."""
    if not postings:
        return "la regla no tiene imputaciones ([[rule.posting]])"
    sides = {p.side for p in postings}
    if len(sides) == 1:
        side = _word(next(iter(sides)))
        return f"todas las imputaciones van al {side}: el asiento no puede balancear"
    residual: Counter[tuple[object, ...]] = Counter()
    texts: dict[tuple[object, ...], str] = {}
    for posting in postings:
        residual[posting.amount.key] += 1 if posting.side is Side.DEBIT else -1
        texts[posting.amount.key] = posting.amount.text()
    left = {key: count for key, count in residual.items() if count}
    if not left or len({count > 0 for count in left.values()}) > 1:
        return None
    side = _word(Side.DEBIT if next(iter(left.values())) > 0 else Side.CREDIT)
    shown = "; ".join(texts[key] for key in left)
    return f"no puede balancear: al {side} quedan importes sin contrapartida ({shown})"


def _word(side: Side) -> str:
    return "debe" if side is Side.DEBIT else "haber"
