"""Tamper evidence on SQLite and PostgreSQL: alter a stored event in the database, verify names it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from api.bootstrap import Asiento
from domain.chart import Side
from projections.audit_chain import verify
from tests.integration.helpers import CAPITAL, CASH, entry


def test_verify_names_the_first_event_altered_in_the_database(asiento: Asiento) -> None:
    for amount in ("100.00", "200.00", "300.00"):
        entry(asiento, date(2026, 3, 1), (CASH, Side.DEBIT, amount), (CAPITAL, Side.CREDIT, amount))
    asiento.runner.catch_up()
    with asiento.read() as conn:
        checked, broken = verify(conn, asiento.app.recorder)
    assert broken is None and checked == asiento.runner.head()

    head = asiento.runner.head()
    (target,) = [n for n in asiento.app.recorder.select_notifications(head - 1, 1)]  # the 200.00 entry
    forged = bytes(target.state).replace(b"200.00", b"900.00")
    assert forged != bytes(target.state)
    table = asiento.app.recorder.events_table_name  # type: ignore[attr-defined]
    key = target.originator_id.hex if asiento.engine.dialect.name == "sqlite" else target.originator_id
    with asiento.engine.begin() as conn:
        changed = conn.execute(
            text(f"UPDATE {table} SET state = :state WHERE originator_id = :id AND originator_version = :v"),
            {"state": forged, "id": key, "v": target.originator_version},
        ).rowcount
    assert changed == 1
    with asiento.read() as conn:
        checked, broken = verify(conn, asiento.app.recorder)
    assert broken is not None and broken.position == target.id
    assert "fue alterado" in broken.reason
    assert checked == target.id - 1


def test_rebuilding_the_chain_reproduces_it(asiento: Asiento) -> None:
    from sqlalchemy import select

    from projections.audit_chain import audit_chain

    entry(asiento, date(2026, 3, 1), (CASH, Side.DEBIT, "1.00"), (CAPITAL, Side.CREDIT, "1.00"))
    asiento.runner.catch_up()
    with asiento.read() as conn:
        before = conn.execute(select(audit_chain).order_by(audit_chain.c.position)).all()
    asiento.runner.rebuild(["audit_chain"])
    with asiento.read() as conn:
        assert conn.execute(select(audit_chain).order_by(audit_chain.c.position)).all() == before
