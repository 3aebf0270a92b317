"""Catch-up with worker processes: each reads, plans and writes windows of the log in turn.

A journal page costs about two parts of reading, decoding and evaluating the
posting rules to one part of writing rows (profiled). The first two need no
database writes, so workers do them for several windows of the log at once; each
worker then writes its window when the one before it has committed, in its own
transaction exactly as the ordinary catch-up writes a page (see
``ProjectionRunner.write_window``). While one writes, the others plan. Only worth
it for long catch-ups: rebuilds and benchmarks.

Workers used to send their plans here to be written by this process: pickling the
plans, sending and reading them back cost 1.1-1.5 core-seconds per 100,000 events
(profiled), a sixth of a rebuild's work on two cores.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import sys
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path
from types import TracebackType

from api.bootstrap import Asiento, bootstrap
from projections.heap import bulk_heap
from projections.runner import PlannedProjection, Progress, ProjectionRunner, log_windows

# Log positions a rebuild's worker plans and writes at once. Each window costs a transaction, a
# position update per projection and a COPY per table: at 100,000 supplies on PostgreSQL
# windows of 5,000 left the writing 11 s of CPU where 2,000 left it 16 s, and the machine
# 77-80 core-s of work where it had 86 (measured); 10,000 gained nothing more (nor on SQLite
# at 100,000 events with workers writing: 20,490 events/s against 20,046, within the noise;
# 20,000 was slower, 17,648).
REBUILD_WINDOW = 5_000
WINDOW_TIMEOUT_S = 300.0  # a window takes seconds; a worker silent this long is gone
IN_FLIGHT_PER_WORKER = 2  # windows handed out ahead per worker: keeps workers busy, memory bounded
NOT_WRITTEN = -1  # a worker's answer for a window it did not write


class Turns:
    """Which window may be written next, shared by the workers: the position up to which the
    windows have committed, for one catch-up (its generation) at a time.

    A window is written only once the one before it has committed, so windows commit in log
    order whichever worker planned them. A failed window ends the catch-up's turns: no later
    window is written, and the ordinary catch-up redoes the rest in order. A generation keeps
    windows handed out for an earlier catch-up from writing in a later one."""

    FAILED = -1
    CLOSED = -2  # the tables are not ready yet (a rebuild empties them after handing out windows)

    def __init__(self, context: multiprocessing.context.BaseContext) -> None:
        self._condition = context.Condition()
        self._generation = context.Value("q", 0, lock=False)
        self._position = context.Value("q", self.CLOSED, lock=False)

    def open(self, generation: int, position: int) -> None:
        """``generation``'s windows may be written, from the one after ``position``."""
        with self._condition:
            self._generation.value = generation
            self._position.value = position
            self._condition.notify_all()

    def wait_for(self, generation: int, position: int, timeout_s: float) -> bool:
        """Wait until the windows up to ``position`` have committed: True, or False once the
        catch-up failed, a later one began, or ``timeout_s`` passed."""

        def settled() -> bool:
            now = self._generation.value
            return now > generation or (now == generation and self._position.value in (position, self.FAILED))

        with self._condition:
            self._condition.wait_for(settled, timeout_s)
            return self._generation.value == generation and self._position.value == position

    def advance(self, generation: int, position: int) -> None:
        with self._condition:
            if self._generation.value == generation and self._position.value != self.FAILED:
                self._position.value = position
            self._condition.notify_all()

    def fail(self, generation: int) -> None:
        """``generation`` writes no more windows (also those still waiting for it to open)."""
        with self._condition:
            if self._generation.value <= generation:
                self._generation.value = generation
                self._position.value = self.FAILED
            self._condition.notify_all()


_worker: Asiento | None = None  # each worker process's own store and rules
_turns: Turns | None = None  # shared by the workers and this process


def _start_worker(url: str, rules_path: str | None, page_size: int, turns: Turns) -> None:
    global _worker, _turns
    rules = Path(rules_path) if rules_path else None
    _worker = bootstrap(url, rules_path=rules, page_size=page_size, create_tables=False)
    _turns = turns


def _plan_and_write(start: int, stop: int, names: Sequence[str], generation: int) -> int:
    """A worker's part: plan the window, wait for its turn, write it. Events read, or
    ``NOT_WRITTEN``."""
    assert _worker is not None and _turns is not None, "worker not started"
    # No garbage collection while the window is planned and written: the plan only grows, and
    # each young collection walked it again (a sixth of a worker's time, measured). It is freed
    # by reference counting once written; what few cycles are left are collected between windows.
    gc.disable()
    try:
        window = _worker.runner.plan_window(start, stop, names)
        if not _turns.wait_for(generation, start - 1, WINDOW_TIMEOUT_S):
            return NOT_WRITTEN
        written = False
        try:
            # A failed window, planning or writing, is redone in order by the ordinary
            # catch-up, which reports its error.
            with suppress(Exception):
                written = not window.failed and _worker.runner.write_window(names, window)
        finally:
            if written:
                _turns.advance(generation, stop)
            else:
                _turns.fail(generation)
        return window.read if written else NOT_WRITTEN
    finally:
        gc.enable()


@contextmanager
def _main_script_hidden() -> Iterator[None]:
    """Workers started meanwhile do not run this process's main script again.

    A spawned process runs the parent's main script (as ``__mp_main__``) so that what it
    defines can be unpickled there. Planning workers only run this module's functions, and
    the ``asiento`` command's script imports the whole command line (typer, rich, reportlab,
    openpyxl): 1.1 s a worker, where what planning needs takes 0.5 s (measured). A script
    run as a module (``python -m``) is left alone: multiprocessing names it instead."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or path is None or getattr(main, "__spec__", None) is not None:
        yield
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = path


def start_method(asiento: Asiento) -> str:
    """How workers start: ``fork`` where it is safe, ``spawn`` otherwise.

    A spawned worker imports Asiento again: half a second of CPU each, a tenth of a
    100,000-event rebuild on two cores; a forked one starts at once with this process's
    modules (rebuild, five runs each alternately: 19,490 events/s spawned, 20,384 forked,
    means; the workers' CPU 5.8-6.2 s against 4.5-5.4). Forking is safe only where the
    child inherits no database connection and no thread: SQLite keeps each file's locks
    per process, so a child that opened the file again while its parent held it would
    read without the locks it believes it holds. So: on SQLite, with the idle pooled
    connections closed first, no descriptor of this process open on the database or its
    write-ahead log, and one thread. On PostgreSQL the log's pool runs threads: spawned."""
    if asiento.engine.dialect.name != "sqlite" or "fork" not in multiprocessing.get_all_start_methods():
        return "spawn"
    asiento.close_idle_connections()
    if threading.active_count() > 1 or _holds_open(asiento.config.sqlite_path):
        return "spawn"
    return "fork"


def _holds_open(database: Path) -> bool:
    """Whether a descriptor of this process is open on the database, its log or its shared
    memory; on a system without ``/proc/self/fd`` that is unknown, so yes."""
    names = {str(database.resolve()) + suffix for suffix in ("", "-wal", "-shm", "-journal")}
    try:
        descriptors = os.listdir("/proc/self/fd")
    except OSError:
        return True
    for descriptor in descriptors:
        try:
            if os.readlink(f"/proc/self/fd/{descriptor}") in names:
                return True
        except OSError:
            continue  # closed meanwhile (the listing's own descriptor)
    return False


def default_workers() -> int:
    """One worker per core, at least two: while one writes its window, another plans (with a
    separate writer, two workers beat one by 6% on SQLite and 15% on PostgreSQL; with workers
    writing in turn, three were no faster than two on two cores: 19,985 against 20,422
    events/s)."""
    return max(2, os.cpu_count() or 2)


class WindowWorkers:
    """A pool of workers on the same store and rules as ``asiento`` that plan and write windows
    of the log in turn (``write``)."""

    def __init__(self, asiento: Asiento, workers: int | None = None) -> None:
        self.workers = workers or default_workers()
        if not 1 <= self.workers <= 32:
            raise ValueError("workers must be within 1..32")
        self.asiento = asiento
        self._prepared: dict[tuple[tuple[int, int], tuple[str, ...]], AsyncResult[int]] = {}
        self._generation = 1  # of the next ``write``
        rules = str(asiento.rules_path) if asiento.rules_path else None
        self.start_method = start_method(asiento)
        context = multiprocessing.get_context(self.start_method)
        self._turns = Turns(context)
        with _main_script_hidden():
            self._pool: Pool = context.Pool(
                self.workers,
                initializer=_start_worker,
                initargs=(asiento.config.url, rules, asiento.runner.page_size, self._turns),
            )

    def prepare(self, windows: Iterable[tuple[int, int]], names: Sequence[str]) -> None:
        """Hand the workers now what ``write`` would hand them first of these windows. They plan
        them and wait: ``write`` opens their turns.

        A rebuild prepares them before it empties the tables: planning only reads the log."""
        first = 0 if self._workers_write_the_first else 1
        for window in itertools.islice(windows, first, self._in_flight()):
            self._prepared[(window, tuple(names))] = self._submit(window, names)

    @property
    def _workers_write_the_first(self) -> bool:
        """Forked workers start at once; spawned ones take half a second, in which this
        process plans and writes the first window itself. (Forked, rebuilds ran at 20,598
        events/s with the first window the workers', 19,488 with it planned here: means of
        four runs alternately at 100,000 events.)"""
        return self.start_method == "fork"

    def _in_flight(self) -> int:
        return self.workers * IN_FLIGHT_PER_WORKER

    def write(self, windows: Iterator[tuple[int, int]], names: Sequence[str]) -> Iterator[tuple[int, int]]:
        """Plan and write the windows in order: (last position, events read) of each written.
        Ends at the first window not written; no later window is written then."""
        generation = self._generation
        first = next(windows, None)
        if first is None:
            return
        here = not self._workers_write_the_first  # spawned workers never prepare the first window
        pending: deque[tuple[tuple[int, int], AsyncResult[int]]] = deque()
        try:
            for window in itertools.chain([] if here else [first], windows):
                pending.append((window, self._taken(window, names)))
                if len(pending) == self._in_flight():
                    break
            if here:
                read = self._write_here(first, names)
                if read == NOT_WRITTEN:
                    return
                self._turns.open(generation, first[1])
                yield first[1], read
            else:
                self._turns.open(generation, first[0] - 1)
            yield from self._written_in_order(pending, windows, names)
        except multiprocessing.TimeoutError:
            # A worker died mid-window (the pool does not resend its task) or its answer could
            # not be read: the ordinary catch-up does the rest in this process.
            return
        finally:
            # Whatever is still handed out writes nothing now: the caller goes on in order.
            self._turns.fail(generation)
            self._generation += 1
            self._prepared.clear()

    def _written_in_order(
        self,
        pending: deque[tuple[tuple[int, int], AsyncResult[int]]],
        windows: Iterator[tuple[int, int]],
        names: Sequence[str],
    ) -> Iterator[tuple[int, int]]:
        """The workers' answers in window order, handing out one more window for each."""
        while pending:
            window, result = pending.popleft()
            read = result.get(WINDOW_TIMEOUT_S)
            if read == NOT_WRITTEN:
                return
            following = next(windows, None)
            if following is not None:
                pending.append((following, self._taken(following, names)))
            yield window[1], read

    def _write_here(self, window: tuple[int, int], names: Sequence[str]) -> int:
        runner = self.asiento.runner
        planned = runner.plan_window(*window, names)
        with bulk_heap():
            if planned.failed or not runner.write_window(names, planned):
                return NOT_WRITTEN
        return planned.read

    def _taken(self, window: tuple[int, int], names: Sequence[str]) -> AsyncResult[int]:
        """The window's prepared task, or the window handed to a worker now."""
        prepared = self._prepared.pop((window, tuple(names)), None)
        return prepared if prepared is not None else self._submit(window, names)

    def _submit(self, window: tuple[int, int], names: Sequence[str]) -> AsyncResult[int]:
        return self._pool.apply_async(_plan_and_write, (*window, list(names), self._generation))

    def close(self) -> None:
        self._pool.terminate()
        self._pool.join()

    def __enter__(self) -> WindowWorkers:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def catch_up_in_parallel(
    asiento: Asiento,
    *,
    names: Sequence[str] | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    window_size: int | None = None,
) -> int:
    """Every chosen projection caught up with planning workers; returns events read."""
    with WindowWorkers(asiento, workers) as window_workers:
        return asiento.runner.catch_up_in_parallel(
            window_workers, names=names, progress=progress, window_size=window_size
        )


def catch_up_planned_first(
    asiento: Asiento,
    *,
    names: Sequence[str] | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    window_size: int | None = None,
) -> int:
    """A long catch-up of several projections: the planned ones (and those a page runs before
    them, which they read) with planning workers; the rest afterwards, in one ordinary pass.

    Handing every projection to the workers' pipeline was slower than one process (measured:
    the writer then decodes every event for the unplanned projections itself, while the
    workers take CPU from it); the projections after the last planned one read none of the
    earlier ones' tables, so they can follow in a pass of their own. Returns events read.
    """
    runner = asiento.runner
    first_pass, rest = _passes(runner, names)
    if not first_pass:
        return runner.catch_up(names=rest, progress=progress)
    with WindowWorkers(asiento, workers) as window_workers:
        return _planned_then_rest(asiento, window_workers, first_pass, rest, progress, window_size)


def _passes(runner: ProjectionRunner, names: Sequence[str] | None) -> tuple[list[str], list[str]]:
    """The chosen projections split in the group the workers plan and the rest after it; the
    group is empty when no projection in it is planned."""
    order = list(runner.projections)
    wanted = set(names) if names is not None else set(order)
    chosen = [n for n in order if n in wanted]
    # The leading group: planned projections and the unplanned ones before them (which they
    # read), up to the first unplanned projection after a planned one. Planned projections
    # further on (current accounts, cash desk) plan and write in the second pass's pages.
    first_pass: list[str] = []
    seen_planned = False
    for name in order:
        is_planned = isinstance(runner.projections[name], PlannedProjection)
        if seen_planned and not is_planned:
            break
        seen_planned = seen_planned or is_planned
        if name in wanted:
            first_pass.append(name)
    if not any(isinstance(runner.projections[n], PlannedProjection) for n in first_pass):
        return [], chosen
    return first_pass, [n for n in chosen if n not in first_pass]


def _planned_then_rest(
    asiento: Asiento,
    window_workers: WindowWorkers,
    first_pass: Sequence[str],
    rest: Sequence[str],
    progress: Progress | None,
    window_size: int | None,
) -> int:
    runner = asiento.runner
    read = runner.catch_up_in_parallel(
        window_workers, names=first_pass, progress=progress, window_size=window_size
    )
    if rest:
        read = max(read, runner.catch_up(names=rest, progress=progress))
    return read


def rebuild(
    asiento: Asiento,
    names: Sequence[str],
    *,
    workers: int = 0,
    progress: Progress | None = None,
    window_size: int | None = None,
) -> int:
    """Drop the named projections and replay the log into them: what ``asiento rebuild`` does.

    The tables are refilled without the secondary indexes no projection reads while it
    writes, and those are built once at the end (``ProjectionRunner.reset``). ``workers``: 0
    replays in this process; more plan and write the planned projections' windows in that
    many processes, in turn, the audit chain's content digests among them, so the log is
    read once.
    ``window_size``: log positions a worker plans at once (``REBUILD_WINDOW`` unless given)."""
    runner = asiento.runner
    first_pass, rest = _passes(runner, names) if workers else ([], list(names))
    if not first_pass:
        runner.reset(names, defer_indexes=True)
        read = runner.catch_up(names=names, progress=progress)
    else:
        window = window_size or max(runner.page_size, REBUILD_WINDOW)
        # The workers start (at once forked, half a second each spawned) and plan the first
        # windows, which only reads the log, while this process empties the tables; their turns
        # to write open once the tables are ready.
        with WindowWorkers(asiento, workers) as window_workers:
            window_workers.prepare(log_windows(0, runner.head(), window), first_pass)
            runner.reset(names, defer_indexes=True)
            read = _planned_then_rest(asiento, window_workers, first_pass, rest, progress, window)
    runner.build_deferred_indexes()
    return read
