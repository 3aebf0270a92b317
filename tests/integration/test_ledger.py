"""The ledger end to end on SQLite and PostgreSQL: commands, log, projections, reports."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import func, select

from api import year_end
from api.bootstrap import Asiento
from domain.chart import Side
from domain.errors import (
    AccountClosed,
    AlreadyRecorded,
    EntryAlreadyReversed,
    NoOpenFiscalYear,
    PeriodClosed,
    UnbalancedEntry,
)
from projections import queries
from projections.journal import first_entry_of_manual
from projections.tables import journal_entries, journal_lines
from tests.integration.helpers import (
    BANK,
    CAPITAL,
    CASH,
    ENERGY_PURCHASES,
    STANDARD_INVOICE_LINES,
    SUPPLIERS,
    entry,
    invoice_header,
    snapshot,
)

D = Decimal


def test_manual_entries_are_numbered_and_balanced(asiento: Asiento) -> None:
    entry(asiento, date(2026, 1, 2), (CASH, Side.DEBIT, "2500000.00"), (CAPITAL, Side.CREDIT, "2500000.00"))
    entry(asiento, date(2026, 1, 5), (BANK, Side.DEBIT, "2000000.00"), (CASH, Side.CREDIT, "2000000.00"))
    asiento.runner.catch_up()
    with asiento.read() as conn:
        entries = queries.journal(conn, date(2026, 1, 1), date(2026, 12, 31))
        tb = queries.trial_balance(conn, date(2026, 12, 31))
    assert [(e.fiscal_year, e.number, e.kind, e.recorded_by) for e in entries] == [
        (2026, 1, "manual", "test"),
        (2026, 2, "manual", "test"),
    ]
    assert [(ln.account_code, ln.debit, ln.credit) for ln in entries[1].lines] == [
        (BANK, D("2000000.00"), D("0.00")),
        (CASH, D("0.00"), D("2000000.00")),
    ]
    assert {(r.code, r.balance) for r in tb.rows} == {
        (CASH, D("500000.00")),
        (BANK, D("2000000.00")),
        (CAPITAL, D("-2500000.00")),
    }
    assert tb.total_debit == tb.total_credit == D("4500000.00")


def test_refused_commands_write_no_event(asiento: Asiento) -> None:
    head = asiento.runner.head()
    with pytest.raises(UnbalancedEntry):
        entry(asiento, date(2026, 1, 2), (CASH, Side.DEBIT, "10.00"), (CAPITAL, Side.CREDIT, "9.99"))
    with pytest.raises(NoOpenFiscalYear):
        entry(asiento, date(2027, 1, 2), (CASH, Side.DEBIT, "10.00"), (CAPITAL, Side.CREDIT, "10.00"))
    asiento.app.close_account(BANK, recorded_by="test")
    head = asiento.runner.head()
    with pytest.raises(AccountClosed):
        entry(asiento, date(2026, 1, 2), (BANK, Side.DEBIT, "10.00"), (CAPITAL, Side.CREDIT, "10.00"))
    assert asiento.runner.head() == head


def test_closed_period_refuses_and_open_period_accepts(asiento: Asiento) -> None:
    asiento.app.close_period("2026-01", recorded_by="test")
    with pytest.raises(PeriodClosed):
        entry(asiento, date(2026, 1, 31), (CASH, Side.DEBIT, "1.00"), (CAPITAL, Side.CREDIT, "1.00"))
    entry(asiento, date(2026, 2, 1), (CASH, Side.DEBIT, "1.00"), (CAPITAL, Side.CREDIT, "1.00"))
    year_end.close_year(asiento, 2026, recorded_by="test")
    with pytest.raises(PeriodClosed):
        entry(asiento, date(2026, 6, 1), (CASH, Side.DEBIT, "1.00"), (CAPITAL, Side.CREDIT, "1.00"))
    asiento.runner.catch_up()
    with asiento.read() as conn:
        years = queries.list_fiscal_years(conn)
    assert years == [(2026, date(2026, 1, 1), date(2026, 12, 31), True, "2026-01")]


def test_client_chosen_id_makes_posting_idempotent(asiento: Asiento) -> None:
    key = uuid4()
    entry(asiento, date(2026, 3, 1), (CASH, Side.DEBIT, "5.00"), (CAPITAL, Side.CREDIT, "5.00"), entry_id=key)
    head = asiento.runner.head()
    with pytest.raises(AlreadyRecorded):
        entry(
            asiento,
            date(2026, 3, 1),
            (CASH, Side.DEBIT, "5.00"),
            (CAPITAL, Side.CREDIT, "5.00"),
            entry_id=key,
        )
    assert asiento.runner.head() == head


def test_reversal_links_both_entries_and_zeroes_balances(asiento: Asiento) -> None:
    original = entry(
        asiento,
        date(2026, 3, 1),
        (ENERGY_PURCHASES, Side.DEBIT, "1200.50"),
        (SUPPLIERS, Side.CREDIT, "1200.50"),
        dims={"cost_center": "redes"},
    )
    asiento.app.reverse_entry(original, effective_date=date(2026, 3, 2), recorded_by="auditor")
    with pytest.raises(EntryAlreadyReversed):
        asiento.app.reverse_entry(original, effective_date=date(2026, 3, 2), recorded_by="auditor")
    asiento.runner.catch_up()
    with asiento.read() as conn:
        first, second = queries.journal(conn, date(2026, 3, 1), date(2026, 3, 31))
        tb = queries.trial_balance(conn, date(2026, 3, 31))
        mayor = queries.ledger(conn, ENERGY_PURCHASES, date(2026, 3, 1), date(2026, 3, 31))
    assert (first.reversed_by_entry_id, second.reverses_entry_id) == (second.entry_id, first.entry_id)
    assert (second.kind, second.recorded_by) == ("reversal", "auditor")
    assert [(ln.account_code, ln.debit, ln.credit) for ln in second.lines] == [
        (ENERGY_PURCHASES, D("0.00"), D("1200.50")),
        (SUPPLIERS, D("1200.50"), D("0.00")),
    ]
    assert second.lines[0].dimensions == {"cost_center": "redes"}
    assert all(r.balance == 0 for r in tb.rows)
    assert [r.balance for r in mayor.rows] == [D("1200.50"), D("0.00")]


def test_a_reversal_finds_an_entry_projected_in_an_earlier_page(asiento: Asiento) -> None:
    """The original is no longer in the page: the journal looks it up through the partial
    index of manual entries' originators, the only entries ever reversed."""
    original = entry(
        asiento,
        date(2026, 3, 1),
        (ENERGY_PURCHASES, Side.DEBIT, "310.25"),
        (SUPPLIERS, Side.CREDIT, "310.25"),
    )
    asiento.app.issue_invoice(lines=STANDARD_INVOICE_LINES, recorded_by="facturacion", **invoice_header())
    asiento.runner.catch_up()
    asiento.app.reverse_entry(original, effective_date=date(2026, 3, 5), recorded_by="auditor")
    asiento.runner.catch_up()
    with asiento.read() as conn:
        entries = queries.journal(conn, date(2026, 3, 1), date(2026, 3, 31))
        indexed = conn.exec_driver_sql(
            "SELECT count(*) FROM journal_entries WHERE event_name = 'ManualEntryPosted'"
        ).scalar()
    first = next(e for e in entries if e.kind != "reversal" and e.lines[0].account_code == ENERGY_PURCHASES)
    second = next(e for e in entries if e.kind == "reversal")
    assert (first.reversed_by_entry_id, second.reverses_entry_id) == (second.entry_id, first.entry_id)
    assert indexed == 2  # the invoice's entry is not among the manual ones
    if asiento.config.is_sqlite:  # in a rebuild, the full index on the originator comes last
        asiento.runner.reset(["journal"], defer_indexes=True)
        lookup = first_entry_of_manual("ab").compile(asiento.engine)
        with asiento.read() as conn:
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {lookup}", tuple(lookup.params.values())).all()
        assert "USING INDEX ix_journal_entries_manual_originator" in plan[0][-1]


def test_invoice_posts_through_the_default_rules(asiento: Asiento) -> None:
    asiento.app.issue_invoice(lines=STANDARD_INVOICE_LINES, recorded_by="facturacion", **invoice_header())
    asiento.runner.catch_up()
    with asiento.read() as conn:
        (posted,) = queries.journal(conn, date(2026, 2, 1), date(2026, 2, 1))
        tb = queries.trial_balance(conn, date(2026, 2, 28))
    assert posted.event_name == "InvoiceIssued" and posted.kind == "rule"
    assert posted.description.startswith("Factura B 00001-00000001")
    debits = {ln.account_code: ln.debit for ln in posted.lines if ln.debit}
    credits = {ln.account_code: ln.credit for ln in posted.lines if ln.credit}
    assert debits == {"1.1.03.01": D("14200.00")}
    assert credits == {
        "4.1.01.01": D("10000.00"),
        "3.1.03": D("1500.00"),
        "2.1.02.01": D("2100.00"),
        "2.1.03.01": D("600.00"),
    }
    assert posted.lines[0].dimensions == {"member": "0001", "supply": "E-0001", "service": "electricity"}
    assert tb.total_debit == tb.total_credit == D("14200.00")


def test_entries_are_numbered_per_fiscal_year_in_log_order(asiento: Asiento) -> None:
    asiento.app.open_fiscal_year(2027, recorded_by="test")
    for day in (date(2026, 5, 1), date(2027, 1, 3), date(2026, 4, 1), date(2027, 1, 2)):
        entry(asiento, day, (CASH, Side.DEBIT, "1.00"), (CAPITAL, Side.CREDIT, "1.00"))
    asiento.runner.catch_up()
    with asiento.read() as conn:
        rows = conn.execute(
            select(
                journal_entries.c.fiscal_year, journal_entries.c.number, journal_entries.c.effective_date
            ).order_by(journal_entries.c.entry_id)
        ).all()
    assert rows == [
        (2026, 1, date(2026, 5, 1)),
        (2027, 1, date(2027, 1, 3)),
        (2026, 2, date(2026, 4, 1)),
        (2027, 2, date(2027, 1, 2)),
    ]


def test_rebuild_equals_incremental(asiento: Asiento) -> None:
    entry(
        asiento,
        date(2026, 1, 2),
        (CASH, Side.DEBIT, "100.00"),
        (CAPITAL, Side.CREDIT, "100.00"),
        dims={"member": "7"},
    )
    first = entry(asiento, date(2026, 1, 3), (BANK, Side.DEBIT, "40.00"), (CASH, Side.CREDIT, "40.00"))
    asiento.app.issue_invoice(lines=STANDARD_INVOICE_LINES, recorded_by="t", **invoice_header())
    asiento.app.reverse_entry(first, effective_date=date(2026, 1, 4), recorded_by="t")
    asiento.runner.catch_up()
    incremental = snapshot(asiento)
    asiento.runner.rebuild(list(asiento.runner.projections))
    assert snapshot(asiento) == incremental
    assert len(incremental["journal_entries"]) == 4


def test_a_page_another_process_wrote_while_it_was_planned_is_read_again(asiento: Asiento) -> None:
    """A page is read and planned before it takes its lock; if another follower projected those
    events meanwhile, the page is thrown away and read again from where that one left off."""
    from api.bootstrap import bootstrap

    for n in range(3):
        entry(asiento, date(2026, 2, 1 + n), (CASH, Side.DEBIT, "1.00"), (CAPITAL, Side.CREDIT, "1.00"))
    runner = asiento.runner
    original = runner._read_page
    other = bootstrap(asiento.config.url)
    calls = []

    def read_then_let_the_other_project(*args: Any) -> Any:
        page = original(*args)
        if not calls:
            other.runner.catch_up()  # the other process projects the same events first
        calls.append(page.reached)
        return page

    runner._read_page = read_then_let_the_other_project  # type: ignore[method-assign]
    try:
        runner.catch_up()
    finally:
        runner._read_page = original  # type: ignore[method-assign]
        other.close()
    assert len(calls) == 1  # the second look found nothing left to do
    with asiento.read() as conn:
        assert conn.execute(select(func.count()).select_from(journal_entries)).scalar() == 3
        assert conn.execute(select(func.count()).select_from(journal_lines)).scalar() == 6


def test_crash_mid_page_posts_nothing_and_resumes_exactly_once(asiento: Asiento) -> None:
    for n in range(5):
        entry(
            asiento,
            date(2026, 2, 1 + n),
            (CASH, Side.DEBIT, f"{n + 1}.00"),
            (CAPITAL, Side.CREDIT, f"{n + 1}.00"),
        )
    balances = asiento.runner.projections["balances"]
    original = balances.write_planned  # type: ignore[attr-defined]

    def crash(conn, plan):  # type: ignore[no-untyped-def]
        original(conn, plan)  # the rows are written in the transaction...
        raise RuntimeError("power cut")  # ...and the page dies before commit

    balances.write_planned = crash  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError, match="power cut"):
        asiento.runner.catch_up()
    with asiento.read() as conn:
        assert conn.execute(select(func.count()).select_from(journal_lines)).scalar() == 0
    balances.write_planned = original  # type: ignore[attr-defined]
    asiento.runner.catch_up()
    asiento.runner.catch_up()
    with asiento.read() as conn:
        assert conn.execute(select(func.count()).select_from(journal_lines)).scalar() == 10
        tb = queries.trial_balance(conn, date(2026, 12, 31))
    assert {(r.code, r.balance) for r in tb.rows} == {(CASH, D("15.00")), (CAPITAL, D("-15.00"))}


def test_dimension_balances_follow_the_postings(asiento: Asiento) -> None:
    asiento.app.issue_invoice(lines=STANDARD_INVOICE_LINES, recorded_by="t", **invoice_header())
    asiento.app.issue_invoice(
        lines=STANDARD_INVOICE_LINES[:1],
        recorded_by="t",
        **invoice_header(2, member_number="0002", supply_number="E-0002"),
    )
    asiento.app.issue_invoice(
        lines=STANDARD_INVOICE_LINES[:1],
        recorded_by="t",
        **invoice_header(3, service="water", supply_number="W-0001", effective_date=date(2026, 2, 2)),
    )
    asiento.runner.catch_up()
    from projections.tables import account_dimension_balances as adb

    with asiento.read() as conn:
        rows = conn.execute(
            select(
                adb.c.account_code,
                adb.c.dimension,
                adb.c.value,
                adb.c.effective_date,
                adb.c.debit_cents,
                adb.c.credit_cents,
            )
            .where(adb.c.account_code.in_(["1.1.03.01", "1.1.03.02"]))
            .order_by(adb.c.account_code, adb.c.dimension)
        ).all()
    # Member and supply balances are not kept here (too many keys): only service and the like.
    assert rows == [
        ("1.1.03.01", "service", "electricity", date(2026, 2, 1), 2_420_000, 0),
        ("1.1.03.02", "service", "water", date(2026, 2, 2), 1_000_000, 0),
    ]


def test_follower_loop_projects_what_other_writers_record(asiento: Asiento) -> None:
    import threading
    import time

    stop = threading.Event()
    follower = threading.Thread(target=asiento.runner.follow, args=(stop,), kwargs={"poll_interval_s": 0.05})
    follower.start()
    try:
        entry(asiento, date(2026, 7, 1), (CASH, Side.DEBIT, "77.70"), (CAPITAL, Side.CREDIT, "77.70"))
        deadline = time.monotonic() + 20
        balance = None
        while time.monotonic() < deadline:
            with asiento.read() as conn:
                rows = {r.code: r.balance for r in queries.trial_balance(conn, date(2026, 12, 31)).rows}
            balance = rows.get(CASH)
            if balance is not None:
                break
            time.sleep(0.05)
    finally:
        stop.set()
        follower.join(timeout=20)
    assert balance == D("77.70")
    assert not follower.is_alive()


def test_as_known_at_shows_the_books_before_a_later_correction(asiento: Asiento) -> None:
    from datetime import UTC, datetime

    original = entry(
        asiento, date(2026, 3, 1), (CASH, Side.DEBIT, "500.00"), (CAPITAL, Side.CREDIT, "500.00")
    )
    asiento.runner.catch_up()

    def every_report(conn: Any, known: datetime | None) -> tuple[Any, ...]:
        from api.statements import build_balance_sheet
        from projections.diario_queries import diario

        return (
            queries.ledger(conn, CASH, date(2026, 1, 1), date(2026, 12, 31), known),
            queries.journal(conn, date(2026, 1, 1), date(2026, 12, 31), known),
            build_balance_sheet(conn, date(2026, 12, 31), as_known_at=known).sections,
            list(diario(conn, date(2026, 1, 1), date(2026, 12, 31), {"InvoiceIssued"}, known)),
        )

    with asiento.read() as conn:
        before = queries.trial_balance(conn, date(2026, 12, 31))
        reports_before = every_report(conn, None)
    moment = datetime.now(UTC)
    import time

    time.sleep(0.01)  # the correction is recorded strictly later
    asiento.app.reverse_entry(original, effective_date=date(2026, 3, 2), recorded_by="auditor")
    entry(asiento, date(2026, 3, 2), (CASH, Side.DEBIT, "50.00"), (CAPITAL, Side.CREDIT, "50.00"))
    asiento.runner.catch_up()
    with asiento.read() as conn:
        known_then = queries.trial_balance(conn, date(2026, 12, 31), as_known_at=moment)
        now = queries.trial_balance(conn, date(2026, 12, 31))
        reports_known_then = every_report(conn, moment)
        reports_now = every_report(conn, None)
    assert known_then.rows == before.rows
    assert reports_known_then == reports_before
    assert reports_now != reports_before
    assert {r.code: r.balance for r in now.rows} == {CASH: D("50.00"), CAPITAL: D("-50.00")}
