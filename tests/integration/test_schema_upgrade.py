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


JOURNAL_REPORT_INDEXES = {
    "ix_journal_entries_originator",
    "ix_journal_entries_year_number",
    "ix_journal_entries_position",
    "ix_journal_entries_date",
}


def test_a_rebuild_builds_its_report_indexes_after_the_replay(asiento: Asiento) -> None:
    """Reset with deferred indexes keeps only what projections read while writing (the
    journal's lookup of reversed manual entries, a partial index); helper processes leave the rest alone; the
    rebuild, or failing that the next start, builds them."""
    runner = asiento.runner
    runner.reset(["journal"], defer_indexes=True)
    assert _indexes(asiento, "journal_entries") == {"ix_journal_entries_manual_originator"}
    assert _indexes(asiento, "journal_lines") == set()
    helper = bootstrap(asiento.config.url, create_tables=False)  # a planning worker or follower
    helper.close()
    assert _indexes(asiento, "journal_entries") == {"ix_journal_entries_manual_originator"}
    assert set(runner.build_deferred_indexes()) == JOURNAL_REPORT_INDEXES | {"ix_journal_lines_account_date"}
    assert _indexes(asiento, "journal_entries") > JOURNAL_REPORT_INDEXES
    runner.reset(["journal"], defer_indexes=True)  # a rebuild that stopped midway...
    again = bootstrap(asiento.config.url)  # ...is completed by the next start
    try:
        assert _indexes(asiento, "journal_entries") > JOURNAL_REPORT_INDEXES
        assert _indexes(asiento, "journal_lines") == {"ix_journal_lines_account_date"}
    finally:
        again.close()


def test_rebuild_leaves_every_index_in_place(asiento: Asiento) -> None:
    from projections.tables import metadata

    before = {table: _indexes(asiento, table) for table in metadata.tables}
    asiento.runner.rebuild(list(asiento.runner.projections))
    assert {table: _indexes(asiento, table) for table in metadata.tables} == before
    assert create_missing_indexes(asiento.engine) == []
