"""The cash desk end to end on SQLite and PostgreSQL: receipts, allocation, credit, annulment, closing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import select

from api.billing_run import BillingRun, invoice_id
from api.bootstrap import Asiento
from domain.errors import AlreadyRecorded, Conflict, DomainError
from domain.invoicing import Invoice
from projections import queries
from projections.account_queries import member_statement
from projections.commercial_tables import members, receipts
from projections.tables import journal_entries
from tests.integration.cooperative import flat, member, metered, read, setup_services

D = Decimal
DAY = date(2026, 3, 10)
E1_JAN, I1_JAN = D("53073.88"), D("24079.00")


@pytest.fixture
def billed(asiento: Asiento) -> Asiento:
    """Member 1 with electricity and internet billed for January (77,152.88 in all)."""
    setup_services(asiento)
    member(asiento, "1", "CF", "Pérez, Juan")
    metered(asiento, "E-1", "000001")
    flat(asiento, "I-1", "000001")
    read(asiento, "E-1", "2026-01", "1320")
    BillingRun(asiento, period="2026-01", issue_date=date(2026, 2, 2), recorded_by="test").run()
    return asiento


def open_ids(asiento: Asiento) -> list[UUID]:
    return [invoice_id("E-1", "2026-01"), invoice_id("I-1", "2026-01")]


def collect(
    asiento: Asiento, *instruments: tuple[str, str, str], session: UUID | None = None, **kw: Any
) -> Any:
    return asiento.app.record_receipt(
        member_number="1",
        effective_date=kw.pop("day", DAY),
        open_invoice_ids=open_ids(asiento),
        instruments=[{"kind": k, "amount": a, "reference": r} for k, a, r in instruments],
        recorded_by="cajera",
        session_id=session,
        **kw,
    )


def balance(asiento: Asiento, supply: str) -> Decimal:
    invoice: Invoice = asiento.app.repository.get(invoice_id(supply, "2026-01"))
    return invoice.balance


def account(asiento: Asiento, code: str) -> Decimal:
    asiento.runner.catch_up()
    with asiento.read() as conn:
        rows = {r.code: r.balance for r in queries.trial_balance(conn, date(2026, 12, 31)).rows}
    return rows.get(code, D(0))


def test_a_cash_payment_of_one_invoice(billed: Asiento) -> None:
    session = billed.app.open_cash_session(
        desk="CAJA1", cashier="Ana", effective_date=DAY, opening_float="10000.00", recorded_by="ana"
    )
    receipt = collect(billed, ("cash", "53073.88", ""), session=session)
    assert [(a["label"], a["amount"]) for a in receipt.allocations] == [("B 00001-00000001", E1_JAN)]
    assert (balance(billed, "E-1"), balance(billed, "I-1")) == (D(0), I1_JAN)
    assert account(billed, "1.1.01.01") == E1_JAN
    assert account(billed, "1.1.03.01") == D(0)
    with billed.read() as conn:
        statement = member_statement(conn, "000001", date(2026, 3, 31))
    assert statement.debt == I1_JAN


def test_partial_payment_goes_oldest_first_and_chosen_documents_win(billed: Asiento) -> None:
    collect(billed, ("transfer", "60000.00", "TRF-1"))
    assert (balance(billed, "E-1"), balance(billed, "I-1")) == (D(0), I1_JAN - (D("60000.00") - E1_JAN))
    assert account(billed, "1.1.01.10") == D("60000.00")


def test_chosen_invoice_is_paid_first(billed: Asiento) -> None:
    collect(billed, ("cash", "24079.00", ""), chosen=[invoice_id("I-1", "2026-01")])
    assert (balance(billed, "E-1"), balance(billed, "I-1")) == (E1_JAN, D(0))


def test_overpayment_becomes_credit_and_is_used_next(billed: Asiento) -> None:
    collect(billed, ("cash", "80000.00", ""))
    over = D("80000.00") - E1_JAN - I1_JAN
    assert account(billed, "2.1.05.02") == -over
    with billed.read() as conn:
        credit = conn.execute(select(members.c.credit_cents).where(members.c.number == "000001")).scalar()
    assert credit == int(over * 100)


def test_retention_certificates_go_to_their_asset_accounts(billed: Asiento) -> None:
    collect(
        billed,
        ("cash", "50000.00", ""),
        ("retention_iva", "2500.00", "CERT-IVA-77"),
        ("retention_iibb", "573.88", "CERT-IIBB-12"),
    )
    assert (account(billed, "1.1.04.10"), account(billed, "1.1.04.11")) == (D("2500.00"), D("573.88"))
    assert balance(billed, "E-1") == D(0)


def test_annulment_reopens_documents_and_reverses_the_books(billed: Asiento) -> None:
    receipt = collect(billed, ("cash", "80000.00", ""))
    billed.app.annul_receipt(receipt.id, "Billete falso", DAY, recorded_by="supervisora")
    assert (balance(billed, "E-1"), balance(billed, "I-1")) == (E1_JAN, I1_JAN)
    assert account(billed, "1.1.01.01") == D(0) and account(billed, "2.1.05.02") == D(0)
    assert account(billed, "1.1.03.01") == E1_JAN
    with pytest.raises(Conflict, match="ya fue anulado"):
        billed.app.annul_receipt(receipt.id, "otra vez", DAY, recorded_by="supervisora")
    with billed.read() as conn:
        annulled = conn.execute(
            select(receipts.c.annulment_reason).where(receipts.c.receipt_id == receipt.id.hex)
        ).scalar()
    assert annulled == "Billete falso"


def test_closing_posts_the_cash_difference_and_locks_the_session(billed: Asiento) -> None:
    session = billed.app.open_cash_session(
        desk="CAJA1", cashier="Ana", effective_date=DAY, opening_float="10000.00", recorded_by="ana"
    )
    collect(billed, ("cash", "20000.00", ""), ("cheque", "5000.00", "CH-0001 Banco Nación"), session=session)
    with pytest.raises(Conflict, match="Cheque de terceros"):
        billed.app.close_cash_session(session, {"cash": "30000.00", "cheque": "0"}, DAY, recorded_by="ana")
    billed.app.close_cash_session(session, {"cash": "29990.00", "cheque": "5000.00"}, DAY, recorded_by="ana")
    assert account(billed, "5.3.05") == D("10.00")  # expected 10,000 float + 20,000 cash; counted 10 short
    with pytest.raises(Conflict, match="cerrada"):
        collect(billed, ("cash", "1.00", ""), session=session)


def test_a_receipt_id_is_an_idempotency_key(billed: Asiento) -> None:
    key = uuid4()
    collect(billed, ("cash", "100.00", ""), receipt_id=key)
    head = billed.runner.head()
    with pytest.raises(AlreadyRecorded):
        collect(billed, ("cash", "100.00", ""), receipt_id=key)
    assert billed.runner.head() == head


@pytest.mark.parametrize(
    "bad",
    [
        [("cash", "0", "")],
        [("cheque", "10.00", "")],
        [("bitcoin", "10.00", "x")],
        [("cash", "1.001", "")],
        [],
    ],
)
def test_bad_receipts_write_nothing(billed: Asiento, bad: list[tuple[str, str, str]]) -> None:
    head = billed.runner.head()
    with pytest.raises(DomainError):
        collect(billed, *bad)
    assert billed.runner.head() == head


def test_cash_closing_report_equals_the_journal(billed: Asiento) -> None:
    from projections.cash_queries import cash_closing

    session = billed.app.open_cash_session(
        desk="CAJA2", cashier="Beto", effective_date=DAY, opening_float="5000.00", recorded_by="beto"
    )
    collect(billed, ("cash", "20000.00", ""), ("cheque", "5000.00", "CH-9"), session=session)
    wrong = collect(billed, ("cash", "700.00", ""), session=session)
    billed.app.annul_receipt(wrong.id, "Cobro duplicado", DAY, recorded_by="beto")
    collect(billed, ("transfer", "1000.00", "TRF-3"), session=session)
    billed.runner.catch_up()
    with billed.read() as conn:
        closing = cash_closing(conn, DAY)
    (only,) = closing.sessions
    assert (only.receipts, only.annulled, only.desk, only.opening_float) == (2, 1, "CAJA2", D("5000.00"))
    assert closing.by_instrument() == {
        "cash": D("20000.00"),
        "cheque": D("5000.00"),
        "transfer": D("1000.00"),
    }
    # the report and the books agree: cash, cheques to deposit and the bank moved exactly that much
    assert (account(billed, "1.1.01.01"), account(billed, "1.1.01.04"), account(billed, "1.1.01.10")) == (
        D("20000.00"),
        D("5000.00"),
        D("1000.00"),
    )


def cheques_of(asiento: Asiento) -> list[Any]:
    from projections.commercial_tables import cheques

    asiento.runner.catch_up()
    with asiento.read() as conn:
        return list(conn.execute(select(cheques).order_by(cheques.c.reference)))


def test_cheques_enter_the_portfolio_and_leave_it_deposited_or_endorsed(billed: Asiento) -> None:
    collect(billed, ("cheque", "30000.00", "CH-1 Nación"), ("cheque", "20000.00", "CH-2 Galicia"))
    first, second = cheques_of(billed)
    assert (first.state, first.amount_cents, second.state) == ("portfolio", 3_000_000, "portfolio")
    assert account(billed, "1.1.01.04") == D("50000.00")
    billed.app.move_cheque(UUID(first.cheque_id), "deposit", DAY, detail="1.1.01.10", recorded_by="tesoreria")
    billed.app.move_cheque(
        UUID(second.cheque_id),
        "endorse",
        DAY,
        detail="Cooperativa Eléctrica Regional",
        recorded_by="tesoreria",
    )
    with pytest.raises(Conflict, match="depositado"):
        billed.app.move_cheque(UUID(first.cheque_id), "endorse", DAY, detail="X", recorded_by="tesoreria")
    assert [c.state for c in cheques_of(billed)] == ["deposited", "endorsed"]
    assert (account(billed, "1.1.01.04"), account(billed, "1.1.01.10"), account(billed, "2.1.01.01")) == (
        D("0.00"),
        D("30000.00"),
        D("20000.00"),
    )


def test_a_rejected_cheque_goes_back_to_the_members_debt(billed: Asiento) -> None:
    collect(billed, ("cheque", "53073.88", "CH-9 Macro"))
    (cheque,) = cheques_of(billed)
    billed.app.move_cheque(
        UUID(cheque.cheque_id), "deposit", DAY, detail="1.1.01.10", recorded_by="tesoreria"
    )
    billed.app.move_cheque(
        UUID(cheque.cheque_id), "reject", date(2026, 3, 12), detail="Sin fondos", recorded_by="tesoreria"
    )
    assert account(billed, "1.1.01.10") == D("0.00")  # the bank debited it back
    assert account(billed, "1.1.03.21") == D("53073.88")  # the member owes it again
    with billed.read() as conn:
        statement = member_statement(conn, "000001", date(2026, 3, 31))
    assert statement.debt == I1_JAN + D("53073.88")
    assert [ln.label for ln in statement.lines if ln.label.startswith("Cheque")] == [
        "Cheque rechazado CH-9 Macro"
    ]
    # Paid at the counter like a bill: part now, the rest later; an annulment re-opens it.
    from api.cli_cash import open_invoice_ids

    with billed.read() as conn:
        candidates = open_invoice_ids(conn, "000001")
    assert UUID(cheque.cheque_id) in candidates
    first = billed.app.record_receipt(
        member_number="1",
        effective_date=date(2026, 3, 13),
        open_invoice_ids=candidates,
        chosen=[UUID(cheque.cheque_id)],
        instruments=[{"kind": "cash", "amount": "50000.00", "reference": ""}],
        recorded_by="cajera",
    )
    assert [(a["label"], a["service"], a["amount"]) for a in first.allocations] == [
        ("Cheque rechazado CH-9 Macro", "rejected_cheque", D("50000.00"))
    ]
    assert account(billed, "1.1.03.21") == D("3073.88")
    billed.app.annul_receipt(first.id, "error de caja", date(2026, 3, 13), recorded_by="supervisora")
    assert account(billed, "1.1.03.21") == D("53073.88")
    billed.app.record_receipt(
        member_number="1",
        effective_date=date(2026, 3, 14),
        open_invoice_ids=candidates,
        chosen=[UUID(cheque.cheque_id)],
        instruments=[{"kind": "cash", "amount": "53073.88", "reference": ""}],
        recorded_by="cajera",
    )
    assert account(billed, "1.1.03.21") == D("0.00")
    with billed.read() as conn:
        statement = member_statement(conn, "000001", date(2026, 3, 31))
    assert statement.debt == I1_JAN


def test_late_interest_is_charged_with_debit_notes_and_collected(billed: Asiento) -> None:
    from adapters.interest_rates import load_interest_rates

    paid_on = date(2026, 3, 19)  # 30 days after the first due date (17/02) at the 2026 rate of 36%
    notes = billed.app.charge_late_interest(
        member_number="1",
        effective_date=paid_on,
        open_invoice_ids=open_ids(billed),
        rates=load_interest_rates(),
        point_of_sale=1,
        due_days=0,
        recorded_by="cajera",
    )
    # 53,073.88 × 36% / 365 × 30 = 1,570.405… and 24,079.00 × 36% / 365 × 30 = 712.471…
    assert sorted((n.supply_number, n.letter, n.document_type, n.number, n.total) for n in notes) == [
        ("E-1", "B", 7, 1, D("1570.41")),
        ("I-1", "B", 7, 2, D("712.47")),
    ]
    assert account(billed, "4.2.01") == -D("2282.88")
    with billed.read() as conn:
        descriptions = (
            conn.execute(
                select(journal_entries.c.description).where(
                    journal_entries.c.description.like("Nota de Débito%")
                )
            )
            .scalars()
            .all()
        )
    assert sorted(descriptions) == [
        "Nota de Débito B 00001-00000001 socio 000001",
        "Nota de Débito B 00001-00000002 socio 000001",
    ]
    total = E1_JAN + I1_JAN + D("2282.88")
    receipt = billed.app.record_receipt(
        member_number="1",
        effective_date=paid_on,
        open_invoice_ids=[*open_ids(billed), *(n.id for n in notes)],
        instruments=[{"kind": "cash", "amount": total, "reference": ""}],
        recorded_by="cajera",
    )
    assert receipt.credit_left == 0 and len(receipt.allocations) == 4
    billed.runner.catch_up()
    with billed.read() as conn:
        assert member_statement(conn, "000001", date(2026, 3, 31)).debt == 0
    assert (
        billed.app.charge_late_interest(
            member_number="1",
            effective_date=paid_on,
            open_invoice_ids=open_ids(billed),
            rates=load_interest_rates(),
            point_of_sale=1,
            due_days=0,
            recorded_by="cajera",
        )
        == []
    )


def test_interest_on_a_late_payment_goes_on_the_next_bill_once(billed: Asiento) -> None:
    from api.billing_run import BillingRun

    paid_on = date(2026, 3, 19)  # internet's January bill was due 17/02: 30 days late
    billed.app.record_receipt(
        member_number="1",
        effective_date=paid_on,
        open_invoice_ids=open_ids(billed),
        chosen=[invoice_id("I-1", "2026-01"), invoice_id("E-1", "2026-01")],
        instruments=[{"kind": "cash", "amount": E1_JAN + I1_JAN, "reference": ""}],
        recorded_by="cajera",
    )
    read(billed, "E-1", "2026-02", "1600")
    read(billed, "E-1", "2026-03", "1900")
    for period, issue in (
        ("2026-02", date(2026, 3, 2)),
        ("2026-03", date(2026, 4, 2)),
        ("2026-04", date(2026, 5, 4)),
    ):
        if period == "2026-04":
            read(billed, "E-1", "2026-04", "2200")
        BillingRun(billed, period=period, issue_date=issue, recorded_by="facturacion").run()

    def interest(supply: str, period: str) -> list[Decimal]:
        bill: Invoice = billed.app.repository.get(invoice_id(supply, period))
        return [ln["amount"] for ln in bill.lines if ln["kind"] == "interest"]

    assert interest("I-1", "2026-02") == []  # the payment came after February's period
    assert interest("I-1", "2026-03") == [D("712.47")]  # 24,079.00 × 36% / 365 × 30
    assert interest("I-1", "2026-04") == []  # charged once
    assert interest("E-1", "2026-03") == []  # electricity charges interest at the counter instead
    assert account(billed, "4.2.01") == -D("712.47")


def test_subledger_reports_as_known_at_a_moment_before_an_annulment(billed: Asiento) -> None:
    import time
    from datetime import UTC, datetime

    from api.as_known import books_known_at, position_known_at
    from projections.cash_queries import cash_closing

    receipt = collect(billed, ("cash", "53073.88", ""))
    billed.runner.catch_up()
    with billed.read() as conn:
        statement_then = member_statement(conn, "000001", date(2026, 3, 31))
        closing_then = cash_closing(conn, DAY)
    time.sleep(0.01)
    moment = datetime.now(UTC)
    time.sleep(0.01)
    billed.app.annul_receipt(receipt.id, "billete falso", DAY, recorded_by="supervisora")
    billed.runner.catch_up()
    assert 0 < position_known_at(billed, moment) < billed.runner.head()
    with billed.read() as conn:
        statement_now = member_statement(conn, "000001", date(2026, 3, 31))
    with books_known_at(billed, moment) as conn:
        statement_known = member_statement(conn, "000001", date(2026, 3, 31))
        closing_known = cash_closing(conn, DAY)
    assert statement_now.debt == E1_JAN + I1_JAN
    assert statement_known == statement_then and statement_known.debt == I1_JAN
    assert closing_known == closing_then


def test_late_interest_of_a_deferred_service_is_a_line_of_its_next_bill(billed: Asiento) -> None:
    """Internet's interest is deferred (adapters/data/billing.toml): paid ten days late, the
    January invoice's interest goes on February's bill, once, and posts as interest revenue.
    24,079.00 × 36% / 365 × 10 days (17/02 to 27/02) = 237.4915... -> 237.49."""
    from projections.commercial_tables import document_payments

    billed.app.record_receipt(
        member_number="1",
        effective_date=date(2026, 2, 27),
        open_invoice_ids=[invoice_id("I-1", "2026-01")],
        chosen=[invoice_id("I-1", "2026-01")],
        instruments=[{"kind": "cash", "amount": "24079.00", "reference": ""}],
        recorded_by="cajera",
    )
    billed.runner.catch_up()
    BillingRun(billed, period="2026-02", issue_date=date(2026, 3, 2), recorded_by="test").run()
    february: Invoice = billed.app.repository.get(invoice_id("I-1", "2026-02"))
    interest = [line for line in february.lines if line["kind"] == "interest"]
    assert [(line["amount"], line["in_vat_base"]) for line in interest] == [(D("237.49"), False)]
    assert "B 00001-00000002" in interest[0]["description"]  # the January internet invoice paid late
    assert february.total == I1_JAN + D("237.49")  # the same plan, plus the interest
    electricity: Invoice = billed.app.repository.get(invoice_id("E-1", "2026-02"))
    assert not [line for line in electricity.lines if line["kind"] == "interest"]  # January unpaid: none
    with billed.read() as conn:
        settled = conn.execute(select(document_payments.c.interest_invoice_id)).scalars().all()
    assert settled == [invoice_id("I-1", "2026-02").hex]  # the payment's interest is charged
    assert account(billed, "4.2.01") == D("-237.49")  # interest revenue (a credit balance)
    BillingRun(billed, period="2026-03", issue_date=date(2026, 4, 2), recorded_by="test").run()
    march: Invoice = billed.app.repository.get(invoice_id("I-1", "2026-03"))
    assert not [line for line in march.lines if line["kind"] == "interest"]  # never twice
