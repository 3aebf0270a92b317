"""What a receipt at the counter reads from the log, in one query.

A receipt loads the member, the invoices it may pay, the cash session and the
fiscal calendar. Through the repository that is one query per aggregate and
one runtime-protocol check per event; the session alone replays every receipt
it registered that day. ``adapters.bulk_load`` reads them all in one query and
applies their events directly; ids that do not exist are left out, so the
command still reports a missing member or session with its own error. The
cash session comes from ``Asiento.cash_sessions`` when this process recorded
its previous receipt: only the events since are read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from adapters.bulk_load import load_aggregates
from api.bootstrap import Asiento
from domain.calendar import CALENDAR_ID
from domain.cash_desk import Receipt
from domain.members import member_id


def receipt_aggregates(
    asiento: Asiento, member_number: str, invoice_ids: Sequence[UUID], session_id: UUID | None
) -> dict[UUID, Any]:
    """The ``cache`` for ``record_receipt``: member, invoices, session and calendar, loaded together."""
    ids = [member_id(member_number), CALENDAR_ID, *invoice_ids]
    session = None
    if session_id is not None:
        session = asiento.cash_sessions.load(asiento.app, asiento.lone_statements, session_id)
        if session is None:
            ids.append(session_id)
    loaded = load_aggregates(asiento.app, asiento.lone_statements, ids)
    if session is not None:
        loaded[session.id] = session
    return loaded


def record_counter_receipt(
    asiento: Asiento,
    *,
    member_number: str,
    open_invoice_ids: Sequence[UUID],
    session_id: UUID | None = None,
    chosen: Sequence[UUID] = (),
    **command: Any,
) -> Receipt:
    """``record_receipt`` with its aggregates loaded together; the session is kept for the next one."""
    loaded = receipt_aggregates(asiento, member_number, [*open_invoice_ids, *chosen], session_id)
    receipt = asiento.app.record_receipt(
        member_number=member_number,
        open_invoice_ids=open_invoice_ids,
        session_id=session_id,
        chosen=chosen,
        cache=loaded,
        **command,
    )
    if session_id is not None:
        asiento.cash_sessions.keep(loaded[session_id])  # saved: the next receipt starts from it
    return receipt
