"""A real server (uvicorn, in a thread) over the test cooperative, and headless Debian Chromium.

Playwright drives the system browser (``/usr/bin/chromium``): nothing is downloaded.
``make test`` installs Debian's ``chromium`` when it is missing; under CI=true a
missing browser fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, sync_playwright

from api.web.app import create_app
from api.web.context import WebSettings
from tests.api.conftest import SECRET, TEST_HASHER, build_cooperative

CHROMIUM = Path(os.environ.get("ASIENTO_CHROMIUM", "/usr/bin/chromium"))
# As root in a container, with no network beyond localhost (see the machine notes).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_POLLS = 500


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    asiento = build_cooperative(f"sqlite:///{tmp_path}/asiento.db")
    app = create_app(asiento, WebSettings(SECRET), hasher=TEST_HASHER)
    port = _free_port()
    instance = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    for _ in range(START_POLLS):
        if instance.started:
            break
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        instance.should_exit = True
        thread.join()
        asiento.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Chromium is required under CI=true and {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is missing: run make test (it installs Debian's chromium)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield instance
        finally:
            instance.close()
