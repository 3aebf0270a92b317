"""The bulk garbage-collection setting: entered, nested, left, and restored on errors."""

from __future__ import annotations

import gc

import pytest

from projections.heap import BULK_YOUNG_GENERATION, bulk_heap, in_bulk_mode


def test_bulk_heap_raises_the_young_generation_and_restores_it() -> None:
    before = gc.get_threshold()
    frozen_before = gc.get_freeze_count()
    with bulk_heap():
        assert in_bulk_mode()
        assert gc.get_threshold() == (BULK_YOUNG_GENERATION, before[1], before[2])
        assert gc.get_freeze_count() > frozen_before  # what was alive on entry is not rescanned
    assert not in_bulk_mode()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen_before


def test_nested_uses_leave_the_setting_until_the_outermost_ends() -> None:
    before = gc.get_threshold()
    with bulk_heap():
        with bulk_heap():
            pass
        assert gc.get_threshold()[0] == BULK_YOUNG_GENERATION  # the inner exit kept it
    assert gc.get_threshold() == before


def test_an_error_inside_still_restores_the_thresholds() -> None:
    before = gc.get_threshold()

    @bulk_heap()
    def failing() -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        failing()
    assert gc.get_threshold() == before
    assert not in_bulk_mode()


def test_cycles_made_inside_are_collected_without_asking() -> None:
    """Rarer passes, not none: a long bulk command's cyclic garbage is still freed."""
    freed = [0]

    class Node:
        def __init__(self) -> None:
            self.me = self  # unreachable once made, kept alive only by its own cycle

        def __del__(self) -> None:
            freed[0] += 1

    with bulk_heap():
        for _ in range(4 * BULK_YOUNG_GENERATION):
            Node()
        assert freed[0] > 0  # the collector ran on its own inside
