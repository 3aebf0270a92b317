"""SQLite's batch reader reads a batch when its result is asked for, once, in the asking thread."""

from __future__ import annotations

import threading

import pytest

from api.read_ahead import _WhenAsked


def test_a_batch_is_read_only_when_its_result_is_asked_for_and_only_once() -> None:
    calls: list[tuple[str, str]] = []

    def read(batch: str) -> str:
        calls.append((batch, threading.current_thread().name))
        return batch.upper()

    reader = _WhenAsked()
    first, second = reader.submit(read, "a"), reader.submit(read, "b")
    assert calls == []
    assert (second.result(), second.result(), first.result()) == ("B", "B", "A")
    here = threading.current_thread().name
    assert calls == [("b", here), ("a", here)]


def test_a_failed_read_raises_where_its_result_is_asked_for() -> None:
    def read() -> str:
        raise LookupError("documento 7 no encontrado")

    pending = _WhenAsked().submit(read)
    with pytest.raises(LookupError, match="documento 7"):
        pending.result()
    with pytest.raises(LookupError, match="documento 7"):
        pending.result()
