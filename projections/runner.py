"""The batched projection runner.

Reads the notification log in pages (``recorder.select_notifications``) and
hands each page to every projection that is behind; each page's view rows and
the projections' positions commit in one transaction, so a crash mid-page loses
nothing and posts nothing twice. Works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any, Protocol, cast
from uuid import UUID

import orjson
from eventsourcing.persistence import ApplicationRecorder, Mapper, find_id_convertor
from eventsourcing.utils import resolve_topic
from sqlalchemy import Connection, Engine, Table, select
from sqlalchemy.exc import IntegrityError

from projections.heap import bulk_heap
from projections.tables import create_missing_indexes, create_table, metadata, projection_positions

DEFAULT_PAGE_SIZE = 2_000
MIN_PAGE_SIZE = 500
MAX_PAGE_SIZE = 20_000
SCAN_WINDOW_PAGES = 4  # a page reads at most this many page sizes of log positions


ALL_TOPICS = frozenset({"*"})  # a projection that follows every event (the audit chain)
# Tags whose stored text is exactly what ``stored_text`` makes of the decoded value.
_TEXT_TAGS = frozenset({"decimal_str", "date_iso"})
_FIELDS_AS_STORED: dict[str, bool] = {}  # topic -> its stored state holds the event's own fields
_MISSING = object()  # a field absent from the stored state, or stored under another tag


def _texts_as_stored(state: bytes, names: Sequence[str]) -> tuple[Any, ...] | None:
    """The named fields' stored text, or None where a field is missing, carries another tag,
    or the bytes are not what orjson reads."""
    try:
        raw = orjson.loads(state)
    except orjson.JSONDecodeError:
        return None
    texts = []
    for name in names:
        value = raw.get(name, _MISSING)
        if value.__class__ is dict:
            value = value["_data_"] if value.get("_type_") in _TEXT_TAGS else _MISSING
        if value is _MISSING:
            return None
        texts.append(value)
    return tuple(texts)


def stored_text(value: Any) -> Any:
    """A row's Decimal or date as the text the database stores (what sqlite3's adapters and
    psycopg's COPY write): cheaper to pickle from a planning worker, no adapter call per value."""
    kind = value.__class__
    if kind is Decimal:
        return str(value)
    if kind is date:
        return value.isoformat()
    return value


class LoggedEvent:
    """One event of the log, shared by all projections; decoded on first use only.

    A plain class with slots, not a frozen dataclass: a page makes thousands, and a
    frozen dataclass sets each field through ``object.__setattr__``."""

    __slots__ = ("_data", "mapper", "notification", "originator_version", "position", "topic")

    def __init__(
        self, position: int, topic: str, originator_version: int, notification: Any, mapper: Mapper[UUID]
    ) -> None:
        self.position = position
        self.topic = topic
        self.originator_version = originator_version
        self.notification = notification  # the stored notification: raw state for the audit chain
        self.mapper = mapper
        self._data: Mapping[str, Any] | None = None

    def __repr__(self) -> str:
        return f"LoggedEvent(position={self.position}, topic={self.topic!r})"

    @property
    def data(self) -> Mapping[str, Any]:
        """The event's fields, decoded (and upcast) the first time."""
        data = self._data
        if data is None:
            data = self._data = self._decoded()
        return data

    def _decoded(self) -> dict[str, Any]:
        """What the library's mapper makes the event's ``__dict__``, without the event object
        where the mapper does no more than decode (no cipher, no compression, no upcasting):
        the same dict, built the same way, about 1 of the 10-11 us an event of the benchmark's
        log took to decode (measured); projections read the fields, never the object."""
        notification = self.notification
        if not self._fields_as_stored():
            return self.mapper.to_domain_event(notification).__dict__
        state: dict[str, Any] = self.mapper.transcoder.decode(notification.state)
        originator = notification.originator_id
        convert = find_id_convertor(resolve_topic(self.topic), cast(Hashable, type(originator)))
        state["originator_id"] = convert(originator)
        state["originator_version"] = notification.originator_version
        state.pop("class_version", None)
        return state

    @property
    def originator_id(self) -> UUID:
        originator: UUID = self.data["originator_id"]
        return originator

    @property
    def originator_hex(self) -> str:
        """The aggregate id as hex, from the stored record: no decoding."""
        originator = self.notification.originator_id
        return originator.hex if originator.__class__ is UUID else UUID(str(originator)).hex

    def stored_texts(self, names: Sequence[str]) -> tuple[Any, ...]:
        """The named fields as a row stores them (``stored_text``), read from the stored JSON
        without decoding the event where that gives the same values.

        Meter readings are two thirds of a cooperative's log and their row is nothing but
        such text: decoding a reading into Decimals and dates to turn them back into the same
        text cost 4-5 µs of the 6 µs a reading took to plan (measured). An event already
        decoded, a topic whose class upcasts, a store that compresses or encrypts, or a
        value of any other tag takes the decoded way."""
        if self._data is None and self._fields_as_stored():
            texts = _texts_as_stored(self.notification.state, names)
            if texts is not None:
                return texts
        data = self.data
        return tuple([stored_text(data[name]) for name in names])

    def _fields_as_stored(self) -> bool:
        known = _FIELDS_AS_STORED.get(self.topic)
        if known is None:
            mapper = self.mapper
            known = _FIELDS_AS_STORED[self.topic] = (
                mapper.cipher is None
                and mapper.compressor is None
                and getattr(resolve_topic(self.topic), "class_version", 1) == 1
            )
        return known

    @property
    def timestamp(self) -> datetime:
        value: datetime = self.data["timestamp"]
        return value


class Projection(ABC):
    """A read model built from the log. Subclasses own their tables."""

    name: str

    @abstractmethod
    def topics(self) -> frozenset[str]:
        """The event topics this projection reads."""

    @abstractmethod
    def tables(self) -> Sequence[Table]:
        """Tables this projection owns: dropped and recreated on rebuild."""

    @abstractmethod
    def handle_page(self, conn: Connection, events: Sequence[LoggedEvent]) -> None:
        """Apply one page of events in log order, inside the page transaction."""

    def outdated(self, conn: Connection, recorder: ApplicationRecorder) -> bool:
        """Its rows were written in a form this code no longer writes: the runner rebuilds them."""
        return False


class PlannedProjection(Projection):
    """A projection whose page work splits in two: planning, which needs no database and can
    run in another process, and writing the plan in the page transaction."""

    @abstractmethod
    def plan_page(self, events: Sequence[LoggedEvent]) -> Any:
        """The page's rows as plain, picklable values."""

    @abstractmethod
    def write_planned(self, conn: Connection, plan: Any) -> None:
        """Write what ``plan_page`` made, inside the page transaction."""

    def handle_page(self, conn: Connection, events: Sequence[LoggedEvent]) -> None:
        self.write_planned(conn, self.plan_page(events))


@dataclass(frozen=True)
class PlannedWindow:
    """A window of log positions read and planned by the process that will write it."""

    start: int
    stop: int
    read: int  # notifications read in the window
    events: list[LoggedEvent]  # those the unplanned projections follow, decoded once if at all
    plans: dict[str, Any]  # projection name -> its plan for the window
    failed: bool = False  # planning raised: the window is redone in order, where the error shows


class WindowWriter(Protocol):
    """Plans and writes windows of the log in other processes, each in its own transaction,
    in log order."""

    def write(self, windows: Iterator[tuple[int, int]], names: Sequence[str]) -> Iterator[tuple[int, int]]:
        """(last position, events read) of each window written, in order; ends at the first
        window that was not written (its planning or writing failed, or a worker is gone)."""
        ...


class ProjectionFailed(RuntimeError):
    def __init__(self, projection: str, cause: Exception) -> None:
        super().__init__(f"La proyección {projection} se detuvo: {cause}")
        self.projection = projection
        self.cause = cause


Progress = Callable[[int, int], None]  # (position reached, head)


class ProjectionRunner:
    def __init__(
        self,
        engine: Engine,
        recorder: ApplicationRecorder,
        mapper: Mapper[UUID],
        projections: Iterable[Projection],
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        create_tables: bool = True,
        after_page: Callable[[], None] | None = None,
    ) -> None:
        """``create_tables=False``: a helper process on a store its parent set up, which must not
        build the indexes a rebuild under way has deferred (see ``reset``). ``after_page``:
        called after each page commits (the store's upkeep, see ``adapters.store.WalKeeper``)."""
        if not MIN_PAGE_SIZE <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be within {MIN_PAGE_SIZE}..{MAX_PAGE_SIZE}")
        self.engine = engine
        self.recorder = recorder
        self.mapper = mapper
        self.projections = {p.name: p for p in projections}
        self.page_size = page_size
        self.after_page = after_page
        if create_tables:
            metadata.create_all(engine)
            create_missing_indexes(engine)  # also those a rebuild that stopped midway deferred
        self._ensure_positions()
        if create_tables:
            self._reset_outdated()

    def _ensure_positions(self) -> None:
        """Every projection has its position row from the start: a page locks it (see ``_one_page``)."""
        t = projection_positions.c
        with self.engine.connect() as conn:
            missing = set(self.projections) - set(conn.scalars(select(t.name)))
        for name in sorted(missing):  # rare: a new database or a new projection
            try:
                with self.engine.begin() as conn:
                    conn.execute(projection_positions.insert().values(name=name, position=0))
            except IntegrityError:
                pass  # another process created it meanwhile

    def _reset_outdated(self) -> None:
        """Projections whose rows an earlier version wrote differently start over from 0 (the next
        catch-up replays them): the audit chain of its first formula."""
        with self.engine.connect() as conn:
            outdated = [p.name for p in self.projections.values() if p.outdated(conn, self.recorder)]
        if outdated:
            self.reset(outdated)

    # -- positions -----------------------------------------------------------------
    def positions(self, conn: Connection | None = None) -> dict[str, int]:
        if conn is None:
            with self.engine.connect() as own:
                return self.positions(own)
        rows = conn.execute(select(projection_positions.c.name, projection_positions.c.position))
        known = {name: int(position) for name, position in rows}
        return {name: known.get(name, 0) for name in self.projections}

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0

    # -- running ----------------------------------------------------------------------
    def catch_up(
        self,
        *,
        names: Iterable[str] | None = None,
        progress: Progress | None = None,
        until: int | None = None,
    ) -> int:
        """Process every event up to the head of the log (or position ``until``); returns events read."""
        chosen = [self.projections[n] for n in names] if names else list(self.projections.values())
        head = self.head() if until is None else min(until, self.head())
        positions = self.positions()
        if all(positions[p.name] >= head for p in chosen):
            return 0  # nothing new: no write lock taken (a follower polls this often)
        read = 0
        with bulk_heap():
            while True:
                page_read, reached = self._one_page(chosen, head)
                read += page_read
                if progress is not None:
                    progress(reached, head)
                if reached >= head:
                    return read

    def follow(self, stop: threading.Event, *, poll_interval_s: float = 0.5) -> None:
        """The server's follower loop: catch up, then poll the log until told to stop.

        A failing projection ends the loop with its error (it must be seen and
        fixed, not retried in a tight loop).
        """
        if not 0.01 <= poll_interval_s <= 60:
            raise ValueError("poll_interval_s must be within 0.01..60 seconds")
        while not stop.is_set():
            self.catch_up()
            stop.wait(poll_interval_s)

    def _one_page(self, chosen: Sequence[Projection], head: int) -> tuple[int, int]:
        """One page: read, decoded and planned before the page takes its lock, then written.

        The planned projections' work (decoding, posting rules) needs no lock, and on SQLite the
        page's lock is the file's only write lock: a bulk command saving its next chunk waited
        for the whole page (a billing run's saves took 35 ms alone and 80-270 ms beside its
        follower, measured). If another process projected meanwhile, the page is read again
        from the positions it left."""
        while True:
            positions = self.positions()
            behind = [p for p in chosen if positions[p.name] < head]
            if not behind:
                return 0, head
            page = self._read_page(behind, positions, head)
            # Not written when another follower wrote meanwhile: the page is stale, read again.
            if self._write_page(behind, positions, page.writes, page.reached):
                return page.read, page.reached

    def _write_page(
        self,
        projections: Sequence[Projection],
        expected: Mapping[str, int],
        writes: Mapping[str, Callable[[Connection], None]],
        reached: int,
    ) -> bool:
        """Each projection's writes and its new position ``reached``, in one transaction; False,
        with nothing written, if the projections no longer stand at ``expected`` (another
        process projected meanwhile)."""
        with self.engine.begin() as conn:
            locked = self._locked_positions(conn, [p.name for p in projections])
            if any(locked[p.name] != expected[p.name] for p in projections):
                return False
            for projection in projections:
                self._apply(conn, projection, partial(writes[projection.name], conn), reached)
        if self.after_page is not None:
            self.after_page()
        return True

    def _read_page(self, behind: Sequence[Projection], positions: Mapping[str, int], head: int) -> _Page:
        """The next page of the log for ``behind``, decoded and planned, as one write per projection."""
        start = min(positions[p.name] for p in behind) + 1
        topics = _recorder_topics(behind)
        # A bounded window of positions: with a topic filter PostgreSQL scans the whole range
        # up to ``stop`` and sorts it for every page (quadratic over a rebuild, measured).
        stop = min(head, start + self.page_size * SCAN_WINDOW_PAGES - 1)
        notifications = self.recorder.select_notifications(start, self.page_size, stop=stop, topics=topics)
        # A short page means nothing else of interest up to the window's end.
        reached = notifications[-1].id if len(notifications) == self.page_size else stop
        events = [self._decode(n) for n in notifications]
        writes: dict[str, Callable[[Connection], None]] = {}
        for projection in behind:
            seen = positions[projection.name]
            todo = [e for e in _followed_by(projection, events) if e.position > seen]
            if isinstance(projection, PlannedProjection):
                try:
                    plan = projection.plan_page(todo)
                except Exception as exc:
                    raise ProjectionFailed(projection.name, exc) from exc
                writes[projection.name] = partial(_write_plan, projection, plan)
            else:
                _decode_now(projection, todo)
                writes[projection.name] = partial(_handle, projection, todo)
        return _Page(len(notifications), reached, writes)

    def _apply(
        self, conn: Connection, projection: Projection, write: Callable[[], None], reached: int
    ) -> None:
        """One projection's part of a page, then its new position, in the page transaction."""
        try:
            write()
        except Exception as exc:
            raise ProjectionFailed(projection.name, exc) from exc
        self._save_position(conn, projection.name, reached)

    def _locked_positions(self, conn: Connection, names: list[str]) -> dict[str, int]:
        """The positions of the page's projections, locked until the page commits.

        Two followers of the same projection (a server and a CLI catching up, or
        two machines) then take turns: the second waits, reads the position the
        first committed and goes on from there, instead of projecting the same
        page twice. SQLite has no row locks: the page takes the file's write lock.
        """
        if conn.dialect.name == "sqlite":
            # Take the write lock before reading the positions: two processes projecting the
            # same file (the server's follower and a CLI, or a bulk command's background
            # projections) then take turns, like PostgreSQL's row locks, instead of both
            # building the same page or failing on a stale read snapshot.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        t = projection_positions.c
        # Locked in name order: two runners locking overlapping groups then queue instead of
        # each holding a row the other waits for (PostgreSQL aborts one as a deadlock).
        rows = conn.execute(
            select(t.name, t.position).where(t.name.in_(names)).order_by(t.name).with_for_update()
        )
        known = {name: int(position) for name, position in rows}
        return {name: known.get(name, 0) for name in names}

    def _decode(self, notification: Any) -> LoggedEvent:
        return LoggedEvent(
            notification.id, notification.topic, notification.originator_version, notification, self.mapper
        )

    def _save_position(self, conn: Connection, name: str, position: int) -> None:
        table = projection_positions
        updated = conn.execute(table.update().where(table.c.name == name).values(position=position)).rowcount
        if not updated:
            conn.execute(table.insert().values(name=name, position=position))

    # -- in parallel ---------------------------------------------------------------------
    def plan_window(self, start: int, stop: int, names: Sequence[str]) -> PlannedWindow:
        """A worker's part: read the window and plan it for the planned projections named."""
        with bulk_heap():
            return self._plan_window(start, stop, [self.projections[n] for n in names])

    def _plan_window(self, start: int, stop: int, chosen: Sequence[Projection]) -> PlannedWindow:
        topics = _recorder_topics(chosen)
        notifications = self.recorder.select_notifications(start, stop - start + 1, stop=stop, topics=topics)
        events = [self._decode(n) for n in notifications]
        plans: dict[str, Any] = {}
        failed = False
        for projection in chosen:
            if isinstance(projection, PlannedProjection):
                try:
                    plans[projection.name] = projection.plan_page(_followed_by(projection, events))
                except Exception:  # redone in order by the ordinary catch-up, which reports it
                    failed = True
                    break
        if failed:
            return PlannedWindow(start, stop, len(notifications), [], {}, failed=True)
        # The unplanned projections' events are kept as read: what the planning decoded stays
        # decoded for them.
        unplanned = set().union(*(p.topics() for p in chosen if p.name not in plans))
        every = "*" in unplanned
        followed = [e for e in events if every or e.topic in unplanned]
        return PlannedWindow(start, stop, len(notifications), followed, plans)

    def catch_up_in_parallel(
        self,
        writer: WindowWriter,
        *,
        names: Iterable[str] | None = None,
        progress: Progress | None = None,
        window_size: int | None = None,
    ) -> int:
        """``catch_up``, with reading, decoding, planning and writing done by ``writer``'s
        workers, window after window in log order, each window in its own transaction exactly
        as the ordinary catch-up writes a page (``write_window``).

        ``window_size``: log positions per window (the page size unless given).

        Only when every chosen projection stands at the same position (a rebuild, or a group
        that always moves together); otherwise, or if another process projects meanwhile or a
        window fails, the rest is done by the ordinary ``catch_up``, which reports any error
        the usual way.
        """
        chosen = [self.projections[n] for n in names] if names else list(self.projections.values())
        chosen_names = [p.name for p in chosen]
        every_position = self.positions()
        positions = {every_position[n] for n in chosen_names}
        head = self.head()
        if len(positions) != 1:
            return self.catch_up(names=chosen_names, progress=progress)
        position = positions.pop()
        windows = log_windows(position, head, window_size or self.page_size)
        read = 0
        for reached, read_in_window in writer.write(windows, chosen_names):
            read += read_in_window
            if progress is not None:
                progress(reached, head)
        return read + self.catch_up(names=chosen_names, progress=progress)

    def write_window(self, names: Sequence[str], window: PlannedWindow) -> bool:
        """Write a planned window in one transaction, as a page; False, with nothing written,
        if the projections no longer stand just before it (another process projected)."""
        chosen = [self.projections[n] for n in names]
        writes: dict[str, Callable[[Connection], None]] = {}
        for projection in chosen:
            name = projection.name
            if name in window.plans:
                assert isinstance(projection, PlannedProjection)
                writes[name] = partial(_write_plan, projection, window.plans[name])
            else:
                writes[name] = partial(_handle, projection, _followed_by(projection, window.events))
        # False when someone else projected meanwhile: the ordinary catch-up takes over.
        return self._write_page(chosen, dict.fromkeys(names, window.start - 1), writes, window.stop)

    # -- rebuilding ---------------------------------------------------------------------
    def rebuild(self, names: Iterable[str], *, progress: Progress | None = None) -> int:
        """Drop the named projections' tables and replay the whole log into them."""
        chosen = list(names)
        self.reset(chosen, defer_indexes=True)
        read = self.catch_up(names=chosen, progress=progress)
        self.build_deferred_indexes()
        return read

    def reset(self, names: Iterable[str], *, defer_indexes: bool = False) -> None:
        """Empty the named projections' tables and set them back to position 0 (nothing replayed).

        ``defer_indexes``: the tables come without the secondary indexes their projections do
        not read while writing; ``build_deferred_indexes`` makes them once the replay is done
        (and any start of a runner that creates tables makes them, should the replay stop)."""
        with self.engine.begin() as conn:
            for projection in [self.projections[n] for n in names]:
                for table in projection.tables():
                    table.drop(conn, checkfirst=True)
                    create_table(conn, table, defer_indexes=defer_indexes)
                self._save_position(conn, projection.name, 0)

    def build_deferred_indexes(self) -> list[str]:
        """The indexes a ``reset(defer_indexes=True)`` left out; their names."""
        return create_missing_indexes(self.engine)


def log_windows(position: int, head: int, size: int) -> Iterator[tuple[int, int]]:
    """The windows (first and last log position) of ``size`` after ``position`` up to ``head``."""
    return ((start, min(start + size - 1, head)) for start in range(position + 1, head + 1, size))


def _recorder_topics(projections: Iterable[Projection]) -> list[str]:
    """The topics to ask the recorder for; [] asks for every event."""
    wanted: set[str] = set().union(*(p.topics() for p in projections))
    return [] if "*" in wanted else sorted(wanted)


def _followed_by(projection: Projection, events: Sequence[LoggedEvent]) -> list[LoggedEvent]:
    mine = projection.topics()
    if mine == ALL_TOPICS:
        return list(events)
    return [e for e in events if e.topic in mine]


@dataclass(frozen=True)
class _Page:
    read: int  # notifications read
    reached: int  # the position every projection of the page stands at once it is written
    writes: dict[str, Callable[[Connection], None]]  # per projection, what the page writes


def _write_plan(projection: PlannedProjection, plan: Any, conn: Connection) -> None:
    projection.write_planned(conn, plan)


def _handle(projection: Projection, events: Sequence[LoggedEvent], conn: Connection) -> None:
    projection.handle_page(conn, events)


def _decode_now(projection: Projection, events: Sequence[LoggedEvent]) -> None:
    """Decode before the page's lock what the projection will read (the audit chain reads raw bytes)."""
    if projection.topics() != ALL_TOPICS:
        for event in events:
            event.data  # noqa: B018 - cached on first use
