"""How planning workers are started: without the parent's main script."""

from __future__ import annotations

import sys
from importlib.machinery import ModuleSpec
from types import ModuleType

import pytest

from api.parallel_catch_up import _main_script_hidden


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
