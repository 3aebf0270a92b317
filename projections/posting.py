"""From a logged event to the journal entries it produces.

Business events go through the posting rules; an accountant's manual entry (or
its reversal) carries its own lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple, Protocol
from uuid import UUID

from domain.chart import Side
from domain.events import MANUAL_ENTRY_EVENT, MANUAL_ENTRY_TOPIC, POSTABLE_EVENTS
from ledger_rules.model import EventRecord, Posting, ProposedEntry
from projections.runner import LoggedEvent


class RuleBookLike(Protocol):
    def entries_for(self, event: EventRecord) -> list[ProposedEntry]: ...


class PostedEvent(NamedTuple):
    """What one event posts, plus what the journal needs to link reversals."""

    event_name: str
    kind: str
    entries: Sequence[ProposedEntry]
    reverses: UUID | None = None


class PostingEngine:
    def __init__(self, rule_book: RuleBookLike) -> None:
        self.rule_book = rule_book
        self.topic_names = {schema.topic: name for name, schema in POSTABLE_EVENTS.items()}

    def topics(self) -> frozenset[str]:
        return frozenset({MANUAL_ENTRY_TOPIC, *self.topic_names})

    def post(self, event: LoggedEvent) -> PostedEvent:
        data = event.data
        if event.topic == MANUAL_ENTRY_TOPIC:
            return PostedEvent(MANUAL_ENTRY_EVENT, data["kind"], [_manual_entry(data)], data["reverses"])
        name = self.topic_names[event.topic]
        record = EventRecord(name, event.position, data["effective_date"], data)
        return PostedEvent(name, "rule", self.rule_book.entries_for(record))


def _manual_entry(data: Mapping[str, object]) -> ProposedEntry:
    lines = data["lines"]
    assert isinstance(lines, list)
    postings = tuple(
        Posting(ln["account"], Side(ln["side"]), ln["amount"], ln.get("dimensions") or {})
        for ln in lines
    )
    return ProposedEntry(str(data["kind"]), str(data["description"]), postings)
