"""What a receipt at the counter reads from the log, in one query.

A receipt loads the member, the invoices it may pay, the cash session and the
fiscal calendar. Through the repository that is one query per aggregate and
one runtime-protocol check per event; the session alone replays every receipt
it registered that day. ``adapters.bulk_load`` reads them all in one query and
applies their events directly; ids that do not exist are left out, so the
command still reports a missing member or session with its own error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from adapters.bulk_load import load_aggregates
from api.bootstrap import Asiento
from domain.calendar import CALENDAR_ID
from domain.members import member_id


def receipt_aggregates(
    asiento: Asiento, member_number: str, invoice_ids: Sequence[UUID], session_id: UUID | None
) -> dict[UUID, Any]:
    """The ``cache`` for ``record_receipt``: member, invoices, session and calendar, loaded together."""
    ids = [member_id(member_number), CALENDAR_ID, *invoice_ids]
    if session_id is not None:
        ids.append(session_id)
    return load_aggregates(asiento.app, asiento.engine, ids)
