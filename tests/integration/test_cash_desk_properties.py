"""Hypothesis: any sequence of receipts and annulments conserves money (SQLite, a store per example).

documents' paid amounts + member credit == receipts − annulled receipts, and the journal balances.
"""

from __future__ import annotations

import tempfile
from contextlib import suppress
from datetime import date
from decimal import Decimal
from pathlib import Path
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.bootstrap import bootstrap
from domain.errors import DomainError
from domain.identity import stable_id
from domain.invoicing import Invoice
from domain.members import Member, member_id
from ledger_rules import load_chart
from projections import queries
from tests.integration.cooperative import member
from tests.integration.helpers import invoice_header

amounts = st.integers(min_value=1, max_value=5_000_000).map(lambda c: Decimal(c) / 100)
kinds = st.sampled_from(["cash", "transfer", "retention_iva"])
operations = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), amounts, kinds, st.booleans()),
        st.tuples(st.just("annul"), st.integers(min_value=0, max_value=30), kinds, st.booleans()),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(amounts, min_size=1, max_size=4), operations)
def test_receipts_and_annulments_conserve_money(invoice_totals: list[Decimal], ops: list[tuple]) -> None:  # type: ignore[type-arg]
    with tempfile.TemporaryDirectory() as folder:
        asiento = bootstrap(f"sqlite:///{Path(folder) / 'p.db'}")
        try:
            app = asiento.app
            app.install_chart(load_chart(), recorded_by="t")
            app.open_fiscal_year(2026, recorded_by="t")
            member(asiento, "1")
            ids: list[UUID] = []
            for n, total in enumerate(invoice_totals, start=1):
                ids.append(stable_id("inv", n))
                app.issue_invoice(
                    lines=[{"kind": "charge", "amount": str(total), "concept": "x"}],
                    recorded_by="t",
                    id=ids[-1],
                    **invoice_header(n, member_number="000001", supply_number=f"E-{n}"),
                )
            receipts: list[tuple[UUID, Decimal]] = []
            annulled: set[UUID] = set()
            for op, value, kind, choose_last in ops:
                if op == "pay":
                    chosen = [ids[-1]] if choose_last else []
                    with suppress(DomainError):  # e.g. the chosen invoice is already paid
                        r = app.record_receipt(
                            member_number="1",
                            effective_date=date(2026, 3, 1),
                            open_invoice_ids=ids,
                            chosen=chosen,
                            recorded_by="t",
                            instruments=[{"kind": kind, "amount": value, "reference": "R"}],
                        )
                        receipts.append((r.id, r.total))
                elif receipts:
                    target = receipts[int(value) % len(receipts)][0]
                    with suppress(DomainError):  # already annulled, or its credit was spent since
                        app.annul_receipt(target, "prueba", date(2026, 3, 2), recorded_by="t")
                        annulled.add(target)
            invoices: list[Invoice] = [app.repository.get(i) for i in ids]
            credit = app.repository.get(member_id("1")).credit
            assert isinstance(app.repository.get(member_id("1")), Member)
            collected = sum((t for r, t in receipts if r not in annulled), Decimal(0))
            assert sum((inv.paid for inv in invoices), Decimal(0)) + credit == collected
            assert all(Decimal(0) <= inv.paid <= inv.total for inv in invoices)
            asiento.runner.catch_up()
            with asiento.read() as conn:
                tb = queries.trial_balance(conn, date(2026, 12, 31))
            assert tb.total_debit == tb.total_credit
        finally:
            asiento.close()
