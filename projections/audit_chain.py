"""Tamper evidence: a hash chain over the event log.

Each event's hash covers its position, aggregate, version, topic and stored
state, and the previous event's hash. ``verify`` recomputes the chain from the
log as it is now and names the first event whose hash differs: an event altered,
removed or inserted directly in the database, after the chain recorded it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import ApplicationRecorder
from sqlalchemy import BigInteger, Column, Connection, String, Table, func, select

from projections.bulk import insert_rows
from projections.runner import ALL_TOPICS, LoggedEvent, Projection
from projections.tables import metadata

GENESIS = "0" * 64
VERIFY_PAGE = 5_000

audit_chain = Table(
    "audit_chain",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", String(64), nullable=False),
)


def link(previous: str, position: int, originator_id: Any, version: int, topic: str, state: bytes) -> str:
    digest = hashlib.sha256()
    for part in (previous, str(position), str(originator_id), str(version), topic):
        digest.update(part.encode())
        digest.update(b"\x1f")  # a separator no part contains
    digest.update(bytes(state))
    return digest.hexdigest()


class AuditChainProjection(Projection):
    name = "audit_chain"
    stands_alone = True

    def topics(self) -> frozenset[str]:
        return ALL_TOPICS

    def tables(self) -> Sequence[Table]:
        return (audit_chain,)

    def handle_page(self, conn: Connection, events: Sequence[LoggedEvent]) -> None:
        if not events:
            return
        last = conn.execute(
            select(audit_chain.c.hash).order_by(audit_chain.c.position.desc()).limit(1)
        ).scalar()
        previous = last or GENESIS
        rows = []
        for event in events:
            n = event.notification
            previous = link(previous, n.id, n.originator_id, n.originator_version, n.topic, n.state)
            rows.append((n.id, previous))
        insert_rows(conn, audit_chain, rows)


@dataclass(frozen=True)
class Broken:
    position: int
    reason: str


def verify(conn: Connection, recorder: ApplicationRecorder) -> tuple[int, Broken | None]:
    """Events checked, and the first place where the log and the recorded chain disagree."""
    recorded = _recorded(conn)
    previous, checked = GENESIS, 0
    for n in _log(recorder):
        expected = next(recorded, None)
        if expected is None:
            return checked, Broken(
                n.id, f"el evento {n.id} no figura en la cadena (agregado después de ella)"
            )
        position, chained = expected
        if position != n.id:
            return checked, Broken(
                min(position, n.id), f"falta el evento {min(position, n.id)} en el registro"
            )
        previous = link(previous, n.id, n.originator_id, n.originator_version, n.topic, n.state)
        if previous != chained:
            return checked, Broken(
                n.id,
                f"el evento {n.id} ({n.topic}, agregado {n.originator_id}, versión "
                f"{n.originator_version}) fue alterado",
            )
        checked += 1
    leftover = next(recorded, None)
    if leftover is not None:
        return checked, Broken(leftover[0], f"el evento {leftover[0]} fue borrado del registro")
    return checked, None


def _log(recorder: ApplicationRecorder) -> Iterator[Any]:
    start = 1
    while True:
        page = recorder.select_notifications(start, VERIFY_PAGE)
        if not page:
            return
        yield from page
        start = page[-1].id + 1


def _recorded(conn: Connection) -> Iterator[tuple[int, str]]:
    after = 0
    while True:
        page = conn.execute(
            select(audit_chain.c.position, audit_chain.c.hash)
            .where(audit_chain.c.position > after)
            .order_by(audit_chain.c.position)
            .limit(VERIFY_PAGE)
        ).all()
        if not page:
            return
        yield from ((int(p), h) for p, h in page)
        after = int(page[-1][0])


def chain_length(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(audit_chain)).scalar() or 0)
