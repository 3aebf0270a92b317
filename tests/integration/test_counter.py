"""A counter receipt with its aggregates loaded in one query (api.counter), on SQLite and PostgreSQL.

The cash session is kept between receipts and brought up to date from the log before each one.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from api.bootstrap import Asiento, bootstrap
from api.counter import receipt_aggregates, record_counter_receipt
from domain.cash_desk import CashSession, Receipt
from domain.errors import AlreadyRecorded, InvalidInput, NotFound
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


def _cash(asiento: Asiento, amount: str, session: UUID, receipt_id: UUID | None = None) -> Receipt:
    return record_counter_receipt(
        asiento,
        member_number="1",
        instruments=[{"kind": "cash", "amount": amount}],
        effective_date=DAY,
        open_invoice_ids=open_ids(asiento),
        recorded_by="cajera",
        session_id=session,
        receipt_id=receipt_id,
    )


def test_the_session_kept_between_receipts_reads_only_what_is_new(
    billed: Asiento,  # noqa: F811
    database_url: str,
) -> None:
    app = billed.app
    session = app.open_cash_session(
        desk="CAJA1", cashier="cajera", effective_date=DAY, opening_float="500", recorded_by="cajera"
    )
    first = _cash(billed, "100.00", session)
    kept = billed.cash_sessions.load(app, billed.engine, session)
    assert kept is not None and kept.version == 2 and first.id in kept.receipts
    # another process (a second counter) registers a receipt in the same session meanwhile
    other = bootstrap(database_url)
    try:
        second = _cash(other, "200.00", session)
    finally:
        other.close()
    third = _cash(billed, "300.00", session)
    from_log: CashSession = app.repository.get(session)
    assert from_log.version == 4
    assert from_log.receipts == {first.id, second.id, third.id}
    assert from_log.expected["cash"] == Decimal("1100.00")
    current = billed.cash_sessions.load(app, billed.engine, session)
    assert current is not None and current.version == 4 and current.expected == from_log.expected
    assert current is not billed.cash_sessions.load(app, billed.engine, session)  # each caller its own copy


def test_a_refused_receipt_leaves_the_kept_session_as_saved(billed: Asiento) -> None:  # noqa: F811
    app = billed.app
    session = app.open_cash_session(
        desk="CAJA1", cashier="cajera", effective_date=DAY, opening_float="0", recorded_by="cajera"
    )
    first = _cash(billed, "100.00", session, receipt_id=uuid4())
    head = billed.runner.head()
    with pytest.raises(AlreadyRecorded):  # refused at the save: the session copy had registered it
        _cash(billed, "100.00", session, receipt_id=first.id)
    with pytest.raises(InvalidInput):
        record_counter_receipt(
            billed,
            member_number="1",
            instruments=[{"kind": "pagaré", "amount": "10.00"}],
            effective_date=DAY,
            open_invoice_ids=open_ids(billed),
            recorded_by="cajera",
            session_id=session,
        )
    assert billed.runner.head() == head
    kept = billed.cash_sessions.load(app, billed.engine, session)
    assert kept is not None and kept.version == 2 and kept.expected["cash"] == Decimal("100.00")
    _cash(billed, "50.00", session)
    app.close_cash_session(session, {"cash": "150.00"}, DAY, recorded_by="cajera")
    closed: CashSession = app.repository.get(session)
    assert closed.closed and closed.expected["cash"] == Decimal("150.00")
