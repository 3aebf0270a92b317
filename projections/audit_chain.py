"""Tamper evidence: a hash chain over the event log.

Each event's hash covers the previous event's hash and the digest of the event's
content: its position, aggregate, version, topic and stored state. ``verify``
recomputes the chain from the log as it is now and names the first event whose
hash differs: an event altered, removed or inserted directly in the database,
after the chain recorded it.

The content digest needs nothing but the event, so it is computed where the
event is read (a rebuild's planning workers, or before a page takes its lock);
only the link to the previous hash is made in log order, by the page's writer.
The chain used to hash everything in one link, which made it the one read model
that had to read the whole log for itself (a second read of it in a rebuild).
Chains of that first formula are recognised and rebuilt (``outdated``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import ApplicationRecorder
from sqlalchemy import BigInteger, Column, Connection, String, Table, func, select

from projections.bulk import insert_rows
from projections.runner import ALL_TOPICS, LoggedEvent, PlannedProjection
from projections.tables import metadata

GENESIS = "0" * 64
VERIFY_PAGE = 5_000

audit_chain = Table(
    "audit_chain",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", String(64), nullable=False),
)


def content_digest(position: int, originator_id: Any, version: int, topic: str, state: bytes) -> bytes:
    """SHA-256 of one event's content; the parts are separated by a byte no part contains."""
    head = f"{position}\x1f{originator_id}\x1f{version}\x1f{topic}\x1f".encode()
    return hashlib.sha256(head + bytes(state)).digest()


def link(previous: str, digest: bytes) -> str:
    """The event's hash: the previous hash (hex) followed by its content digest."""
    return hashlib.sha256(previous.encode() + digest).hexdigest()


def _first_formula_link(previous: str, position: int, originator_id: Any, version: int, topic: str,
                        state: bytes) -> str:
    """The chain's first formula (one hash over everything), kept only to recognise old chains."""
    digest = hashlib.sha256()
    for part in (previous, str(position), str(originator_id), str(version), topic):
        digest.update(part.encode())
        digest.update(b"\x1f")
    digest.update(bytes(state))
    return digest.hexdigest()


Plan = list[tuple[int, bytes]]  # (position, content digest) per event, in log order


class AuditChainProjection(PlannedProjection):
    name = "audit_chain"

    def topics(self) -> frozenset[str]:
        return ALL_TOPICS

    def tables(self) -> Sequence[Table]:
        return (audit_chain,)

    def plan_page(self, events: Sequence[LoggedEvent]) -> Plan:
        plan = []
        for event in events:
            n = event.notification
            plan.append((n.id, content_digest(n.id, n.originator_id, n.originator_version, n.topic, n.state)))
        return plan

    def write_planned(self, conn: Connection, plan: Plan) -> None:
        if not plan:
            return
        previous = _last_hash(conn) or GENESIS
        rows = []
        for position, digest in plan:
            previous = link(previous, digest)
            rows.append((position, previous))
        insert_rows(conn, audit_chain, rows)

    def outdated(self, conn: Connection, recorder: ApplicationRecorder) -> bool:
        """A chain recorded with the first formula: its first link matches that formula."""
        first = conn.execute(
            select(audit_chain.c.position, audit_chain.c.hash).order_by(audit_chain.c.position).limit(1)
        ).first()
        if first is None:
            return False
        events = recorder.select_notifications(int(first.position), 1)
        if not events or events[0].id != first.position:
            return False  # not ours to judge: ``verify`` reports it
        n = events[0]
        return first.hash == _first_formula_link(
            GENESIS, n.id, n.originator_id, n.originator_version, n.topic, n.state
        )


def _last_hash(conn: Connection) -> str | None:
    last: str | None = conn.execute(
        select(audit_chain.c.hash).order_by(audit_chain.c.position.desc()).limit(1)
    ).scalar()
    return last


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
        digest = content_digest(n.id, n.originator_id, n.originator_version, n.topic, n.state)
        previous = link(previous, digest)
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
