"""``asiento trace``: from a balance or an entry down to the facts behind it.

Each journal entry keeps the log position of the event and the rule that
produced it; the event itself is read back from the log (what was recorded,
by whom, when), so an auditor walks from a figure to the fact.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, select

from api.bootstrap import Asiento
from domain.errors import InvalidInput, NotFound
from domain.journal import NOT_IN_BALANCES
from domain.money import from_cents
from projections.tables import journal_entries, journal_lines

MAX_TRACED_ENTRIES = 500
HIDDEN = frozenset(
    {
        "originator_id",
        "originator_version",
        "timestamp",
        "originator_topic",
        "lines",
        "instruments",
        "allocations",
    }
)


def trace_entry(asiento: Asiento, label: str) -> dict[str, Any]:
    year, _, number = label.partition("/")
    if not (year.isdigit() and number.isdigit()):
        raise InvalidInput(f"Asiento {label!r}: use AÑO/NÚMERO, p. ej. 2026/15")
    e = journal_entries.c
    with asiento.read() as conn:
        entry_id = conn.execute(
            select(e.entry_id).where(and_(e.fiscal_year == int(year), e.number == int(number)))
        ).scalar()
    if entry_id is None:
        raise NotFound(f"El asiento {label} no existe")
    return {"entries": [_entry(asiento, int(entry_id))]}


def trace_account(asiento: Asiento, code: str, as_of: date) -> dict[str, Any]:
    line = journal_lines.c
    with asiento.read() as conn:
        rows = conn.execute(
            select(line.entry_id, line.debit_cents, line.credit_cents)
            .where(
                and_(line.account_code == code, line.effective_date <= as_of, line.rule != NOT_IN_BALANCES)
            )
            .order_by(line.entry_id)
        ).all()
    if not rows:
        raise NotFound(f"La cuenta {code} no tiene movimientos al {as_of:%d/%m/%Y}")
    balance = from_cents(sum(debit - credit for _, debit, credit in rows))
    entry_ids = list(dict.fromkeys(entry_id for entry_id, _, _ in rows))[-MAX_TRACED_ENTRIES:]
    return {
        "account": code,
        "as_of": as_of.isoformat(),
        "balance": str(balance),
        "entries": [_entry(asiento, entry_id) for entry_id in entry_ids],
        "totals": {"entries": len(entry_ids), "shown_last": MAX_TRACED_ENTRIES},
    }


def _entry(asiento: Asiento, entry_id: int) -> dict[str, Any]:
    e, line = journal_entries.c, journal_lines.c
    with asiento.read() as conn:
        head = conn.execute(select(journal_entries).where(e.entry_id == entry_id)).mappings().one()
        lines = conn.execute(
            select(line.account_code, line.debit_cents, line.credit_cents)
            .where(line.entry_id == entry_id)
            .order_by(line.line_no)
        ).all()
    (stored,) = asiento.app.recorder.select_notifications(head["event_position"], 1)
    event = asiento.app.mapper.to_domain_event(stored)
    facts = {k: _text(v) for k, v in event.__dict__.items() if k not in HIDDEN}
    return {
        "entry": f"{head['fiscal_year']}/{head['number']}",
        "date": head["effective_date"].isoformat(),
        "description": head["description"],
        "event_position": head["event_position"],
        "event": head["event_name"],
        "rule": head["rule"],
        "recorded_by": head["recorded_by"],
        "recorded_at": event.__dict__["timestamp"].isoformat(timespec="seconds"),
        "aggregate": str(event.originator_id),
        "lines": [
            {"account": code, "debit": str(from_cents(d)), "credit": str(from_cents(c))}
            for code, d, c in lines
        ],
        "facts": facts,
    }


def _text(value: Any) -> Any:
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if isinstance(value, (Decimal, date)):
        return str(value)
    return str(value)
