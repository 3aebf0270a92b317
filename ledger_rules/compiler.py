"""Turning a checked rule into the structure the evaluator runs per event.

Done once at load time: amount slots, one line walk per line list with its
dispatch table, and the distinct dimension lists (usually one per rule).
"""

from __future__ import annotations

from collections import Counter, defaultdict

from ledger_rules.evaluator import CompiledPosting, CompiledRule, LineWalk, SumTarget
from ledger_rules.expressions import FieldAmount, FixedAccount, LineSum
from ledger_rules.rule_parser import ParsedPosting, ParsedRule


def compile_rule(rule: ParsedRule) -> CompiledRule:
    dimension_sets = list(dict.fromkeys(p.dimensions for p in rule.postings))
    postings = tuple(_posting(p, dimension_sets.index(p.dimensions)) for p in rule.postings)
    field_amounts: list[tuple[int, str]] = []
    sums: dict[str, list[tuple[int, LineSum]]] = defaultdict(list)
    for slot, posting in enumerate(rule.postings):
        amount = posting.amount
        if isinstance(amount, FieldAmount):
            field_amounts.append((slot, amount.field))
        else:
            sums[amount.list_name].append((slot, amount))
    walks = tuple(_line_walk(name, targets) for name, targets in sums.items())
    return CompiledRule(
        rule.name,
        rule.event,
        rule.description,
        postings,
        tuple(field_amounts),
        walks,
        tuple(dimension_sets),
    )


def _posting(posting: ParsedPosting, dimensions: int) -> CompiledPosting:
    account = posting.account
    if isinstance(account, FixedAccount):
        return CompiledPosting(posting.side, posting.side.opposite, account.code, None, dimensions)
    return CompiledPosting(posting.side, posting.side.opposite, None, account, dimensions)


def _line_walk(list_name: str, targets: list[tuple[int, LineSum]]) -> LineWalk:
    dispatch = _dispatch_field([s for _, s in targets])
    if dispatch is None:
        always = tuple((slot, s.field, s.where) for slot, s in targets)
        return LineWalk(list_name, None, {}, always)
    dispatched: dict[str, list[SumTarget]] = defaultdict(list)
    always_list: list[SumTarget] = []
    for slot, line_sum in targets:
        condition = next((c for c in line_sum.where if c.field == dispatch), None)
        if condition is None:
            always_list.append((slot, line_sum.field, line_sum.where))
            continue
        rest = tuple(c for c in line_sum.where if c is not condition)
        for value in condition.strings:
            dispatched[value].append((slot, line_sum.field, rest))
    always = tuple(always_list)
    by_value = {value: (*found, *always) for value, found in dispatched.items()}
    return LineWalk(list_name, dispatch, by_value, always)


def _dispatch_field(sums: list[LineSum]) -> str | None:
    """The line field filtered on by the most sums with plain-text values (``kind``).

    Only text values qualify: a line's number or boolean then can never equal a
    dispatch key, so the dictionary look-up agrees with :meth:`Condition.matches`.
    """
    counts: Counter[str] = Counter()
    for line_sum in sums:
        for condition in line_sum.where:
            if not condition.numbers and not condition.flags:
                counts[condition.field] += 1
    if not counts:
        return None
    best = max(counts.values())
    return min(field for field, count in counts.items() if count == best)
