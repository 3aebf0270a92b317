"""Copy an event log into a fresh store and project it there from position 0.

The stored events are copied as they are (same originators, versions, topics
and state, in log order), so the target gets the same history with the same
positions; then every projection catches up on the target. This is how a
benchmark database built once on SQLite is measured on PostgreSQL without
billing its year again, and it shows on the way that the history replays into
another backend. Prints figures; asserts nothing.

    python bench/copy_log.py --source sqlite:////tmp/web/w200k.db \
        --target postgresql://postgres@127.0.0.1:5432/bench_web
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eventsourcing.persistence import StoredEvent

from api.bootstrap import bootstrap
from api.parallel_catch_up import catch_up_planned_first
from bench.projection_catchup import fresh_database

COPY_BATCH = 5_000


def copy_events(source_url: str, target_url: str, log: bool = True) -> tuple[int, float]:
    """Every stored event of the source into the (fresh) target, in batches; returns (events, seconds)."""
    source = bootstrap(source_url)
    target = bootstrap(fresh_database(target_url))
    head = source.runner.head()
    reader, writer = source.app.recorder, target.app.recorder
    started, copied, position = time.perf_counter(), 0, 1
    while position <= head:
        notifications = reader.select_notifications(position, COPY_BATCH, stop=head)
        if not notifications:
            break
        writer.insert_events(
            [StoredEvent(n.originator_id, n.originator_version, n.topic, n.state) for n in notifications]
        )
        copied += len(notifications)
        position = notifications[-1].id + 1
        if log and copied % (COPY_BATCH * 100) == 0:
            print(f"  copied {copied:,} of {head:,}", flush=True)
    elapsed = time.perf_counter() - started
    source.close()
    target.close()
    return copied, elapsed


def project(target_url: str, page: int) -> tuple[int, float]:
    """Catch every projection up on the target from position 0 (with planning workers, as
    ``asiento rebuild`` does on a long log); returns (events read, seconds)."""
    target = bootstrap(target_url, page_size=page)  # again: the rule book now sees the copied chart
    last_report = [0.0]

    def progress(reached: int, head: int) -> None:
        now = time.perf_counter()
        if now - last_report[0] > 30:
            last_report[0] = now
            print(f"  projected up to {reached:,} of {head:,}", flush=True)

    started = time.perf_counter()
    processed = catch_up_planned_first(target, progress=progress)
    elapsed = time.perf_counter() - started
    if target.engine.dialect.name == "postgresql":
        with target.engine.begin() as conn:  # the planner needs statistics (autovacuum may be off)
            conn.exec_driver_sql("ANALYZE")
    target.close()
    return processed, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--page", type=int, default=5_000)
    args = parser.parse_args()
    copied, copy_s = copy_events(args.source, args.target)
    print(f"copied {copied:,} events in {copy_s:.0f}s ({copied / copy_s:,.0f} events/s)", flush=True)
    processed, project_s = project(args.target, args.page)
    print(f"projected {processed:,} events in {project_s:.0f}s ({processed / project_s:,.0f} events/s)")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")


if __name__ == "__main__":
    main()
