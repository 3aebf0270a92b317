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


def test_the_link_is_the_previous_hash_then_the_content_digest() -> None:
    import hashlib

    from projections.audit_chain import GENESIS, content_digest, link

    originator = "2b0f6a52-0c8e-4b7e-9d55-7d1c1e7b9e10"
    digest = content_digest(7, originator, 3, "domain.journal:JournalEntry.Posted", b'{"a":1}')
    expected_digest = hashlib.sha256(
        b"7\x1f2b0f6a52-0c8e-4b7e-9d55-7d1c1e7b9e10\x1f3\x1fdomain.journal:JournalEntry.Posted\x1f{\"a\":1}"
    ).digest()
    assert digest == expected_digest
    assert link(GENESIS, digest) == hashlib.sha256(b"0" * 64 + expected_digest).hexdigest()


def test_a_chain_of_the_first_formula_is_rebuilt_and_a_forged_one_is_left_for_verify(
    asiento: Asiento,
) -> None:
    from sqlalchemy import delete, insert, select

    from api.bootstrap import bootstrap
    from projections.audit_chain import GENESIS, _first_formula_link, audit_chain

    for amount in ("1.00", "2.00"):
        entry(asiento, date(2026, 3, 1), (CASH, Side.DEBIT, amount), (CAPITAL, Side.CREDIT, amount))
    asiento.runner.catch_up()
    head = asiento.runner.head()
    rows, previous = [], GENESIS
    for n in asiento.app.recorder.select_notifications(1, head):
        previous = _first_formula_link(
            previous, n.id, n.originator_id, n.originator_version, n.topic, n.state
        )
        rows.append({"position": n.id, "hash": previous})
    with asiento.engine.begin() as conn:
        conn.execute(delete(audit_chain))
        conn.execute(insert(audit_chain), rows)
    with asiento.read() as conn:
        assert verify(conn, asiento.app.recorder)[1] is not None  # the new formula disagrees

    upgraded = bootstrap(asiento.config.url)  # a start of the new code on the old store
    try:
        assert upgraded.runner.positions()["audit_chain"] == 0
        with upgraded.read() as conn:
            assert conn.execute(select(audit_chain)).all() == []
        upgraded.runner.catch_up()
        with upgraded.read() as conn:
            assert verify(conn, upgraded.app.recorder) == (head, None)
            first = conn.execute(select(audit_chain.c.hash).where(audit_chain.c.position == 1)).scalar()
        # A first link neither formula made is not rebuilt away: verify reports it.
        with upgraded.engine.begin() as conn:
            conn.execute(audit_chain.update().where(audit_chain.c.position == 1).values(hash="f" * 64))
    finally:
        upgraded.close()
    again = bootstrap(asiento.config.url)
    try:
        assert again.runner.positions()["audit_chain"] == head
        with again.read() as conn:
            checked, broken = verify(conn, again.app.recorder)
        assert checked == 0 and broken is not None and broken.position == 1
        assert first != "f" * 64
    finally:
        again.close()
