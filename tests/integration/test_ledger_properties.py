"""Hypothesis over the real store (SQLite file per example; PostgreSQL is covered
by the deterministic suite): entries balance, bad input writes nothing, rebuild
equals incremental."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.bootstrap import Asiento, bootstrap
from domain.chart import Side
from domain.errors import DomainError
from domain.journal import EntryLine
from ledger_rules import load_chart
from projections import queries
from tests.integration.helpers import STANDARD_INVOICE_LINES, invoice_header, snapshot

POSTABLE = [a.code for a in load_chart() if not a.header]
HEADERS = [a.code for a in load_chart() if a.header]
SETTINGS = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

cents = st.integers(min_value=1, max_value=10**11).map(lambda c: Decimal(c) / 100)
days = st.integers(min_value=0, max_value=364).map(lambda d: date(2026, 1, 1) + timedelta(days=d))


@st.composite
def balanced_lines(draw: st.DrawFn) -> list[EntryLine]:
    debits = draw(st.lists(cents, min_size=1, max_size=4))
    total = sum(debits, Decimal(0))
    credit_count = draw(st.integers(min_value=1, max_value=3))
    total_cents = int(total * 100)
    cuts: list[int] = []
    if total_cents > credit_count:  # split the debit total into credit_count positive parts
        cuts = sorted(
            draw(
                st.lists(
                    st.integers(1, total_cents - 1),
                    min_size=credit_count - 1,
                    max_size=credit_count - 1,
                    unique=True,
                )
            )
        )
    bounds = [0, *cuts, total_cents]
    credits = [Decimal(b - a) / 100 for a, b in pairwise(bounds) if b > a]
    accounts = st.sampled_from(POSTABLE)
    return [EntryLine(draw(accounts), Side.DEBIT, amount) for amount in debits] + [
        EntryLine(draw(accounts), Side.CREDIT, amount) for amount in credits
    ]


@contextmanager
def fresh_store() -> Iterator[Asiento]:
    with tempfile.TemporaryDirectory() as folder:
        asiento = bootstrap(f"sqlite:///{Path(folder) / 'p.db'}")
        asiento.app.install_chart(load_chart(), recorded_by="t")
        asiento.app.open_fiscal_year(2026, recorded_by="t")
        try:
            yield asiento
        finally:
            asiento.close()


@SETTINGS
@given(st.lists(st.tuples(days, balanced_lines()), min_size=1, max_size=15))
def test_every_entry_balances_and_trial_balance_totals_agree(
    entries: list[tuple[date, list[EntryLine]]],
) -> None:
    with fresh_store() as asiento:
        for day, lines in entries:
            asiento.app.post_entry(effective_date=day, description="p", lines=lines, recorded_by="t")
        asiento.runner.catch_up()
        with asiento.read() as conn:
            journal = queries.journal(conn, date(2026, 1, 1), date(2026, 12, 31))
            tb = queries.trial_balance(conn, date(2026, 12, 31))
    assert len(journal) == len(entries)
    for posted in journal:
        assert sum(ln.debit for ln in posted.lines) == sum(ln.credit for ln in posted.lines)
    expected = sum((ln.amount for _, lines in entries for ln in lines if ln.side is Side.DEBIT), Decimal(0))
    assert tb.total_debit == tb.total_credit == expected


def _spoil(kind: str, lines: list[EntryLine]) -> tuple[list[EntryLine], date]:
    first = lines[0]
    day = date(2026, 6, 1)
    if kind == "unbalanced":
        lines = [EntryLine(first.account, first.side, first.amount + Decimal("0.01")), *lines[1:]]
    elif kind == "unknown_account":
        lines = [EntryLine("9.9.99", first.side, first.amount), *lines[1:]]
    elif kind == "header_account":
        lines = [EntryLine(HEADERS[0], first.side, first.amount), *lines[1:]]
    elif kind == "zero":
        lines = [
            *lines,
            EntryLine(first.account, Side.DEBIT, Decimal(0)),
            EntryLine(first.account, Side.CREDIT, Decimal(0)),
        ]
    elif kind == "negative":
        lines = [
            *lines,
            EntryLine(first.account, Side.DEBIT, Decimal("-1.00")),
            EntryLine(first.account, Side.CREDIT, Decimal("-1.00")),
        ]
    elif kind == "no_fiscal_year":
        day = date(2030, 1, 1)
    elif kind == "closed_period":
        day = date(2026, 1, 15)
    return lines, day


@pytest.fixture(scope="module")
def shared_store() -> Iterator[Asiento]:
    with fresh_store() as asiento:
        asiento.app.close_period("2026-01", recorded_by="t")
        yield asiento


@SETTINGS
@given(
    balanced_lines(),
    st.sampled_from(
        [
            "unbalanced",
            "unknown_account",
            "header_account",
            "zero",
            "negative",
            "no_fiscal_year",
            "closed_period",
        ]
    ),
)
def test_invalid_entries_are_refused_and_write_nothing(
    shared_store: Asiento, lines: list[EntryLine], defect: str
) -> None:
    spoiled, day = _spoil(defect, lines)
    head = shared_store.runner.head()
    with pytest.raises(DomainError):
        shared_store.app.post_entry(effective_date=day, description="x", lines=spoiled, recorded_by="t")
    assert shared_store.runner.head() == head


commands = st.one_of(
    st.tuples(st.just("entry"), days, balanced_lines()),
    st.tuples(st.just("invoice"), days, st.sampled_from(["electricity", "water", "internet", "gas"])),
    st.tuples(st.just("reverse"), days, st.integers(min_value=0, max_value=20)),
    st.tuples(st.just("catch_up"), days, st.none()),
)


@SETTINGS
@given(st.lists(commands, min_size=1, max_size=25))
def test_rebuild_equals_incremental(script: list[tuple[str, date, object]]) -> None:
    with fresh_store() as asiento:
        posted: list[object] = []
        for number, (kind, day, arg) in enumerate(script, start=1):
            if kind == "entry":
                posted.append(
                    asiento.app.post_entry(effective_date=day, description="p", lines=arg, recorded_by="t")
                )  # type: ignore[arg-type]
            elif kind == "invoice":
                asiento.app.issue_invoice(
                    lines=STANDARD_INVOICE_LINES,
                    recorded_by="t",
                    **invoice_header(number, service=arg, effective_date=day, due_date=day),
                )
            elif kind == "reverse" and posted:
                target = posted[int(arg) % len(posted)]  # type: ignore[call-overload]
                with suppress(DomainError):  # already reversed: refused, nothing written
                    asiento.app.reverse_entry(target, effective_date=day, recorded_by="t")  # type: ignore[arg-type]
            else:
                asiento.runner.catch_up()
        asiento.runner.catch_up()
        incremental = snapshot(asiento)
        asiento.runner.rebuild(list(asiento.runner.projections))
        assert snapshot(asiento) == incremental


@SETTINGS
@given(st.lists(st.tuples(days, balanced_lines()), min_size=1, max_size=12))
def test_closing_then_opening_preserves_the_balance_sheet_and_zeroes_results(
    entries: list[tuple[date, list[EntryLine]]],
) -> None:
    from api import year_end
    from domain.closing import RESULT_OF_YEAR_ACCOUNT, UNASSIGNED_RESULTS_ACCOUNT

    kinds = {a.code: str(a.account_type) for a in load_chart()}
    with fresh_store() as asiento:
        for day, lines in entries:
            asiento.app.post_entry(effective_date=day, description="p", lines=lines, recorded_by="t")
        asiento.runner.catch_up()
        with asiento.read() as conn:
            before = {r.code: r.balance for r in queries.trial_balance(conn, date(2026, 12, 31)).rows}
        year_end.open_year(asiento, 2027, None, None, recorded_by="t")
        year_end.close_year(asiento, 2026, recorded_by="t")
        year_end.open_year(asiento, 2027, None, None, recorded_by="t")
        asiento.runner.catch_up()
        with asiento.read() as conn:
            closed = {r.code: r.balance for r in queries.trial_balance(conn, date(2026, 12, 31)).rows}
            opened_ = {r.code: r.balance for r in queries.trial_balance(conn, date(2027, 1, 1)).rows}
            opening = [
                e
                for e in queries.journal(conn, date(2027, 1, 1), date(2027, 1, 1))
                if e.kind == "year_opening"
            ]
    zero = Decimal(0)
    result = sum((v for c, v in before.items() if kinds[c] in ("revenue", "expense")), zero)
    for code in set(before) | set(closed) | set(opened_):
        if kinds[code] in ("revenue", "expense"):
            assert closed.get(code, zero) == opened_.get(code, zero) == zero
        elif code == RESULT_OF_YEAR_ACCOUNT:
            assert closed.get(code, zero) == before.get(code, zero) + result
            assert opened_.get(code, zero) == before.get(code, zero) - before.get(code, zero)
        elif code == UNASSIGNED_RESULTS_ACCOUNT:
            moved = before.get(RESULT_OF_YEAR_ACCOUNT, zero) + result
            assert opened_.get(code, zero) == before.get(code, zero) + moved
        else:
            assert closed.get(code, zero) == opened_.get(code, zero) == before.get(code, zero)
    carried = {ln.account_code: ln.debit - ln.credit for e in opening for ln in e.lines}
    expected = {c: v for c, v in closed.items() if kinds[c] not in ("revenue", "expense") and v}
    assert carried == expected
