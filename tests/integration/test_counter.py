"""A counter receipt with its aggregates loaded in one query (api.counter), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from api.bootstrap import Asiento
from api.counter import receipt_aggregates
from domain.errors import NotFound
from domain.invoicing import Invoice
from domain.members import Member, member_id
from tests.integration.test_cash_desk import billed, open_ids  # noqa: F401 - the fixture

DAY = date(2026, 3, 10)


def test_a_preloaded_receipt_pays_what_the_repository_would(billed: Asiento) -> None:  # noqa: F811
    app = billed.app
    session = app.open_cash_session(
        desk="CAJA1", cashier="cajera", effective_date=DAY, opening_float="0", recorded_by="cajera"
    )
    invoices = open_ids(billed)
    cache = receipt_aggregates(billed, "1", invoices, session)
    assert set(cache) >= {member_id("1"), session, *invoices}
    receipt = app.record_receipt(
        member_number="1",
        instruments=[{"kind": "cash", "amount": "60000.00"}],
        effective_date=DAY,
        open_invoice_ids=invoices,
        recorded_by="cajera",
        session_id=session,
        cache=cache,
    )
    paid = {a["label"]: a["amount"] for a in receipt.allocations}
    assert sum(paid.values(), Decimal(0)) == Decimal("60000.00")
    reloaded: list[Invoice] = [app.repository.get(i) for i in invoices]
    assert sum((i.balance for i in reloaded), Decimal(0)) == Decimal("77152.88") - Decimal("60000.00")
    member: Member = app.repository.get(member_id("1"))
    assert member.credit == 0
    assert app.repository.get(session).expected["cash"] == Decimal("60000.00")


def test_an_unknown_member_is_refused_and_nothing_is_written(billed: Asiento) -> None:  # noqa: F811
    head = billed.runner.head()
    cache = receipt_aggregates(billed, "999", [], None)
    assert member_id("999") not in cache
    with pytest.raises(NotFound):
        billed.app.record_receipt(
            member_number="999",
            instruments=[{"kind": "cash", "amount": "100.00"}],
            effective_date=DAY,
            open_invoice_ids=[],
            recorded_by="cajera",
            cache=cache,
        )
    assert billed.runner.head() == head
