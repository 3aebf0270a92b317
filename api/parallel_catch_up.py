"""Catch-up with worker processes: they read, decode and plan; this process writes.

A journal page costs about two parts of reading, decoding and evaluating the
posting rules to one part of writing rows (profiled). The first two need no
database writes, so worker processes do them for the next windows of the log
while this process writes the current one, in order, each window in its own
transaction exactly as the ordinary catch-up does (see
``ProjectionRunner.catch_up_in_parallel``). Only worth it for long catch-ups:
rebuilds and benchmarks; a worker costs about half a second to start.
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
from contextlib import contextmanager
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path
from types import TracebackType

from api.bootstrap import Asiento, bootstrap
from projections.runner import PlannedProjection, PlannedWindow, Progress, ProjectionRunner, log_windows

# Log positions a rebuild's worker plans at once. Each window costs the writer a transaction,
# a position update per projection and a COPY per table: at 100,000 supplies on PostgreSQL
# windows of 5,000 left the writer 11 s of CPU where 2,000 left it 16 s, and the machine
# 77-80 core-s of work where it had 86 (measured); 10,000 gained nothing more.
REBUILD_WINDOW = 5_000
WINDOW_TIMEOUT_S = 300.0  # a window takes seconds; a worker silent this long is gone
IN_FLIGHT_PER_WORKER = 2  # windows planned ahead per worker: keeps workers busy, memory bounded

# Workers yield the CPU to the writer, whose windows are the rebuild's one serial path: on two
# cores two workers and the writer want three, and the writer waited for its turn between
# windows. Rebuild at 100,000 events, alternating: 20,852 events/s at 0, 21,647 at 5, 21,917
# at 10, 22,465 at 19 (means of four or five runs). It also leaves a live server's requests
# ahead of a rebuild's planning.
WORKER_NICENESS = 19

_worker: Asiento | None = None  # each worker process's own store and rules


def _start_worker(url: str, rules_path: str | None, page_size: int) -> None:
    global _worker
    if hasattr(os, "nice"):
        os.nice(WORKER_NICENESS)
    rules = Path(rules_path) if rules_path else None
    _worker = bootstrap(url, rules_path=rules, page_size=page_size, create_tables=False)


def _plan(start: int, stop: int, names: Sequence[str]) -> PlannedWindow:
    assert _worker is not None, "worker not started"
    # No garbage collection while planning: the window's plan only grows, and each young
    # collection walked it again (a sixth of a worker's time, measured). It is freed by reference
    # counting once sent; what few cycles planning leaves are collected between windows.
    gc.disable()
    try:
        return _worker.runner.plan_window(start, stop, names)
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
    if threading.active_count() > 1 or _open_files_of(asiento.config.sqlite_path):
        return "spawn"
    return "fork"


def _open_files_of(database: Path) -> list[str]:
    """This process's descriptors open on the database, its log or its shared memory; on a
    system without ``/proc/self/fd`` the answer is unknown, so not empty."""
    names = {str(database.resolve()) + suffix for suffix in ("", "-wal", "-shm", "-journal")}
    try:
        descriptors = os.listdir("/proc/self/fd")
    except OSError:
        return ["unknown"]
    open_files = []
    for descriptor in descriptors:
        try:
            target = os.readlink(f"/proc/self/fd/{descriptor}")
        except OSError:
            continue  # closed meanwhile (the listing's own descriptor)
        if target in names:
            open_files.append(target)
    return open_files


def default_workers() -> int:
    """One worker per core, at least two: the writer spends part of its time waiting for the
    database (measured on two cores: two workers beat one by 6% on SQLite, 15% on PostgreSQL)."""
    return max(2, os.cpu_count() or 2)


class ProcessPlanner:
    """A pool of planning workers on the same store and rules as ``asiento``."""

    def __init__(self, asiento: Asiento, workers: int | None = None) -> None:
        self.workers = workers or default_workers()
        if not 1 <= self.workers <= 32:
            raise ValueError("workers must be within 1..32")
        self.asiento = asiento
        self._prepared: dict[tuple[tuple[int, int], tuple[str, ...]], AsyncResult[PlannedWindow]] = {}
        rules = str(asiento.rules_path) if asiento.rules_path else None
        self.start_method = start_method(asiento)
        with _main_script_hidden():
            self._pool: Pool = multiprocessing.get_context(self.start_method).Pool(
                self.workers,
                initializer=_start_worker,
                initargs=(asiento.config.url, rules, asiento.runner.page_size),
            )

    def prepare(self, windows: Iterable[tuple[int, int]], names: Sequence[str]) -> None:
        """Hand the workers now what ``plan`` would hand them first of these windows: all but
        the first (``plan`` plans that one here) of as many as are kept in flight. ``plan``
        takes their plans when it reaches them.

        A rebuild prepares them before it empties the tables: planning only reads the log,
        and the workers take about half a second to start."""
        for window in itertools.islice(windows, 1, self._in_flight()):
            self._prepared[(window, tuple(names))] = self._submit(window, names)

    def _in_flight(self) -> int:
        return self.workers * IN_FLIGHT_PER_WORKER

    def plan(self, windows: Iterator[tuple[int, int]], names: Sequence[str]) -> Iterator[PlannedWindow]:
        """The windows planned, in order. The first is planned in this process unless it was
        prepared: this process would otherwise only wait for the workers to start."""
        pending: deque[AsyncResult[PlannedWindow]] = deque()
        limit = self._in_flight()
        first = next(windows, None)
        if first is None:
            return
        try:
            for window in itertools.islice(windows, limit - 1):
                pending.append(self._taken(window, names))
            prepared = self._prepared.pop((first, tuple(names)), None)
            if prepared is None:
                yield self.asiento.runner.plan_window(*first, names)
            else:
                yield prepared.get(WINDOW_TIMEOUT_S)
            for window in windows:
                pending.append(self._taken(window, names))
                if len(pending) >= limit:
                    yield pending.popleft().get(WINDOW_TIMEOUT_S)
            while pending:
                yield pending.popleft().get(WINDOW_TIMEOUT_S)
        except multiprocessing.TimeoutError:
            # A worker died mid-window (the pool does not resend its task) or its answer could
            # not be read: stop planning; the ordinary catch-up does the rest in this process.
            return

    def _taken(self, window: tuple[int, int], names: Sequence[str]) -> AsyncResult[PlannedWindow]:
        """The window's prepared plan, or the window handed to a worker now."""
        prepared = self._prepared.pop((window, tuple(names)), None)
        return prepared if prepared is not None else self._submit(window, names)

    def _submit(self, window: tuple[int, int], names: Sequence[str]) -> AsyncResult[PlannedWindow]:
        return self._pool.apply_async(_plan, (*window, list(names)))

    def close(self) -> None:
        self._pool.terminate()
        self._pool.join()

    def __enter__(self) -> ProcessPlanner:
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
    with ProcessPlanner(asiento, workers) as planner:
        return asiento.runner.catch_up_in_parallel(
            planner, names=names, progress=progress, window_size=window_size
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
    with ProcessPlanner(asiento, workers) as planner:
        return _planned_then_rest(asiento, planner, first_pass, rest, progress, window_size)


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
    planner: ProcessPlanner,
    first_pass: Sequence[str],
    rest: Sequence[str],
    progress: Progress | None,
    window_size: int | None,
) -> int:
    runner = asiento.runner
    read = runner.catch_up_in_parallel(planner, names=first_pass, progress=progress, window_size=window_size)
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
    replays in this process; more plan the planned projections in that many processes
    beside it, the audit chain's content digests among them, so the log is read once.
    ``window_size``: log positions a worker plans at once (``REBUILD_WINDOW`` unless given)."""
    runner = asiento.runner
    first_pass, rest = _passes(runner, names) if workers else ([], list(names))
    if not first_pass:
        runner.reset(names, defer_indexes=True)
        read = runner.catch_up(names=names, progress=progress)
    else:
        window = window_size or max(runner.page_size, REBUILD_WINDOW)
        # The workers start (half a second each) and plan the first windows, which only read
        # the log, while this process empties the tables (a third of a second at 100,000 events).
        with ProcessPlanner(asiento, workers) as planner:
            planner.prepare(log_windows(0, runner.head(), window), first_pass)
            runner.reset(names, defer_indexes=True)
            read = _planned_then_rest(asiento, planner, first_pass, rest, progress, window)
    runner.build_deferred_indexes()
    return read
