"""Scale-out measured on one machine: projections rebuilt by one process, then by two followers.

Run it on a database that ``bench/month.py`` left behind. The projections fall
in groups that share no table and no position: the registry (commercial) and
the rest (the ledger's chart, journal and balances stay together: the journal
reads the calendar, balances read the journal's lines). Each group is rebuilt from position 0:

1. by one process, one group after the other (what ``asiento rebuild all`` does);
2. by two processes at once, one group each: two followers reading the same log,
   as they would from other machines;
3. the ledger rebuilt once more by a follower while member statements (tables
   the ledger does not touch) are read on connections of their own, as a read
   replica would serve them: how much a busy writer costs the readers.

Prints figures; asserts nothing.

    python bench/followers.py --database postgresql://postgres@127.0.0.1:5432/bench_month
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eventsourcing.persistence import InternalError
from sqlalchemy import select

from api.bootstrap import Asiento, bootstrap
from projections.account_queries import member_statement
from projections.commercial_tables import members

# Two groups of about the same cost (measured at 10,000 supplies): the registry, and the rest.
REGISTRY = ("commercial",)
OTHERS = ("chart", "journal", "balances", "current_accounts", "cash_desk", "audit_chain")
LEDGER = ("chart", "journal", "balances")
STATEMENTS = 2_000
AS_OF = date(2026, 12, 28)
STARTUP_ATTEMPTS = 5


def open_store(url: str) -> Asiento:
    """Start-up runs the library's CREATE ... IF NOT EXISTS; two processes doing it at the same moment
    make PostgreSQL answer "tuple concurrently updated" (seen here): the later one tries again."""
    for attempt in range(STARTUP_ATTEMPTS):
        try:
            return bootstrap(url)
        except InternalError:
            if attempt == STARTUP_ATTEMPTS - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def rebuild(url: str, names: tuple[str, ...]) -> tuple[int, float]:
    asiento = open_store(url)
    try:
        started = time.perf_counter()
        read = asiento.runner.rebuild(list(names))
        return read, time.perf_counter() - started
    finally:
        asiento.close()


def statements_meanwhile(
    asiento: Asiento, follower: multiprocessing.pool.AsyncResult[tuple[int, float]]
) -> list[float]:
    """Member statements, each in its own transaction, until the follower is done (at most STATEMENTS)."""
    latencies: list[float] = []
    try:
        with asiento.read() as conn:
            numbers = list(
                conn.scalars(select(members.c.number).order_by(members.c.number).limit(STATEMENTS))
            )
        for number in numbers:
            if follower.ready():
                break
            started = time.perf_counter()
            with asiento.read() as conn:
                member_statement(conn, number, AS_OF)
            latencies.append((time.perf_counter() - started) * 1000)
    finally:
        asiento.close()
    return sorted(latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    url = parser.parse_args().database
    print(f"load average {os.getloadavg()[0]:.2f}")
    asiento = bootstrap(url)
    head = asiento.runner.head()
    asiento.close()
    started = time.perf_counter()
    for names in (REGISTRY, OTHERS):
        read, elapsed = rebuild(url, names)
        print(f"one process, {'+'.join(names)}: {read:,} events read in {elapsed:.1f}s")
    one = time.perf_counter() - started
    print(f"one process, all: {one:.1f}s -> {head / one:,.0f} log events/s")
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        started = time.perf_counter()
        registry = pool.apply_async(rebuild, (url, REGISTRY))
        others = pool.apply_async(rebuild, (url, OTHERS))
        for names, job in ((REGISTRY, registry), (OTHERS, others)):
            read, elapsed = job.get()
            print(f"two followers, {'+'.join(names)}: {read:,} events read in {elapsed:.1f}s")
        two = time.perf_counter() - started
        print(f"two followers, all: {two:.1f}s -> {head / two:,.0f} log events/s ({one / two:.2f}x)")
        reader = open_store(url)
        again = pool.apply_async(rebuild, (url, LEDGER))
        latencies = statements_meanwhile(reader, again)
        again.get()  # the ledger is whole again before the pool is closed
    if latencies:
        p50, p99 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99)]
        print(f"{len(latencies)} member statements while they wrote: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
