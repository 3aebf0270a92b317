"""Automatic debit on SQLite and PostgreSQL: request file, bank answer, receipts and rejections."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from adapters.debit_files import parse_debit_request, write_debit_result
from adapters.debit_model import respond
from api.billing_run import BillingRun, invoice_id
from api.bootstrap import Asiento
from api.debit_service import export_debit_request, import_debit_result
from domain.errors import AlreadyRecorded, DomainError
from domain.invoicing import Invoice
from projections import queries
from projections.commercial_tables import receipts
from tests.integration.cooperative import member, metered, read, setup_services

D = Decimal
CBUS = {"1": "2850590940090418135201", "2": "0170099220000067797370"}


@pytest.fixture
def billed(asiento: Asiento) -> Asiento:
    setup_services(asiento)
    for n in ("1", "2", "3"):
        member(asiento, n)
        metered(asiento, f"E-{n}", n.zfill(6))
        read(asiento, f"E-{n}", "2026-01", str(1000 + 100 * int(n)))
    for n, cbu in CBUS.items():
        found = asiento.app.member(n)
        found.adhere_to_debit(cbu, date(2026, 1, 10), recorded_by="test")
        asiento.app.save(found)
    BillingRun(asiento, period="2026-01", issue_date=date(2026, 2, 2), recorded_by="test").run()
    return asiento


def balance(asiento: Asiento, supply: str) -> Decimal:
    invoice: Invoice = asiento.app.repository.get(invoice_id(supply, "2026-01"))
    return invoice.balance


def test_debited_documents_are_paid_and_rejected_ones_stay_open(billed: Asiento, tmp_path: Path) -> None:
    request_path = tmp_path / "debitos.txt"
    report = export_debit_request(billed, "2026-01", 1, request_path, date(2026, 2, 5))
    assert report.orders == 2  # member 3 is not adhered
    request = parse_debit_request(request_path.read_bytes())
    assert [o.cbu for o in request.orders] == [CBUS["1"], CBUS["2"]]
    owed_2 = balance(billed, "E-2")
    answer = respond(request, {request.orders[1].document_reference: "R10"}, file_date=date(2026, 2, 17))
    result_path = tmp_path / "respuesta.txt"
    result_path.write_bytes(write_debit_result(answer))
    imported = import_debit_result(billed, result_path, recorded_by="banco")
    assert (imported.debited, imported.rejected) == (1, 1)
    assert (balance(billed, "E-1"), balance(billed, "E-2"), balance(billed, "E-3")) == (
        0,
        owed_2,
        balance(billed, "E-3"),
    )
    with billed.read() as conn:
        tb = {r.code: r.balance for r in queries.trial_balance(conn, date(2026, 12, 31)).rows}
        channels = [c for (c,) in conn.execute(select(receipts.c.channel))]
    assert tb["1.1.01.10"] == imported.debited_amount  # the bank account received the debit
    assert channels == ["debito_automatico"]
    with pytest.raises(AlreadyRecorded):
        import_debit_result(billed, result_path, recorded_by="banco")


def test_an_invalid_cbu_is_refused(billed: Asiento) -> None:
    found = billed.app.member("3")
    with pytest.raises(DomainError, match="CBU inválido"):
        found.adhere_to_debit("2850590940090418135202", date(2026, 1, 10), recorded_by="test")
