"""How planning workers are started (without the parent's main script) and take turns writing."""

from __future__ import annotations

import multiprocessing
import sys
import threading
from importlib.machinery import ModuleSpec
from types import ModuleType

import pytest

from api.parallel_catch_up import Turns, _main_script_hidden


def test_a_script_run_by_path_is_hidden_while_workers_start(monkeypatch: pytest.MonkeyPatch) -> None:
    script = ModuleType("__main__")
    script.__file__ = "/usr/local/bin/asiento"
    script.__spec__ = None
    monkeypatch.setitem(sys.modules, "__main__", script)
    with _main_script_hidden():
        assert not hasattr(script, "__file__")  # multiprocessing then runs no main script
    assert script.__file__ == "/usr/local/bin/asiento"


def test_the_script_is_put_back_when_starting_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    script = ModuleType("__main__")
    script.__file__ = "bench/projection_catchup.py"
    script.__spec__ = None
    monkeypatch.setitem(sys.modules, "__main__", script)
    with pytest.raises(OSError), _main_script_hidden():
        raise OSError("no processes left")
    assert script.__file__ == "bench/projection_catchup.py"


def test_a_module_run_with_dash_m_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    module = ModuleType("__main__")
    module.__file__ = "/work/api/background_projections.py"
    module.__spec__ = ModuleSpec("api.background_projections", None)
    monkeypatch.setitem(sys.modules, "__main__", module)
    with _main_script_hidden():
        assert module.__file__ == "/work/api/background_projections.py"


def _turns() -> Turns:
    return Turns(multiprocessing.get_context("fork"))


def test_a_window_is_written_only_after_the_one_before_it() -> None:
    turns = _turns()
    assert not turns.wait_for(1, 0, timeout_s=0.01)  # not open yet: a rebuild is emptying tables
    turns.open(1, 0)
    assert turns.wait_for(1, 0, timeout_s=0.01)
    assert not turns.wait_for(1, 500, timeout_s=0.01)  # the window before has not committed
    answers: list[bool] = []
    waiting = threading.Thread(target=lambda: answers.append(turns.wait_for(1, 500, timeout_s=5)))
    waiting.start()
    turns.advance(1, 500)
    waiting.join()
    assert answers == [True]


def test_a_failed_window_ends_the_turns_of_its_catch_up() -> None:
    turns = _turns()
    turns.open(1, 0)
    answers: list[bool] = []
    waiting = threading.Thread(target=lambda: answers.append(turns.wait_for(1, 500, timeout_s=5)))
    waiting.start()
    turns.fail(1)
    waiting.join()
    assert answers == [False]
    turns.advance(1, 500)  # a window that was still being written does not open them again
    assert not turns.wait_for(1, 500, timeout_s=0.01)


def test_windows_handed_out_for_an_earlier_catch_up_never_write_in_a_later_one() -> None:
    turns = _turns()
    turns.fail(1)  # the first catch-up ended before it opened: its prepared windows give up
    assert not turns.wait_for(1, 0, timeout_s=0.01)
    turns.open(2, 0)
    assert not turns.wait_for(1, 0, timeout_s=0.01)
    assert turns.wait_for(2, 0, timeout_s=0.01)
    turns.advance(1, 500)  # a late answer of the first catch-up changes nothing
    assert not turns.wait_for(2, 500, timeout_s=0.01)
    assert turns.wait_for(2, 0, timeout_s=0.01)
