"""Posting rules and the default chart of accounts, as data accountants edit.

``load_rule_book()`` reads and checks the rule files once; ``RuleBook.entries_for``
then turns each event into the journal entries its rules propose (pure, no I/O).
The language is documented in :mod:`ledger_rules.language` and ``README.md``.
"""

from ledger_rules.chart import DEFAULT_CHART_PATH, load_chart, postable_codes
from ledger_rules.language import RuleBook, RuleRow, load_rule_book
from ledger_rules.loader import DEFAULT_RULES_PATH
from ledger_rules.model import (
    AccountSpec,
    EventRecord,
    Posting,
    PostingError,
    ProposedEntry,
    RuleError,
)

__all__ = [
    "DEFAULT_CHART_PATH",
    "DEFAULT_RULES_PATH",
    "AccountSpec",
    "EventRecord",
    "Posting",
    "PostingError",
    "ProposedEntry",
    "RuleBook",
    "RuleError",
    "RuleRow",
    "load_chart",
    "load_rule_book",
    "postable_codes",
]
