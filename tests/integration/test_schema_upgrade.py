"""A database made by an older version gets the indexes a newer one added, at start-up."""

from __future__ import annotations

from sqlalchemy import inspect, text

from api.bootstrap import Asiento, bootstrap
from projections.tables import create_missing_indexes


def _indexes(asiento: Asiento, table: str) -> set[str]:
    return {str(index["name"]) for index in inspect(asiento.engine).get_indexes(table)}


def test_an_index_missing_from_an_existing_table_is_built_at_start(asiento: Asiento) -> None:
    assert "ix_invoices_payable" in _indexes(asiento, "invoices")
    with asiento.engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_invoices_payable"))
    assert "ix_invoices_payable" not in _indexes(asiento, "invoices")  # as an older version left it
    again = bootstrap(asiento.config.url)
    try:
        assert "ix_invoices_payable" in _indexes(again, "invoices")
        assert create_missing_indexes(again.engine) == []  # nothing left to build
    finally:
        again.close()
