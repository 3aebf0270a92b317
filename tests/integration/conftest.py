from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.bootstrap import Asiento, bootstrap
from ledger_rules import load_chart

YEAR = 2026


@pytest.fixture
def asiento(database_url: str) -> Iterator[Asiento]:
    """A store with the default chart and fiscal year 2026 open, projections current."""
    instance = bootstrap(database_url)
    instance.app.install_chart(load_chart(), recorded_by="test")
    instance.app.open_fiscal_year(YEAR, recorded_by="test")
    instance.runner.catch_up()
    try:
        yield instance
    finally:
        instance.close()
