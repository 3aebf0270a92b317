"""The billing run end to end on SQLite and PostgreSQL, against hand-worked bills."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from api.billing_run import BillingRun
from api.bootstrap import Asiento
from domain.barcodes import DEFAULT_LAYOUT, parse_collection_barcode
from domain.errors import DomainError
from domain.invoicing import Invoice
from projections import queries
from projections.account_queries import member_statement
from projections.commercial_tables import account_documents, invoices, payable_documents, readings
from tests.integration.cooperative import flat, member, metered, read, setup_services

D = Decimal
ISSUE = date(2026, 2, 2)


@pytest.fixture
def coop(asiento: Asiento) -> Asiento:
    setup_services(asiento)
    member(asiento, "1", "CF", "Pérez, Juan")
    metered(asiento, "E-1", "000001")
    flat(asiento, "I-1", "000001")
    member(asiento, "2", "RI", "Metalúrgica Sur SA")
    metered(asiento, "E-2", "000002", category="commercial", initial="50000")
    read(asiento, "E-1", "2026-01", "1320")
    read(asiento, "E-2", "2026-01", "51500")
    return asiento


def run(asiento: Asiento, period: str = "2026-01", **kw: Any) -> Any:
    return BillingRun(
        asiento, period=period, issue_date=kw.pop("issue_date", ISSUE), recorded_by="facturacion", **kw
    ).run()


def invoice_of(asiento: Asiento, supply: str, period: str = "2026-01") -> Invoice:
    from api.billing_run import invoice_id

    found: Invoice = asiento.app.repository.get(invoice_id(supply, period))
    return found


def test_residential_bill_to_the_cent(coop: Asiento) -> None:
    report = run(coop)
    assert (report.invoices, report.documents, report.skipped) == (3, 2, [])
    bill = invoice_of(coop, "E-1")
    assert [(ln["concept"], ln["kind"], ln["amount"]) for ln in bill.lines] == [
        ("cargo_fijo", "charge", D("5150.00")),
        ("consumo_1", "charge", D("18508.00")),  # 200 kWh × 92.54
        ("consumo_2", "charge", D("12997.20")),  # 120 kWh × 108.31
        ("cuota_capital", "capital", D("4725.78")),  # 15% × 31,505.20
        ("fondo_obras", "charge", D("1200.00")),
        ("fondo_provincial", "levy", D("272.00")),  # 320 kWh × 0.85
        ("tasa_municipal", "levy", D("2271.31")),  # 6% × 37,855.20 = 2,271.312
        ("iva_21", "vat", D("7949.59")),  # 21% × 37,855.20 = 7,949.592
    ]
    assert bill.total == D("53073.88")
    assert (bill.letter, bill.document_type, bill.point_of_sale) == ("B", 6, 1)
    assert (bill.due_date, bill.second_due_date, bill.second_due_total) == (
        date(2026, 2, 17),
        date(2026, 2, 27),
        D("54666.10"),
    )  # + 3% surcharge = 1,592.2164
    internet = invoice_of(coop, "I-1")
    assert [(ln["concept"], ln["amount"]) for ln in internet.lines] == [
        ("cargo_fijo", D("19900.00")),
        ("iva_21", D("4179.00")),
    ]


def test_responsable_inscripto_gets_an_a_invoice_at_27_percent(coop: Asiento) -> None:
    run(coop)
    bill = invoice_of(coop, "E-2")
    assert (bill.letter, bill.document_type) == ("A", 1)
    taxed = sum((ln["amount"] for ln in bill.lines if ln["kind"] == "charge" and ln["in_vat_base"]), D(0))
    (vat,) = [ln for ln in bill.lines if ln["kind"] == "vat"]
    assert vat["vat_rate"] == D("27")
    assert vat["amount"] == (taxed * D("0.27")).quantize(D("0.01"))
    assert bill.total == sum((ln["amount"] for ln in bill.lines), D(0))


def test_consolidated_document_and_its_barcode(coop: Asiento) -> None:
    run(coop)
    with coop.read() as conn:
        doc = conn.execute(
            select(payable_documents).where(payable_documents.c.member_number == "000001")
        ).one()
    fields = parse_collection_barcode(DEFAULT_LAYOUT, doc.barcode)
    assert fields.first_amount == D("53073.88") + D("24079.00")
    assert fields.second_amount == D("54666.10") + D("24801.37")  # 24,079 × 1.03 = 24,801.37
    assert (fields.account_number, fields.first_due, fields.second_due) == (
        1,
        date(2026, 2, 17),
        date(2026, 2, 27),
    )
    assert fields.document_number == doc.number


def test_journal_balances_and_receivables_equal_current_accounts(coop: Asiento) -> None:
    run(coop)
    with coop.read() as conn:
        tb = queries.trial_balance(conn, date(2026, 12, 31))
        owed = sum((member_statement(conn, n, date(2026, 12, 31)).debt for n in ("000001", "000002")), D(0))
    receivables = sum((r.balance for r in tb.rows if r.code.startswith("1.1.03.")), D(0))
    assert tb.total_debit == tb.total_credit
    assert receivables == owed == sum((invoice_of(coop, s).total for s in ("E-1", "I-1", "E-2")), D(0))


def test_a_second_run_bills_nothing_twice(coop: Asiento) -> None:
    run(coop)
    again = run(coop)
    assert (again.invoices, again.documents) == (0, 0)
    with coop.read() as conn:
        assert conn.execute(select(func.count()).select_from(invoices)).scalar() == 3


def test_a_run_killed_midway_finishes_without_gaps_or_duplicates(coop: Asiento) -> None:
    for n in range(3, 9):
        member(coop, str(n))
        metered(coop, f"E-{n}", f"{n:06d}")
        read(coop, f"E-{n}", "2026-01", str(1100 + n * 10))
    original_save = coop.app.save
    calls = {"n": 0}

    def dying_save(*aggregates: Any, **kw: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("killed")
        return original_save(*aggregates, **kw)

    coop.app.save = dying_save  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="killed"):
        run(coop, members_per_chunk=2)
    coop.app.save = original_save  # type: ignore[method-assign]
    with coop.read() as conn:
        partial = conn.execute(select(func.count()).select_from(invoices)).scalar()
    assert 0 < partial < 9
    run(coop, members_per_chunk=2)
    with coop.read() as conn:
        numbers = conn.execute(
            select(invoices.c.document_type, invoices.c.number).order_by(
                invoices.c.document_type, invoices.c.number
            )
        ).all()
        documents = [n for (n,) in conn.execute(select(payable_documents.c.number).order_by("number"))]
    b_numbers = [n for t, n in numbers if t == 6]
    assert b_numbers == list(range(1, len(b_numbers) + 1)) and len(b_numbers) == 8  # E-1, I-1, E-3..E-8
    assert [n for t, n in numbers if t == 1] == [1]
    assert documents == list(range(1, 9))


def test_missing_reading_is_estimated_and_flagged(asiento: Asiento) -> None:
    setup_services(asiento)
    member(asiento, "1")
    metered(asiento, "E-1", "000001", connected=date(2025, 9, 30))
    read(asiento, "E-1", "2025-10", "1300", date(2025, 10, 31))  # 300 kWh in 31 days
    read(asiento, "E-1", "2025-11", "1600", date(2025, 11, 30))  # 300 kWh in 30 days
    read(asiento, "E-1", "2025-12", "1910", date(2025, 12, 31))  # 310 kWh in 31 days
    report = run(asiento)
    assert (report.invoices, report.estimated) == (1, 1)
    with asiento.read() as conn:
        row = conn.execute(select(readings).where(readings.c.period == "2026-01")).one()
    # 910 kWh in 92 days × 31 days = 306.6 -> 307 kWh, whole units, flagged as estimated
    assert (row.estimated, row.consumption_units, row.value) == (True, D("307"), D("2217"))
    assert invoice_of(asiento, "E-1").consumption_units == D("307")


def test_consumer_protection_holds_the_bill_until_released(asiento: Asiento) -> None:
    setup_services(asiento)
    member(asiento, "1")
    metered(asiento, "E-1", "000001")
    read(asiento, "E-1", "2024-01", "1100", date(2024, 1, 31))  # 100 kWh
    read(asiento, "E-1", "2025-01", "1200", date(2025, 1, 31))  # 100 kWh
    read(asiento, "E-1", "2026-01", "1380", date(2026, 1, 31))  # 180 kWh: 80% above the average
    report = run(asiento)
    assert (report.invoices, report.held) == (0, 1)
    assert run(asiento).invoices == 0  # still held
    held = asiento.app.held_bill("E-1", "2026-01")
    held.release("Lectura verificada en el domicilio", recorded_by="supervisor")
    asiento.app.save(held)
    assert run(asiento).invoices == 1


def test_reading_import_is_all_or_nothing(asiento: Asiento, tmp_path: Any) -> None:
    from adapters.reading_files import ReadingFileError
    from api.readings_service import ReadingsService

    setup_services(asiento)
    member(asiento, "1")
    metered(asiento, "E-1", "000001", initial="99500")
    metered(asiento, "E-2", "000001")
    header = "suministro;fecha_lectura;lectura;lecturista\r\n"
    bad = tmp_path / "bad.csv"
    bad.write_text(
        header + "E-1;31/01/2026;400;L1\r\nE-9;31/01/2026;10;L1\r\nE-2;31/01/2026;abc;L1\r\n",
        encoding="utf-8",
    )
    service = ReadingsService(asiento, recorded_by="test")
    head = asiento.runner.head()
    with pytest.raises(ReadingFileError) as refused:
        service.import_file(bad, "2026-01")
    assert sorted((e.line, e.field) for e in refused.value.errors) == [(3, "suministro"), (4, "lectura")]
    assert asiento.runner.head() == head
    good = tmp_path / "good.csv"
    good.write_text(header + "E-1;31/01/2026;400;L1\r\nE-2;31/01/2026;1250;L1\r\n", encoding="utf-8")
    checked, _ = service.import_file(good, "2026-01")
    # E-1 rolls over: 100,000 − 99,500 + 400 = 900 kWh
    assert [(c.reading.supply_number, c.consumption_units, c.rollover) for c in checked] == [
        ("E-1", D("900"), True),
        ("E-2", D("250"), False),
    ]
    with pytest.raises(DomainError, match="ya tiene lectura"):
        service.import_file(good, "2026-01")


def test_several_reading_files_import_in_order_and_stop_at_the_first_bad_one(
    asiento: Asiento, tmp_path: Any
) -> None:
    """The registry is projected by a follower meanwhile: a supply read in two files is still refused."""
    from adapters.reading_files import ReadingFileError
    from api.readings_service import ReadingsService
    from projections.commercial_tables import readings

    setup_services(asiento)
    member(asiento, "1")
    for number in ("E-1", "E-2", "E-3"):
        metered(asiento, number, "000001", initial="1000")
    header = "suministro;fecha_lectura;lectura;lecturista\r\n"
    route_a, route_b, again = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "again.csv"
    route_a.write_text(header + "E-1;31/01/2026;1100;L1\r\nE-2;31/01/2026;1200;L1\r\n", encoding="utf-8")
    route_b.write_text(header + "E-3;31/01/2026;1300;L2\r\n", encoding="utf-8")
    again.write_text(header + "E-3;31/01/2026;1300;L2\r\nE-2;31/01/2026;1210;L2\r\n", encoding="utf-8")
    service = ReadingsService(asiento, recorded_by="test")
    results = service.import_files([route_a, route_b], "2026-01")
    assert [[(c.reading.supply_number, c.consumption_units) for c in checked] for checked, _ in results] == [
        [("E-1", D("100")), ("E-2", D("200"))],
        [("E-3", D("300"))],
    ]
    head = asiento.runner.head()
    with pytest.raises(ReadingFileError) as refused:
        service.import_files([again, route_a], "2026-01")
    assert refused.value.source == "again.csv"
    assert sorted((e.line, e.field) for e in refused.value.errors) == [(2, "suministro"), (3, "suministro")]
    assert asiento.runner.head() == head
    asiento.runner.catch_up()
    with asiento.read() as conn:
        r = readings.c
        read = conn.execute(select(r.supply_number, r.consumption_units).where(r.period == "2026-01")).all()
    assert sorted((n, D(str(u))) for n, u in read) == [("E-1", D(100)), ("E-2", D(200)), ("E-3", D(300))]


def test_a_supply_read_in_two_files_of_one_import_is_refused_there(asiento: Asiento, tmp_path: Any) -> None:
    from adapters.reading_files import ReadingFileError
    from api.readings_service import ReadingsService

    setup_services(asiento)
    member(asiento, "1")
    metered(asiento, "E-1", "000001", initial="1000")
    metered(asiento, "E-2", "000001", initial="1000")
    header = "suministro;fecha_lectura;lectura;lecturista\r\n"
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text(header + "E-1;31/01/2026;1100;L1\r\n", encoding="utf-8")
    second.write_text(header + "E-2;31/01/2026;1100;L1\r\nE-1;31/01/2026;1150;L2\r\n", encoding="utf-8")
    service = ReadingsService(asiento, recorded_by="test")
    with pytest.raises(ReadingFileError) as refused:
        service.import_files([first, second], "2026-01")
    assert refused.value.source == "second.csv"
    assert [(e.line, e.field) for e in refused.value.errors] == [(3, "suministro")]
    assert "ya tiene lectura del período 2026-01" in refused.value.errors[0].reason
    # the first file stays imported; the second, fixed, goes in alone
    second.write_text(header + "E-2;31/01/2026;1100;L1\r\n", encoding="utf-8")
    ((checked, _),) = service.import_files([second], "2026-01")
    assert [(c.reading.supply_number, c.consumption_units) for c in checked] == [("E-2", D("100"))]
    with pytest.raises(ReadingFileError, match="ya tiene lectura"):
        service.import_files([first], "2026-01")


def test_meter_change_bills_both_segments(asiento: Asiento) -> None:
    from domain.supplies import check_meter

    setup_services(asiento)
    member(asiento, "1")
    metered(asiento, "E-1", "000001")
    read(asiento, "E-1", "2025-12", "1200", date(2025, 12, 31))
    supply = asiento.app.supply("E-1")
    supply.change_meter(
        date(2026, 1, 10), D("1260"), check_meter("NEW-1", 6, D(1)), D("5"), recorded_by="tecnico"
    )
    asiento.app.save(supply)
    read(asiento, "E-1", "2026-01", "245", date(2026, 1, 31))
    asiento.runner.catch_up()
    with asiento.read() as conn:
        units = conn.execute(
            select(readings.c.consumption_units).where(readings.c.period == "2026-01")
        ).scalar()
    assert units == D("300")  # old meter 1,200 -> 1,260 (60) + new meter 5 -> 245 (240)


def test_current_account_documents_follow_invoices(coop: Asiento) -> None:
    run(coop)
    with coop.read() as conn:
        labels = [
            r[0] for r in conn.execute(select(account_documents.c.label).order_by(account_documents.c.label))
        ]
        statement = member_statement(conn, "000001", date(2026, 3, 31))
    assert labels == ["Factura A 00001-00000001", "Factura B 00001-00000001", "Factura B 00001-00000002"]
    assert statement.debt_by("service") == {"electricity": D("53073.88"), "internet": D("24079.00")}
    assert statement.ageing()["31 a 60 días"] == D("77152.88")


def test_cuota_capital_integrates_member_capital(coop: Asiento) -> None:
    from projections.commercial_tables import members

    coop.app.subscribe_shares(
        "1", "100000.00", date(2026, 1, 5), integrated="5000.00", account="1.1.01.01", recorded_by="test"
    )
    run(coop)
    with coop.read() as conn:
        row = conn.execute(
            select(members.c.shares_subscribed_cents, members.c.shares_integrated_cents).where(
                members.c.number == "000001"
            )
        ).one()
    assert tuple(row) == (10_000_000, 500_000 + 472_578)  # 5,000.00 paid in + 4,725.78 cuota capital billed


def test_recorded_cae_puts_the_afip_qr_on_the_bill(coop: Asiento, tmp_path: Any) -> None:
    from api.bill_print import print_member_bills
    from api.billing_run import invoice_id

    run(coop)
    coop.app.record_cae(invoice_id("E-1", "2026-01"), "76123456789012", date(2026, 2, 12), recorded_by="afip")
    with pytest.raises(DomainError, match="ya tiene CAE"):
        coop.app.record_cae(
            invoice_id("E-1", "2026-01"), "76123456789013", date(2026, 2, 12), recorded_by="x"
        )
    coop.runner.catch_up()
    (path,) = print_member_bills(coop, "000001", "2026-01", tmp_path)
    from tests.unit.test_pdf_bill import pdf_text

    content = path.read_bytes()
    assert content.count(b"(https://www.afip.gob.ar/fe/qr/?p=") == 1  # E-1 has a CAE, I-1 not yet
    assert "76123456789012" in pdf_text(content)
    with coop.read() as conn:
        cae = conn.execute(select(invoices.c.cae).where(invoices.c.supply_number == "E-1")).scalar()
    assert cae == "76123456789012"


def test_rebuilding_every_projection_gives_the_same_read_models(coop: Asiento) -> None:
    from api.billing_run import invoice_id
    from projections.tables import metadata

    run(coop)
    coop.app.record_cae(
        invoice_id("E-1", "2026-01"),
        "76123456789012",
        date(2026, 2, 12),
        recorded_by="afip",
    )
    coop.runner.catch_up()

    def every_row() -> dict[str, list[tuple[Any, ...]]]:
        with coop.read() as conn:
            return {
                table.name: sorted(
                    (
                        tuple(str(v) for v in row)
                        for row in conn.execute(select(*[c for c in table.c if c.name != "recorded_at"]))
                    ),
                )
                for table in metadata.sorted_tables
                if table.name != "projection_positions"
            }

    before = every_row()
    coop.runner.rebuild(list(coop.runner.projections))
    assert every_row() == before
    assert len(before["invoices"]) == 3 and len(before["account_documents"]) == 3


def test_background_projections_give_the_read_models_of_a_replay(
    coop: Asiento, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run of full chunks projects in a second process; the result equals a plain replay."""
    from api.background_projections import BackgroundProjections
    from projections.tables import metadata

    for n in range(3, 12):
        member(coop, str(n))
        metered(coop, f"E-{n}", f"{n:06d}")
        read(coop, f"E-{n}", "2026-01", str(1100 + n * 10))
    followers: list[BackgroundProjections] = []
    original_start = BackgroundProjections.start

    def watched_start(self: BackgroundProjections) -> None:
        followers.append(self)
        original_start(self)

    monkeypatch.setattr(BackgroundProjections, "start", watched_start)
    report = run(coop, members_per_chunk=2)
    assert report.invoices == 12  # E-1, I-1, E-2..E-11
    assert followers[0].exit_codes == [0]  # the follower ran and stopped cleanly when told

    def every_row() -> dict[str, list[tuple[str, ...]]]:
        with coop.read() as conn:
            return {
                table.name: sorted(tuple(str(v) for v in row) for row in conn.execute(select(table)))
                for table in metadata.sorted_tables
                if table.name != "projection_positions"
            }

    projected = every_row()
    assert len(projected["invoices"]) == 12 and len(projected["journal_entries"]) == 12
    coop.runner.rebuild(list(coop.runner.projections))
    assert every_row() == projected


def test_a_late_interest_debit_note_of_the_period_does_not_stop_its_bill(coop: Asiento) -> None:
    from adapters.interest_rates import load_interest_rates
    from api.billing_run import invoice_id

    run(coop)
    notes = coop.app.charge_late_interest(
        member_number="1",
        effective_date=date(2026, 2, 27),  # after the first due date: a debit note dated in February
        open_invoice_ids=[invoice_id("E-1", "2026-01"), invoice_id("I-1", "2026-01")],
        rates=load_interest_rates(),
        point_of_sale=1,
        due_days=0,
        recorded_by="cajera",
    )
    assert sorted((n.supply_number, n.period) for n in notes) == [("E-1", "2026-02"), ("I-1", "2026-02")]
    read(coop, "E-2", "2026-02", "52000")
    read(coop, "E-1", "2026-02", "1500")
    coop.runner.catch_up()
    report = run(coop, period="2026-02", issue_date=date(2026, 3, 2))
    assert (report.invoices, report.skipped) == (3, [])  # E-1, I-1 and E-2, the notes notwithstanding
    assert invoice_of(coop, "E-1", "2026-02").consumption_units == D("180")
    assert invoice_of(coop, "I-1", "2026-02").period == "2026-02"


def test_numbers_reserved_elsewhere_during_a_run_are_skipped_not_reused(coop: Asiento) -> None:
    """The run keeps its numbering series between chunks and reads what others reserved meanwhile."""
    from domain.numbering import DocumentSeries, series_id

    for n in range(3, 7):
        member(coop, str(n))
        metered(coop, f"E-{n}", f"{n:06d}")
        read(coop, f"E-{n}", "2026-01", str(1100 + n * 10))
    reserved: list[int] = []

    def another_desk_reserves(_members: int) -> None:
        if not reserved:  # once, after the first chunk
            series: DocumentSeries = coop.app.repository.get(series_id(1, 6))
            reserved.extend(series.reserve(5, purpose="otra caja"))
            coop.app.save(series)

    report = BillingRun(
        coop, period="2026-01", issue_date=ISSUE, recorded_by="facturacion", members_per_chunk=2
    ).run(progress=another_desk_reserves)
    assert report.invoices == 7  # E-1, I-1, E-2 (an A invoice), E-3..E-6
    with coop.read() as conn:
        b_numbers = sorted(
            n for t, n in conn.execute(select(invoices.c.document_type, invoices.c.number)) if t == 6
        )
    assert reserved == [3, 4, 5, 6, 7]  # the first chunk (members 1 and 2) took B 1 and 2
    assert b_numbers == [1, 2, 8, 9, 10, 11]


def test_supplies_sharing_a_bill_calculation_get_each_their_own_correct_invoice(asiento: Asiento) -> None:
    """The run computes a bill once per distinct input (tariffs, category, consumption, VAT
    condition, beneficiaries): every invoice must still equal the bill computed for it alone."""
    from api.billing_run import period_bounds
    from domain.tariff_calc import compute_bill

    setup_services(asiento)
    cases = [  # (supply, member, VAT, category, reading): E-1/E-2 and E-3/E-5 share every input
        ("E-1", "1", "CF", "residential", "1320"),
        ("E-2", "2", "CF", "residential", "1320"),
        ("E-3", "3", "NC", "residential", "1320"),  # same consumption, another VAT condition
        ("E-4", "4", "CF", "commercial", "1320"),  # same consumption, another category
        ("E-5", "5", "NC", "residential", "1320"),
        ("E-6", "6", "CF", "residential", "1320.0"),  # the same amount, written otherwise
    ]
    for supply, number, vat, category, value in cases:
        member(asiento, number, vat)
        metered(asiento, supply, number.zfill(6), category=category)
        read(asiento, supply, "2026-01", value)
    run(asiento)
    start, end = period_bounds("2026-01")
    versions = BillingRun(asiento, period="2026-01", issue_date=ISSUE, recorded_by="t")._tariffs()
    for supply, _, vat, category, value in cases:
        invoice = invoice_of(asiento, supply)
        alone = compute_bill(versions["electricity"], category, D(value) - 1000, start, end, vat)
        assert invoice.lines == alone.lines, supply
        assert invoice.total == alone.totals.total
    assert invoice_of(asiento, "E-1").total != invoice_of(asiento, "E-3").total
    assert invoice_of(asiento, "E-1").total != invoice_of(asiento, "E-4").total
