"""The per-item hot paths of the bulk commands, alone, on a fixed in-memory workload.

    python bench/hot_paths.py [--items N] [--only ids,bill,encode,decode]

Each path runs over the same ``N`` items (no database, no other process) and
prints microseconds per item, the best of ``--repeat`` rounds. End-to-end
benchmarks on this shared two-core machine moved by 10-20% between identical
runs (2026-11-25, sixth session); these figures move less, and under callgrind
they do not move at all: it counts instructions, whatever else the machine does.

    valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
        .venv/bin/python bench/hot_paths.py --items 2000 --repeat 1 --only decode

prints ``Collected : <instructions>`` last; run the same command on two
checkouts and compare (imports cost the same on both; subtract a run with
``--only none`` to see the path alone).

Paths:
- ``ids``: ``stable_id`` of an invoice (three per bill in a billing run).
- ``bill``: ``compute_bill`` of a residential electricity supply, shipped tariff.
- ``encode`` / ``decode``: an invoice event's state through the store's transcoder.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, UUIDAsHex

from adapters.application import DateAsISO, LeanJSONTranscoder
from adapters.tariff_files import DEFAULT_TARIFFS_PATH, parse_tariff_text
from domain.identity import stable_id
from domain.tariff_calc import compute_bill
from domain.tariffs import TariffTable

PERIOD_START, PERIOD_END = date(2026, 3, 1), date(2026, 3, 31)
VAT_CONDITIONS = ("CF", "CF", "CF", "RI", "MT")  # mostly final consumers, as in a town


def _consumption_kwh(n: int) -> Decimal:
    return Decimal((n * 37) % 900 + 20)


def _electricity() -> list[TariffTable]:
    path = DEFAULT_TARIFFS_PATH / "electricity.toml"
    return [parse_tariff_text(path.read_text(encoding="utf-8"), path.name)]


def _bills(tables: list[TariffTable], items: int) -> list[Any]:
    return [
        compute_bill(
            tables, "residential", _consumption_kwh(n), PERIOD_START, PERIOD_END, VAT_CONDITIONS[n % 5]
        )
        for n in range(items)
    ]


def _invoice_state(n: int, lines: list[dict[str, Any]]) -> dict[str, Any]:
    """What an ``InvoiceIssued`` event holds (field names as stored)."""
    total = sum((line["amount"] for line in lines), Decimal(0))
    return {
        "timestamp": datetime(2026, 4, 2, 9, 30, n % 60, tzinfo=UTC),
        "originator_topic": "domain.invoicing:Invoice",
        "effective_date": date(2026, 4, 2),
        "member_number": f"{n:06d}",
        "supply_number": f"E{n:07d}",
        "service": "electricity",
        "category": "residential",
        "vat_condition": VAT_CONDITIONS[n % 5],
        "document_type": 6,
        "letter": "B",
        "point_of_sale": 1,
        "number": n + 1,
        "period": "2026-03",
        "period_start": PERIOD_START,
        "period_end": PERIOD_END,
        "due_date": date(2026, 4, 17),
        "second_due_date": date(2026, 4, 27),
        "second_due_total": total + Decimal("100.00"),
        "consumption_units": _consumption_kwh(n),
        "payable_document_id": UUID(int=n),
        "lines": lines,
        "total": total,
        "recorded_by": "bench",
        "interest_for": None,
    }


def _transcoder() -> LeanJSONTranscoder:
    """The store's: ``AsientoApp.register_transcodings`` registers these four."""
    transcoder = LeanJSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    return transcoder


def _best_us_per_item(path: Callable[[], object], items: int, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        path()
        best = min(best, time.perf_counter() - started)
    return best / items * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--items", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", default="ids,bill,encode,decode", help="comma-separated paths, or none")
    args = parser.parse_args()
    chosen = {name for name in args.only.split(",") if name and name != "none"}
    items, repeat = args.items, args.repeat

    tables = _electricity()
    transcoder = _transcoder()
    states = [_invoice_state(n, bill.lines) for n, bill in enumerate(_bills(tables, items))]
    stored = [transcoder.encode(state) for state in states]
    keys = [f"E{n:07d}/2026-03" for n in range(items)]
    paths: dict[str, Callable[[], object]] = {
        "ids": lambda: [stable_id("invoice", key) for key in keys],
        "bill": lambda: _bills(tables, items),
        "encode": lambda: [transcoder.encode(state) for state in states],
        "decode": lambda: [transcoder.decode(data) for data in stored],
    }
    unknown = chosen - paths.keys()
    if unknown:
        parser.error(f"--only: unknown path(s) {sorted(unknown)}; choose among {sorted(paths)}")
    print(f"items={items} repeat={repeat} (best round; an invoice is {len(stored[0]):,} bytes stored)")
    for name, path in paths.items():
        if name in chosen:
            print(f"{name:<8} {_best_us_per_item(path, items, repeat):8.2f} us per item")


if __name__ == "__main__":
    main()
