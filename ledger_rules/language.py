"""The posting-rule language: which journal entry each event produces.

Rules are TOML data that accountants edit; nothing in them is executed. A rule
file holds one rule set (its validity), its rules and the lookup tables they use::

    [ruleset]
    name = "general-2000"
    valid_from = 2000-01-01            # inclusive
    # valid_to = 2024-12-31            # inclusive; omitted: no end

    [[rule]]
    name = "factura-emitida"
    event = "InvoiceIssued"            # a key of domain.events.POSTABLE_EVENTS
    description = "{document_name} {point_of_sale:05d}-{number:08d} socio {member_number}"
    dimensions = { member = "member_number", supply = "supply_number", service = "service" }

    [[rule.posting]]                   # debit the member's receivable for the service
    side = "debit"
    account = { lookup = "deudores", key = "service" }
    amount = "total"                   # a numeric field of the event

    [[rule.posting]]                   # credit revenue with the charge lines
    side = "credit"
    account = { lookup = "ventas", key = ["service", "category"] }
    amount = { sum = "lines", field = "amount", where = { kind = "charge" } }

    [[rule.posting]]
    side = "credit"
    account = "2.1.02.01"              # IVA débito fiscal 21%
    amount = { sum = "lines", where = { kind = "vat", vat_rate = "21" } }

    [lookup.deudores]
    electricity = "1.1.03.01"
    water = "1.1.03.02"

    [lookup.ventas]
    "electricity/industrial" = "4.1.01.03"
    electricity = "4.1.01.09"          # any other electricity category
    default = "4.2.06"                 # optional: any other service

For an electricity invoice to an industrial member with charges 10,000.00, VAT
21% 2,100.00 and total 12,100.00, this rule proposes one entry::

    Factura B 00003-00001234 socio 1001
      debit  1.1.03.01   12,100.00   member=1001 supply=55 service=electricity
      credit 4.1.01.03   10,000.00   (same dimensions)
      credit 2.1.02.01    2,100.00   (same dimensions)

Meaning, precisely:

- ``description``: ``str.format`` placeholders naming event fields; format specs
  such as ``:05d`` are allowed. Names are checked at load.
- ``account``: a postable account code of the chart, or a lookup
  ``{ lookup = "table", key = field | [fields] }``. The event's values (as text)
  are joined with ``/``; the full key is tried first, then shorter prefixes,
  then the ``default`` entry. No match: the event cannot be posted (PostingError).
- ``amount``: an event field (``"total"``) or ``{ sum = list, field = line field
  (default "amount"), where = { line field = value or [values] } }``. In
  ``where`` numbers compare as numbers (``"21"`` matches 21.00), text as text,
  ``true``/``false`` as booleans; several fields must all match.
- ``dimensions``: dimension name -> event field; on the rule (every posting) and
  on a posting (adds or overrides). Names: member, supply, service, cost_center,
  category, zone. A field that is empty (None) leaves the dimension out.
- Amounts are rounded to cents with ``round_half_even`` (AFIP's rule). A posting
  that comes to zero is left out; a negative amount posts the positive amount on
  the other side (credit notes reuse the invoice's rules). Debit and credit
  totals must be equal, or the event stops with a PostingError.
- Rule sets: at an event's ``effective_date`` the one set in force for its event
  type applies (sets for the same event type must not overlap). An event type with
  no rules at all gives no entries; one with rules but none in force on its date
  is an error (a gap in validity must not silently drop postings).
- Rule names are unique across all files: the journal keeps the name, so each
  version of a rule needs its own (``factura-emitida-2025``).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from domain.chart import Side
from domain.events import POSTABLE_EVENTS, EventSchema, with_derived_fields
from ledger_rules.chart import load_chart, postable_codes
from ledger_rules.evaluator import CompiledRule
from ledger_rules.loader import DEFAULT_RULES_PATH, RuleSet, load_rule_sets
from ledger_rules.model import EventRecord, PostingError, ProposedEntry

NO_RULE = "(ninguna)"


@dataclass(frozen=True)
class RuleRow:
    """One posting of one rule, in words: a row of ``asiento rules check``."""

    ruleset: str
    file: str
    valid_from: date
    valid_to: date | None
    event: str
    rule: str
    description: str  # the template
    side: Side
    account: str  # a code, or "tabla ventas según service/category"
    amount: str  # "total", or "suma de lines.amount donde kind = vat"
    dimensions: str  # "member=member_number, service=service"


class _Timeline:
    """The rule sets of one event type, ordered by validity, for bisecting by date."""

    def __init__(self, sets: Sequence[tuple[RuleSet, tuple[CompiledRule, ...]]]) -> None:
        ordered = sorted(sets, key=lambda pair: pair[0].valid_from)
        self.starts = [rule_set.valid_from for rule_set, _ in ordered]
        self.periods = ordered

    def rules_at(self, day: date) -> tuple[CompiledRule, ...] | None:
        index = bisect_right(self.starts, day) - 1  # the last set starting on or before day
        if index < 0:
            return None
        rule_set, rules = self.periods[index]
        if rule_set.valid_to is not None and day > rule_set.valid_to:
            return None
        return rules

    def validity(self) -> str:
        return "; ".join(
            f"{s.name} desde {s.valid_from}" + (f" hasta {s.valid_to}" if s.valid_to else "")
            for s, _ in self.periods
        )


class RuleBook:
    """Every loaded rule set; maps an event to the entries its rules propose."""

    def __init__(self, rule_sets: Sequence[RuleSet]) -> None:
        self.rule_sets = tuple(sorted(rule_sets, key=lambda s: (s.valid_from, s.name)))
        grouped: dict[str, list[tuple[RuleSet, tuple[CompiledRule, ...]]]] = {}
        for rule_set in self.rule_sets:
            for event in dict.fromkeys(rule.event for rule in rule_set.compiled):
                rules = tuple(r for r in rule_set.compiled if r.event == event)
                grouped.setdefault(event, []).append((rule_set, rules))
        self._timelines = {event: _Timeline(sets) for event, sets in grouped.items()}

    def event_names(self) -> set[str]:
        return set(self._timelines)

    def entries_for(self, event: EventRecord) -> list[ProposedEntry]:
        timeline = self._timelines.get(event.name)
        if timeline is None:
            return []
        rules = timeline.rules_at(event.effective_date)
        if rules is None:
            raise PostingError(
                event.position,
                event.name,
                NO_RULE,
                f"no hay reglas vigentes el {event.effective_date} ({timeline.validity()})",
            )
        derived = with_derived_fields(event.name, event.data)
        if derived is not event.data:
            event = EventRecord(event.name, event.position, event.effective_date, derived)
        entries = []
        for rule in rules:
            entry = rule.evaluate(event)
            if entry is not None:
                entries.append(entry)
        return entries

    def describe(self) -> list[RuleRow]:
        """Per event type, rule set and rule, every posting: what it posts, in words."""
        rows = []
        for rule_set in self.rule_sets:
            for rule in sorted(rule_set.rules, key=lambda r: (r.event, r.name)):
                for posting in rule.postings:
                    rows.append(
                        RuleRow(
                            rule_set.name,
                            rule_set.file,
                            rule_set.valid_from,
                            rule_set.valid_to,
                            rule.event,
                            rule.name,
                            rule.description,
                            posting.side,
                            posting.account.text(),
                            posting.amount.text(),
                            ", ".join(f"{name}={field}" for name, field in posting.dimensions),
                        )
                    )
        return sorted(rows, key=lambda row: row.event)  # stable: by validity within an event


def load_rule_book(
    path: Path | None = None,
    *,
    schemas: Mapping[str, EventSchema] = POSTABLE_EVENTS,
    account_codes: Collection[str] | None = None,
) -> RuleBook:
    """Load and check a rule file or a directory of ``*.toml`` rule files.

    ``account_codes`` are the codes that take postings; None means the shipped
    default chart (its non-header accounts). Any problem raises RuleError.
    """
    codes = frozenset(account_codes) if account_codes is not None else postable_codes(load_chart())
    return RuleBook(load_rule_sets(path or DEFAULT_RULES_PATH, schemas, codes))
