"""Two followers of the same projections on one PostgreSQL (a server and a CLI, or two machines).

Each page locks its projections' position rows, so followers take turns and
every page is projected once; the read models come out as one follower alone
makes them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from api.bootstrap import Asiento, bootstrap
from bench.generate import generate
from tests.conftest import drop_postgres_database, new_postgres_database

FOLLOWED = ["chart", "journal", "balances", "commercial", "current_accounts"]


@pytest.fixture
def postgres_url(postgres_admin: str) -> Iterator[str]:
    url = new_postgres_database(postgres_admin)
    try:
        yield url
    finally:
        drop_postgres_database(postgres_admin, url)


def _rows(asiento: Asiento) -> dict[str, list[tuple[Any, ...]]]:
    tables = [t for name in FOLLOWED for t in asiento.runner.projections[name].tables()]
    with asiento.read() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in tables
        }


def test_two_followers_project_every_page_once(postgres_url: str) -> None:
    alone = bootstrap(postgres_url, page_size=500)
    try:
        generate(alone, supplies=300, seed=3, months=3, batch_members=50)
        expected = _rows(alone)
        alone.runner.reset(FOLLOWED)
        assert _rows(alone)["journal_entries"] == []
    finally:
        alone.close()
    followers = [bootstrap(postgres_url, page_size=500) for _ in range(2)]
    failures: list[BaseException] = []

    def follow(asiento: Asiento) -> None:
        try:
            asiento.runner.catch_up(names=FOLLOWED)
        except BaseException as exc:  # reported by the test below
            failures.append(exc)

    threads = [threading.Thread(target=follow, args=(f,)) for f in followers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    try:
        assert failures == []
        assert _rows(followers[0]) == expected
        head = followers[0].runner.head()
        assert {followers[0].runner.positions()[name] for name in FOLLOWED} == {head}
    finally:
        for follower in followers:
            follower.close()
