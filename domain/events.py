"""The catalogue of events that posting rules may name.

Rules refer to events by a stable name (``InvoiceIssued``) and to their fields
by name; this registry is what the rule validator checks them against.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from domain.afip import cbte_tipo_name
from domain.calendar import FiscalCalendar
from domain.capital import ReimbursementLine, ReimbursementQueue
from domain.cash_desk import AllocationLine, CashSession, InstrumentLine, Receipt, UnmatchedCollection
from domain.chart import ChartOfAccounts
from domain.cheques import ThirdPartyCheque
from domain.invoicing import Invoice, InvoiceLine
from domain.journal import JournalEntry
from domain.members import Member
from domain.surplus import MemberShare, SurplusDistribution
from domain.treasury import TreasuryMovement

# Fields every stored event has that rules should not depend on.
_FRAMEWORK_FIELDS = frozenset(
    {"originator_id", "originator_version", "timestamp", "originator_topic", "originator_id_type"}
)


@dataclass(frozen=True)
class EventSchema:
    """What a rule may read from one event type."""

    name: str
    topic: str
    fields: frozenset[str]
    line_lists: Mapping[str, frozenset[str]]


def schema_of(name: str, event_class: type, line_lists: Mapping[str, type] | None = None) -> EventSchema:
    hints = _annotations(event_class)
    lists = {
        list_name: frozenset(f.name for f in dataclasses.fields(line_type))
        for list_name, line_type in (line_lists or {}).items()
    }
    derived = frozenset(DERIVED_FIELD_NAMES.get(name, ()))
    return EventSchema(name, get_topic(event_class), (frozenset(hints) - _FRAMEWORK_FIELDS) | derived, lists)


def _invoice_derived(data: Mapping[str, Any]) -> dict[str, Any]:
    # The AFIP name of the voucher: a debit note must not read "Factura" in the Diario.
    return {"document_name": cbte_tipo_name(int(data["document_type"]))}


# Fields computed from a stored event for the rules (never stored, so old events get them too).
DERIVED_FIELDS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {"InvoiceIssued": _invoice_derived}
DERIVED_FIELD_NAMES: dict[str, tuple[str, ...]] = {"InvoiceIssued": ("document_name",)}


def with_derived_fields(name: str, data: Mapping[str, Any]) -> Mapping[str, Any]:
    derive = DERIVED_FIELDS.get(name)
    return {**data, **derive(data)} if derive is not None else data


def _annotations(event_class: type) -> dict[str, object]:
    merged: dict[str, object] = {}
    for klass in reversed(event_class.__mro__):
        merged.update(getattr(klass, "__annotations__", {}))
    return merged


def _event_class(aggregate: type[Aggregate], name: str) -> type:
    event_class: type = getattr(aggregate, name)
    return event_class


# Events posted through rules. Manual entries carry their own lines (see journal).
POSTABLE_EVENTS: dict[str, EventSchema] = {
    schema.name: schema
    for schema in (
        schema_of("InvoiceIssued", _event_class(Invoice, "InvoiceIssued"), {"lines": InvoiceLine}),
        schema_of(
            "ReceiptIssued",
            _event_class(Receipt, "ReceiptIssued"),
            {"instruments": InstrumentLine, "allocations": AllocationLine},
        ),
        schema_of(
            "ReceiptAnnulled",
            _event_class(Receipt, "ReceiptAnnulled"),
            {"instruments": InstrumentLine, "allocations": AllocationLine},
        ),
        schema_of("CashSessionClosed", _event_class(CashSession, "CashSessionClosed")),
        schema_of("ChequeDeposited", _event_class(ThirdPartyCheque, "ChequeDeposited")),
        schema_of("ChequeEndorsed", _event_class(ThirdPartyCheque, "ChequeEndorsed")),
        schema_of("ChequeRejected", _event_class(ThirdPartyCheque, "ChequeRejected")),
        schema_of("TreasuryMovementRecorded", _event_class(TreasuryMovement, "TreasuryMovementRecorded")),
        schema_of("CollectionHeldInSuspense", _event_class(UnmatchedCollection, "CollectionHeldInSuspense")),
        schema_of("CapitalSubscribed", _event_class(Member, "CapitalSubscribed")),
        schema_of("CapitalIntegrated", _event_class(Member, "CapitalIntegrated")),
        schema_of("CapitalTransferred", _event_class(Member, "CapitalTransferred")),
        schema_of("ReimbursementRequested", _event_class(ReimbursementQueue, "ReimbursementRequested")),
        schema_of(
            "ReimbursementsPaid",
            _event_class(ReimbursementQueue, "ReimbursementsPaid"),
            {"lines": ReimbursementLine},
        ),
        schema_of(
            "SurplusDistributionApproved",
            _event_class(SurplusDistribution, "SurplusDistributionApproved"),
            {"shares": MemberShare},
        ),
    )
}

# Events the ledger projections follow besides the postable ones. A manual entry is the only
# entry a reversal may name (the journal's name for it is the event's).
MANUAL_ENTRY_EVENT = "ManualEntryPosted"
MANUAL_ENTRY_TOPIC = get_topic(_event_class(JournalEntry, MANUAL_ENTRY_EVENT))
ENTRY_REVERSED_TOPIC = get_topic(_event_class(JournalEntry, "Reversed"))
ACCOUNT_OPENED_TOPIC = get_topic(_event_class(ChartOfAccounts, "AccountOpened"))
ACCOUNT_CLOSED_TOPIC = get_topic(_event_class(ChartOfAccounts, "AccountClosed"))
FISCAL_YEAR_OPENED_TOPIC = get_topic(_event_class(FiscalCalendar, "FiscalYearOpened"))
FISCAL_PERIOD_CLOSED_TOPIC = get_topic(_event_class(FiscalCalendar, "FiscalPeriodClosed"))
FISCAL_YEAR_CLOSED_TOPIC = get_topic(_event_class(FiscalCalendar, "FiscalYearClosed"))
FISCAL_YEAR_REOPENED_TOPIC = get_topic(_event_class(FiscalCalendar, "FiscalYearReopened"))
