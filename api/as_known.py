"""Any read model as the books showed it at a past moment: replay the log up to then, elsewhere.

The ledger reports answer ``--as-known-at`` from the journal's own record times;
the subledgers (member current accounts, cash desk) are rebuilt from the events
recorded up to the moment into a scratch database, so what they show is exactly
what they would have shown then.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from api.bootstrap import Asiento
from api.deep_verify import scratch_engine
from domain.errors import InvalidInput


def position_known_at(asiento: Asiento, moment: datetime) -> int:
    """The last log position recorded at or before ``moment`` (0 if none)."""
    recorder, mapper = asiento.app.recorder, asiento.app.mapper
    low, high = 0, asiento.runner.head()
    while low < high:
        middle = (low + high + 1) // 2
        (found,) = recorder.select_notifications(middle, 1)
        if found.id > high:  # nothing recorded between middle and high
            high = middle - 1
        elif _recorded_at(mapper.to_domain_event(found)) <= moment:
            low = found.id
        else:
            high = middle - 1
    return low


def _recorded_at(event: Any) -> datetime:
    stamp: datetime = event.timestamp
    return stamp


@contextmanager
def books_known_at(asiento: Asiento, moment: datetime) -> Iterator[Connection]:
    """A connection to read models rebuilt from the log as it stood at ``moment``."""
    if moment.tzinfo is None:
        raise InvalidInput("--as-known-at necesita zona horaria")
    position = position_known_at(asiento, moment)
    with scratch_engine(asiento.config, None) as engine:
        asiento.scratch_runner(engine).catch_up(until=position)
        with engine.connect() as conn:
            yield conn


@contextmanager
def books_as_known(asiento: Asiento, moment: datetime | None) -> Iterator[Connection]:
    """The live read models, or, given a moment, the ones rebuilt as they stood then."""
    if moment is None:
        with asiento.read() as conn:
            yield conn
    else:
        with books_known_at(asiento, moment) as conn:
            yield conn
