"""Evaluating one compiled rule against one event: pure, and fast.

Projection catch-up runs this for every event, so the work per event is only
what cannot be done at load time: read fields, walk the lines once per line
list, format the description, build the postings and check that they balance.

The line walk dispatches on one field (usually ``kind``): each line is matched
only against the sums that ask for its kind, not against every sum of the rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any, NamedTuple

from domain.chart import Side
from domain.money import CENT, ZERO, format_ar
from ledger_rules.expressions import Condition, Failure, LookupAccount, as_text, number
from ledger_rules.model import EventRecord, Posting, PostingError, ProposedEntry

# (slot of the posting whose amount it feeds, line field summed, conditions).
SumTarget = tuple[int, str, tuple[Condition, ...]]

_DEBIT = Side.DEBIT


@dataclass(frozen=True)
class LineWalk:
    """Every sum of one rule over one line list, done in a single pass."""

    list_name: str
    dispatch_field: str | None  # a field every dispatched target filters on
    by_value: Mapping[str, tuple[SumTarget, ...]]  # dispatch value -> targets (incl. always)
    always: tuple[SumTarget, ...]  # targets for lines whose value is not in by_value

    def accumulate(self, data: Mapping[str, Any], amounts: list[Decimal]) -> None:
        lines = data.get(self.list_name)
        if lines is None:
            raise Failure(f"el evento no trae la lista de líneas '{self.list_name}'")
        by_value, always, dispatch = self.by_value, self.always, self.dispatch_field
        try:
            for line in lines:
                targets = always if dispatch is None else by_value.get(line.get(dispatch), always)
                for slot, field, conditions in targets:
                    for condition in conditions:
                        if not condition.matches(line):
                            break
                    else:
                        amounts[slot] += line[field]
        except (KeyError, TypeError, AttributeError) as exc:
            raise Failure(self._diagnose(lines)) from exc

    def _diagnose(self, lines: object) -> str:
        """The slow, precise explanation, computed only once something failed."""
        if not isinstance(lines, Sequence):
            return f"'{self.list_name}' no es una lista de líneas"
        fields = {field for targets in (self.always, *self.by_value.values()) for _, field, _ in targets}
        for index, line in enumerate(lines, start=1):
            if not isinstance(line, Mapping):
                return f"la línea {index} de '{self.list_name}' no es una tabla de campos"
            for field in sorted(fields):
                if field not in line:
                    return f"a la línea {index} de '{self.list_name}' le falta el campo '{field}'"
                if line[field].__class__ not in (Decimal, int):
                    return (
                        f"la línea {index} de '{self.list_name}' tiene {field} = "
                        f"{line[field]!r}, que no es un número"
                    )
        return f"las líneas de '{self.list_name}' tienen un valor no comparable"


class CompiledPosting(NamedTuple):
    """One posting, unpacked in the hot loop: a tuple is the cheapest thing to read."""

    side: Side
    opposite: Side  # where a negative amount goes
    fixed_account: str | None  # the code, when the rule names one
    lookup: LookupAccount | None  # otherwise the table that picks it
    dimensions: int  # index into CompiledRule.dimension_sets


@dataclass(frozen=True)
class CompiledRule:
    name: str
    event: str
    description: str  # a str.format template over event fields, checked at load
    postings: tuple[CompiledPosting, ...]
    field_amounts: tuple[tuple[int, str], ...]  # (slot, event field)
    line_walks: tuple[LineWalk, ...]
    dimension_sets: tuple[tuple[tuple[str, str], ...], ...]  # distinct (dimension, field) lists

    def evaluate(self, event: EventRecord) -> ProposedEntry | None:
        """The entry for ``event``, or None when every amount is zero."""
        try:
            return self._entry(event.data)
        except Failure as failure:
            raise PostingError(event.position, event.name, self.name, failure.cause) from None

    def _entry(self, data: Mapping[str, Any]) -> ProposedEntry | None:
        amounts = self._amounts(data)
        dimensions = [_dimensions(data, spec) for spec in self.dimension_sets]
        postings: list[Posting] = []
        debit = credit = ZERO
        try:
            for (side, opposite, fixed, lookup, dims), raw in zip(self.postings, amounts):  # noqa: B905 - same length
                if not raw:
                    continue  # zero postings are noise in the journal
                # round_half_even(raw), inlined: its Python call per posting cost about
                # 3,400 instructions an invoice (counted with callgrind).
                amount = raw.quantize(CENT, ROUND_HALF_EVEN)
                if not amount:
                    continue
                if amount < ZERO:  # a negative amount posts on the other side (credit notes)
                    amount, side = -amount, opposite
                if side is _DEBIT:
                    debit += amount
                else:
                    credit += amount
                account = fixed if lookup is None else lookup.resolve(data)
                postings.append(Posting(account, side, amount, dimensions[dims]))  # type: ignore[arg-type]
        except InvalidOperation:  # NaN or infinity: quantize or the comparison refuses it
            raise Failure(f"un importe no es un número finito: {', '.join(map(str, amounts))}") from None
        if debit != credit:
            raise Failure(
                f"el asiento no balancea: debe {format_ar(debit)}, haber {format_ar(credit)} "
                f"(diferencia {format_ar(debit - credit)})"
            )
        if not postings:
            return None
        return ProposedEntry(self.name, self._description(data), tuple(postings))

    def _amounts(self, data: Mapping[str, Any]) -> list[Decimal]:
        amounts = [ZERO] * len(self.postings)
        for slot, field in self.field_amounts:
            try:
                value = data[field]
            except KeyError:
                raise Failure(f"el evento no trae el campo '{field}'") from None
            amounts[slot] = value if value.__class__ is Decimal else number(value, f"el campo '{field}'")
        for walk in self.line_walks:
            walk.accumulate(data, amounts)
        return amounts

    def _description(self, data: Mapping[str, Any]) -> str:
        try:
            return self.description.format_map(data)
        except KeyError as exc:
            raise Failure(f"la descripción usa el campo {exc.args[0]!r}, que el evento no trae") from None
        except (ValueError, TypeError) as exc:
            raise Failure(f"la descripción no se puede armar con los datos del evento: {exc}") from None


def _dimensions(data: Mapping[str, Any], spec: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Dimension values as text; a field that is None (not applicable) is left out."""
    dimensions: dict[str, str] = {}
    for name, field in spec:
        try:
            value = data[field]
        except KeyError:
            raise Failure(f"la dimensión {name} usa el campo '{field}', que el evento no trae") from None
        if value is not None:
            dimensions[name] = as_text(value)
    return dimensions
