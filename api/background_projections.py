"""Projections caught up by a second process while a bulk command writes the log.

A billing run or a collection import spends about a third of its time
projecting what it has just saved (journal, balances, registry, current
accounts). Done in the same process, that work waits for the writing and the
writing waits for it; on a machine with two cores a second process can project
chunk k while the first bills chunk k+1.

The second process only follows: it runs the ordinary projection runner (each
page one transaction, positions locked), so a crash of either process loses
nothing and projects nothing twice. When the command ends the follower is told
to stop and the command catches up the rest itself, in its own process, so a
broken projection surfaces there as the usual ``ProjectionFailed`` and the
command returns only once every read model shows what it wrote.

Small commands never start it: starting a Python process costs about half a
second, more than projecting a chunk.
"""

from __future__ import annotations

import argparse
import os
import select
import subprocess
import sys
from pathlib import Path
from types import TracebackType

from api.bootstrap import Asiento, bootstrap

POLL_INTERVAL_S = 0.05  # between catch-ups when the follower has reached the head
JOIN_TIMEOUT_S = 600.0  # a page never takes this long; past it the follower is stuck
_ROOT = str(Path(__file__).resolve().parents[1])  # where ``api`` is importable from


def _stop_requested(wait_s: float) -> bool:
    """The parent stops the follower by closing its stdin (and so does the parent's death)."""
    readable, _, _ = select.select([sys.stdin], [], [], wait_s)
    return bool(readable) and not os.read(sys.stdin.fileno(), 1)


def follow(url: str, rules_path: Path | None, page_size: int) -> None:
    """The follower process: catch up until told to stop."""
    asiento = bootstrap(
        url, rules_path=rules_path, page_size=page_size, create_tables=False, background_checkpoints=True
    )
    try:
        while True:
            asiento.runner.catch_up()
            if _stop_requested(POLL_INTERVAL_S):
                return
    finally:
        asiento.close()


class BackgroundProjections:
    """Start with ``start()`` once a command knows it is large; ``finish()`` always."""

    def __init__(self, asiento: Asiento, *, page_size: int | None = None) -> None:
        """``page_size``: the follower's pages, in events; the runner's own by default."""
        self.asiento = asiento
        self.page_size = asiento.runner.page_size if page_size is None else page_size
        self._process: subprocess.Popen[bytes] | None = None
        self.exit_codes: list[int] = []  # of the followers started so far (0: stopped as asked)

    def start(self) -> None:
        if self._process is not None:
            return
        command = [
            sys.executable, "-m", "api.background_projections",
            "--database", self.asiento.config.url,
            "--page", str(self.page_size),
        ]
        if self.asiento.rules_path is not None:
            command += ["--rules", str(self.asiento.rules_path)]
        # A fresh interpreter, not a fork: no inherited database connections.
        # Its failures are not read here: the catch-up in ``finish`` raises them again.
        paths = [_ROOT, *filter(None, [os.environ.get("PYTHONPATH")])]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
        )

    def catch_up(self) -> None:
        """After a chunk: nothing to do while the follower runs; otherwise project here."""
        if self._process is None:
            self.asiento.runner.catch_up()

    def finish(self) -> None:
        """Stop the follower (it ends its current page) and project the rest here."""
        self._stop_follower()
        self.asiento.runner.catch_up()

    def _stop_follower(self) -> None:
        process = self._process
        if process is None:
            return
        self._process = None
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(JOIN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()  # its open page rolls back; the catch-up here redoes it
            process.wait()
        self.exit_codes.append(process.returncode)

    def __enter__(self) -> BackgroundProjections:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.finish()
        else:
            self._stop_follower()  # the command failed: leave projecting to the next catch-up


def main() -> None:
    parser = argparse.ArgumentParser(description="Proyecciones en segundo plano (uso interno)")
    parser.add_argument("--database", required=True)
    parser.add_argument("--page", type=int, required=True)
    parser.add_argument("--rules", type=Path)
    args = parser.parse_args()
    follow(args.database, args.rules, args.page)


if __name__ == "__main__":
    main()
