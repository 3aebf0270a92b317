"""Scale-out measured on one machine: projections rebuilt by one process, then by two followers.

Run it on a database that ``bench/month.py`` left behind. The projections fall
in groups that share no table and no position: the ledger (chart, journal,
balances: the journal reads the calendar, balances read the journal's lines, so
they stay together) and the rest. Each group is rebuilt from position 0:

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

from sqlalchemy import select

from api.bootstrap import bootstrap
from projections.account_queries import member_statement
from projections.commercial_tables import members

LEDGER = ("chart", "journal", "balances")
OTHERS = ("commercial", "current_accounts", "cash_desk", "audit_chain")
STATEMENTS = 2_000
AS_OF = date(2026, 12, 28)


def rebuild(url: str, names: tuple[str, ...]) -> tuple[int, float]:
    asiento = bootstrap(url)
    try:
        started = time.perf_counter()
        read = asiento.runner.rebuild(list(names))
        return read, time.perf_counter() - started
    finally:
        asiento.close()


def statements_meanwhile(
    url: str, follower: multiprocessing.pool.AsyncResult[tuple[int, float]]
) -> list[float]:
    """Member statements on a connection of their own until the follower is done (at most STATEMENTS)."""
    asiento = bootstrap(url)
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
    for names in (LEDGER, OTHERS):
        read, elapsed = rebuild(url, names)
        print(f"one process, {'+'.join(names)}: {read:,} events read in {elapsed:.1f}s")
    one = time.perf_counter() - started
    print(f"one process, all: {one:.1f}s -> {head / one:,.0f} log events/s")
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        started = time.perf_counter()
        ledger = pool.apply_async(rebuild, (url, LEDGER))
        others = pool.apply_async(rebuild, (url, OTHERS))
        for names, job in ((LEDGER, ledger), (OTHERS, others)):
            read, elapsed = job.get()
            print(f"two followers, {'+'.join(names)}: {read:,} events read in {elapsed:.1f}s")
        two = time.perf_counter() - started
        print(f"two followers, all: {two:.1f}s -> {head / two:,.0f} log events/s ({one / two:.2f}x)")
        again = pool.apply_async(rebuild, (url, LEDGER))
        latencies = statements_meanwhile(url, again)
        again.get()  # the ledger is whole again before the pool is closed
    if latencies:
        p50, p99 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99)]
        print(f"{len(latencies)} member statements while they wrote: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
