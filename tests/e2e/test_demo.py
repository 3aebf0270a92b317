"""``asiento demo``: a small cooperative built through the real commands must bill and balance.

One demo (40 members, 3 months) is built per module on SQLite and every test reads it;
the rerun test runs it a second time on the same database.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, UUIDAsHex
from sqlalchemy import and_, func, select

from adapters.application import DateAsISO
from api.bill_print import print_member_bills
from api.billing_run import period_bounds
from api.bootstrap import Asiento, bootstrap
from api.demo import ART31_MONTHS, DemoSummary, demo_periods, issue_date, run_demo
from api.demo_data import build_plan
from domain.afip import validate_cuit
from domain.errors import InvalidInput
from domain.money import ZERO, from_cents
from domain.supplies import BILLABLE_STATES
from projections import queries
from projections.commercial_tables import (
    account_documents,
    held_bills,
    invoices,
    payable_documents,
    readings,
    supplies,
)

MEMBERS, MONTHS, SEED = 40, 3, 7


@pytest.fixture(scope="module")
def work_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo")


@pytest.fixture(scope="module")
def demo(work_dir: Path) -> Iterator[tuple[Asiento, DemoSummary]]:
    asiento = bootstrap(f"sqlite:///{work_dir}/asiento.db")
    try:
        summary = run_demo(
            asiento,
            recorded_by="test",
            members=MEMBERS,
            months=MONTHS,
            seed=SEED,
            work_dir=work_dir / "rutas",
        )
        yield asiento, summary
    finally:
        asiento.close()


def test_builds_the_cooperative(demo: tuple[Asiento, DemoSummary]) -> None:
    _, summary = demo
    assert summary.members == MEMBERS
    assert {"electricity", "water", "internet"} <= set(summary.supplies)
    assert [m.period for m in summary.months] == demo_periods(MONTHS)
    assert all(m.invoices > 0 and m.documents > 0 for m in summary.months)


def test_every_due_supply_is_invoiced_held_or_skipped_with_a_reason(
    demo: tuple[Asiento, DemoSummary],
) -> None:
    asiento, summary = demo
    with asiento.read() as conn:
        for month in summary.months:
            _, period_end = period_bounds(month.period)
            due = conn.execute(
                select(func.count()).where(
                    and_(supplies.c.state.in_(sorted(BILLABLE_STATES)), supplies.c.connected_on <= period_end)
                )
            ).scalar_one()
            assert month.invoices + month.held_bills + len(month.skipped) == due, month
            assert all(reason for _, reason in month.skipped)
            billed = conn.execute(select(func.count()).where(invoices.c.period == month.period)).scalar_one()
            assert billed == month.invoices


def test_every_due_meter_has_a_real_or_estimated_reading(demo: tuple[Asiento, DemoSummary]) -> None:
    asiento, summary = demo
    with asiento.read() as conn:
        for month in summary.months:
            _, period_end = period_bounds(month.period)
            metered = conn.execute(
                select(func.count()).where(
                    and_(supplies.c.meter_serial.is_not(None), supplies.c.connected_on <= period_end)
                )
            ).scalar_one()
            read = conn.execute(select(func.count()).where(readings.c.period == month.period)).scalar_one()
            assert read == month.readings + month.estimated == metered
            assert month.still_held == 0  # the clerk reviewed every held reading


def test_planted_anomaly_was_held_and_accepted(demo: tuple[Asiento, DemoSummary]) -> None:
    _, summary = demo
    assert summary.months[1].held_for_review >= 1  # a vacant house read zero after months of use


def test_receivables_equal_the_members_current_accounts(demo: tuple[Asiento, DemoSummary]) -> None:
    asiento, summary = demo
    with asiento.read() as conn:
        trial = queries.trial_balance(conn, issue_date(demo_periods(MONTHS)[-1]))
        ledger = sum((r.balance for r in trial.rows if r.code.startswith("1.1.03.")), ZERO)
        owed = conn.execute(
            select(func.sum(account_documents.c.total_cents - account_documents.c.paid_cents))
        ).scalar_one()
        documents = conn.execute(select(func.sum(payable_documents.c.total_cents))).scalar_one()
    assert ledger == from_cents(int(owed)) == from_cents(int(documents)) == summary.total_billed
    assert summary.receivables_ledger == summary.receivables_accounts == ledger
    assert ledger > Decimal(0)


def test_the_journal_balances(demo: tuple[Asiento, DemoSummary]) -> None:
    asiento, summary = demo
    with asiento.read() as conn:
        trial = queries.trial_balance(conn, date(2100, 1, 1))
    assert trial.total_debit == trial.total_credit == summary.total_debit == summary.total_credit
    assert trial.total_debit > 0


def test_collector_files_in_every_format(demo: tuple[Asiento, DemoSummary], work_dir: Path) -> None:
    files = list((work_dir / "rutas" / demo_periods(MONTHS)[0]).iterdir())
    assert {f.suffix for f in files} == {".csv", ".txt", ".xlsx"}


def test_a_member_bill_prints(demo: tuple[Asiento, DemoSummary], tmp_path: Path) -> None:
    asiento, _ = demo
    paths = print_member_bills(asiento, "000002", demo_periods(MONTHS)[-1], tmp_path)
    assert paths
    assert all(p.read_bytes().startswith(b"%PDF") for p in paths)


def test_running_again_records_nothing(demo: tuple[Asiento, DemoSummary]) -> None:
    asiento, first = demo
    before = asiento.app.recorder.max_notification_id()
    again = run_demo(asiento, recorded_by="test", members=MEMBERS, months=MONTHS, seed=SEED)
    assert asiento.app.recorder.max_notification_id() == before == first.events
    assert again.events_added == 0
    assert again.months == first.months
    assert again.total_billed == first.total_billed


def test_another_demo_on_the_same_database_is_refused(demo: tuple[Asiento, DemoSummary]) -> None:
    asiento, _ = demo
    with pytest.raises(InvalidInput, match="otra demo"):
        run_demo(asiento, recorded_by="test", members=MEMBERS, months=MONTHS, seed=SEED + 1)


def test_the_plan_is_reproducible_and_identities_are_valid() -> None:
    periods = demo_periods(MONTHS)
    first, again = build_plan(MEMBERS, periods, SEED), build_plan(MEMBERS, periods, SEED)
    assert [m.name for m in first.members] == [m.name for m in again.members]
    assert [s.advances for s in first.supplies()] == [s.advances for s in again.supplies()]
    assert [m.name for m in build_plan(MEMBERS, periods, SEED + 1).members] != [m.name for m in first.members]
    for member in first.members:
        if member.document_type in ("CUIT", "CUIL"):
            assert validate_cuit(member.document_number) == member.document_number
    # Adding members leaves the existing ones as they were.
    bigger = build_plan(MEMBERS + 10, periods, SEED)
    assert [m.name for m in bigger.members[:MEMBERS]] == [m.name for m in first.members]


def test_a_consumption_jump_is_held_under_ley_24240(tmp_path: Path) -> None:
    """With 25 months the last one has the same month of the two previous years to compare with."""
    asiento = bootstrap(f"sqlite:///{tmp_path}/asiento.db")
    try:
        summary = run_demo(asiento, recorded_by="test", members=12, months=ART31_MONTHS, seed=SEED)
        with asiento.read() as conn:
            reasons = list(conn.scalars(select(held_bills.c.reason)))
    finally:
        asiento.close()
    assert summary.months[-1].held_bills >= 1
    assert all("Ley 24.240" in reason for reason in reasons)
    assert summary.receivables_ledger == summary.receivables_accounts
    assert not summary.notes  # nothing to explain: the window is long enough


def test_every_stored_event_is_the_bytes_the_library_encoder_writes(
    demo: tuple[Asiento, DemoSummary],
) -> None:
    """The whole demo log, re-encoded by the library's JSON transcoder, is byte for byte as stored."""
    asiento, _ = demo
    library = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        library.register(transcoding)
    ours = asiento.app.mapper.transcoder
    checked, position = 0, 1
    while page := asiento.app.recorder.select_notifications(position, 1_000):
        for stored in page:
            state = ours.decode(stored.state)
            assert library.encode(state) == stored.state, stored.topic
            checked += 1
        position = page[-1].id + 1
    assert checked == asiento.runner.head() > 500
